"""Identity policies: the one policy document attached to a user or role.

They decide the actions without a key (CreateKey, ListKeys...) and, where a key policy delegates
to the account (as AWS's default key policy does), the key operations too. An account's root has
none: it is allowed by default. ``attach_policy`` is what both the API
(``api.operations.access``, which decides who may) and ``keygraph principal attach-policy`` do.
"""

from __future__ import annotations

import asyncpg

from api import messages
from api.catalog import Catalog
from api.policy.findings import PolicyCheck, PolicyWarning
from api.policy.validation import check_identity_policy
from api.principals import Principal, PrincipalKind, find_principal
from db import principal_policies as rows


async def attach_policy(
    conn: asyncpg.Connection,
    catalog: Catalog,
    target: Principal,
    document: str,
    check: PolicyCheck,
) -> tuple[PolicyWarning, ...]:
    """Check ``document`` (like a key policy, without Principal) and attach it to a live user or
    role, replacing its policy; what the checker found, when ``check`` lets it be stored."""
    if target.kind is PrincipalKind.ROOT:
        raise messages.ROOT_HAS_NO_IDENTITY_POLICY()
    if await find_principal(conn, target) is None:
        raise messages.NO_SUCH_PRINCIPAL(arn=target.arn)
    checked = check_identity_policy(document, catalog, check)
    await rows.put_policy(conn, target.arn, document)
    return checked.warnings
