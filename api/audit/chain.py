"""The hash chain: how an event is encoded and hashed, how a batch joins the chain, and how the
chain is proven.

hash = SHA-256(prev_hash || encoding), the first event's prev_hash being 32 zero bytes. The
encoding is length-prefixed field by field, with a marker for absent fields, so no two different
events encode alike (joining the fields with a separator would let a value that contains the
separator shift text from one field into the next). The row's seq is not hashed: the links say the
order, and a reordered row breaks them.

The encoding's first field names its format. ``keygraph.audit.v1``: an event without a door,
which is every event written before doors were recorded (migration 0008) and every one that a
replica still running older code writes during a rolling upgrade. ``keygraph.audit.v2``: v1's
fields, then the door. Why a new tag rather than appending the door only when present: both keep
every v1 event's bytes, and so every existing chain, verifiable as it was; but with a tag the first
field says which fields follow, so whoever re-implements the check reads the format instead of
inferring it from what is left after the ninth field, and the next field added will get a v3 the
same way. A v2 encoding never equals a v1 one (their first fields differ), so clearing a recorded
door, to pass an event for an older one, breaks its hash like any other change.
``keygraph.audit.v3``: v2's fields (the door may be absent), then the detail (migration 0012);
only an event with a detail is encoded so, and every event without one hashes exactly as it did
before details were recorded. The formats mix in one chain: each row's door and detail say
which one its hash was computed over.

Appending takes the chain's lock inside the batch's transaction, so replicas writing to one
database at once take turns and each batch continues from the newest committed hash.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from api.audit.event import AuditEvent, to_entry
from db import audit as rows

GENESIS = bytes(32)
# Name the format, so that an encoding of something else can never pass for an event, nor an
# event of one format for one of the other.
_WITHOUT_DOOR = b"keygraph.audit.v1"
_WITH_DOOR = b"keygraph.audit.v2"
_WITH_DETAIL = b"keygraph.audit.v3"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_ABSENT = b"\x00"
_PRESENT = b"\x01"
# Events read per statement while verifying: the table is never held in memory whole.
VERIFY_PAGE = 1000


def _field(value: bytes | None) -> bytes:
    if value is None:
        return _ABSENT
    return _PRESENT + len(value).to_bytes(4, "big") + value


def _text(value: str | None) -> bytes:
    return _field(None if value is None else value.encode("utf-8"))


def _micros(time: datetime) -> int:
    """Microseconds since the epoch: exactly what Postgres stores, whatever the time zone.
    A naive time is taken as local time, as asyncpg takes it when storing it."""
    return (time.astimezone(UTC) - _EPOCH) // _MICROSECOND


def encode(entry: rows.AuditEntry) -> bytes:
    """The canonical bytes of an event, the same before it is stored and after it is read: v1
    for an event without a door, v2 (v1's fields, then the door) for one with a door, v3 (v2's
    fields, then the detail) for one with a detail."""
    fields = (
        _field(_micros(entry.event_time).to_bytes(8, "big", signed=True)),
        _text(entry.request_id),
        _text(entry.principal_arn),
        _text(entry.source_ip),
        _text(entry.action),
        _text(entry.key_arn),
        _text(entry.decision),
        _text(entry.decided_by),
        _text(entry.outcome),
    )
    if entry.detail is not None:
        return b"".join((_field(_WITH_DETAIL), *fields, _text(entry.door), _text(entry.detail)))
    if entry.door is None:
        return b"".join((_field(_WITHOUT_DOOR), *fields))
    return b"".join((_field(_WITH_DOOR), *fields, _text(entry.door)))


def link_hash(prev_hash: bytes, encoding: bytes) -> bytes:
    return hashlib.sha256(prev_hash + encoding).digest()


async def append(conn: asyncpg.Connection, events: Sequence[AuditEvent]) -> None:
    """Add ``events`` to the end of the chain in one transaction: all of them or none."""
    entries = [to_entry(event) for event in events]
    encodings = [encode(entry) for entry in entries]
    async with conn.transaction():
        prev_hash = await rows.lock_chain(conn) or GENESIS
        links = []
        for entry, encoding in zip(entries, encodings, strict=True):
            digest = link_hash(prev_hash, encoding)
            links.append(rows.ChainLink(entry, prev_hash, digest))
            prev_hash = digest
        await rows.insert_links(conn, links)


class Break(enum.Enum):
    """How an event fails verification, and what that says happened."""

    ALTERED = "the event was altered (its contents do not match its hash)"
    UNLINKED = (
        "an event before it was removed, reordered or rewritten "
        "(its prev_hash is not the hash of the event before it)"
    )


@dataclass(frozen=True)
class BrokenEvent:
    seq: int
    time: datetime
    action: str
    why: Break


@dataclass(frozen=True)
class ChainReport:
    """``checked`` events verified, in chain order; ``broken`` is the first that failed, if any."""

    checked: int
    broken: BrokenEvent | None = None

    @property
    def verified(self) -> bool:
        return self.broken is None


def _broken(row: rows.AuditRow, why: Break) -> BrokenEvent:
    return BrokenEvent(row.seq, row.link.entry.event_time, row.link.entry.action, why)


async def verify_chain(conn: asyncpg.Connection, page: int = VERIFY_PAGE) -> ChainReport:
    """Walk every event in seq order and check each link and each hash.

    Appends that commit meanwhile only add at the end (their seqs are taken under the chain's
    lock), so what is read is always a prefix of the chain.
    """
    expected = GENESIS
    checked = 0
    after = 0
    while found := await rows.chain_page(conn, after, page):
        for row in found:
            link = row.link
            if link.prev_hash != expected:
                return ChainReport(checked, _broken(row, Break.UNLINKED))
            if link.hash != link_hash(link.prev_hash, encode(link.entry)):
                return ChainReport(checked, _broken(row, Break.ALTERED))
            expected = link.hash
            checked += 1
        after = found[-1].seq
    return ChainReport(checked)
