"""What a company configures for its analyses: the engine (and its keys), glossary, personas."""
