"""Templates: one Jinja environment per language, with `_` and the date filters bound to it.

Autoescaping is on for every template: whatever users wrote (titles, transcripts, notes, names)
is escaped on output. Translations return plain strings, so they are escaped too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from babel.dates import format_date, format_datetime
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from persona_insight.web import i18n

TEMPLATES: Final = Path(__file__).parent / "templates"
STATIC: Final = Path(__file__).parent / "static"


Gettext = Callable[..., str]


def _translator(locale: str) -> tuple[Gettext, Gettext]:
    catalogue = i18n.translations(locale)

    def gettext(message: str, **params: object) -> str:
        text: str = catalogue.gettext(message)
        return text % params if params else text

    def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
        text: str = catalogue.ngettext(singular, plural, n)
        return text % {"n": n, **params}

    return gettext, ngettext


@lru_cache(maxsize=64)
def static_version(path: str) -> str:
    """A short content hash, so a changed file gets a new URL and the old one can be cached."""
    data = (STATIC / path).read_bytes()
    return hashlib.sha256(data).hexdigest()[:10]


def static_url(path: str) -> str:
    return f"/static/{path}?v={static_version(path)}"


def _date(value: dt.date | None, locale: str) -> str:
    return format_date(value, format="medium", locale=locale) if value else ""


def _datetime(value: dt.datetime | None, locale: str) -> str:
    # The server does not know the reader's time zone: it writes UTC, and the module rewrites
    # every <time> in local time.
    if value is None:
        return ""
    return format_datetime(value, format="short", tzinfo=dt.UTC, locale=locale) + " UTC"


def _time(value: dt.datetime | None, locale: str) -> Markup:
    """A moment as `<time>`: ISO in the attribute for the module, UTC text for the reader."""
    if value is None:
        return Markup("")
    return Markup('<time datetime="{}">{}</time>').format(
        value.isoformat(), _datetime(value, locale)
    )


@lru_cache(maxsize=len(i18n.LOCALES))
def environment(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    gettext, ngettext = _translator(locale)
    env.globals.update(
        _=gettext,
        gettext=gettext,
        ngettext=ngettext,
        locale=locale,
        locales=i18n.LOCALES,
        locale_names=i18n.LOCALE_NAMES,
        static=static_url,
        reason=lambda code, fallback: i18n.reason(code, fallback, i18n.translations(locale)),
    )
    env.filters["date"] = lambda value: _date(value, locale)
    env.filters["datetime"] = lambda value: _datetime(value, locale)
    env.filters["iso"] = lambda value: value.isoformat() if value else ""
    env.filters["time"] = lambda value: _time(value, locale)
    env.filters["initials"] = initials
    env.filters["hue"] = hue
    env.filters["breakable"] = breakable
    return env


_LONG_TOKEN = re.compile(r"\S{25,}")
_SEPARATORS = "/_?&=."
_SEPARATOR = re.compile(r"([/_?&=.])")


def breakable(text: str) -> Markup:
    """Escaped `text` with line-break opportunities after the separators of long tokens (URLs,
    file paths, snake_case names): on a phone such a token would otherwise be cut anywhere,
    through the middle of a word (`overflow-wrap: anywhere` on the body)."""
    out: list[str] = []
    at = 0
    for match in _LONG_TOKEN.finditer(text):
        out.append(str(Markup.escape(text[at : match.start()])))
        for piece in _SEPARATOR.split(match.group(0)):
            out.append(str(Markup.escape(piece)))
            if len(piece) == 1 and piece in _SEPARATORS:
                out.append("<wbr>")
        at = match.end()
    out.append(str(Markup.escape(text[at:])))
    return Markup("".join(out))  # noqa: S704 -- every piece was escaped above


def render(locale: str, template: str, context: dict[str, Any]) -> str:
    return environment(locale).get_template(template).render(context)


def initials(name: str) -> str:
    """One or two letters for an avatar: a Korean name's given name, a Latin name's initials."""
    words = [w for w in name.replace("@", " ").split() if w]
    if not words:
        return "?"
    first = words[0]
    if not first.isascii():
        return first[-2:] if len(first) >= 2 else first
    return "".join(w[0] for w in words[:2]).upper()


def hue(key: object) -> int:
    """One of eight avatar colours, stable per user (a class name, so no inline style is needed).

    The module computes the same sum for avatars it draws, so both agree on a user's colour.
    """
    return sum(ord(c) for c in str(key)) % 8
