"""What a finished call leaves in the trail: one event per authorization decision, naming what
decided, or one event for a call refused before any authorization."""

from __future__ import annotations

from api.audit import OK, AuditEvent, events_for_call
from api.calls import Call, Door, Scope
from api.decisions import Decision, Outcome, Reason, Source
from api.principals import Principal, PrincipalKind
from tests.audit.conftest import ACCOUNT, KEY, START

OTHER_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0000aaaa-12ab-34cd-56ef-1234567890ab"
ALICE = Principal(ACCOUNT, PrincipalKind.USER, "alice")


def call(door: Door = Door.GRAPHQL) -> Call:
    return Call(
        principal=ALICE,
        scope=Scope(ACCOUNT, "us-east-1"),
        now=START,
        request_id="req-1",
        source_ip="192.0.2.10",
        door=door,
    )


def alices(action: str, resource: str, outcome: Outcome, *reasons: Reason) -> Decision:
    """Alice's authorization decision on ``action``."""
    return Decision(ALICE.arn, action, resource, outcome, reasons)


def event_of_the_call(door: Door = Door.GRAPHQL, **fields: object) -> AuditEvent:
    """An event of ``call(door)``: its time, request, principal, address and door, and
    ``fields``."""
    return AuditEvent(
        time=START,
        request_id="req-1",
        principal_arn=ALICE.arn,
        source_ip="192.0.2.10",
        door=door,
        **fields,  # type: ignore[arg-type]
    )


def test_a_reencrypt_leaves_one_event_per_key() -> None:
    made = call()
    allowing = Reason(Source.KEY_POLICY, "Allow", 'Statement[1] (Sid "reencrypt")', "reencrypt")
    made.record(alices("kms:ReEncryptFrom", KEY, Outcome.ALLOWED, allowing))
    denying = Reason(Source.KEY_POLICY, "Deny", "Statement[0]")
    made.record(alices("kms:ReEncryptTo", OTHER_KEY, Outcome.EXPLICIT_DENY, denying))

    found = events_for_call(made, "ReEncrypt", None, "AccessDeniedException")

    assert found == [
        event_of_the_call(
            action="kms:ReEncryptFrom",
            key_arn=KEY,
            decision=Outcome.ALLOWED,
            decided_by='KeyPolicy Statement[1] (Sid "reencrypt")',
            outcome="AccessDeniedException",
        ),
        event_of_the_call(
            action="kms:ReEncryptTo",
            key_arn=OTHER_KEY,
            decision=Outcome.EXPLICIT_DENY,
            decided_by="KeyPolicy Statement[0]",
            outcome="AccessDeniedException",
        ),
    ]


def test_a_grant_is_named_and_a_keyless_action_has_no_key() -> None:
    made = call()
    granted = Reason(Source.GRANT, "Allow", grant_id="g-1")
    made.record(alices("kms:Encrypt", KEY, Outcome.ALLOWED, granted))
    made.record(alices("kms:ListKeys", "*", Outcome.IMPLICIT_DENY))

    first, second = events_for_call(made, "Encrypt", KEY, OK)

    assert (first.decided_by, first.key_arn) == ("Grant g-1", KEY)
    assert (second.action, second.key_arn, second.decision, second.decided_by) == (
        "kms:ListKeys",
        None,
        Outcome.IMPLICIT_DENY,
        None,
    )


def test_a_call_refused_before_authorization_leaves_one_event_without_a_decision() -> None:
    (only,) = events_for_call(call(), "Encrypt", KEY, "NotFoundException")

    assert only == event_of_the_call(
        action="kms:Encrypt",
        key_arn=KEY,
        decision=None,
        decided_by=None,
        outcome="NotFoundException",
    )


def test_every_event_names_the_door_the_call_came_in_by() -> None:
    authorized = call(Door.AWS)
    authorized.record(alices("kms:Encrypt", KEY, Outcome.ALLOWED))

    assert [found.door for found in events_for_call(authorized, "Encrypt", KEY, OK)] == [Door.AWS]
    (refused,) = events_for_call(call(Door.AWS), "Encrypt", KEY, "NotFoundException")
    assert refused == event_of_the_call(
        Door.AWS,
        action="kms:Encrypt",
        key_arn=KEY,
        decision=None,
        decided_by=None,
        outcome="NotFoundException",
    )
