"""Speech-to-text engines: `local` (faster-whisper in the worker) and `api` (OpenAI-compatible)."""
