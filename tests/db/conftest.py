"""Until tests/conftest.py lists tests.fixtures.postgres in pytest_plugins, import it here."""

from tests.fixtures.postgres import database_url, fresh_database  # noqa: F401
