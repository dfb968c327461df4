"""Grants: AWS's CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and RevokeGrant.

``model`` is what a grant is and whether it permits a request; ``store`` loads grants (per key,
for authorization's cache, and in batches for the graph); ``tokens`` issues and reads grant
tokens; ``validation`` holds the members' rules; ``retiring`` who may retire a grant;
``operations`` the five actions. Authorization reads grants through the names re-exported here;
``operations`` is not imported here, as it depends on authorization itself.
"""

from api.grants.model import Grant, GrantConstraints, GrantOperation
from api.grants.store import grants_for_keys, load_grants
from api.grants.tokens import grants_for_tokens, parse_grant_tokens

__all__ = [
    "Grant",
    "GrantConstraints",
    "GrantOperation",
    "grants_for_keys",
    "grants_for_tokens",
    "load_grants",
    "parse_grant_tokens",
]
