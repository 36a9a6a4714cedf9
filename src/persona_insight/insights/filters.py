"""The filters of an insights view, a report or an export, read from a query string, with the
same answers everywhere: a date that is not `YYYY-MM-DD` or an unknown kind is a 422
`invalid_filter` naming the field, reversed dates 422 `invalid_date_range` (as in search)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Query
from pydantic import ValidationError

from persona_insight.errors import InvalidInput
from persona_insight.insights.schemas import InsightFilters

KINDS = ("pain", "need")


def _date(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(
            "not a date (YYYY-MM-DD)", code="invalid_filter", details={"field": field}
        ) from exc


def make(
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    persona: str | None = None,
    language: str | None = None,
    kind: str | None = None,
    section: str | None = None,
) -> InsightFilters:
    start, end = _date(date_from, "date_from"), _date(date_to, "date_to")
    if start is not None and end is not None and start > end:
        raise InvalidInput(
            "date_from is after date_to",
            code="invalid_date_range",
            details={"field": "date_from"},
        )
    if kind and kind not in KINDS:
        raise InvalidInput(
            f"kind is one of: {', '.join(KINDS)}",
            code="invalid_filter",
            details={"field": "kind", "kinds": list(KINDS)},
        )
    try:
        return InsightFilters(
            date_from=start,
            date_to=end,
            persona=persona,  # "" is a filter: interviews without a persona
            language=language or None,
            kind=kind or None,
            section=" ".join(section.split()) if section and section.strip() else None,
        )
    except ValidationError as exc:
        # The field only: pydantic's text ("1 validation error for InsightFilters …") is ours.
        field = str(exc.errors()[0]["loc"][0]) if exc.errors() and exc.errors()[0]["loc"] else ""
        raise InvalidInput(
            "the filter is not valid", code="invalid_filter", details={"field": field or "filter"}
        ) from exc


async def from_query(
    date_from: Annotated[
        str | None, Query(max_length=10, description="Interview date, inclusive (YYYY-MM-DD).")
    ] = None,
    date_to: Annotated[
        str | None, Query(max_length=10, description="Interview date, inclusive (YYYY-MM-DD).")
    ] = None,
    persona: Annotated[str | None, Query(max_length=40, description="A persona code.")] = None,
    language: Annotated[str | None, Query(max_length=8, description="`ko`, `en`, …")] = None,
    kind: Annotated[str | None, Query(max_length=8, description="`pain` or `need`.")] = None,
    section: Annotated[
        str | None, Query(max_length=200, description="A script section name.")
    ] = None,
) -> InsightFilters:
    return make(
        date_from=date_from,
        date_to=date_to,
        persona=persona,
        language=language,
        kind=kind,
        section=section,
    )


FiltersDep = Annotated[InsightFilters, Depends(from_query)]
