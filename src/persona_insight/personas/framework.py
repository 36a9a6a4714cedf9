"""The framework's rules, without a database: validation, the cross product of types, and codes
that stay with their combination when axes are edited."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from persona_insight.errors import InvalidInput
from persona_insight.texts import name_key

MAX_COMBINATIONS = 64
MAX_AXES = 6
MAX_TYPES = 16
_CODE = re.compile(r"^P(\d+)$")

Combination = tuple[UUID, ...]


@dataclass(frozen=True, slots=True)
class TypeSpec:
    name: str
    description: str = ""
    id: UUID | None = None


@dataclass(frozen=True, slots=True)
class AxisSpec:
    name: str
    types: tuple[TypeSpec, ...]
    description: str = ""
    id: UUID | None = None


def _rule(code: str, message: str, **details: object) -> InvalidInput:
    return InvalidInput(message, code=code, details={"rule": code, **details})


def validate(axes: Sequence[AxisSpec]) -> None:
    """422 naming the rule the framework breaks, first rule first."""
    if not axes:
        raise _rule("framework_no_axes", "a framework needs at least one axis")
    if len(axes) > MAX_AXES:
        raise _rule("too_many_axes", f"at most {MAX_AXES} axes", limit=MAX_AXES)
    # Compared as a reader sees them: "한국" composed and decomposed, "ABC" and "ＡＢＣ", are one.
    axis_names = [name_key(a.name) for a in axes]
    for i, axis in enumerate(axes):
        if not axis_names[i]:
            raise _rule("axis_name_empty", "every axis needs a name", axis=i)
        if not axis.types:
            raise _rule("axis_no_types", f"axis {axis.name!r} has no types", axis=axis.name)
        if len(axis.types) > MAX_TYPES:
            raise _rule("too_many_types", f"at most {MAX_TYPES} types per axis", axis=axis.name)
        names = [name_key(t.name) for t in axis.types]
        if any(not n for n in names):
            raise _rule("type_name_empty", "every type needs a name", axis=axis.name)
        duplicate = _first_duplicate(names)
        if duplicate is not None:
            raise _rule(
                "duplicate_type_name",
                f"axis {axis.name!r} has two types named {duplicate!r}",
                axis=axis.name,
                name=duplicate,
            )
    duplicate = _first_duplicate(axis_names)
    if duplicate is not None:
        raise _rule("duplicate_axis_name", f"two axes are named {duplicate!r}", name=duplicate)
    axis_ids = [a.id for a in axes if a.id is not None]
    if len(axis_ids) != len(set(axis_ids)):
        raise _rule("duplicate_axis_id", "the same axis id is given twice")
    type_ids = [t.id for a in axes for t in a.types if t.id is not None]
    if len(type_ids) != len(set(type_ids)):
        raise _rule("duplicate_type_id", "the same type id is given twice")
    total = 1
    for axis in axes:
        total *= len(axis.types)
    if total > MAX_COMBINATIONS:
        raise _rule(
            "too_many_combinations",
            f"the axes give {total} combinations, more than {MAX_COMBINATIONS}",
            combinations=total,
            limit=MAX_COMBINATIONS,
        )


def _first_duplicate(names: Iterable[str]) -> str | None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return None


def key(type_ids: Iterable[UUID]) -> Combination:
    """A combination's identity: its type ids sorted, whatever the order of the axes."""
    return tuple(sorted(type_ids))


def cross_product(axes_type_ids: Sequence[Sequence[UUID]]) -> list[Combination]:
    """Every combination of one type per axis, in axis and type order (P1 is the first types)."""
    return [key(c) for c in itertools.product(*axes_type_ids)]


def assign_codes(
    combinations: Sequence[Combination],
    existing: Mapping[Combination, str],
    retired: Iterable[str] = (),
    highest: int = 0,
) -> dict[Combination, str]:
    """A combination that already had a code keeps it; new ones take the next free P-number
    after the highest in use, just retired or ever given (`highest`), so a removed persona's
    code is not handed on."""
    taken = set(existing.values()) | set(retired)
    used = [int(m.group(1)) for code in taken if (m := _CODE.match(code))]
    following = max(used, default=0)
    following = max(following, highest)
    codes: dict[Combination, str] = {}
    for combination in combinations:
        if combination in existing:
            codes[combination] = existing[combination]
            continue
        following += 1
        while f"P{following}" in taken:
            following += 1
        codes[combination] = f"P{following}"
        taken.add(codes[combination])
    return codes


def default_title(type_names: Sequence[str]) -> str:
    return " · ".join(type_names)[:200]


def highest_number(codes: Iterable[str]) -> int:
    return max((int(m.group(1)) for code in codes if (m := _CODE.match(code))), default=0)


def code_order(code: str) -> tuple[int, int, str]:
    """P2 before P10 (a list sorted as text put P5 after P47), other codes after, by name."""
    m = _CODE.match(code)
    return (0, int(m.group(1)), "") if m else (1, 0, code)
