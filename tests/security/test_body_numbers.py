"""JSON `true` is not a number. Pydantic's lax mode reads a boolean as 1 for an `int` field, so
`{"expires_in_hours": true}` made a one-hour invitation and `{"monthly_tokens": true}` a budget
of one token. Every numeric field of every JSON request body, found through the OpenAPI schema,
must refuse a boolean."""

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


def test_no_numeric_body_field_takes_a_boolean() -> None:
    spec = create_app(Settings()).api.openapi()
    components = spec["components"]["schemas"]
    models = _models()
    checked, lax = 0, []
    for name in sorted(_body_schemas(spec)):
        model = models.get(name)
        assert model is not None, f"no model found for the request schema {name}"
        for field_name, field in model.model_fields.items():
            prop = components[name].get("properties", {}).get(field.alias or field_name, {})
            kinds = {prop.get("type")} | {o.get("type") for o in prop.get("anyOf", [])}
            if not kinds & {"integer", "number"}:
                continue
            checked += 1
            try:
                model.model_validate({field_name: True})
            except ValidationError as exc:
                if any(e["loc"][:1] == (field_name,) for e in exc.errors()):
                    continue
            lax.append(f"{name}.{field_name}")
    assert checked >= 2
    assert lax == [], f"numeric body fields that take true as a number: {lax}"
