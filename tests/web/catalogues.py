"""The web application's message catalogues, read the way the application reads them."""

from __future__ import annotations

from functools import lru_cache

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from persona_insight.web import i18n

# Short English words could be part of something else on a Korean page; any Korean word on an
# English page outside what users wrote is a missed translation.
MIN_LENGTH = {"ko": 4, "en": 2}


@lru_cache(maxsize=2)
def catalogue(locale: str) -> Catalog:
    with i18n.catalogue_path(locale).open("rb") as source:
        return read_po(source, locale=locale)


def entries(locale: str) -> dict[str, str]:
    """msgid → msgstr; a message with plural forms gives each of its ids, with the form that
    reads like it (Korean has one form for both)."""
    found: dict[str, str] = {}
    for m in catalogue(locale):
        if not m.id:
            continue
        if isinstance(m.id, tuple | list):
            forms = list(m.string)
            for n, msgid in enumerate(m.id[:2]):
                found[str(msgid)] = str(forms[min(n, len(forms) - 1)])
        else:
            found[str(m.id)] = str(m.string)
    return found


def _shown(text: str) -> str:
    """A message as it appears on a page: placeholders and what follows them vary, so keep the
    longest fixed part."""
    parts = [p.strip() for p in text.replace("%%", "%").split("%(") if p.strip()]
    fixed = [p.split(")s", 1)[-1].strip() if ")s" in p else p for p in parts]
    return max(fixed, key=len, default="")


def foreign_messages(locale: str) -> list[str]:
    """Text that must not appear on a page in `locale`: the other language's wording of every
    message that differs between the two."""
    ko, en = entries("ko"), entries("en")
    other = en if locale == "ko" else ko
    found = []
    for msgid in ko:
        if ko[msgid] == en.get(msgid):
            continue
        text = _shown(other[msgid])
        if len(text) >= MIN_LENGTH[locale]:
            found.append(text)
    return found
