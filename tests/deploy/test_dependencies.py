"""What the code imports is installed where it runs: every third-party module imported under
src/ belongs to a distribution the package itself requires (directly or through another), not
one that only the dev group brings. The image is built with `uv sync --no-dev`, so reportlab,
listed under dev while the PDF reports import it, was missing there (caught by this test)."""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "persona_insight"
_NAME = re.compile(r"^[A-Za-z0-9._-]+")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _runtime_closure(root: str) -> set[str]:
    """The distributions `root` requires at run time, transitively (with the extras asked for;
    the requirements of extras nobody asks for left out)."""
    seen: set[str] = set()
    visited: set[tuple[str, frozenset[str]]] = set()
    todo: list[tuple[str, frozenset[str]]] = [(root, frozenset())]
    while todo:
        name, extras = todo.pop()
        if (_normal(name), extras) in visited:
            continue
        visited.add((_normal(name), extras))
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue  # not installed here (another platform's): nothing imports it here
        seen.add(_normal(name))
        for requirement in requires:
            spec, _, marker = requirement.partition(";")
            wanted = re.findall(r'extra\s*==\s*"([^"]+)"', marker)
            if wanted and not set(wanted) & extras:
                continue
            match = _NAME.match(spec.strip())
            if match is None:
                continue
            asked = re.search(r"\[([^\]]+)\]", spec)
            more = frozenset(x.strip() for x in asked.group(1).split(",")) if asked else frozenset()
            todo.append((match.group(0), more))
    return seen


def _imported_top_modules() -> set[str]:
    modules: set[str] = set()
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules


def test_every_imported_module_is_a_runtime_dependency() -> None:
    runtime = _runtime_closure("persona-insight")
    owners = metadata.packages_distributions()
    missing = {}
    for module in sorted(_imported_top_modules()):
        if module in sys.stdlib_module_names or module in ("persona_insight", "__future__"):
            continue
        distributions = {_normal(d) for d in owners.get(module, [])}
        assert distributions, f"{module} is imported but no installed distribution provides it"
        if not distributions & runtime:
            missing[module] = sorted(distributions)
    assert missing == {}, f"imported under src/ but not required at run time: {missing}"
