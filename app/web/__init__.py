"""Server-rendered pages (Jinja2)."""
