"""Interview analysis: the contract, the engines and their selection."""
