"""Grant tokens: what CreateGrant hands out, so a grant can be used (GrantTokens) or retired
(RetireGrant) by whoever holds it.

A token is ``kgt1.<token id>.<secret>``. The token id is public and finds the row; only SHA-256
of the secret is stored, compared in constant time, as for principals' bearer tokens. Every
CreateGrant issues a new token, also when it returns an existing grant; all of a grant's tokens
work alike and die with it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg

from api import messages, validation
from api.errors import InvalidGrantTokenException
from api.grants.model import Grant
from api.grants.store import to_grant
from db import grants as rows

TOKEN_PREFIX = "kgt1"  # noqa: S105 - the public format marker
_TOKEN = re.compile(r"kgt1\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})")
# Compared against when no row matches, so a miss costs the same as a wrong secret.
_ABSENT_HASH = hashlib.sha256(b"absent").digest()


@dataclass(frozen=True)
class ParsedToken:
    token_id: str
    secret: str = field(repr=False)


def _hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("ascii")).digest()


def _invalid() -> InvalidGrantTokenException:
    """One answer for every malformed token; the message never quotes the token."""
    return messages.INVALID_GRANT_TOKEN()


def parse_grant_token(token: str) -> ParsedToken:
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise _invalid()
    token_id, secret = match.groups()
    return ParsedToken(token_id, secret)


def parse_grant_tokens(tokens: Sequence[str] | None) -> tuple[ParsedToken, ...]:
    """The GrantTokens of a request: AWS's member limits (``validation.grant_tokens``), then each
    token's form, ``InvalidGrantTokenException`` for one keygraph never issued."""
    return tuple(parse_grant_token(token) for token in validation.grant_tokens(tokens))


async def issue_token(conn: asyncpg.Connection, grant_id: str, now: datetime) -> str:
    """A new token for the grant; the returned value is the only copy of its secret."""
    token_id, secret = secrets.token_urlsafe(12), secrets.token_urlsafe(32)
    await rows.insert_token(
        conn,
        rows.TokenRow(
            token_id=token_id, grant_id=grant_id, secret_hash=_hash(secret), created_at=now
        ),
    )
    return f"{TOKEN_PREFIX}.{token_id}.{secret}"


async def _matching(conn: asyncpg.Connection, tokens: Sequence[ParsedToken]) -> list[Grant]:
    """The grants the tokens name, for the tokens whose secret is right, in token order."""
    found = {
        match.token_id: match
        for match in await rows.find_tokens(conn, [t.token_id for t in tokens])
    }
    grants = []
    for token in tokens:
        match = found.get(token.token_id)
        expected = match.secret_hash if match else _ABSENT_HASH
        if hmac.compare_digest(_hash(token.secret), expected) and match is not None:
            grants.append(to_grant(match.grant))
    return grants


async def grants_for_tokens(
    conn: asyncpg.Connection, key_uuid: uuid.UUID, tokens: Sequence[str] | None
) -> tuple[Grant, ...]:
    """The live grants on ``key_uuid`` that valid ``tokens`` name, each once.

    A token of a grant that was retired or revoked, or of another key's grant, names nothing
    here; a malformed token is refused (``InvalidGrantTokenException``), as AWS refuses it.
    """
    parsed = parse_grant_tokens(tokens)
    if not parsed:
        return ()
    unique = {grant.grant_id: grant for grant in await _matching(conn, parsed)}
    return tuple(grant for grant in unique.values() if grant.key_uuid == key_uuid)


async def grant_for_token(conn: asyncpg.Connection, token: str) -> Grant | None:
    """The live grant ``token`` names; ``None`` when it names none (any more)."""
    grants = await _matching(conn, [parse_grant_token(token)])
    return grants[0] if grants else None
