"""Sign in, sign out and the language switcher.

Sign-up and the profile page belong to the accounts work; the templates leave their places
(`account_links` in the top bar, `signup` on the sign-in page).
"""

from __future__ import annotations

import secrets
from typing import Final

from fastapi import APIRouter, Response
from fastapi.responses import RedirectResponse

from persona_insight.accounts import service as accounts
from persona_insight.accounts.deps import SESSION_COOKIE
from persona_insight.accounts.routes import set_session_cookie, sign_in
from persona_insight.errors import RateLimited, Unauthenticated
from persona_insight.web import i18n
from persona_insight.web.page import PageDep, PageRoute, PublicPageDep, redirect, safe_next

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# Signing in has no session to hold a CSRF token yet: a random value in a cookie that the form
# must echo (double submit) stops other sites from signing a browser into an attacker's account.
LOGIN_COOKIE: Final = "pi_login_csrf"
LOCALE_MAX_AGE: Final = 365 * 24 * 3600


@router.get("/")
async def home(page: PublicPageDep) -> Response:
    return redirect("/projects" if page.user else "/login")


def _login_page(
    page: PublicPageDep, *, next_url: str, email: str, error: str, status: int
) -> Response:
    token = secrets.token_urlsafe(24)
    response = page.render(
        "login.html", status, next=next_url, login_token=token, email=email, error=error
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=page.rt.settings.secure_cookies,
        path="/login",
    )
    return response


@router.get("/login")
async def login_form(page: PublicPageDep, next: str | None = None) -> Response:
    if page.user is not None:
        return redirect(safe_next(next))
    return _login_page(page, next_url=safe_next(next), email="", error="", status=200)


@router.post("/login")
async def login_submit(page: PublicPageDep) -> Response:
    request = page.request
    email, next_url = page.value("email"), safe_next(page.value("next"))
    sent, expected = page.value("login_token"), request.cookies.get(LOGIN_COOKIE)
    if not sent or not expected or not secrets.compare_digest(sent, expected):
        error = page._("The sign-in form expired. Please try again.")
        return _login_page(page, next_url=next_url, email=email, error=error, status=403)
    password = page.form.get("password") if page.form is not None else None
    try:
        new, _ = await sign_in(
            request, email=email, password=password if isinstance(password, str) else ""
        )
    except Unauthenticated:
        error = page._("The e-mail or password is not right.")
        return _login_page(page, next_url=next_url, email=email, error=error, status=401)
    except RateLimited:
        error = page._("Too many attempts. Please wait a few minutes and try again.")
        return _login_page(page, next_url=next_url, email=email, error=error, status=429)
    response = RedirectResponse(next_url, status_code=303)
    set_session_cookie(response, request, new.token, new.expires_at)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(page: PageDep) -> Response:
    if page.signed_in.session_id is not None:
        await accounts.logout(page.session, page.signed_in.session_id, page.signed_in.user_id)
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
            secure=page.rt.settings.secure_cookies,
            path="/",
        )
    return response
