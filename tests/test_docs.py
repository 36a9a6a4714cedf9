"""Documentation tests: every setting, event type and API route is documented (Datasette-style)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import persona_insight
from persona_insight.config import Settings
from persona_insight.realtime.events import EVENT_TYPES, STREAM_TYPES

ROOT = Path(__file__).resolve().parent.parent


def _read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def env_name(field: str) -> str:
    return "DATABASE_URL" if field == "database_url" else f"PERSONA_INSIGHT_{field.upper()}"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_in_the_readme(field: str) -> None:
    readme = _read("README.md")
    assert f"`{env_name(field)}`" in readme, f"document {env_name(field)} in README.md"


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES | STREAM_TYPES))
def test_every_event_type_is_in_the_catalogue(event_type: str) -> None:
    headings = re.findall(r"^### `([^`]+)`", _read("docs/events.md"), flags=re.MULTILINE)
    assert event_type in headings, f"document {event_type} in docs/events.md"


def test_emitted_types_are_registered() -> None:
    """Types passed to events.append are literals of the registry, never ad-hoc strings."""
    source = "\n".join(p.read_text() for p in (ROOT / "src").rglob("*.py"))
    literals = set(
        re.findall(
            r"['\"]((?:interview|note|persona|project|member|presence|sync)"
            r":[a-z_]+)['\"]",
            source,
        )
    )
    assert literals <= EVENT_TYPES | STREAM_TYPES, literals - (EVENT_TYPES | STREAM_TYPES)


def _operations() -> list[tuple[str, str]]:
    from persona_insight.app import create_app

    schema = create_app(Settings()).api.openapi()
    return sorted(
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    )


def test_every_api_route_is_documented() -> None:
    documented = set(
        re.findall(
            r"^\| `(GET|POST|PUT|PATCH|DELETE) ([^`]+)`", _read("docs/api.md"), flags=re.MULTILINE
        )
    )
    missing = [f"{m} {p}" for m, p in _operations() if (m, p) not in documented]
    assert not missing, f"document in docs/api.md: {missing}"


def _raised_codes() -> set[str]:
    """Every error code the source names (`code="…"`): what a client may be answered with."""
    root = Path(persona_insight.__file__).parent
    return {
        match.group(1)
        for path in root.rglob("*.py")
        for match in re.finditer(r'\bcode="([a-z_]+)"', path.read_text(encoding="utf-8"))
    }


def test_every_error_code_is_documented() -> None:
    """The API QA pass found codes clients received that docs/api.md never named."""
    api = _read("docs/api.md")
    codes = _raised_codes()
    assert len(codes) > 100
    assert sorted(c for c in codes if f"`{c}`" not in api) == []
