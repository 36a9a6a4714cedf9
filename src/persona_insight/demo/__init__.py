"""Demo data for `make run`: a company, two users and a project with sample interviews."""
