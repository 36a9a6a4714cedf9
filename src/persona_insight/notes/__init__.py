"""Notes: shared comments anchored to script lines of an analysed interview, with replies."""
