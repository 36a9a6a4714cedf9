"""`/profile`: my name and language, avatar, password and API tokens.

Each form calls the function behind the matching `/api/me…` route, so a page does exactly what
the API does (audit entries, streams closed on password change or token revocation). A new
token's secret is shown once, in the answer to the form that created it, never in a redirect.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import ValidationError

from persona_insight.accounts import routes as account_routes
from persona_insight.accounts import service as accounts
from persona_insight.accounts.schemas import PasswordChange, TokenCreate, TokenCreated
from persona_insight.errors import AppError
from persona_insight.web import i18n
from persona_insight.web.page import Page, PageDep, PageRoute, no_store, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)

HERE = "/profile"


async def _profile_page(
    page: Page,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    new_token: TokenCreated | None = None,
) -> Response:
    me = await account_routes.me(page.ctx)
    tokens = await account_routes.list_tokens(page.ctx)
    context: dict[str, Any] = {
        "me": me,
        "tokens": tokens.items,
        "new_token": new_token,
        "errors": errors or {},
        "values": {"name": me.name} | (values or {}),
        "profile_locale": me.locale or page.locale,
        "max_avatar_mb": account_routes.AVATAR_MAX_BYTES // (1024 * 1024),
    }
    return page.render("profile.html", status, **context)


@router.get("/profile")
async def profile(page: PageDep) -> Response:
    return await _profile_page(page)


@router.post("/profile")
async def save_profile(page: PageDep) -> Response:
    name, locale = page.value("name"), page.value("locale")
    try:
        await accounts.update_profile(
            page.session, page.signed_in.user_id, name=name, locale=locale or None
        )
    except AppError as exc:
        await page.undo()
        errors = {"locale" if exc.code == "invalid_locale" else "name": page.reason(exc.code)}
        return await _profile_page(page, status=exc.status, errors=errors, values={"name": name})
    response = redirect(HERE, notice="saved")
    # The language just chosen is the choice: the switcher's older one must not hide it.
    response.delete_cookie(i18n.LOCALE_COOKIE, path="/")
    return response


# --- avatar ---------------------------------------------------------------------------------------


@router.post("/profile/avatar")
async def upload_avatar(page: PageDep) -> Response:
    if not page.files("file"):
        return redirect(HERE + "#avatar", problem="image_required")
    try:
        # The API's route reads the same (already parsed) form: one place checks size and type.
        await account_routes.put_avatar(page.request, page.ctx)
    except AppError as exc:
        await page.undo()
        return redirect(HERE + "#avatar", problem=exc.code)
    return redirect(HERE + "#avatar", notice="avatar_saved")


@router.post("/profile/avatar/delete")
async def remove_avatar(page: PageDep) -> Response:
    await account_routes.delete_avatar(page.ctx)
    return redirect(HERE + "#avatar", notice="avatar_removed")


# --- password -------------------------------------------------------------------------------------


@router.post("/profile/password")
async def change_password(page: PageDep) -> Response:
    current, new, again = (
        page.raw(n) for n in ("current_password", "new_password", "confirm_password")
    )
    errors: dict[str, str] = {}
    if not current:
        errors["current_password"] = page.reason("wrong_password")
    if new != again:
        errors["confirm_password"] = page.reason("passwords_differ")
    try:
        body = PasswordChange(
            current_password=current or "-",
            new_password=new,
            keep_api_tokens=page.value("keep_api_tokens") == "yes",
        )
    except ValidationError:
        errors["new_password"] = page.reason("weak_password")
    if errors:
        return await _profile_page(page, status=422, errors=errors)
    response = redirect(HERE + "#password", notice="password_changed")
    try:
        # Ends every session of mine (other browsers are signed out at once) and sets the new
        # session's cookie on this answer, so this browser stays signed in.
        await account_routes.change_password(body, page.ctx, page.request, response)
    except AppError as exc:
        await page.undo()
        field = "current_password" if exc.code == "wrong_password" else "new_password"
        return await _profile_page(page, status=exc.status, errors={field: page.reason(exc.code)})
    return response


# --- API tokens -----------------------------------------------------------------------------------


@router.post("/profile/tokens")
async def create_token(page: PageDep) -> Response:
    name = page.value("token_name")
    try:
        body = TokenCreate(name=name)
    except ValidationError:
        errors = {"token_name": page._("Give the token a name.")}
        return await _profile_page(page, status=422, errors=errors)
    created = await account_routes.create_token(body, page.ctx, page.request)
    return no_store(await _profile_page(page, new_token=created))


@router.post("/profile/tokens/{token_id}/revoke")
async def revoke_token(token_id: UUID, page: PageDep) -> Response:
    try:
        await account_routes.revoke_token(token_id, page.ctx, page.request)
    except AppError as exc:
        await page.undo()
        return redirect(HERE + "#tokens", problem=exc.code)
    return redirect(HERE + "#tokens", notice="token_revoked")
