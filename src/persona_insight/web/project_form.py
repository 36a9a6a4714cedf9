"""The project form, shared by the new-project page and the project settings: its fields and
its mistakes in the reader's language (the model's own messages are English)."""

from __future__ import annotations

from typing import Final

from pydantic import ValidationError

from persona_insight.web.page import Page

FIELDS: Final = (
    "name",
    "description",
    "purpose",
    "target_audience",
    "research_method",
    "start_date",
    "end_date",
    "visibility",
    "join_method",
    "password",
)


def form_values(page: Page) -> dict[str, str]:
    values = {name: page.value(name) for name in FIELDS}
    values["password"] = page.raw("password")
    return values


def form_errors(page: Page, exc: ValidationError) -> dict[str, str]:
    """Field → message."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ())]
        message = str(error.get("msg", ""))
        if "end_date is before start_date" in message:
            errors["end_date"] = page._("The end date is before the start date.")
        elif "password is required" in message:
            errors["password"] = page._("A project that is joined by password needs a password.")
        elif loc and loc[0] == "name":
            errors["name"] = page._("Give the project a name (up to 200 characters).")
        elif loc and loc[0] in ("start_date", "end_date"):
            errors[loc[0]] = page._("Enter a valid date.")
        elif loc and loc[0] == "password":
            errors["password"] = page._("The password needs at least 8 characters.")
        elif loc:
            errors.setdefault(loc[0], page._("Check this field."))
    return errors


def cross_field_errors(page: Page, values: dict[str, str], *, has_password: bool) -> dict[str, str]:
    """Rules across fields, which the model checks only once every field is valid: shown
    together with the other mistakes, so the form is fixed in one go."""
    errors = {}
    start, end = values.get("start_date", ""), values.get("end_date", "")
    if start and end and end < start:  # ISO dates compare as text
        errors["end_date"] = page._("The end date is before the start date.")
    if values.get("join_method") == "password" and not (values.get("password") or has_password):
        errors["password"] = page._("A project that is joined by password needs a password.")
    return errors
