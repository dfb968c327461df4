"""Access keys: the credentials AWS SDKs sign requests with (SigV4), each held by one principal.

An access key id (public: ``KGAK`` and 16 base32 characters, shaped like AWS's ``AKIA...``) names
the key; its secret (40 characters, as AWS's) is what signatures are computed with. Verifying a
signature computes it again, so the server needs the secret itself, not a hash of it: it is kept
sealed under the HSM's domain key (``api.sealing``, the access key id as additional data) and
shown once, when the key is created.

Every signed request needs its key, so ``signing_key`` serves it from the process's cache: the
secret is unsealed on first use and kept there only. A key deactivated or deleted, or whose
principal is revoked, is announced on the key change channel (migration 0007) and leaves every
process's cache. As in IAM, a principal holds at most two keys (one to rotate to while the other
still works), each ``Active`` or ``Inactive``.
"""

from __future__ import annotations

import base64
import enum
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

import asyncpg

from api import messages
from api.principals import Principal, principal_of
from api.sealing import seal, unseal
from db import access_keys as rows
from db import principals as principal_rows
from hsm import Hsm

if TYPE_CHECKING:
    from api.services import Services

ID_PREFIX = "KGAK"
ID_PATTERN = rf"^{ID_PREFIX}[A-Z2-7]{{16}}$"
MAX_ACCESS_KEYS = 2
_ID = re.compile(ID_PATTERN)


class AccessKeyStatus(enum.Enum):
    ACTIVE = "Active"
    INACTIVE = "Inactive"


@dataclass(frozen=True)
class AccessKey:
    """An access key as listed: everything but its secret."""

    access_key_id: str
    principal: Principal
    status: AccessKeyStatus
    create_date: datetime


@dataclass(frozen=True)
class IssuedAccessKey:
    """A new key as handed out once: ``secret`` is never shown again."""

    key: AccessKey
    secret: str = field(repr=False)


@dataclass(frozen=True)
class SigningKey:
    """What a signed request is verified with: an active key's principal and secret."""

    access_key_id: str
    principal: Principal
    secret: str = field(repr=False)


def _new_access_key() -> tuple[str, str]:
    """An id of 80 random bits (it only has to be unique) and a secret of 240, in AWS's
    lengths and alphabets."""
    access_key_id = ID_PREFIX + base64.b32encode(secrets.token_bytes(10)).decode("ascii")
    return access_key_id, base64.b64encode(secrets.token_bytes(30)).decode("ascii")


def _aad(access_key_id: str) -> bytes:
    return b"keygraph access key secret " + access_key_id.encode("ascii")


def _access_key(row: rows.AccessKeyRow) -> AccessKey:
    return AccessKey(
        access_key_id=row.access_key_id,
        principal=principal_of(row.principal),
        status=AccessKeyStatus(row.status),
        create_date=row.created_at,
    )


async def create_access_key(
    conn: asyncpg.Connection, hsm: Hsm, principal: Principal
) -> IssuedAccessKey:
    """A new active key for a live principal, its secret sealed before anything is stored.
    ``LimitExceededException`` when the principal holds its two keys already."""
    access_key_id, secret = _new_access_key()
    sealed = await seal(hsm, secret.encode("ascii"), _aad(access_key_id))
    async with conn.transaction():
        owner = await rows.lock_live_principal(conn, principal.arn)
        if owner is None:
            raise messages.NO_SUCH_PRINCIPAL(arn=principal.arn)
        if len(await rows.list_access_keys(conn, owner.id)) >= MAX_ACCESS_KEYS:
            raise messages.ACCESS_KEYS_QUOTA(limit=MAX_ACCESS_KEYS, arn=principal.arn)
        created = await rows.insert_access_key(
            conn, access_key_id=access_key_id, principal_id=owner.id, sealed_secret=sealed
        )
    key = AccessKey(access_key_id, principal_of(owner), AccessKeyStatus.ACTIVE, created)
    return IssuedAccessKey(key=key, secret=secret)


async def list_access_keys(conn: asyncpg.Connection, principal: Principal) -> list[AccessKey]:
    """A live principal's keys, oldest first."""
    owner = await principal_rows.find_live_principal(conn, principal.arn)
    if owner is None:
        raise messages.NO_SUCH_PRINCIPAL(arn=principal.arn)
    return [_access_key(row) for row in await rows.list_access_keys(conn, owner.id)]


async def find_access_key(conn: asyncpg.Connection, access_key_id: str) -> AccessKey:
    """The key of a live principal that ``access_key_id`` names, or ``NotFoundException``."""
    row = await rows.find_access_key(conn, access_key_id)
    if row is None:
        raise messages.NO_SUCH_ACCESS_KEY(access_key_id=access_key_id)
    return _access_key(row)


async def deactivate_access_key(conn: asyncpg.Connection, key: AccessKey) -> AccessKey:
    """Stop the key from signing; an inactive key stays inactive."""
    await rows.set_status(conn, key.access_key_id, AccessKeyStatus.INACTIVE.value)
    return AccessKey(key.access_key_id, key.principal, AccessKeyStatus.INACTIVE, key.create_date)


async def delete_access_key(conn: asyncpg.Connection, key: AccessKey) -> None:
    await rows.delete_access_key(conn, key.access_key_id)


async def signing_key(services: Services, access_key_id: str) -> SigningKey | None:
    """The active key ``access_key_id`` names and its live principal, or ``None`` (unknown,
    inactive, deleted, revoked principal): from this process's cache, else read and unsealed."""
    if _ID.fullmatch(access_key_id) is None:
        return None

    async def load() -> SigningKey | None:
        async with services.pool.acquire() as conn:
            row = await rows.find_access_key(conn, access_key_id)
        if row is None or row.status != AccessKeyStatus.ACTIVE.value:
            return None
        secret = await unseal(services.hsm, row.sealed_secret, _aad(access_key_id))
        return SigningKey(access_key_id, principal_of(row.principal), secret.decode("ascii"))

    cache = services.key_cache
    keep = partial(cache.put_access_key, access_key_id)
    return await cache.read_through(cache.access_key(access_key_id), load, keep)
