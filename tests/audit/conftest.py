"""A migrated database of its own for each audit test, and events to record in it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from api.audit import OK, AuditEvent
from api.calls import Door
from api.decisions import Outcome
from db.migrations import apply_migrations
from db.pool import create_pool

ACCOUNT = "111122223333"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def event(number: int, **changes: object) -> AuditEvent:
    """The ``number``-th event of a test: an allowed Encrypt by the root through GraphQL, one
    second apart."""
    fields: dict[str, object] = {
        "time": START + timedelta(seconds=number),
        "request_id": f"request-{number}",
        "principal_arn": ROOT,
        "source_ip": "10.0.0.7",
        "door": Door.GRAPHQL,
        "action": "kms:Encrypt",
        "key_arn": KEY,
        "decision": Outcome.ALLOWED,
        "decided_by": 'KeyPolicy Statement[0] (Sid "Enable IAM User Permissions")',
        "outcome": OK,
        **changes,
    }
    return AuditEvent(**fields)  # type: ignore[arg-type]


def events(first: int, count: int) -> list[AuditEvent]:
    return [event(number) for number in range(first, first + count)]


@pytest.fixture
async def pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    connection_pool = await create_pool(fresh_database, min_size=1, max_size=4)
    try:
        async with connection_pool.acquire() as conn:
            await apply_migrations(conn)
        yield connection_pool
    finally:
        await connection_pool.close()
