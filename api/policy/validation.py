"""Checking a key policy document before it is stored.

A document must be JSON, at most 32 KB, and an object; the catalog checks of its actions and
condition keys build on this (``MalformedPolicyDocumentException`` naming the offending entry).
"""

from __future__ import annotations

import json

from api import limits
from api.catalog import Catalog
from api.errors import MalformedPolicyDocumentException


def validate_key_policy(document: str, catalog: Catalog) -> str:
    """The document as stored, or ``MalformedPolicyDocumentException`` saying what is wrong."""
    if len(document.encode("utf-8")) > limits.POLICY_MAX_BYTES:
        raise MalformedPolicyDocumentException(
            f"The policy document exceeds the maximum size of {limits.POLICY_MAX_BYTES} bytes."
        )
    try:
        parsed = json.loads(document)
    except ValueError:
        raise MalformedPolicyDocumentException("The policy document is not valid JSON.") from None
    if not isinstance(parsed, dict):
        raise MalformedPolicyDocumentException("The policy document must be a JSON object.")
    return document
