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


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with a plural form (`pybabel extract -k Nn_:1,2`); see `N_`."""
    return singular, plural


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
    "status.transcribing": N_("Transcribing"),
    "chat.member": N_("Member"),
    "chat.line": N_("line"),
    "chat.failed": N_("The answer stopped: %(reason)s"),
    "transcribe.progress": N_("Transcribing %(percent)s%%"),
    "status.processing": N_("Waiting for analysis"),
    "status.analyzing": N_("Analyzing"),
    "status.completed": N_("Completed"),
    "status.failed": N_("Failed"),
    "upload.uploading": N_("Uploading %(percent)s%%"),
    "upload.sent": N_("Uploaded"),
    "report.preparing": N_("Preparing the report… %(percent)s%%"),
    "report.ready": N_("The report is ready"),
    "report.failed": N_("The report could not be made"),
    "upload.failed": N_("Upload failed: %(reason)s"),
    "upload.pasted": N_("Pasted text"),
    "toast.added": N_("A new interview was added"),
    "toast.completed": N_("Interview analysis is complete"),
    "toast.failed": N_("Interview analysis failed"),
    "toast.deleted": N_("Moved to the trash"),
    "toast.restored": N_("Restored from the trash"),
    "toast.deleted_by_other": N_("Another member moved an interview to the trash"),
    "toast.restored_by_other": N_("Another member restored an interview from the trash"),
    "action.undo": N_("Undo"),
    "action.restore": N_("Restore"),
    "toast.note_added": N_("%(name)s added a note"),
    "toast.note_replied": N_("%(name)s replied"),
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
    "conn.signed_out": N_("Signed out"),
    "conn.removed": N_("Not a member"),
    "stream.signed_out": N_("Your session has ended, so live updates stopped."),
    "stream.removed": N_("You are no longer a member of this project, so live updates stopped."),
    "action.sign_in": N_("Sign in"),
    "action.projects": N_("Go to your projects"),
    "elapsed.seconds": N_("%(s)s s"),
    "elapsed.minutes": N_("%(m)s min %(s)s s"),
    "elapsed.hours": N_("%(h)s h %(m)s min"),
    "elapsed.running": N_("%(time)s elapsed"),
    "elapsed.took": N_("took %(time)s"),
    "count.pain_points": N_("Pain points %(n)s"),
    "count.needs": N_("Needs %(n)s"),
    "notes.none_selected": N_("Select script lines to add a note."),
    "passage.whole": N_("No lines selected: the question goes to the whole interview."),
    "passage.lines": N_("About lines %(lines)s"),
    "passage.saved": N_("Saved as a note"),
    "notes.edited": N_("(edited)"),
    "notes.line": N_("Line %(id)s"),
    "notes.deleted_account": N_("Former member"),
    "notes.empty": N_("No notes yet."),
    "list.empty": N_("No interviews yet. Upload a transcript to start."),
    "list.shown": N_("Showing %(shown)s of %(total)s"),
    "list.uploaded": N_("Uploaded %(date)s"),
    # Not the bare names: the language switch shows "English" untranslated on Korean pages.
    "language.ko": N_("In Korean"),
    "language.en": N_("In English"),
    "language.mixed": N_("In mixed languages"),
    "language.und": N_("In another language"),
    "trash.empty": N_("The trash is empty."),
    "presence.you": N_("%(name)s (you)"),
    "admin.updated": N_("Updated %(time)s"),
    "role.owner": N_("Owner"),
    "role.admin": N_("Admin"),
    "role.member": N_("Member"),
    "members.joined": N_("%(name)s joined the project"),
    "members.left": N_("%(name)s left the project"),
    "copy.done": N_("Copied to the clipboard"),
    "copy.failed": N_("Could not copy: select the text and copy it yourself."),
    "project.updated": N_("The project's settings were changed."),
    "toast.purged": N_("Deleted for good"),
}

# Counted messages: the module picks the form with `Intl.PluralRules` (English: one, other;
# Korean has one form), filled in from the catalogue's plural forms.
SCRIPT_PLURALS: Final[Mapping[str, tuple[str, str]]] = {
    "notes.selected": Nn_("%(n)s line selected", "%(n)s lines selected"),
    "notes.count": Nn_("%(n)s note", "%(n)s notes"),
}

# --- reasons (error codes of the API and of analysis failures) -------------------------------

REASONS: Final[Mapping[str, str]] = {
    "empty_message": N_("Write a message first."),
    "message_too_long": N_("A message has at most 4,000 characters."),
    "unknown_persona": N_("This project has no persona with that code."),
    "persona_required": N_("Choose the persona to talk with, or mention one with @."),
    "persona_without_interviews": N_(
        "This persona has no analysed interview in this project yet,"
        " so it has nothing to answer from."
    ),
    "no_persona_with_interviews": N_("No persona of this project has analysed interviews yet."),
    "too_many_messages": N_("Too many messages this minute. Wait a moment and send again."),
    "company_too_many_messages": N_(
        "Your company sent too many chat messages this minute. Wait a moment."
    ),
    "chat_budget_exhausted": N_("Your company's chat budget for this month is used up."),
    "conversation_read_only": N_("Only its author can write in this conversation."),
    "answer_already_saved": N_("This answer is already a note."),
    "empty_question": N_("Write a question first."),
    "question_too_long": N_("A question has at most 1,000 characters."),
    "too_many_questions": N_("Too many questions this minute. Wait a moment and ask again."),
    "not_a_passage": N_("Only an answer about selected lines can be kept as a note."),
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
    "no_speech": N_("No speech was found in the recording."),
    "undecodable_media": N_("The recording could not be read; it is damaged or not audio."),
    "media_too_long": N_("The recording is longer than allowed."),
    "invalid_language": N_("Choose a language code such as ko or en."),
    "speech_api_failed": N_("The speech-to-text service did not answer properly."),
    "speech_api_not_configured": N_("The speech-to-text service is not set up."),
    "speech_model_unavailable": N_("The speech model is not available on this server."),
    "file_required": N_("Choose a file to upload."),
    "invalid_date": N_("Enter a valid date."),
    "invalid_filter": N_(
        "A filter is not valid: dates are written YYYY-MM-DD, and the kind is pain points or needs."
    ),
    "invalid_date_range": N_("The start date is after the end date."),
    "invalid_label": N_("A theme's name has 1 to 200 characters."),
    "invalid_title": N_("The title cannot be empty."),
    "invalid_text": N_("A note needs 1 to 2000 characters."),
    "invalid_line_ids": N_("Select at least one script line."),
    "invalid_parent": N_("That note no longer exists."),
    "interview_not_analysed": N_("The analysis is not finished yet."),
    "interview_deleted": N_("The interview is in the trash."),
    "invalid_transition": N_("This interview cannot be retried now."),
    "unknown_speaker": N_("That speaker is not in this interview."),
    "no_speakers": N_("The transcript names no speakers whose roles could be fixed."),
    "no_interviewee": N_("At least one speaker must be the interviewee."),
    "not_a_recording": N_("Only the speakers of a recording can be renamed."),
    "speaker_name_taken": N_("Another speaker already has this name."),
    "invalid_speaker_name": N_(
        "Use up to 60 letters, digits, spaces or hyphens for a speaker's name (no colon)."
    ),
    "speech_api_url_required": N_("The speech-to-text API needs its address (base URL)."),
    "analysis_in_progress": N_("Wait for the analysis to finish, then fix the speakers."),
    "already_deleted": N_("The interview is already in the trash."),
    "not_deleted": N_("The interview is not in the trash."),
    "forbidden": N_("You are not allowed to do that."),
    "csrf_failed": N_("Your session has changed. Reload the page and try again."),
    "note_not_found": N_("That note no longer exists."),
    "interview_not_found": N_("That interview no longer exists."),
    "unauthenticated": N_("Please sign in again."),
    "network": N_("The server could not be reached."),
    "payload_too_large": N_("The file is too large."),
    # accounts
    "invalid_credentials": N_("The e-mail or password is not right."),
    "invalid_email": N_("Enter a valid e-mail address."),
    "invalid_name": N_("Enter your name (up to 200 characters)."),
    "weak_password": N_("The password needs at least 8 characters."),
    "email_taken": N_("An account with this e-mail already exists. Sign in instead."),
    "signup_domain_not_allowed": N_(
        "No company on Persona Insight uses this e-mail domain. Ask your administrator to add it."
    ),
    "company_inactive": N_("Your company's accounts are closed. Ask your administrator."),
    "too_many_attempts": N_("Too many failed sign-ins. Please wait and try again."),
    "email_unverified": N_(
        "Confirm your e-mail address first: we sent a new link to it. Open it, then sign in."
    ),
    "approval_pending": N_("Your company's admin has not approved your account yet."),
    "verification_invalid": N_(
        "This link is not valid: it was used already, replaced by a newer one, or it expired. "
        "Sign in with your password to get a new one."
    ),
    "too_many_join_attempts": N_(
        "Too many wrong project passwords. Please wait a few minutes and try again."
    ),
    "invitation_used": N_(
        "You joined with this invitation link before. Ask the project's admins for a new one."
    ),
    "wrong_password": N_("The password is not right."),
    "passwords_differ": N_("The two new passwords are not the same."),
    "invalid_locale": N_("Choose Korean or English."),
    "image_required": N_("Choose an image to upload."),
    "avatar_too_large": N_("The picture is too large: at most 5 MB."),
    "unsupported_image": N_("Use a JPEG, PNG or WebP picture."),
    "malformed_image": N_("The picture cannot be read: it may be damaged or cut short."),
    "image_dimensions_too_large": N_("Use a picture of at most 4096 × 4096 pixels."),
    "token_not_found": N_("That token was already revoked."),
    "user_not_found": N_("That user no longer exists."),
    # projects
    "project_not_found": N_("That project no longer exists."),
    "validation_error": N_("Some of the values are not valid."),
    "password_required": N_("A project that is joined by password needs a password."),
    "already_member": N_("You are already a member of this project."),
    "invitation_required": N_("This project is joined by invitation only."),
    "invitation_expired": N_("This invitation link has expired. Ask for a new one."),
    "invitation_not_found": N_("This invitation link is not valid, or it was revoked."),
    "owner_role_fixed": N_("The owner's role changes only by handing over ownership."),
    "owner_cannot_leave": N_("The owner cannot leave. Hand over ownership first."),
    "member_not_found": N_("That person is no longer a member of the project."),
    "not_a_member": N_("Ownership can go only to a member of the project."),
    "invalid_role": N_("Choose one of the roles offered."),
    "confirm_required": N_("Tick the box to confirm."),
    "name_mismatch": N_("The name you typed is not the project's name."),
    # administration
    "super_admin_only": N_(
        "Only super-admins, who look after the whole installation, can open this page. "
        "Ask one of them if you need what it shows."
    ),
    "cannot_change_self": N_("You cannot demote or deactivate yourself."),
    "last_super_admin": N_("The instance needs at least one super-admin."),
    "company_not_found": N_("That company no longer exists."),
    "term_exists": N_("The glossary already has this term."),
    "term_not_found": N_("That term was already removed."),
    "persona_exists": N_("A persona with this code already exists."),
    "persona_not_found": N_("That persona was already removed."),
    "framework_field": N_(
        "Check the framework: names have at most 100 characters, descriptions 2,000."
    ),
    "framework_no_axes": N_("A framework needs at least one axis."),
    "too_many_axes": N_("A framework has at most 6 axes."),
    "axis_name_empty": N_("Every axis needs a name."),
    "axis_no_types": N_("Every axis needs at least one type."),
    "too_many_types": N_("An axis has at most 16 types."),
    "type_name_empty": N_("Every type needs a name."),
    "duplicate_type_name": N_("Two types of one axis have the same name."),
    "duplicate_axis_name": N_("Two axes have the same name."),
    "too_many_combinations": N_("The axes give more than 64 personas; remove some types."),
    "unknown_axis": N_("That axis was changed meanwhile; reload the page."),
    "unknown_type": N_("That type was changed meanwhile; reload the page."),
    "persona_type_in_use": N_("Interviews use what this edit removes."),
    "framework_has_axes": N_(
        "The framework has several axes: edit it above instead of adding or removing personas."
    ),
    "picture_too_large": N_("The picture is too large: at most 1 MB."),
    "invalid_persona": N_("A persona needs a title (up to 200 characters)."),
    "invalid_assignment": N_("Choose a persona, or “No persona fits”."),
    "invalid_value": N_("The text has a character that cannot be stored (a NUL character)."),
    "confirmation_mismatch": N_("Type the project's name exactly to confirm."),
}

# --- notices shown after a form post (the code travels in the redirect's query) ----------------

NOTICES: Final[Mapping[str, str]] = {
    "uploaded": N_("The upload was received; the analysis runs in the background."),
    "deleted": N_("The interview was moved to the trash."),
    "restored": N_("The interview was restored."),
    "retried": N_("The analysis was queued again."),
    "roles_fixed": N_("The speakers' roles were saved; the interview is being analysed again."),
    "speaker_renamed": N_("The speaker was renamed; the interview is being analysed again."),
    "saved": N_("Your changes were saved."),
    "project_erased": N_("The project and all its data were erased."),
    "note_added": N_("Your note was added."),
    "note_saved": N_("Your note was saved."),
    "note_deleted": N_("The note was deleted."),
    "signed_out": N_("You have signed out."),
    "welcome": N_("Welcome! Your account is ready."),
    "verified": N_("Your e-mail address is confirmed. Sign in to start."),
    "approval_pending": N_(
        "Your e-mail address is confirmed. You can sign in once your company's admin approves "
        "your account."
    ),
    "avatar_saved": N_("Your picture was saved."),
    "avatar_removed": N_("Your picture was removed."),
    "password_changed": N_("Your password was changed. Other browsers were signed out."),
    "token_revoked": N_("The token was revoked."),
    "joined": N_("You joined the project."),
    "left": N_("You left the project."),
    "project_deleted": N_("The project was deleted."),
    "project_gone": N_("That project was deleted, so you were taken back to your projects."),
    "removed": N_("You are no longer a member of that project."),
    "role_changed": N_("The member's role was changed."),
    "member_removed": N_("The member was removed."),
    "ownership_transferred": N_("Ownership was handed over."),
    "invitation_revoked": N_("The invitation link was revoked."),
    "purged": N_("The interview was deleted for good."),
    "user_saved": N_("The user's role was changed."),
    "user_deactivated": N_("The user was deactivated and signed out."),
    "user_reactivated": N_("The user can sign in again."),
    "key_cleared": N_("The key was cleared."),
    "term_added": N_("The term was added."),
    "term_removed": N_("The term was removed."),
    "document_added": N_("The document was added; it can now be found and cited."),
    "document_removed": N_("The document was deleted."),
    "persona_added": N_("The persona was added."),
    "theme_saved": N_("The theme was saved; it stays so when themes are grouped again."),
    "persona_set": N_("The interview's persona was saved; re-analysis will not change it."),
    "persona_saved": N_("The persona was saved."),
    "persona_removed": N_("The persona was removed."),
    "framework_saved": N_(
        "The framework was saved; the projects' interviews are placed on it again in the"
        " background."
    ),
    "framework_saved_lost": N_(
        "The framework was saved; interviews of the removed personas now have none, and every"
        " project's interviews are placed on it again in the background."
    ),
    "persona_picture_saved": N_("The persona's picture was saved."),
    "persona_picture_removed": N_("The persona's picture was removed; its drawn avatar is back."),
    "synthesis_queued": N_(
        "The profile is being synthesised again; this page updates when it is ready."
    ),
    "synthesis_waiting": N_(
        "A synthesis of this profile is already waiting; this page updates when it is ready."
    ),
    "company_created": N_("The company was added."),
    "company_saved": N_("The company was saved."),
    "company_deactivated": N_("The company was deactivated; its users were signed out."),
    "company_reactivated": N_("The company was reactivated."),
}


ScriptMessage = str | dict[str, str]


@lru_cache(maxsize=len(LOCALES))
def for_script(locale: str) -> tuple[dict[str, ScriptMessage], dict[str, str]]:
    """The module's messages and the failure reasons, translated, for the page's JSON blocks.
    A counted message is `{"one": …, "other": …}` (CLDR's names, which `Intl.PluralRules`
    answers); 1 and 2 stand for the two classes, enough for English and Korean."""
    catalogue = translations(locale)
    messages: dict[str, ScriptMessage] = {
        key: catalogue.gettext(message) for key, message in SCRIPT_MESSAGES.items()
    }
    for key, (singular, plural) in SCRIPT_PLURALS.items():
        messages[key] = {
            "one": catalogue.ngettext(singular, plural, 1),
            "other": catalogue.ngettext(singular, plural, 2),
        }
    return messages, {code: catalogue.gettext(message) for code, message in REASONS.items()}


def reason(code: str | None, fallback: str, gettext: Translations) -> str:
    """A failure's reason in the reader's language; the raw message when the code is new."""
    known = REASONS.get(code or "")
    return gettext.gettext(known) if known else fallback
