"""Projects: a company's research projects and who belongs to them."""
