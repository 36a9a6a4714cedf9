"""The framework's rules without a database: the cross product, stable codes, validation."""

from __future__ import annotations

import uuid

import pytest

from persona_insight.errors import InvalidInput
from persona_insight.personas import avatar, framework
from persona_insight.personas.framework import AxisSpec, TypeSpec


def _axis(name: str, *types: str) -> AxisSpec:
    return AxisSpec(name, tuple(TypeSpec(t) for t in types))


def test_three_axes_give_the_full_cross_product() -> None:
    ids = [[uuid.uuid4() for _ in range(n)] for n in (3, 3, 2)]
    combos = framework.cross_product(ids)
    assert len(combos) == 18
    assert len(set(combos)) == 18
    assert all(len(c) == 3 for c in combos)
    codes = framework.assign_codes(combos, {})
    assert sorted(codes.values(), key=lambda c: int(c[1:])) == [f"P{i}" for i in range(1, 19)]


def test_codes_stay_with_their_combination_when_a_type_is_added() -> None:
    a, b = [uuid.uuid4(), uuid.uuid4()], [uuid.uuid4(), uuid.uuid4()]
    first = framework.assign_codes(framework.cross_product([a, b]), {})
    a.append(uuid.uuid4())
    combos = framework.cross_product([a, b])
    second = framework.assign_codes(combos, first)
    for combination, code in first.items():
        assert second[combination] == code
    assert sorted(second.values()) == ["P1", "P2", "P3", "P4", "P5", "P6"]


def test_a_removed_code_is_not_handed_to_a_new_combination() -> None:
    a, b = [uuid.uuid4(), uuid.uuid4()], [uuid.uuid4()]
    first = framework.assign_codes(framework.cross_product([a, b]), {})  # P1, P2
    kept = {k: v for k, v in first.items() if v == "P1"}
    new = framework.cross_product([[a[0], uuid.uuid4()], b])
    codes = framework.assign_codes(new, kept, retired=["P2"])
    assert sorted(codes.values()) == ["P1", "P3"]


def test_axis_order_does_not_change_a_combination() -> None:
    x, y = uuid.uuid4(), uuid.uuid4()
    assert framework.key([x, y]) == framework.key([y, x])


@pytest.mark.parametrize(
    ("axes", "rule"),
    [
        ([], "framework_no_axes"),
        ([_axis("charging")], "axis_no_types"),
        ([_axis("charging", "home", "Home")], "duplicate_type_name"),
        ([_axis("value", "cost"), _axis("Value", "speed")], "duplicate_axis_name"),
        ([_axis(f"a{i}", *[f"t{j}" for j in range(5)]) for i in range(3)], "too_many_combinations"),
        ([_axis("", "x")], "axis_name_empty"),
    ],
)
def test_each_rule_is_named(axes: list[AxisSpec], rule: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        framework.validate(axes)
    assert caught.value.code == rule
    assert caught.value.to_dict()["error"]["details"]["rule"] == rule


def test_sixty_four_combinations_are_allowed() -> None:
    framework.validate([_axis(f"a{i}", "x", "y", "z", "w") for i in range(3)])


def test_avatars_are_deterministic_and_differ_by_traits() -> None:
    one = avatar.svg("P1", ["routine", "cost"])
    assert one == avatar.svg("P1", ["routine", "cost"])
    assert one != avatar.svg("P1", ["fast", "cost"])
    assert one.startswith("<svg")
    assert "<script" not in one
    assert "&lt;b&gt;" in avatar.svg("<b>", [])


def test_an_avatar_shows_the_whole_code() -> None:
    """Codes such as EV-DRIVER were cut to six letters ("EV-DRI") and drawn white on the
    figure's light colour."""
    from defusedxml import ElementTree

    root = ElementTree.fromstring(avatar.svg("EV-DRIVER", ["home"]))
    (text,) = [e for e in root.iter() if e.tag.endswith("text")]
    assert text.text == "EV-DRIVER"
    assert text.get("textLength") == "78"  # squeezed into the band, not cut
    assert root.get("aria-label") == "EV-DRIVER"
    short = ElementTree.fromstring(avatar.svg("P1", []))
    assert next(e for e in short.iter() if e.tag.endswith("text")).get("textLength") is None


def test_codes_are_listed_by_number() -> None:
    from persona_insight.personas.framework import code_order

    assert sorted(["P47", "P5", "OLD", "P19"], key=code_order) == ["P5", "P19", "P47", "OLD"]
