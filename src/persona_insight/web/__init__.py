"""The web application: server-rendered pages (Jinja2, ko/en) and a small ES module that makes them
live over the project's event stream. Page routes are in `routes.py`."""
