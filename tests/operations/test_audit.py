"""AuditEvents through the pipeline: the trail as an account's root reads it, and keygraph's own
operations in it under their ``keygraph:`` actions."""

from __future__ import annotations

import pytest

from api.audit.chain import append
from api.calls import Door
from api.decisions import Outcome
from api.errors import AccessDeniedException, InvalidMarkerException, ValidationException
from api.operations.access import PrincipalPolicyRequest, SimulateAccessRequest, WhoamiRequest
from api.operations.audit import AuditEvent, AuditEventFilter, AuditEventsPage, AuditEventsRequest
from api.operations.catalog import PrivilegeRequest
from api.principals import Principal, PrincipalKind, create_principal, principal_for
from api.services import Services
from tests.audit.conftest import ACCOUNT, KEY, ROOT, START, event
from tests.operations.conftest import Invoke

ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
# Five events a second apart: request-N at START + N seconds.
EVENTS = [
    event(1),
    event(2, principal_arn=ALICE, decision=Outcome.IMPLICIT_DENY, decided_by=None,
          outcome="AccessDeniedException"),
    event(3, action="kms:Decrypt"),
    event(4, principal_arn=ALICE),
    event(5),
]  # fmt: skip


@pytest.fixture
async def trail(services: Services) -> None:
    assert services.settings.account_id == ACCOUNT
    async with services.pool.acquire() as conn:
        await append(conn, EVENTS)


def request_ids(response: AuditEventsPage) -> list[str]:
    return [found.request_id for found in response.events]


async def test_an_event_reads_as_recorded(call: Invoke, trail: None) -> None:
    found = await call("AuditEvents", AuditEventsRequest(filter=AuditEventFilter(principal=ALICE)))

    assert request_ids(found) == ["request-2", "request-4"]
    denied = found.events[0]
    assert int(denied.seq) > 0
    assert denied == AuditEvent(
        seq=denied.seq,
        time=START.replace(second=2),
        request_id="request-2",
        principal=ALICE,
        source_ip="10.0.0.7",
        door=Door.GRAPHQL,
        action="kms:Encrypt",
        key_arn=KEY,
        decision=Outcome.IMPLICIT_DENY,
        decided_by=None,
        outcome="AccessDeniedException",
    )
    assert (found.truncated, found.next_marker) == (False, None)


async def test_filters_and_pages(call: Invoke, trail: None) -> None:
    between = AuditEventFilter(
        key_id=KEY, from_=START.replace(second=2), to=START.replace(second=4)
    )
    assert request_ids(await call("AuditEvents", AuditEventsRequest(filter=between))) == [
        "request-2",
        "request-3",
        "request-4",
    ]
    decrypts = AuditEventFilter(principal=ROOT, action="Decrypt")
    assert request_ids(await call("AuditEvents", AuditEventsRequest(filter=decrypts))) == [
        "request-3"
    ]

    first = await call(
        "AuditEvents", AuditEventsRequest(filter=AuditEventFilter(key_id=KEY), limit=3)
    )
    assert request_ids(first) == ["request-1", "request-2", "request-3"]
    assert first.truncated is True
    rest = await call(
        "AuditEvents",
        AuditEventsRequest(filter=AuditEventFilter(key_id=KEY), marker=first.next_marker),
    )
    assert request_ids(rest) == ["request-4", "request-5"]
    assert (rest.truncated, rest.next_marker) == (False, None)


async def test_refused_arguments(call: Invoke) -> None:
    with pytest.raises(ValidationException) as refused:
        await call("AuditEvents", AuditEventsRequest(limit=0))
    assert refused.value.message == (
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )
    with pytest.raises(InvalidMarkerException) as invalid:
        await call("AuditEvents", AuditEventsRequest(marker="not-a-marker"))
    assert invalid.value.message == "The marker is not valid."
    with pytest.raises(ValidationException) as refused:
        await call("AuditEvents", AuditEventsRequest(filter=AuditEventFilter(key_id="alias/x")))
    assert refused.value.message == (
        "keyId 'alias/x' names an alias; the audit trail is filtered by key id or key ARN"
    )


async def test_only_an_accounts_root_reads_the_trail(call: Invoke, services: Services) -> None:
    async with services.pool.acquire() as conn:
        issued = await create_principal(conn, principal_for(ACCOUNT, "alice", PrincipalKind.USER))
    with pytest.raises(AccessDeniedException) as denied:
        await call("AuditEvents", AuditEventsRequest(), issued.principal)
    assert denied.value.message == (
        f"User: {ALICE} is not authorized to read the audit trail: "
        "only an account's root principal may"
    )


async def test_keygraphs_own_operations_are_audited_as_keygraph_actions(
    call: Invoke, services: Services, root: Principal
) -> None:
    await call("Whoami", WhoamiRequest())
    await call("Privilege", PrivilegeRequest(name="Encrypt"))
    await call("SimulateAccess", SimulateAccessRequest(principal=root.arn, action="ListKeys"))
    await call("PrincipalPolicy", PrincipalPolicyRequest(principal=ALICE))
    await call("AuditEvents", AuditEventsRequest())
    await services.audit.flush()

    found = await call(
        "AuditEvents", AuditEventsRequest(filter=AuditEventFilter(principal=root.arn))
    )
    # Whoami and the catalog's reads only tell public facts: they leave no trace.
    assert [recorded.action for recorded in found.events] == [
        "keygraph:SimulateAccess",
        "keygraph:GetPrincipalPolicy",
        "keygraph:ListAuditEvents",
    ]
