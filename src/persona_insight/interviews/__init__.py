"""Interviews: upload, the analysis workflow and its state machine, trash."""
