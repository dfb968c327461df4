"""The policy lockout safety check of PutKeyPolicy and CreateKey.

A key policy that would stop its author from changing the key policy again could make the key
unmanageable for good, so AWS refuses it unless the caller sets
``BypassPolicyLockoutSafetyCheck``. The check asks the authorizer what the proposed policy would
decide for the caller's next ``PutKeyPolicy`` on this key (identity policy included, grants not:
no grant can carry PutKeyPolicy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from api import messages
from api.authz.authorize import AccessRequest, assess
from api.authz.facts import Origin
from api.calls import Call
from api.keys.model import Key
from api.policy.model import PolicyDocument

if TYPE_CHECKING:
    from api.services import Services

# The table's words, for callers that compare.
LOCKOUT_MESSAGE = messages.POLICY_LOCKOUT.text


async def check_lockout(
    services: Services, call: Call, key: Key, policy: PolicyDocument, *, bypass: bool
) -> None:
    if bypass:
        return
    request = AccessRequest(
        principal=call.principal,
        action="PutKeyPolicy",
        key=key,
        origin=Origin.of(call),
        facts={"kms:BypassPolicyLockoutSafetyCheck": "false"},
        proposed_policy=policy,
    )
    if not (await assess(services, request)).decision.allowed:
        raise messages.POLICY_LOCKOUT()
