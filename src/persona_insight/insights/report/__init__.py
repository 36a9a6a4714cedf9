"""Reports: a document model built once, rendered as Markdown, DOCX or PDF."""
