"""What an authorization check decided, and what decided it.

A decision is kept whole (not just allowed/denied) because three readers need the reasons: the
audit trail records the statement or grant that decided, ``simulateAccess`` shows them to a
person, and a grant that allows ``CreateGrant`` limits what its grantee may grant.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Outcome(enum.Enum):
    """IAM's three answers; only ``ALLOWED`` lets the call go on."""

    ALLOWED = "Allowed"
    EXPLICIT_DENY = "ExplicitDeny"
    IMPLICIT_DENY = "ImplicitDeny"


class Source(enum.Enum):
    """Where a reason comes from."""

    KEY_POLICY = "KeyPolicy"
    IDENTITY_POLICY = "IdentityPolicy"
    GRANT = "Grant"
    # The account's root principal is allowed what its account's key policies delegate to it,
    # and every keyless action, without an attached policy (IAM's root has no identity policy).
    ROOT = "Root"
    # Authorization switched off (KEYGRAPH_AUTHORIZATION=off, development only, for measuring).
    UNCHECKED = "Unchecked"


@dataclass(frozen=True)
class Reason:
    """One statement or grant that matched the request, with the effect it had."""

    source: Source
    effect: str  # "Allow" or "Deny"
    statement: str | None = None  # the statement's label, e.g. 'Statement[0] (Sid "x")'
    sid: str | None = None
    grant_id: str | None = None

    @property
    def label(self) -> str:
        """How the audit trail and messages name it: ``KeyPolicy Statement[0] (Sid "x")``."""
        if self.grant_id is not None:
            return f"{self.source.value} {self.grant_id}"
        if self.statement is not None:
            return f"{self.source.value} {self.statement}"
        return self.source.value


@dataclass(frozen=True)
class Decision:
    """The answer to: may ``principal_arn`` perform ``action`` on ``resource`` now?

    ``reasons`` lists what decided: the denying statements for an explicit deny, the allowing
    statements and grants for an allow, nothing for an implicit deny.
    """

    principal_arn: str
    action: str  # "kms:Encrypt"
    resource: str  # the key ARN, or "*" for actions without a key
    outcome: Outcome
    reasons: tuple[Reason, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOWED

    @property
    def decided_by(self) -> str | None:
        """The first reason's label: what the audit trail names as having decided."""
        return self.reasons[0].label if self.reasons else None

    @property
    def grant_ids(self) -> tuple[str, ...]:
        return tuple(r.grant_id for r in self.reasons if r.grant_id is not None)
