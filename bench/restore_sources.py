"""Restore the git-ignored third-party transcripts the evaluations read, byte for byte, from
local git copies of their source repositories.

The real evaluation set (tests/analysis/real/labels/*.json, written to
tests/analysis/real/files/) and the persona held-out sets (tests/personas/data/
placement_heldout*.json, written to tests/personas/data/heldout_files/) record each file's
repository, path and commit; their bytes are never committed. Given where clones live, this
writes every missing file from `git show <commit>:<path>`.

    uv run --frozen python -m bench.restore_sources --git-dir '/work/.mirror/{owner}+{name}/repo'

`--git-dir` is a pattern with `{owner}` and `{name}`, pointing at a clone's git directory (a
bare clone, or a work tree's `.git`). A repository found nowhere is reported and skipped.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL_LABELS = ROOT / "tests" / "analysis" / "real" / "labels"
REAL_FILES = ROOT / "tests" / "analysis" / "real" / "files"
PERSONA_DATA = ROOT / "tests" / "personas" / "data"
HELDOUT_FILES = PERSONA_DATA / "heldout_files"


@dataclass(frozen=True, slots=True)
class Source:
    repository: str
    path: str
    commit: str
    target: Path


def _source(record: dict[str, str], directory: Path, name: str) -> Source:
    suffix = Path(record["path"]).suffix
    return Source(
        record["repository"], record["path"], record["commit"], directory / f"{name}{suffix}"
    )


def sources() -> Iterator[Source]:
    for label in sorted(REAL_LABELS.glob("*.json")):
        data = json.loads(label.read_text(encoding="utf-8"))
        yield _source(data["source"], REAL_FILES, data["id"])
    for heldout in sorted(PERSONA_DATA.glob("placement_heldout*.json")):
        data = json.loads(heldout.read_text(encoding="utf-8"))
        for key, record in data["sources"].items():
            yield _source(record, HELDOUT_FILES, key.split(":", 1)[1])


def restore(pattern: str, *, force: bool = False) -> dict[str, list[str]]:
    report: dict[str, list[str]] = {"written": [], "present": [], "unavailable": []}
    for source in sources():
        if source.target.exists() and not force:
            report["present"].append(source.target.name)
            continue
        owner, name = source.repository.split("/", 1)
        git_dir = pattern.format(owner=owner, name=name)
        shown = subprocess.run(
            ["git", "--git-dir", git_dir, "show", f"{source.commit}:{source.path}"],
            capture_output=True,
            check=False,
        )
        if shown.returncode != 0:
            report["unavailable"].append(f"{source.target.name} ({source.repository})")
            continue
        source.target.parent.mkdir(parents=True, exist_ok=True)
        source.target.write_bytes(shown.stdout)
        report["written"].append(source.target.name)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--git-dir", required=True, help="pattern of a clone's git directory: {owner}, {name}"
    )
    parser.add_argument("--force", action="store_true", help="rewrite files already present")
    args = parser.parse_args()
    report = restore(args.git_dir, force=args.force)
    for kind, names in report.items():
        print(f"{kind}: {len(names)}")
        if kind == "unavailable":
            for item in names:
                print(f"  {item}")


if __name__ == "__main__":
    main()
