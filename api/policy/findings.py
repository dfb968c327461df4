"""What keygraph's checker finds in a policy that AWS stores regardless, and what it does then.

AWS KMS refuses a key policy (``MalformedPolicyDocumentException``) only when it is not a policy
at all: JSON that does not parse, a statement without a principal or with a malformed one, an
element of the wrong type, or a policy that fails the lockout safety check. It stores a policy
that names an action no service has (``kms:unknown``), a condition key that no action of the
statement can see, or a statement without ``Action`` or ``Resource`` (AWS's PutKeyPolicy and
CreateKey reference: "the policy statement has no effect ... the PutKeyPolicy API request
succeeds"). Such a statement can never match, so the policy means less than its author thinks:
keygraph's checker finds it (``api.policy.checks``, ``api.policy.parse``), and ``PolicyCheck``
says what then happens: ``strict`` refuses the policy as keygraph always has, ``warn`` (the
default, so code written for AWS works unchanged) stores it and answers the findings as
warnings.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from api.errors import MalformedPolicyDocumentException
from api.shapes import member


class PolicyCheck(enum.Enum):
    """``KEYGRAPH_POLICY_CHECK``: what a finding AWS would store does to the policy."""

    STRICT = "strict"
    WARN = "warn"


class FindingCode(enum.Enum):
    """What the checker found. Each is something AWS stores without a word."""

    UNKNOWN_ACTION = "UNKNOWN_ACTION"
    INAPPLICABLE_CONDITION_KEY = "INAPPLICABLE_CONDITION_KEY"
    MISSING_ACTION = "MISSING_ACTION"
    MISSING_RESOURCE = "MISSING_RESOURCE"


@dataclass(frozen=True, kw_only=True)
class PolicyWarning:
    """One finding of the checker in a policy that was stored anyway (``KEYGRAPH_POLICY_CHECK``
    is ``warn``). keygraph's own: AWS answers nothing of the kind."""

    code: FindingCode
    message: str = member(doc="What was found, naming the statement, as strict mode refuses it.")
    statement_index: int = member(doc="The statement's place in the policy, from 0.")
    sid: str | None = member(doc="The statement's Sid, when it has one.")

    @property
    def text(self) -> str:
        """One line, as the audit trail records it."""
        return f"{self.code.value}: {self.message}"


def enforce(findings: Iterable[PolicyWarning], check: PolicyCheck) -> tuple[PolicyWarning, ...]:
    """The findings as warnings, or in strict mode the first of them as the refusal it always
    was."""
    found = tuple(findings)
    if found and check is PolicyCheck.STRICT:
        first = found[0]
        raise MalformedPolicyDocumentException(
            first.message, place={"statementIndex": first.statement_index}
        )
    return found
