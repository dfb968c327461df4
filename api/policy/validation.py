"""Checking a key policy or an identity policy document before it is stored.

In order: the size (32 KB) and characters AWS allows in the ``Policy`` member, the document's
grammar (``api.policy.parse``), then its actions and condition keys against the catalog
(``api.policy.checks``). Every refusal of the document is ``MalformedPolicyDocumentException``
naming the offending entry; characters outside AWS's pattern are a ``ValidationException`` as
for any member that fails its pattern. What the catalog check finds refuses the document only in
strict mode (``api.policy.findings``); otherwise it comes back as warnings.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from api import limits, messages
from api.catalog import Catalog
from api.policy.checks import check_policy
from api.policy.findings import PolicyCheck, PolicyWarning, enforce
from api.policy.model import PolicyDocument
from api.policy.parse import PolicyKind, parse_policy
from api.shapes import constraint_failed, member, pattern_constraint, validation_error

# AWS's pattern for the Policy member: tab, line feed, carriage return, and U+0020 to U+00FF.
POLICY_CHARACTERS = r"[\u0009\u000A\u000D\u0020-\u00FF]+"
_POLICY_CHARACTERS = re.compile(POLICY_CHARACTERS)
# The API model's longest Policy member, in characters.
POLICY_MODEL_LENGTH = 131_072


def policy_document(default: Any = dataclasses.MISSING) -> Any:
    """A ``Policy`` member (CreateKey's, PutKeyPolicy's) as AWS's model bounds it: 1 to 131,072
    characters of its pattern. keygraph then refuses a document over 32 KB as
    ``MalformedPolicyDocumentException``."""
    return member(default, length=(1, POLICY_MODEL_LENGTH), pattern=POLICY_CHARACTERS)


@dataclasses.dataclass(frozen=True)
class CheckedPolicy:
    """A policy that may be stored, and what the checker found in it (``warn`` mode only)."""

    policy: PolicyDocument
    warnings: tuple[PolicyWarning, ...]


def _checked(
    document: str, catalog: Catalog, kind: PolicyKind, check: PolicyCheck
) -> CheckedPolicy:
    if len(document.encode("utf-8")) > limits.POLICY_MAX_BYTES:
        raise messages.POLICY_TOO_LARGE(limit=limits.POLICY_MAX_BYTES)
    if not _POLICY_CHARACTERS.fullmatch(document):
        raise validation_error(
            [constraint_failed("policy", pattern_constraint(POLICY_CHARACTERS), None)]
        )
    policy = parse_policy(document, kind)
    return CheckedPolicy(policy, enforce(check_policy(policy, catalog), check))


def check_key_policy(document: str, catalog: Catalog, check: PolicyCheck) -> CheckedPolicy:
    """``document`` as a key policy: refused if AWS would refuse it (or, in strict mode, if the
    checker finds anything), else its model and the checker's findings."""
    return _checked(document, catalog, PolicyKind.KEY, check)


def check_identity_policy(document: str, catalog: Catalog, check: PolicyCheck) -> CheckedPolicy:
    """``document`` as a principal's identity policy, with the key policy's limits."""
    return _checked(document, catalog, PolicyKind.IDENTITY, check)


def parse_key_policy(document: str, catalog: Catalog) -> PolicyDocument:
    """The model of ``document`` if the strict checker accepts it, or the exception that says
    what is wrong with it."""
    return check_key_policy(document, catalog, PolicyCheck.STRICT).policy


def parse_identity_policy(document: str, catalog: Catalog) -> PolicyDocument:
    """The model of a principal's identity policy if the strict checker accepts it."""
    return check_identity_policy(document, catalog, PolicyCheck.STRICT).policy


def validate_key_policy(document: str, catalog: Catalog) -> str:
    """The document as stored (unchanged), once it has passed every check."""
    parse_key_policy(document, catalog)
    return document
