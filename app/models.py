"""Every table, imported in one place for Alembic and for the tests."""

from app.accounts.models import User
from app.security.models import LoginSession

__all__ = ["LoginSession", "User"]
