"""Korean and English: the catalogues, and which one a request gets.

The `.po` files under `translations/` are the only source: they are compiled in memory the first
time a locale is used, so a clean checkout needs no build step and no compiled file can go stale.
Message ids are English. Strings that are not written in a template are marked with `N_` here (so
`pybabel extract -F babel.cfg` finds them) and translated when a page is rendered.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import HTTPConnection

LOCALES: Final = ("ko", "en")
DEFAULT_LOCALE: Final = "en"
LOCALE_COOKIE: Final = "pi_locale"
LOCALE_NAMES: Final = {"ko": "한국어", "en": "English"}
TRANSLATIONS_DIR: Final = Path(__file__).parent / "translations"


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated later, where the locale is known."""
    return message


def catalogue_path(locale: str) -> Path:
    return TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> Translations:
    with catalogue_path(locale).open("rb") as source:
        catalog = read_po(source, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as gettext would
    compiled.seek(0)
    return Translations(fp=compiled)


def supported(value: str | None) -> str | None:
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LOCALES else None


def from_accept_language(header: str) -> str | None:
    """The best supported language of an Accept-Language header (q-values honoured)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        locale = supported(tag)
        if locale and quality > 0:
            ranked.append((-quality, position, locale))
    return min(ranked)[2] if ranked else None


def negotiate(conn: HTTPConnection, profile_locale: str | None) -> str:
    """The switcher's cookie (an explicit choice), then the profile, then the browser."""
    return (
        supported(conn.cookies.get(LOCALE_COOKIE))
        or supported(profile_locale)
        or from_accept_language(conn.headers.get("accept-language", ""))
        or DEFAULT_LOCALE
    )


# --- messages the module shows (toasts, live status), sent to it as a JSON block ------------------

SCRIPT_MESSAGES: Final[Mapping[str, str]] = {
    "status.processing": N_("Waiting for analysis"),
    "status.analyzing": N_("Analyzing"),
    "status.completed": N_("Completed"),
    "status.failed": N_("Failed"),
    "upload.uploading": N_("Uploading %(percent)s%%"),
    "upload.sent": N_("Uploaded"),
    "upload.failed": N_("Upload failed: %(reason)s"),
    "upload.pasted": N_("Pasted text"),
    "toast.added": N_("A new interview was added"),
    "toast.completed": N_("Interview analysis is complete"),
    "toast.failed": N_("Interview analysis failed"),
    "toast.deleted": N_("Moved to the trash"),
    "toast.restored": N_("Restored from the trash"),
    "toast.note_added": N_("%(name)s added a note"),
    "toast.reset": N_("The list was out of date and has been refreshed"),
    "toast.error": N_("Something went wrong: %(reason)s"),
    "toast.analysis_ready": N_("The analysis is ready."),
    "toast.interview_deleted": N_("This interview was moved to the trash."),
    "action.retry": N_("Retry"),
    "action.view": N_("Open"),
    "action.dismiss": N_("Dismiss"),
    "action.show_results": N_("Show the results"),
    "conn.connecting": N_("Connecting…"),
    "conn.live": N_("Live"),
    "conn.offline": N_("Offline — will reconnect"),
    "conn.reconnecting": N_("Reconnecting…"),
    "elapsed.seconds": N_("%(s)s s"),
    "elapsed.minutes": N_("%(m)s min %(s)s s"),
    "elapsed.hours": N_("%(h)s h %(m)s min"),
    "elapsed.running": N_("%(time)s elapsed"),
    "elapsed.took": N_("took %(time)s"),
    "count.pain_points": N_("Pain points %(n)s"),
    "count.needs": N_("Needs %(n)s"),
    "notes.selected": N_("%(n)s lines selected"),
    "notes.none_selected": N_("Select script lines to add a note."),
    "notes.edited": N_("(edited)"),
    "notes.line": N_("Line %(id)s"),
    "notes.count": N_("%(n)s notes"),
    "notes.deleted_account": N_("Former member"),
    "notes.empty": N_("No notes yet."),
    "list.empty": N_("No interviews yet. Upload a transcript to start."),
    "trash.empty": N_("The trash is empty."),
    "presence.you": N_("%(name)s (you)"),
    "admin.updated": N_("Updated %(time)s"),
}

# --- reasons (error codes of the API and of analysis failures) -------------------------------

REASONS: Final[Mapping[str, str]] = {
    "empty_transcript": N_("The transcript has no answers to analyse."),
    "analysis_timeout": N_("The analysis took too long."),
    "analysis_invalid_output": N_("The analysis result could not be used."),
    "analysis_invalid_input": N_("The transcript has no text to analyse."),
    "engine_not_configured": N_("The analysis engine is not set up."),
    "engine_unavailable": N_("The analysis engine could not be reached."),
    "engine_rate_limited": N_("The analysis engine is busy."),
    "engine_timeout": N_("The analysis engine did not answer in time."),
    "engine_rejected": N_("The analysis engine refused the transcript."),
    "engine_unknown": N_("The analysis engine is unknown."),
    "unsupported_file_type": N_("This file type is not supported."),
    "file_too_large": N_("The file is too large."),
    "text_too_long": N_("The transcript is too long."),
    "decompression_bomb": N_("The file expands to an unsafe size."),
    "empty_content": N_("The file has no text."),
    "malformed_file": N_("The file is damaged or not what its name says."),
    "undecodable_text": N_("The text encoding could not be recognised."),
    "pdf_no_text": N_("The PDF has no text layer (scanned pages are not read)."),
    "file_required": N_("Choose a file to upload."),
    "invalid_date": N_("Enter a valid date."),
    "invalid_title": N_("The title cannot be empty."),
    "invalid_text": N_("A note needs 1 to 2000 characters."),
    "invalid_line_ids": N_("Select at least one script line."),
    "invalid_parent": N_("That note no longer exists."),
    "interview_not_analysed": N_("The analysis is not finished yet."),
    "interview_deleted": N_("The interview is in the trash."),
    "invalid_transition": N_("This interview cannot be retried now."),
    "already_deleted": N_("The interview is already in the trash."),
    "not_deleted": N_("The interview is not in the trash."),
    "forbidden": N_("You are not allowed to do that."),
    "csrf_failed": N_("Your session has changed. Reload the page and try again."),
    "note_not_found": N_("That note no longer exists."),
    "interview_not_found": N_("That interview no longer exists."),
    "unauthenticated": N_("Please sign in again."),
    "network": N_("The server could not be reached."),
    "payload_too_large": N_("The file is too large."),
}

# --- notices shown after a form post (the code travels in the redirect's query) ----------------

NOTICES: Final[Mapping[str, str]] = {
    "uploaded": N_("The upload was received; the analysis runs in the background."),
    "deleted": N_("The interview was moved to the trash."),
    "restored": N_("The interview was restored."),
    "retried": N_("The analysis was queued again."),
    "saved": N_("Your changes were saved."),
    "note_added": N_("Your note was added."),
    "note_saved": N_("Your note was saved."),
    "note_deleted": N_("The note was deleted."),
    "signed_out": N_("You have signed out."),
}


@lru_cache(maxsize=len(LOCALES))
def for_script(locale: str) -> tuple[dict[str, str], dict[str, str]]:
    """The module's messages and the failure reasons, translated, for the page's JSON blocks."""
    catalogue = translations(locale)
    return (
        {key: catalogue.gettext(message) for key, message in SCRIPT_MESSAGES.items()},
        {code: catalogue.gettext(message) for code, message in REASONS.items()},
    )


def reason(code: str | None, fallback: str, gettext: Translations) -> str:
    """A failure's reason in the reader's language; the raw message when the code is new."""
    known = REASONS.get(code or "")
    return gettext.gettext(known) if known else fallback
