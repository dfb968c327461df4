"""The action each root field performs, as the audit trail names it.

A field of the catalog performs its catalog action (``reEncrypt`` names ``kms:ReEncryptFrom``, the
first of its two), and so does its batch form (``encryptBatch``: ``kms:Encrypt``); keygraph's own
fields name ``keygraph:`` actions; the catalog's description of itself and ``whoami`` only read
public facts about the service and the caller, and are not audited.
"""

from __future__ import annotations

from functools import cache

from api.catalog import Catalog
from schema.batch import BATCH_ACTIONS

UNAUDITED = frozenset(
    {"whoami", "service", "services", "privileges", "privilege", "conditionKeys", "resourceTypes"}
)

OWN_ACTIONS = {
    "simulateAccess": "keygraph:SimulateAccess",
    "principalPolicy": "keygraph:GetPrincipalPolicy",
    "putPrincipalPolicy": "keygraph:PutPrincipalPolicy",
    "deletePrincipalPolicy": "keygraph:DeletePrincipalPolicy",
    "auditEvents": "keygraph:ListAuditEvents",
}


@cache
def _catalog_actions(catalog: Catalog) -> dict[str, str]:
    return {operation.field: operation.actions[0] for operation in catalog.operations()}


def field_action(catalog: Catalog, field: str) -> str | None:
    """The action ``field`` performs, or None for a field that is not audited."""
    if field in UNAUDITED:
        return None
    return (
        OWN_ACTIONS.get(field) or BATCH_ACTIONS.get(field) or _catalog_actions(catalog).get(field)
    )
