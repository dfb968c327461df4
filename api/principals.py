"""Principals and their bearer tokens.

A token is ``kg1.<token id>.<secret>``. The token id is public and finds the row; only SHA-256 of
the secret is stored, and it is compared in constant time. The secret has 256 bits of entropy, so a
fast hash is enough: there is nothing to brute-force that a slow hash would protect.

A token's *verifier* is what the server stores of it, written as one line:
``kgv1.<token id>.<SHA-256 of the secret, 64 lowercase hex digits>``. It lets an operator mint the
root token offline (``keygraph root-token new``) and hand the server only the verifier
(``KEYGRAPH_ROOT_TOKEN_VERIFIER``): the server can recognise the token but could not have made it,
and nothing that reads the verifier can call the API with it.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg

from api import messages
from db import principals as rows

TOKEN_PREFIX = "kg1"  # noqa: S105 - the public format marker
VERIFIER_PREFIX = "kgv1"
_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_TOKEN = re.compile(r"^kg1\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$")
_VERIFIER = re.compile(r"^kgv1\.([A-Za-z0-9_-]{16})\.([0-9a-f]{64})$")
# Compared against when no row matches, so a miss costs the same as a wrong secret.
_ABSENT_HASH = hashlib.sha256(b"absent").digest()


class PrincipalKind(enum.Enum):
    ROOT = "root"
    USER = "user"
    ROLE = "role"


@dataclass(frozen=True)
class Principal:
    """Who is calling: an IAM-style identity inside an account."""

    account_id: str
    kind: PrincipalKind
    name: str

    @property
    def arn(self) -> str:
        if self.kind is PrincipalKind.ROOT:
            return f"arn:aws:iam::{self.account_id}:root"
        return f"arn:aws:iam::{self.account_id}:{self.kind.value}/{self.name}"

    @classmethod
    def root(cls, account_id: str) -> Principal:
        return cls(account_id=account_id, kind=PrincipalKind.ROOT, name="root")


@dataclass(frozen=True)
class IssuedToken:
    """A token as handed out once; ``value`` is the only copy of the secret that will ever exist."""

    principal: Principal
    value: str


def principal_of(row: rows.PrincipalRow) -> Principal:
    return Principal(account_id=row.account_id, kind=PrincipalKind(row.kind), name=row.name)


def _hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("ascii")).digest()


def _new_token() -> tuple[str, str, str]:
    token_id, secret = secrets.token_urlsafe(12), secrets.token_urlsafe(32)
    return token_id, secret, f"{TOKEN_PREFIX}.{token_id}.{secret}"


def principal_for(account_id: str, name: str, kind: PrincipalKind) -> Principal:
    """Validate a user or role name the way IAM does and build the principal."""
    if kind is PrincipalKind.ROOT:
        return Principal.root(account_id)
    if not _NAME.match(name):
        raise messages.PRINCIPAL_NAME(name=name)
    return Principal(account_id=account_id, kind=kind, name=name)


_PRINCIPAL_ARN = re.compile(r"^arn:aws:iam::(\d{12}):(root|user/[^/]+|role/[^/]+)$")


def parse_principal_arn(arn: str) -> Principal:
    """The principal an IAM ARN names (``:root``, ``:user/NAME`` or ``:role/NAME``)."""
    match = _PRINCIPAL_ARN.match(arn)
    if match is None:
        raise messages.PRINCIPAL_ARN(arn=arn)
    account_id, rest = match.groups()
    kind, _, name = rest.partition("/")
    return principal_for(account_id, name, PrincipalKind(kind))


async def create_principal(conn: asyncpg.Connection, principal: Principal) -> IssuedToken:
    """Create a principal with its first token. Refuses a live principal of the same ARN."""
    async with conn.transaction():
        row = await _insert_principal(conn, principal)
        if row is None:
            raise messages.PRINCIPAL_EXISTS(arn=principal.arn)
        return await _issue(conn, row)


async def _insert_principal(
    conn: asyncpg.Connection, principal: Principal
) -> rows.PrincipalRow | None:
    """The new principal's row; ``None`` when a live principal of that ARN exists."""
    return await rows.insert_principal(
        conn,
        account_id=principal.account_id,
        kind=principal.kind.value,
        name=principal.name,
        arn=principal.arn,
    )


async def issue_token(conn: asyncpg.Connection, principal: Principal) -> IssuedToken:
    """Give an existing live principal one more token."""
    row = await rows.find_live_principal(conn, principal.arn)
    if row is None:
        raise messages.NO_SUCH_PRINCIPAL(arn=principal.arn)
    return await _issue(conn, row)


async def _issue(conn: asyncpg.Connection, row: rows.PrincipalRow) -> IssuedToken:
    minted = mint_token()
    await _insert(conn, row, minted.verifier)
    return IssuedToken(principal=principal_of(row), value=minted.value)


async def _insert(
    conn: asyncpg.Connection, row: rows.PrincipalRow, verifier: TokenVerifier
) -> None:
    await rows.insert_token(
        conn, token_id=verifier.token_id, principal_id=row.id, secret_hash=verifier.secret_hash
    )


@dataclass(frozen=True)
class TokenVerifier:
    """What the server keeps of a token: its id and SHA-256 of its secret. ``str()`` is the
    one-line form (``kgv1.<token id>.<hex>``) that ``parse_verifier`` reads."""

    token_id: str
    secret_hash: bytes

    def __str__(self) -> str:
        return f"{VERIFIER_PREFIX}.{self.token_id}.{self.secret_hash.hex()}"


@dataclass(frozen=True)
class MintedToken:
    """A token made without a database, to be installed later through its verifier."""

    value: str = field(repr=False)
    verifier: TokenVerifier


def mint_token() -> MintedToken:
    token_id, secret, value = _new_token()
    return MintedToken(value=value, verifier=TokenVerifier(token_id, _hash(secret)))


def parse_verifier(text: str) -> TokenVerifier:
    """The verifier ``text`` spells, surrounding whitespace ignored (a file's last newline).

    Raises ``ValueError`` with what is wrong; the text itself is never repeated, since what was
    pasted by mistake may be the token.
    """
    stripped = text.strip()
    match = _VERIFIER.fullmatch(stripped)
    if match is not None:
        return TokenVerifier(match[1], bytes.fromhex(match[2]))
    if split_token(stripped) is not None:
        raise ValueError(
            "holds a token, not its verifier: give the server only the verifier file that "
            "`keygraph root-token new --verifier FILE` wrote, and consider this token exposed"
        )
    raise ValueError(
        f"is not a token verifier ({VERIFIER_PREFIX}.<16-character token id>.<64 lowercase hex "
        "digits>, as `keygraph root-token new --verifier FILE` writes it)"
    )


class TokenStanding(enum.Enum):
    """How a verifier's token stands in the database, against the principal meant to hold it."""

    ABSENT = "absent"  # no token has that id: it can be installed
    LIVE = "live"  # installed for that principal, with that hash, and usable
    REVOKED = "revoked"  # installed for that principal with that hash, then revoked
    OTHER_PRINCIPAL = "other principal"  # the id belongs to a token someone else holds
    OTHER_HASH = "other hash"  # the id is the principal's, with a different hash


async def token_standing(
    conn: asyncpg.Connection, principal: Principal, verifier: TokenVerifier
) -> TokenStanding:
    stored = await rows.find_token(conn, verifier.token_id)
    if stored is None:
        return TokenStanding.ABSENT
    if stored.principal_arn != principal.arn:
        return TokenStanding.OTHER_PRINCIPAL
    if not hmac.compare_digest(stored.secret_hash, verifier.secret_hash):
        return TokenStanding.OTHER_HASH
    return TokenStanding.LIVE if stored.live else TokenStanding.REVOKED


async def install_token(
    conn: asyncpg.Connection, principal: Principal, verifier: TokenVerifier
) -> None:
    """Give a live principal the token ``verifier`` describes (minted elsewhere). The caller
    has found its standing ``ABSENT`` under a lock that keeps it so."""
    row = await rows.find_live_principal(conn, principal.arn)
    if row is None:
        raise messages.NO_SUCH_PRINCIPAL(arn=principal.arn)
    await _insert(conn, row, verifier)


async def ensure_principal(conn: asyncpg.Connection, principal: Principal) -> bool:
    """Create ``principal`` without any token unless a live one exists; whether it was created.
    For the root in production, whose first token the operator mints offline."""
    return await _insert_principal(conn, principal) is not None


@dataclass(frozen=True)
class LiveToken:
    """A token as listed: its public id and when it was issued, never anything of its secret."""

    token_id: str
    created_at: datetime


async def list_tokens(conn: asyncpg.Connection, principal: Principal) -> list[LiveToken]:
    """A live principal's live tokens, oldest first."""
    if await rows.find_live_principal(conn, principal.arn) is None:
        raise messages.NO_SUCH_PRINCIPAL(arn=principal.arn)
    return [
        LiveToken(token_id=row.token_id, created_at=row.created_at)
        for row in await rows.list_live_tokens(conn, principal.arn)
    ]


async def revoke_token(conn: asyncpg.Connection, token_id: str) -> Principal:
    """Revoke one live token and say whose it was. Every process drops it from its cache: the
    revocation is announced like a revoked principal's (migration 0009)."""
    row = await rows.revoke_token(conn, token_id)
    if row is None:
        raise messages.NO_SUCH_TOKEN(token_id=token_id)
    return principal_of(row)


@dataclass(frozen=True)
class TokenHolder:
    """What a token id finds: the live principal and the hash its secret must have."""

    principal: Principal
    secret_hash: bytes = field(repr=False)


def split_token(token: str) -> tuple[str, str] | None:
    """(token id, secret) of a well-formed token."""
    match = _TOKEN.fullmatch(token)
    return None if match is None else (match[1], match[2])


def holding(holder: TokenHolder | None, secret: str) -> Principal | None:
    """The holder's principal if ``secret`` is its token's secret; constant time either way."""
    expected = holder.secret_hash if holder else _ABSENT_HASH
    if not hmac.compare_digest(_hash(secret), expected) or holder is None:
        return None
    return holder.principal


async def find_holder(conn: asyncpg.Connection, token_id: str) -> TokenHolder | None:
    found = await rows.find_live_token(conn, token_id)
    return None if found is None else TokenHolder(principal_of(found.principal), found.secret_hash)


async def authenticate(conn: asyncpg.Connection, token: str) -> Principal | None:
    """The live principal holding ``token``, or ``None``; never says which part was wrong."""
    parts = split_token(token)
    if parts is None:
        return None
    token_id, secret = parts
    return holding(await find_holder(conn, token_id), secret)


async def find_principal(conn: asyncpg.Connection, principal: Principal) -> Principal | None:
    row = await rows.find_live_principal(conn, principal.arn)
    return None if row is None else principal_of(row)


async def list_principals(conn: asyncpg.Connection) -> list[Principal]:
    return [principal_of(row) for row in await rows.list_live_principals(conn)]


async def revoke_principal(conn: asyncpg.Connection, principal: Principal) -> None:
    if not await rows.revoke_principal(conn, principal.arn):
        raise messages.NO_SUCH_PRINCIPAL(arn=principal.arn)
