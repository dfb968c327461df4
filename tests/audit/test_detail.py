"""An event's detail (what the operation noted: the warnings of a policy stored despite them) is
stored, read back and hashed; an event without one hashes exactly as before details were
recorded, so every chain written before verifies unchanged."""

from __future__ import annotations

import asyncpg
import pytest

from api.audit import Break, verify_chain
from api.audit.chain import GENESIS, append, encode, link_hash
from api.audit.event import from_entry, to_entry
from db import audit as rows
from tests.audit.conftest import event
from tests.audit.test_chain import tamper

WARNING = (
    "UNKNOWN_ACTION: Statement[1]: kms:unknown matches no action of the catalog's kms service."
)


def test_an_event_without_a_detail_hashes_as_before_details_were_recorded() -> None:
    """The hash keygraph wrote for this event (door GRAPHQL) before it recorded details."""
    assert link_hash(GENESIS, encode(to_entry(event(1)))).hex() == (
        "1afdeaefb008cba8d1b2243d2ec81837298cdf9be486f915378a53ddf17eacc0"
    )


def test_the_detail_is_part_of_the_encoding() -> None:
    encodings = {
        encode(to_entry(event(1, detail=detail))) for detail in (None, WARNING, WARNING + "\nx")
    }
    assert len(encodings) == 3
    without_door = {encode(to_entry(event(1, door=None, detail=d))) for d in (None, WARNING)}
    assert len(without_door) == 2


async def test_a_detail_is_stored_read_back_and_verified(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await append(conn, [event(1), event(2, detail=WARNING), event(3)])
        stored = await rows.chain_page(conn, 0, 10)
        assert [from_entry(row.link.entry).detail for row in stored] == [None, WARNING, None]
        assert (await verify_chain(conn)).verified


@pytest.mark.parametrize("tampered", [None, "nothing to see"])
async def test_a_cleared_or_changed_detail_is_named(
    pool: asyncpg.Pool, tampered: str | None
) -> None:
    async with pool.acquire() as conn:
        await append(conn, [event(1), event(2, detail=WARNING), event(3)])
        second = await conn.fetchval("SELECT seq FROM audit_events ORDER BY seq OFFSET 1 LIMIT 1")
        await tamper(conn, "UPDATE audit_events SET detail = $2 WHERE seq = $1", second, tampered)
        report = await verify_chain(conn)
    assert report.broken is not None
    assert (report.broken.seq, report.broken.why) == (second, Break.ALTERED)
