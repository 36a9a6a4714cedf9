"""Fake servers for the external analysis engines' tests (127.0.0.1 only)."""
