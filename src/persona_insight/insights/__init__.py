"""Insights across a project's interviews: themes of pain points and needs, with counts, quotes,
charts and a summary, recomputed by a debounced job as interviews come and go (issue 12)."""
