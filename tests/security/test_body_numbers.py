"""A JSON value of one type is not another. Pydantic's lax mode reads `true` as 1 for an `int`
field (`{"expires_in_hours": true}` made a one-hour invitation, `{"monthly_tokens": true}` a
budget of one token), `"yes"` as true for a `bool` (`{"confirm": "yes"}` ran a destructive
framework save) and `"1"` as 1. Every number, boolean and list of them in every JSON request
body, found through the OpenAPI schema, must refuse the other types."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError

import persona_insight
from persona_insight.app import create_app
from persona_insight.config import Settings


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield str(value).rsplit("/", 1)[-1]
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _body_schemas(spec: dict[str, Any]) -> set[str]:
    found = {
        ref
        for operations in spec["paths"].values()
        for operation in operations.values()
        if isinstance(operation, dict) and "requestBody" in operation
        for ref in _refs(operation["requestBody"])
    }
    todo = list(found)
    while todo:
        for ref in _refs(spec["components"]["schemas"].get(todo.pop(), {})):
            if ref not in found:
                found.add(ref)
                todo.append(ref)
    return found


def _models() -> dict[str, type[BaseModel]]:
    out: dict[str, type[BaseModel]] = {}
    for module in pkgutil.walk_packages(persona_insight.__path__, "persona_insight."):
        if module.name.rsplit(".", 1)[-1] not in ("schemas", "latency"):
            continue
        loaded = importlib.import_module(module.name)
        for name, cls in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(cls, BaseModel) and cls.__module__ == loaded.__name__:
                out[name] = cls
                # FastAPI names a clash by its module: a__b__schemas__Name
                out[f"{loaded.__name__.replace('.', '__')}__{name}"] = cls
    return out


# What each JSON type must refuse: lax mode took every one of these (`"confirm": "yes"` ran a
# destructive framework save).
WRONG: dict[str, list[Any]] = {
    "integer": [True, "1", 1.5],
    "number": [True, "1"],
    "boolean": ["yes", "true", 1, 0],
}


def _kinds(prop: dict[str, Any]) -> set[str]:
    options = [prop, *prop.get("anyOf", [])]
    return {o["type"] for o in options if isinstance(o.get("type"), str)}


def _item_kinds(prop: dict[str, Any]) -> set[str]:
    options = [prop, *prop.get("anyOf", [])]
    return {
        kind
        for o in options
        if o.get("type") == "array" and isinstance(o.get("items"), dict)
        for kind in _kinds(o["items"])
    }


def _takes(model: type[BaseModel], field_name: str, value: Any) -> bool:
    try:
        model.model_validate({field_name: value})
    except ValidationError as exc:
        return not any(e["loc"][:1] == (field_name,) for e in exc.errors())
    return True


def test_no_body_field_takes_a_value_of_another_json_type() -> None:
    spec = create_app(Settings()).api.openapi()
    components = spec["components"]["schemas"]
    models = _models()
    checked, lax = 0, []
    for name in sorted(_body_schemas(spec)):
        model = models.get(name)
        assert model is not None, f"no model found for the request schema {name}"
        for field_name, field in model.model_fields.items():
            prop = components[name].get("properties", {}).get(field.alias or field_name, {})
            for kind in _kinds(prop) & set(WRONG):
                checked += 1
                taken = [v for v in WRONG[kind] if _takes(model, field_name, v)]
                lax += [f"{name}.{field_name}={v!r}" for v in taken]
            for kind in _item_kinds(prop) & set(WRONG):
                checked += 1
                lax += [
                    f"{name}.{field_name}=[{v!r}]"
                    for v in WRONG[kind]
                    if _takes(model, field_name, [v])
                ]
    assert checked >= 10
    assert lax == [], f"body fields that take a value of another JSON type: {lax}"
