"""The miso analysis engine: a Dify-style workflow on MISO or Dify (see `engine.py`)."""
