"""Search and "ask your research": a keyword and meaning index of every script line, hybrid
ranking, and answers streamed with the lines they cite (issue 13)."""
