"""The chain as an auditor relies on it: it verifies when intact, names the first event that was
altered or whose predecessor was removed, and the table refuses changes through SQL."""

from __future__ import annotations

import asyncio
import itertools
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import asyncpg
import pytest

from api.audit import AuditEvent, AuditTrail, Break, verify_chain
from api.audit.chain import GENESIS, ChainReport, append, encode, link_hash
from api.audit.event import to_entry
from api.calls import Door
from db import audit as rows
from db.migrations import DEFAULT_DIRECTORY, apply_migrations, load_migrations
from db.pool import create_pool
from db.sql import column_names
from tests.audit.conftest import event, events

TAMPER = "ALTER TABLE audit_events {} TRIGGER audit_events_append_only"


async def tamper(conn: asyncpg.Connection, statement: str, *args: object) -> None:
    """Change the table the way its owner could: with the append-only trigger switched off."""
    async with conn.transaction():
        await conn.execute(TAMPER.format("DISABLE"))
        await conn.execute(statement, *args)
        await conn.execute(TAMPER.format("ENABLE"))


def test_shifting_text_between_fields_changes_the_encoding() -> None:
    one = to_entry(event(1, request_id="ab", principal_arn="c"))
    other = to_entry(event(1, request_id="a", principal_arn="bc"))
    assert encode(one) != encode(other)


def test_an_absent_field_is_not_an_empty_one() -> None:
    assert encode(to_entry(event(1, source_ip=None))) != encode(to_entry(event(1, source_ip="")))


def test_an_event_without_a_door_hashes_as_before_doors_were_recorded() -> None:
    """The hash keygraph wrote for this event before it recorded doors (commit 9fbc0c4): chains
    written then must verify unchanged."""
    assert link_hash(GENESIS, encode(to_entry(event(1, door=None)))).hex() == (
        "def3d52b487f7bed90bfb13b5af45d6b2b9823fcca0a4cdcb1206e42338051e4"
    )


def test_the_door_is_part_of_the_encoding() -> None:
    encodings = {encode(to_entry(event(1, door=door))) for door in (None, *Door)}
    assert len(encodings) == 1 + len(Door)


def test_the_same_instant_in_another_zone_encodes_alike() -> None:
    utc = event(1, time=datetime(2024, 5, 1, 12, 0, tzinfo=UTC))
    paris = event(1, time=datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))))
    assert encode(to_entry(utc)) == encode(to_entry(paris))


async def test_a_chain_written_in_several_batches_verifies(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        for first in (1, 4, 11):
            await append(conn, events(first, 3 if first < 11 else 5))
        report = await verify_chain(conn, page=4)
        stored = await rows.chain_page(conn, 0, 100)

    assert report.verified
    assert report.checked == 11
    assert stored[0].link.prev_hash == GENESIS
    assert [row.link.entry.request_id for row in stored] == [
        f"request-{n}" for n in (1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15)
    ]


async def test_an_empty_trail_verifies(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        report = await verify_chain(conn)
    assert report.verified
    assert report.checked == 0


async def test_two_replicas_appending_at_once_form_one_chain(
    pool: asyncpg.Pool, fresh_database: str
) -> None:
    """Two processes' trails, each on its own pool, writing small batches at the same time."""
    pools = [await create_pool(fresh_database, min_size=2, max_size=2) for _ in range(2)]
    try:
        trails = [AuditTrail(p, flush_interval=0.001, max_batch=7) for p in pools]
        for trail in trails:
            trail.start()
        for first in range(0, 300, 20):
            for index, trail in enumerate(trails):
                trail.record(events(index * 1000 + first, 20))
            await asyncio.sleep(0)
        await asyncio.gather(*(trail.close() for trail in trails))
    finally:
        for p in pools:
            await p.close()

    async with pool.acquire() as conn:
        report = await verify_chain(conn, page=50)
        written = await conn.fetch("SELECT request_id FROM audit_events ORDER BY seq")
    writers = [int(row["request_id"].removeprefix("request-")) // 1000 for row in written]
    assert [trail.stats().written for trail in trails] == [300, 300]
    assert report.verified
    assert report.checked == 600
    assert len({row["request_id"] for row in written}) == 600
    # The two writers' batches alternate in the chain: they really did append at the same time.
    assert sum(1 for a, b in itertools.pairwise(writers) if a != b) > 2


async def test_an_altered_event_is_named(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await append(conn, events(1, 5))
        third = await conn.fetchval("SELECT seq FROM audit_events ORDER BY seq OFFSET 2 LIMIT 1")
        await tamper(
            conn, "UPDATE audit_events SET outcome = 'AccessDeniedException' WHERE seq = $1", third
        )
        report = await verify_chain(conn)

    assert report.checked == 2
    assert report.broken is not None
    assert (report.broken.seq, report.broken.action) == (third, "kms:Encrypt")
    assert report.broken.time == event(3).time
    assert report.broken.why is Break.ALTERED


async def test_an_altered_event_with_a_recomputed_hash_breaks_the_next_link(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        await append(conn, events(1, 4))
        stored = await rows.chain_page(conn, 0, 10)
        second = stored[1]
        forged = to_entry(event(2, principal_arn="arn:aws:iam::111122223333:user/someone-else"))
        forged_hash = link_hash(second.link.prev_hash, encode(forged))
        await tamper(
            conn,
            "UPDATE audit_events SET principal_arn = $2, hash = $3 WHERE seq = $1",
            second.seq,
            forged.principal_arn,
            forged_hash,
        )
        report = await verify_chain(conn)

    assert report.broken is not None
    assert (report.broken.seq, report.broken.why) == (stored[2].seq, Break.UNLINKED)


async def verified_after_removing(
    pool: asyncpg.Pool, count: int, removed: int
) -> tuple[list[rows.AuditRow], ChainReport]:
    """Appends ``count`` events, deletes the one at index ``removed`` and verifies the chain: the
    events as stored before, and the report."""
    async with pool.acquire() as conn:
        await append(conn, events(1, count))
        stored = await rows.chain_page(conn, 0, 10)
        await tamper(conn, "DELETE FROM audit_events WHERE seq = $1", stored[removed].seq)
        return stored, await verify_chain(conn)


async def test_a_removed_event_is_named_by_the_one_after_it(pool: asyncpg.Pool) -> None:
    stored, report = await verified_after_removing(pool, 5, removed=2)

    assert report.checked == 2
    assert report.broken is not None
    assert report.broken.seq == stored[3].seq
    assert report.broken.time == event(4).time
    assert report.broken.why is Break.UNLINKED


async def test_removing_the_first_events_is_caught(pool: asyncpg.Pool) -> None:
    stored, report = await verified_after_removing(pool, 3, removed=0)

    assert report.broken is not None
    assert (report.broken.seq, report.broken.why) == (stored[1].seq, Break.UNLINKED)


REFUSED = [
    "UPDATE audit_events SET outcome = 'ok'",
    "UPDATE audit_events SET door = NULL",
    "DELETE FROM audit_events",
    "DELETE FROM audit_events WHERE false",
    "TRUNCATE audit_events",
]


async def test_the_table_refuses_changes(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await append(conn, events(1, 2))
        for statement in REFUSED:
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await conn.execute(statement)
        assert await conn.fetchval("SELECT count(*) FROM audit_events") == 2
        assert (await verify_chain(conn)).checked == 2


async def test_a_writer_that_skips_the_lock_cannot_fork_the_chain(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await append(conn, events(1, 2))
        entry = to_entry(event(3))
        fork = rows.ChainLink(entry, GENESIS, b"\x01" * 32)
        with pytest.raises(asyncpg.UniqueViolationError):
            await rows.insert_links(conn, [fork])
        assert (await verify_chain(conn)).checked == 2


async def test_text_postgres_cannot_store_is_written_replaced_and_verifies(
    pool: asyncpg.Pool,
) -> None:
    """A malformed key id from a caller must not make its batch unwritable."""
    async with pool.acquire() as conn:
        await append(conn, [event(1, key_arn="bad\x00id\ud800", decision=None)])
        stored = await rows.chain_page(conn, 0, 10)
        report = await verify_chain(conn)

    assert stored[0].link.entry.key_arn == "bad\ufffdid?"
    assert report.verified


# The columns keygraph wrote before it recorded doors (migration 0005's).
BEFORE_DOORS = column_names(
    "event_time, request_id, principal_arn, source_ip, action, key_arn, decision, decided_by, "
    "outcome"
)
DOOR_MIGRATION = 8


async def append_as_before_doors(conn: asyncpg.Connection, written: Sequence[AuditEvent]) -> None:
    """Append as keygraph did before it recorded doors, and as a replica still running that code
    does during a rolling upgrade: without the door column, each event hashed without a door."""
    async with conn.transaction():
        prev_hash = await rows.lock_chain(conn) or GENESIS
        records = []
        for written_event in written:
            entry = to_entry(written_event)
            digest = link_hash(prev_hash, encode(entry))
            records.append((*(getattr(entry, name) for name in BEFORE_DOORS), prev_hash, digest))
            prev_hash = digest
        await conn.copy_records_to_table(
            "audit_events", columns=[*BEFORE_DOORS, "prev_hash", "hash"], records=records
        )


async def test_a_chain_begun_before_doors_were_recorded_verifies(
    fresh_database: str, tmp_path: Path
) -> None:
    """A database that has events from before migration 0008, upgraded: its old events have no
    door, its new ones have theirs, and the whole chain verifies."""
    for migration in load_migrations():
        if migration.version < DOOR_MIGRATION:
            shutil.copy(DEFAULT_DIRECTORY / migration.filename, tmp_path)
    conn = await asyncpg.connect(fresh_database)
    try:
        await apply_migrations(conn, tmp_path)
        await append_as_before_doors(conn, [event(n, door=None) for n in (1, 2, 3)])
        assert "0008_audit_door" in await apply_migrations(conn)
        await append(conn, [event(4), event(5, door=Door.AWS)])
        await append_as_before_doors(conn, [event(6, door=None)])
        await append(conn, [event(7, door=Door.AWS)])
        report = await verify_chain(conn, page=2)
        stored = await rows.chain_page(conn, 0, 10)
    finally:
        await conn.close()

    assert report.verified
    assert report.checked == 7
    assert [row.link.entry.door for row in stored] == [
        None,
        None,
        None,
        "graphql",
        "aws",
        None,
        "aws",
    ]


# A door changed after the event was written: its hash no longer matches.
DOOR_TAMPERING: list[tuple[Door | None, str | None]] = [
    (Door.GRAPHQL, "aws"),
    # Clearing the door, to pass the event for one written before doors were recorded.
    (Door.AWS, None),
    # Giving a door to an event written before doors were recorded.
    (None, "graphql"),
]


@pytest.mark.parametrize(("recorded", "tampered"), DOOR_TAMPERING)
async def test_a_changed_door_is_named(
    pool: asyncpg.Pool, recorded: Door | None, tampered: str | None
) -> None:
    async with pool.acquire() as conn:
        await append(conn, [event(1), event(2, door=recorded), event(3)])
        second = await conn.fetchval("SELECT seq FROM audit_events ORDER BY seq OFFSET 1 LIMIT 1")
        await tamper(conn, "UPDATE audit_events SET door = $2 WHERE seq = $1", second, tampered)
        report = await verify_chain(conn)

    assert report.checked == 1
    assert report.broken is not None
    assert (report.broken.seq, report.broken.why) == (second, Break.ALTERED)
