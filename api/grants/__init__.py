"""Grants: what a grant is, how it is stored, and the tokens that name it.

``model`` is what a grant is and whether it permits a request; ``store`` loads grants (per key,
for authorization's cache, and in batches for the graph); ``tokens`` issues and reads grant
tokens; ``validation`` holds the members' rules. Authorization reads grants through the names
re-exported here, so this package sits below ``api.authz``; the five operations (CreateGrant,
ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant), which authorize, are
``api.operations.grants``'s.
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
