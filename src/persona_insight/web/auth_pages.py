"""Sign in, sign up, sign out and the language switcher.

Both forms go through the API's own functions (`accounts.routes.sign_in`, `accounts.routes.signup`),
so a page sign-in is throttled and audited exactly like `POST /api/auth/login`; the mailed
verification link opens a page whose button calls `POST /api/auth/verify`'s function.
"""

from __future__ import annotations

import math
import secrets
from typing import Annotated, Final

from fastapi import APIRouter, Path, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from persona_insight.accounts import routes as account_routes
from persona_insight.accounts.deps import SESSION_COOKIE
from persona_insight.accounts.routes import set_session_cookie, sign_in
from persona_insight.accounts.schemas import SignupIn, VerifyIn
from persona_insight.errors import AppError, Forbidden, RateLimited, Unauthenticated
from persona_insight.web import i18n
from persona_insight.web.page import (
    Page,
    PageDep,
    PageRoute,
    PublicPageDep,
    no_store,
    redirect,
    safe_next,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# Signing in or up has no session to hold a CSRF token yet: a random value in a cookie that the
# form must echo (double submit) stops other sites from signing a browser into an account.
# (cookie, its path, the form's field)
LOGIN_TOKEN: Final = ("pi_login_csrf", "/login", "login_token")
SIGNUP_TOKEN: Final = ("pi_signup_csrf", "/signup", "signup_token")
LOCALE_MAX_AGE: Final = 365 * 24 * 3600

# Where each sign-up refusal is shown: next to the field it is about.
SIGNUP_FIELD_OF: Final = {
    "invalid_email": "email",
    "email_taken": "email",
    "signup_domain_not_allowed": "email",
    "company_inactive": "email",
    "weak_password": "password",
    "invalid_name": "name",
}
SIGNUP_CODE_OF_FIELD: Final = {"email": "invalid_email", "password": "weak_password"}


@router.get("/")
async def home(page: PublicPageDep) -> Response:
    return redirect("/projects" if page.user else "/login")


def _token_page(
    page: Page, template: str, kind: tuple[str, str, str], status: int, **context: object
) -> Response:
    cookie, path, _ = kind
    token = secrets.token_urlsafe(24)
    response = page.render(template, status, form_token=token, **context)
    response.set_cookie(
        cookie,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=page.rt.settings.cookies_secure,
        path=path,
    )
    return response


async def release_connection(page: Page) -> None:
    """Give the page's database connection back before signing in or up: those open their own
    short transactions, and a request that holds one pooled connection while it waits for another
    lets a burst of such requests take the whole pool and wait on each other until they time out.
    Nothing of the page's transaction is needed (no one is signed in yet)."""
    await page.session.close()


def _token_matches(page: Page, kind: tuple[str, str, str]) -> bool:
    cookie, _, field = kind
    sent, expected = page.value(field), page.request.cookies.get(cookie)
    return bool(sent and expected and secrets.compare_digest(sent, expected))


# --- sign in --------------------------------------------------------------------------------------


def _login_page(
    page: Page, *, next_url: str, email: str, error: str, status: int = 200
) -> Response:
    return _token_page(
        page, "login.html", LOGIN_TOKEN, status, next=next_url, email=email, error=error
    )


def wait_minutes(exc: RateLimited) -> int:
    seconds = exc.details.get("retry_after", 60) if isinstance(exc.details, dict) else 60
    return max(1, math.ceil(int(seconds) / 60))


@router.get("/login")
async def login_form(page: PublicPageDep, next: str | None = None) -> Response:
    if page.user is not None:
        return redirect(safe_next(next))
    return _login_page(page, next_url=safe_next(next), email="", error="")


@router.post("/login")
async def login_submit(page: PublicPageDep) -> Response:
    request = page.request
    email, next_url = page.value("email"), safe_next(page.value("next"))
    if not _token_matches(page, LOGIN_TOKEN):
        error = page._("The sign-in form expired. Please try again.")
        return _login_page(page, next_url=next_url, email=email, error=error, status=403)
    password = page.form.get("password") if page.form is not None else None
    await release_connection(page)
    try:
        new, _ = await sign_in(
            request, email=email, password=password if isinstance(password, str) else ""
        )
    except Unauthenticated:
        error = page._("The e-mail or password is not right.")
        return _login_page(page, next_url=next_url, email=email, error=error, status=401)
    except RateLimited as exc:
        error = page._(
            "Too many failed sign-ins. Try again in %(minutes)s min.", minutes=wait_minutes(exc)
        )
        response = _login_page(page, next_url=next_url, email=email, error=error, status=429)
        response.headers["Retry-After"] = str(exc.details["retry_after"])
        return response
    except Forbidden as exc:
        # The right password for an account that is not usable yet (unverified, unapproved).
        error = _reason(page, exc.code)
        return _login_page(page, next_url=next_url, email=email, error=error, status=exc.status)
    response = RedirectResponse(next_url, status_code=303)
    set_session_cookie(response, request, new.token, new.expires_at)
    response.delete_cookie(LOGIN_TOKEN[0], path=LOGIN_TOKEN[1])
    return response


# --- sign up --------------------------------------------------------------------------------------


def _signup_page(
    page: Page,
    *,
    next_url: str,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    return _token_page(
        page,
        "signup.html",
        SIGNUP_TOKEN,
        status,
        next=next_url,
        values=values,
        errors=errors,
    )


@router.get("/signup")
async def signup_form(page: PublicPageDep, next: str | None = None) -> Response:
    if page.user is not None:
        return redirect(safe_next(next))
    return _signup_page(page, next_url=safe_next(next), values={}, errors={})


def _reason(page: Page, code: str) -> str:
    return page._(i18n.REASONS[code]) if code in i18n.REASONS else page._("Check this field.")


@router.post("/signup")
async def signup_submit(page: PublicPageDep) -> Response:
    next_url = safe_next(page.value("next"))
    values = {"email": page.value("email"), "name": page.value("name")}
    raw_password = page.form.get("password") if page.form is not None else None
    password = raw_password if isinstance(raw_password, str) else ""
    if not _token_matches(page, SIGNUP_TOKEN):
        errors = {"form": page._("The sign-up form expired. Please try again.")}
        return _signup_page(page, next_url=next_url, values=values, errors=errors, status=403)
    try:
        body = SignupIn.model_validate({**values, "password": password})
    except ValidationError as exc:
        errors = {}
        for error in exc.errors():
            name = str(error["loc"][0]) if error.get("loc") else "form"
            errors.setdefault(name, _reason(page, SIGNUP_CODE_OF_FIELD.get(name, "invalid_name")))
        return _signup_page(page, next_url=next_url, values=values, errors=errors, status=422)
    await release_connection(page)
    try:
        # The API's sign-up: the rules, the audit entry and the verification mail, in one place.
        created = await account_routes.signup(body, page.request)
    except AppError as exc:
        field = SIGNUP_FIELD_OF.get(exc.code, "form")
        if exc.code == "too_many_attempts" and isinstance(exc, RateLimited):
            message = page._(
                "Too many failed sign-ins. Try again in %(minutes)s min.",
                minutes=wait_minutes(exc),
            )
        else:
            message = _reason(page, exc.code)
        status = exc.status if exc.status >= 400 else 422
        return _signup_page(
            page, next_url=next_url, values=values, errors={field: message}, status=status
        )
    response = page.render(
        "signup_sent.html",
        next=next_url,
        email=created.email,
        hours=page.rt.settings.email_verification_hours,
    )
    response.delete_cookie(SIGNUP_TOKEN[0], path=SIGNUP_TOKEN[1])
    return response


# --- e-mail verification --------------------------------------------------------------------------


@router.get("/verify-email/{token}")
async def verify_form(token: Annotated[str, Path(max_length=200)], page: PublicPageDep) -> Response:
    """The mailed link only shows a button: mail scanners that open links must not use it up."""
    return no_store(page.render("verify_email.html", token=token, error=""))


@router.post("/verify-email/{token}")
async def verify_submit(
    token: Annotated[str, Path(max_length=200)], page: PublicPageDep
) -> Response:
    try:
        done = await account_routes.verify(VerifyIn(token=token), page.request)
    except AppError as exc:
        error = _reason(page, exc.code)
        return no_store(page.render("verify_email.html", exc.status, token=token, error=error))
    return redirect("/login", notice="approval_pending" if done.approval_pending else "verified")


# --- sign out and language ------------------------------------------------------------------------


@router.post("/logout")
async def logout(page: PageDep) -> Response:
    # The API's sign-out: the session ends, the user's streams close, the audit log says so.
    await account_routes.logout(page.ctx, page.request)
    response = redirect("/login", notice="signed_out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/locale/{code}")
async def switch_locale(code: str, page: PublicPageDep, next: str | None = None) -> Response:
    """The switcher is a plain link, so it works everywhere; the choice is kept in a cookie."""
    response = redirect(safe_next(next, default="/"))
    locale = i18n.supported(code)
    if locale is not None:
        response.set_cookie(
            i18n.LOCALE_COOKIE,
            locale,
            max_age=LOCALE_MAX_AGE,
            samesite="lax",
            secure=page.rt.settings.cookies_secure,
            path="/",
        )
    return response
