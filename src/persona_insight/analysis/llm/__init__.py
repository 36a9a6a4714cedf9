"""The llm analysis engine: pydantic-ai with a typed, bounded answer (see `engine.py`)."""
