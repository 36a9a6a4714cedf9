from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def speech_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled Whisper base model, joined and verified once for the whole run."""
    from persona_insight.media.models import ensure_model

    return ensure_model(tmp_path_factory.mktemp("models"))


@pytest.fixture
def settings(settings: Any, speech_model: Path) -> Any:
    return settings.model_copy(update={"speech_model_dir": speech_model})
