"""Real time: the events outbox, the per-process hub, and the SSE stream."""
