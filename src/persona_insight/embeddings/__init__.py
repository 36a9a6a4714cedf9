"""Vectors of what was said (lines, findings, themes, personas, knowledge chunks), stored once in
PostgreSQL and shared by insights, search, personas and chat (DESIGN §8)."""
