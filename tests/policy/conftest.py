"""Shared pieces of the policy tests: the shipped catalog, and policy documents to check."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from api.catalog import Catalog, load_catalog
from api.errors import KeygraphError, MalformedPolicyDocumentException


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def with_members(base: dict[str, Any], members: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``members`` replacing or adding; a member given as None is left out."""
    merged = {**base, **members}
    return {name: value for name, value in merged.items() if value is not None}


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def assert_malformed(error: KeygraphError, message: str) -> None:
    assert isinstance(error, MalformedPolicyDocumentException)
    assert error.message == message


def refusal_by(
    check: Callable[[str, Catalog], object], document: str, catalog: Catalog
) -> KeygraphError:
    """The error ``check`` raises for ``document`` (the test fails if it accepts it)."""
    with pytest.raises(KeygraphError) as raised:
        check(document, catalog)
    return raised.value
