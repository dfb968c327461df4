"""Bearer tokens to principals on the request path, from the process's cache.

Every request carries a token, so looking it up in Postgres each time would put a round trip in
front of every Encrypt. The cache keeps, per token id, the principal and the hash its secret must
have; a revoked principal is announced on the key change channel (``principal:<arn>``, migration
0006) and its tokens leave every process's cache. The secret is still checked on every request,
in constant time, against the cached hash.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from api.principals import Principal, TokenHolder, find_holder, holding, split_token

if TYPE_CHECKING:
    from api.services import Services


def bearer_token(authorization: str) -> str | None:
    """The token of an ``Authorization`` value ``Bearer <token>``; None for another scheme or
    an empty token. Every door and the request layer read the header through this one."""
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


async def authenticate_bearer(services: Services, authorization: str) -> Principal | None:
    """The live principal an ``Authorization: Bearer <token>`` value names, or None."""
    token = bearer_token(authorization)
    return None if token is None else await authenticate_request(services, token)


async def authenticate_request(services: Services, token: str) -> Principal | None:
    parts = split_token(token)
    if parts is None:
        return None
    token_id, secret = parts

    async def load() -> TokenHolder | None:
        async with services.pool.acquire() as conn:
            return await find_holder(conn, token_id)

    cache = services.key_cache
    keep = partial(cache.put_token, token_id)
    return holding(await cache.read_through(cache.token(token_id), load, keep), secret)
