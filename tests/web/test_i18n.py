"""The catalogues: complete (every message of the templates and code is in both), fully
translated, placeholders intact — so no page can show a raw message id."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from persona_insight.web import i18n
from tests.web.catalogues import catalogue, entries

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def extracted() -> set[str]:
    """Message ids as `pybabel extract -F babel.cfg -k N_ -k Nn_:1,2` finds them."""
    method_map = [
        ("src/persona_insight/web/**.py", "python"),
        ("src/persona_insight/insights/report/**.py", "python"),
        ("src/persona_insight/insights/exports.py", "python"),
        ("src/persona_insight/insights/pages.py", "python"),
        ("src/persona_insight/web/templates/**.html", "jinja2"),
    ]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "Nn_": (1, 2)}
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, keywords=keywords):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_catalogue_has_every_message_and_nothing_else(locale: str) -> None:
    source = extracted()
    have = set(entries(locale))
    assert not source - have, f"missing in {locale}: {sorted(source - have)}"
    assert not have - source, f"no longer used, remove from {locale}: {sorted(have - source)}"


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_every_message_is_translated(locale: str) -> None:
    untranslated = [m.id for m in catalogue(locale) if m.id and (not m.string or m.fuzzy)]
    assert not untranslated, f"untranslated in {locale}: {untranslated}"


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_placeholders_survive_translation(locale: str) -> None:
    for msgid, msgstr in entries(locale).items():
        assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(msgstr)), msgid
        assert msgid.count("%%") == msgstr.count("%%"), msgid


def test_korean_is_korean() -> None:
    """Every Korean message is written in Korean (not an English id copied over)."""
    not_korean = [m for m, s in entries("ko").items() if not HANGUL.search(s)]
    assert not not_korean, not_korean


def test_english_reads_as_its_id() -> None:
    assert all(msgid == msgstr for msgid, msgstr in entries("en").items())


def test_what_the_module_and_notices_say_is_in_the_catalogues() -> None:
    ko = entries("ko")
    for table in (i18n.SCRIPT_MESSAGES, i18n.REASONS, i18n.NOTICES):
        assert set(table.values()) <= set(ko)
    assert {form for forms in i18n.SCRIPT_PLURALS.values() for form in forms} <= set(ko)


@pytest.mark.parametrize(
    ("locale", "one", "two"),
    [("en", "1 note", "2 notes"), ("ko", "메모 1개", "메모 2개")],
)
def test_counted_messages_agree_with_their_number(locale: str, one: str, two: str) -> None:
    """The module is sent both forms and picks by number: never "1 notes"."""
    forms = i18n.for_script(locale)[0]["notes.count"]
    assert isinstance(forms, dict)
    assert forms["one"] % {"n": 1} == one
    assert forms["other"] % {"n": 2} == two


def test_compiled_at_runtime_from_the_po_file() -> None:
    korean = i18n.translations("ko")
    assert korean.gettext("A new interview was added") == "새 인터뷰가 추가되었습니다"
    assert korean.gettext("Interview analysis is complete") == "인터뷰 분석이 완료되었습니다"
    assert i18n.translations("en").gettext("Trash") == "Trash"
