"""Account rules: sign-up, sign-in, sessions, passwords, profiles and API tokens. Never commits.

Ending a user's access (sign-out, password change, deactivation, token revocation) also notifies
`pi_revoked` in the same transaction: every server process closes that user's open event streams
at commit, and the reconnect is refused if the credentials no longer hold.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts import repository as repo
from persona_insight.accounts.addresses import parse_email, unicode_domain
from persona_insight.accounts.security import (
    SESSION_PREFIX,
    TOKEN_PREFIX,
    VERIFY_PREFIX,
    digest,
    hash_password,
    new_secret,
    verify_password,
)
from persona_insight.db import Actor, set_actor
from persona_insight.errors import (
    AppError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from persona_insight.ids import uuid7
from persona_insight.models import ApiToken, AuthSession, Company, User
from persona_insight.realtime import events

ROLES = ("super_admin", "company_admin", "company_user")
LOCALES = ("ko", "en")
MIN_PASSWORD = 8


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str
    csrf_token: str
    user: User
    expires_at: dt.datetime


def normalise_email(email: str) -> str:
    return parse_email(email)


class EmailUnverified(Forbidden):
    """The right password for an account whose mailbox is not proven yet."""

    code = "email_unverified"

    def __init__(self, user_id: UUID, company_id: UUID) -> None:
        super().__init__("confirm your e-mail address first: a new link was sent to it")
        self.user_id = user_id
        self.company_id = company_id


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"the password needs at least {MIN_PASSWORD} characters", code="weak_password"
        )
    if len(password) > 1024:
        raise InvalidInput("the password is too long", code="weak_password")


async def notify_revoked(session: AsyncSession, user_id: UUID) -> None:
    await events.revoke_streams(session, user_id=user_id)


# --- sign-in and sessions -----------------------------------------------------------------------


async def login(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    ttl: dt.timedelta,
    ip: str | None = None,
    user_agent: str | None = None,
    replaces: str | None = None,
) -> NewSession:
    candidate = await repo.login_candidate(session, email.strip())
    ok = verify_password(password, candidate.password_hash if candidate else None)
    if candidate is None or not ok or not candidate.active:
        raise Unauthenticated("wrong e-mail or password", code="invalid_credentials")
    await set_actor(session, Actor(candidate.company_id, candidate.user_id, candidate.role))
    user = await repo.user_by_id(session, candidate.user_id)
    assert user is not None
    # Only after the password proved itself: nobody learns an account's state without it.
    if user.email_verified_at is None:
        raise EmailUnverified(user.id, user.company_id)
    if user.approved_at is None:
        raise Forbidden(
            "a company admin has not approved this account yet", code="approval_pending"
        )
    if replaces:
        # Session rotation: the cookie a browser brought to the sign-in stops working.
        await repo.delete_session_by_hash(session, digest(replaces))
    return await start_session(session, user, ttl=ttl, ip=ip, user_agent=user_agent)


async def start_session(
    session: AsyncSession,
    user: User,
    *,
    ttl: dt.timedelta,
    ip: str | None = None,
    user_agent: str | None = None,
) -> NewSession:
    token = new_secret(SESSION_PREFIX)
    csrf = secrets.token_urlsafe(24)
    expires = dt.datetime.now(dt.UTC) + ttl
    await repo.add(
        session,
        AuthSession(
            token_hash=digest(token),
            user_id=user.id,
            company_id=user.company_id,
            csrf_token=csrf,
            expires_at=expires,
            ip=ip,
            user_agent=(user_agent or "")[:400],
        ),
    )
    return NewSession(token=token, csrf_token=csrf, user=user, expires_at=expires)


async def logout(session: AsyncSession, session_id: UUID, user_id: UUID) -> None:
    await repo.delete_session(session, session_id)
    await notify_revoked(session, user_id)


# --- sign-up --------------------------------------------------------------------------------------


async def signup(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    name: str,
    open_signup: bool,
    verify_for: dt.timedelta,
) -> tuple[User, str]:
    """A new, unverified user in the company that claims the e-mail's domain, and the secret of
    the link that verifies it (mail it; the account cannot sign in before it is followed).

    The first user of an instance becomes its super-admin (and, with no company yet, founds one
    named after the domain). Otherwise an unclaimed domain is refused unless the instance allows
    open sign-up, which founds a company for that domain with the user as its admin. A company
    that requires approval gets its new members unapproved.
    """
    email = normalise_email(email)
    check_password_strength(password)
    taken = await repo.email_taken(session, email)
    domain = email.rsplit("@", 1)[1]
    first = await repo.user_count(session) == 0
    found = await repo.company_for_domain(session, domain)
    if found is None and unicode_domain(domain) != domain:
        found = await repo.company_for_domain(session, unicode_domain(domain))
    role = "super_admin" if first else "company_user"
    approved = True
    if found is not None:
        company_id, active = found
        if not active:
            raise Forbidden("this company's accounts are closed", code="company_inactive")
        await set_actor(session, Actor(company_id, None, "system"))
        company = await repo.company_by_id(session, company_id)
        assert company is not None
        approved = not company.require_approval or first
    elif first or open_signup:
        company_id = uuid7()
        await set_actor(session, Actor(company_id, None, "system"))
        company = Company(id=company_id, name=domain, domains=[domain])
        await repo.add(session, company)
        role = "super_admin" if first else "company_admin"
    else:
        raise Forbidden(
            "no company uses this e-mail domain; ask your administrator to add it",
            code="signup_domain_not_allowed",
        )
    if taken:
        role = await _replace_unverified(session, email)
    user = await create_user(
        session,
        email=email,
        password=password,
        name=name,
        company=company,
        role=role,
        verified=False,
        approved=approved,
    )
    return user, await issue_verification(session, user, verify_for)


async def _replace_unverified(session: AsyncSession, email: str) -> str:
    """Make room for a sign-up whose address an unverified account holds, and return that
    account's role; 409 when a verified account holds it.

    Whoever signed up first with an address did not prove it: keeping that account would let
    anyone squat an address (its owner could never sign up) or pre-set the password of an account
    its owner might later verify by following the mail. The newer sign-up wins; the older account
    never had access, so nothing of it is lost.
    """
    existing = await repo.user_by_email(session, email)  # row-level security: this company only
    if existing is None or existing.email_verified_at is not None:
        raise Conflict("a user with this e-mail exists", code="email_taken")
    role = existing.role
    await session.delete(existing)
    await session.flush()
    return role


async def issue_verification(session: AsyncSession, user: User, valid_for: dt.timedelta) -> str:
    """A new verification secret for the user; the one sent before stops working."""
    secret = new_secret(VERIFY_PREFIX)
    user.verify_token_hash = digest(secret)
    user.verify_expires_at = dt.datetime.now(dt.UTC) + valid_for
    await session.flush()
    return secret


async def verify_email(session: AsyncSession, secret: str) -> repo.Verified:
    """Consume a verification link: once, before it expires."""
    # 410 for every dead link: used, replaced, expired or never issued look the same.
    verified = None
    if secret.startswith(VERIFY_PREFIX) and len(secret) <= 200:
        verified = await repo.consume_verification(session, digest(secret))
    if verified is None:
        raise AppError(
            "this link is not valid: it was used already, replaced or it expired",
            code="verification_invalid",
            status=410,
        )
    return verified


async def ensure_company(
    session: AsyncSession, name: str, *, domains: list[str] | None = None
) -> Company:
    company = await repo.company_by_name(session, name)
    if company is None:
        company = Company(name=name, domains=domains or [])
        await repo.add(session, company)
    return company


async def operator_company(
    session: AsyncSession,
    *,
    company_id: str | None,
    domain: str | None,
    new_name: str | None,
    new_domain: str,
) -> Company:
    """The company an operator tool (`user create`) means: exactly one of an id, a domain that one
    company claims, or the name of a company to found (refused when any company has that name).
    """
    if sum(x is not None for x in (company_id, domain, new_name)) != 1:
        raise InvalidInput(
            "give exactly one of --company-id, --company-domain or --company (a new company)",
            code="company_choice",
        )
    if company_id is not None:
        try:
            found = await repo.company_by_id(session, UUID(company_id))
        except ValueError:
            found = None
        if found is None:
            raise NotFound(f"no company has the id {company_id}", code="company_not_found")
        return found
    if domain is not None:
        matches = await repo.companies_by_domain(session, domain.strip().lower())
        if not matches:
            raise NotFound(f"no company claims {domain}", code="company_not_found")
        if len(matches) > 1:
            ids = ", ".join(str(c.id) for c in matches)
            raise Conflict(
                f"{len(matches)} companies claim {domain} ({ids}); use --company-id",
                code="company_ambiguous",
            )
        return matches[0]
    assert new_name is not None
    if not new_name.strip():
        raise InvalidInput("the company needs a name", code="invalid_name")
    if await repo.companies_named(session, new_name):
        raise Conflict(
            f"a company named {new_name!r} exists; choose it by --company-id or "
            "--company-domain (a name can be changed by its tenant, so it never selects one)",
            code="company_exists",
        )
    company = Company(name=new_name.strip()[:200], domains=[new_domain])
    await repo.add(session, company)
    return company


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    name: str,
    company: Company,
    role: str = "company_user",
    verified: bool = True,
    approved: bool = True,
) -> User:
    """A user; operator tools create them verified and approved, sign-up does not."""
    email = normalise_email(email)
    check_password_strength(password)
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", code="invalid_role")
    if await repo.email_taken(session, email):
        raise Conflict("a user with this e-mail exists", code="email_taken")
    user = User(
        email=email,
        name=name.strip()[:200] or email.split("@")[0],
        password_hash=hash_password(password),
        company_id=company.id,
        role=role,
    )
    try:
        await repo.add(session, user)
    except IntegrityError as exc:
        # Two sign-ups of one address at once: both passed the check above, the unique index
        # lets one in.
        raise Conflict("a user with this e-mail exists", code="email_taken") from exc
    # The columns default to "now" (whatever else inserts a user makes a usable one); an
    # explicit NULL at insert would be taken for "use the default".
    if not verified:
        user.email_verified_at = None
    if not approved:
        user.approved_at = None
    await session.flush()
    return user


# --- the signed-in user ---------------------------------------------------------------------------


async def update_profile(
    session: AsyncSession, user_id: UUID, *, name: str | None, locale: str | None
) -> User:
    user = await repo.user_by_id(session, user_id)
    if user is None:
        raise NotFound("no such user", code="user_not_found")
    if name is not None:
        if not name.strip():
            raise InvalidInput("the name cannot be empty", code="invalid_name")
        user.name = name.strip()[:200]
    if locale is not None:
        if locale not in LOCALES:
            raise InvalidInput("locale must be ko or en", code="invalid_locale")
        user.locale = locale
    await session.flush()
    return user


async def change_password(
    session: AsyncSession, user_id: UUID, *, current: str, new: str, keep_tokens: bool = False
) -> User:
    """Check the current password, set the new one, end every session of the user and — unless
    asked to keep them — revoke every API token: a changed password usually means a leak."""
    user = await repo.user_by_id(session, user_id)
    if user is None:
        raise NotFound("no such user", code="user_not_found")
    if not verify_password(current, user.password_hash):
        raise Forbidden("the current password is wrong", code="wrong_password")
    check_password_strength(new)
    user.password_hash = hash_password(new)
    user.password_changed_at = dt.datetime.now(dt.UTC)
    await repo.delete_sessions_of_user(session, user.id)
    if not keep_tokens:
        await repo.revoke_tokens_of_user(session, user.id)
    await notify_revoked(session, user.id)
    await session.flush()
    return user


# --- API tokens -----------------------------------------------------------------------------------


async def create_token(session: AsyncSession, user: User, name: str) -> tuple[ApiToken, str]:
    secret = new_secret(TOKEN_PREFIX)
    token = ApiToken(
        user_id=user.id,
        company_id=user.company_id,
        name=name.strip()[:200] or "token",
        token_hash=digest(secret),
        prefix=secret[:10],
    )
    await repo.add(session, token)
    return token, secret


async def revoke_token(session: AsyncSession, user_id: UUID, token_id: UUID) -> ApiToken:
    token = await repo.token_of(session, user_id, token_id)
    if token is None or token.revoked_at is not None:
        raise NotFound("no such token", code="token_not_found")
    token.revoked_at = dt.datetime.now(dt.UTC)
    await notify_revoked(session, user_id)
    await session.flush()
    return token
