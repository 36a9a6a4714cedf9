"""What every page route shares: the request's unit of work and caller, the CSRF check for form
posts, rendering with security headers, and errors answered as pages instead of JSON.

Like the API's `request_ctx`, a page request is one transaction that commits before the response
is sent. Forms carry the session's CSRF token as the hidden field `csrf_token`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any, Final
from urllib.parse import quote, urlencode

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, UploadFile

from persona_insight.accounts import repository as accounts_repo
from persona_insight.accounts.deps import SAFE_METHODS, Ctx, actor_of, authenticate, check_csrf
from persona_insight.accounts.repository import Authenticated
from persona_insight.accounts.routes import client_ip
from persona_insight.db import Actor, set_actor
from persona_insight.errors import AppError, Unauthenticated
from persona_insight.runtime import Runtime, runtime_of
from persona_insight.web import i18n
from persona_insight.web.rendering import render

MAX_FILES: Final = 50

CSP: Final = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@dataclass(slots=True)
class Page:
    """One page request: its transaction, caller (None on the sign-in page), language and form."""

    request: Request
    rt: Runtime
    session: AsyncSession
    user: Authenticated | None
    locale: str
    form: FormData | None = None
    avatar: str | None = None  # a version of the caller's avatar (changes with the image)
    _ctx: Ctx | None = field(default=None)

    @property
    def signed_in(self) -> Authenticated:
        if self.user is None:
            raise Unauthenticated("sign in", code="unauthenticated")
        return self.user

    @property
    def ctx(self) -> Ctx:
        """The API's request context, for calling API functions from a page."""
        if self._ctx is None:
            self._ctx = Ctx(session=self.session, user=self.signed_in, rt=self.rt)
        return self._ctx

    def _(self, message: str, **params: object) -> str:
        text: str = i18n.translations(self.locale).gettext(message)
        return text % params if params else text

    @property
    def ip(self) -> str | None:
        return client_ip(self.request)

    @property
    def is_company_admin(self) -> bool:
        """Company admins and super-admins: who gets the administration pages."""
        return self.user is not None and self.user.role in ("company_admin", "super_admin")

    def value(self, name: str) -> str:
        value = self.form.get(name) if self.form is not None else None
        return value.strip() if isinstance(value, str) else ""

    def raw(self, name: str) -> str:
        """A field as typed (passwords keep their spaces)."""
        value = self.form.get(name) if self.form is not None else None
        return value if isinstance(value, str) else ""

    def reason(self, code: str) -> str:
        """An error code's message in the reader's language."""
        known = i18n.REASONS.get(code)
        return self._(known) if known else self._("Something went wrong. Please try again.")

    def field_errors(self, exc: ValidationError, messages: dict[str, str]) -> dict[str, str]:
        """A form's mistakes by field: the field's own message from `messages`, else a generic
        one; the first mistake of each field wins."""
        errors: dict[str, str] = {}
        for error in exc.errors():
            name = str(error["loc"][0]) if error.get("loc") else "form"
            errors.setdefault(name, messages.get(name) or self._("Check this field."))
        return errors

    def values(self, name: str) -> list[str]:
        if self.form is None:
            return []
        return [v for v in self.form.getlist(name) if isinstance(v, str)]

    def files(self, name: str) -> list[UploadFile]:
        if self.form is None:
            return []
        return [v for v in self.form.getlist(name) if isinstance(v, UploadFile) and v.filename]

    async def undo(self) -> None:
        """Roll back what the request did so far (a form error is answered, not committed)."""
        await self.session.rollback()
        await set_actor(self.session, actor_of(self.user) if self.user else Actor.system())

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        notice = self.request.query_params.get("notice", "")
        base = _base_context(self.request, self.locale, self.user, self.avatar) | {
            "notice": self._(i18n.NOTICES[notice]) if notice in i18n.NOTICES else "",
            "problem": _problem(self, self.request.query_params.get("problem", "")),
        }
        html = render(self.locale, template, base | context)
        return HTMLResponse(html, status_code=status, headers={"Content-Language": self.locale})


def _base_context(
    request: Request, locale: str, user: Authenticated | None, avatar: str | None
) -> dict[str, Any]:
    """What base.html needs on every page: the caller (for the top bar) and the module's texts."""
    script_messages, script_reasons = i18n.for_script(locale)
    return {
        "user": user,
        "avatar_url": avatar_url(user.user_id, avatar) if user and avatar else "",
        "csrf_token": user.csrf_token if user and user.csrf_token else "",
        "path": request.url.path,
        "here": _here(request),
        "notice": "",
        "problem": "",
        "values": {},
        "errors": {},
        "script_messages": script_messages,
        "script_reasons": script_reasons,
    }


def avatar_url(user_id: object, version: str | None = None) -> str:
    """The API serves avatars (same company only); the version makes a new image a new URL."""
    return f"/api/users/{user_id}/avatar" + (f"?v={version}" if version else "")


async def _avatar_version(session: AsyncSession, user: Authenticated) -> str | None:
    row = await accounts_repo.user_by_id(session, user.user_id)
    return row.avatar_sha256[:12] if row is not None and row.avatar_sha256 else None


def _problem(page: Page, code: str) -> str:
    return page._(i18n.REASONS[code]) if code in i18n.REASONS else ""


def _here(request: Request) -> str:
    query = {k: v for k, v in request.query_params.items() if k not in ("notice", "problem")}
    return request.url.path + ("?" + urlencode(query) if query else "")


def redirect(url: str, *, notice: str | None = None, problem: str | None = None) -> Response:
    """303 after a form post, with a message code the next page shows (never free text)."""
    query = {k: v for k, v in (("notice", notice), ("problem", problem)) if v}
    if query:
        path, hash_, fragment = url.partition("#")
        url = path + ("&" if "?" in path else "?") + urlencode(query) + hash_ + fragment
    return RedirectResponse(url, status_code=303)


def no_store(response: Response) -> Response:
    """For an answer that shows a secret once (a new token, an invitation link)."""
    response.headers["Cache-Control"] = "no-store"
    return response


def safe_next(value: str | None, default: str = "/projects") -> str:
    """A local path to go to after signing in; anything else (another host) is ignored."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return default


async def _open(request: Request, *, need_user: bool) -> AsyncIterator[Page]:
    rt = runtime_of(request)
    async with rt.db.sessions() as session:
        await set_actor(session, Actor.system())
        user = await authenticate(session, request)
        if user is None and need_user:
            raise Unauthenticated("sign in to see this page", code="unauthenticated")
        avatar = None
        if user is not None:
            await set_actor(session, actor_of(user))
            avatar = await _avatar_version(session, user)
        form = None
        if request.method not in SAFE_METHODS:
            form = await request.form(max_files=MAX_FILES, max_fields=100)
        try:
            if user is not None and form is not None:
                token = form.get("csrf_token")
                check_csrf(request, user, token if isinstance(token, str) else None)
            yield Page(
                request=request,
                rt=rt,
                session=session,
                user=user,
                locale=i18n.negotiate(request, user.locale if user else None),
                form=form,
                avatar=avatar,
            )
        except BaseException:
            await session.rollback()
            raise
        finally:
            if form is not None:
                await form.close()
        await session.commit()


async def signed_in_page(request: Request) -> AsyncIterator[Page]:
    async for page in _open(request, need_user=True):
        yield page


async def any_page(request: Request) -> AsyncIterator[Page]:
    async for page in _open(request, need_user=False):
        yield page


PageDep = Annotated[Page, Depends(signed_in_page, scope="function")]
PublicPageDep = Annotated[Page, Depends(any_page, scope="function")]


# --- errors as pages -----------------------------------------------------------------------------


async def error_page(request: Request, status: int, code: str) -> Response:
    if status == 401:
        # After signing in, come back to the page (a form post cannot be replayed: its page).
        target = request.url.path if request.method in SAFE_METHODS else "/projects"
        if request.url.query and request.method in SAFE_METHODS:
            target += f"?{request.url.query}"
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    # The page's own transaction is over (rolled back); a short one finds who is asking, so the
    # page is in their language and keeps their top bar. Without a database, the page is still
    # answered, in the browser's language.
    user, avatar = None, None
    with contextlib.suppress(SQLAlchemyError, OSError):
        async with runtime_of(request).db.sessions() as session:
            await set_actor(session, Actor.system())
            user = await authenticate(session, request)
            avatar = await _avatar_version(session, user) if user is not None else None
            await session.rollback()
    locale = i18n.negotiate(request, user.locale if user else None)
    known = i18n.REASONS.get(code)
    context = _base_context(request, locale, user, avatar) | {
        "status": status,
        "code": code,
        "detail": i18n.translations(locale).gettext(known) if known else "",
    }
    html = render(locale, "error.html", context)
    return HTMLResponse(html, status_code=status, headers={"Content-Language": locale})


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class PageRoute(APIRoute):
    """A route whose errors are pages (404 page, sign-in redirect) and whose answers carry the
    security headers (Content-Security-Policy without inline scripts, no framing, no sniffing)."""

    def get_route_handler(self) -> Handler:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await original(request)
            except AppError as exc:
                # Outsiders get 404 everywhere, whatever the reason, as from the API.
                response = await error_page(request, exc.status, exc.code)
                if isinstance(exc.details, dict) and "retry_after" in exc.details:
                    response.headers["Retry-After"] = str(exc.details["retry_after"])
            except RequestValidationError:
                response = await error_page(request, 404, "not_found")
            return secured(response)

        return handler


def secured(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
