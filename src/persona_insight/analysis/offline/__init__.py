"""The offline analysis engine: Kiwi morphology and small multilingual embeddings, no network."""
