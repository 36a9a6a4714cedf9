"""Knowledge documents: files company admins add to a company's or a project's knowledge base,
chunked and indexed so search finds them and "ask" may cite them."""
