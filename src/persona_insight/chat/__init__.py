"""Talk with your customers: conversations with a project's personas, answered from their
interviews (issue 15)."""
