"""Audio and video interviews: upload, transcription in the worker's sandbox, playback."""
