"""Fixtures of the grant tests: principals besides the root, each with its own client (the
authorization tests' fixture, shared rather than copied)."""

from tests.authz.conftest import principal_client

__all__ = ["principal_client"]
