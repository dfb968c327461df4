"""A custom key store's PIN, sealed for the database and opened only to log in to its token.

Sealed as ``api.sealing`` seals any secret, the store id as additional data so that a sealed PIN
cannot be moved to another store.
"""

from __future__ import annotations

from api.sealing import seal, unseal
from hsm import Hsm


def _aad(store_id: str) -> bytes:
    return b"keygraph custom key store PIN " + store_id.encode("ascii")


async def seal_pin(hsm: Hsm, store_id: str, pin: str) -> bytes:
    return await seal(hsm, pin.encode("utf-8"), _aad(store_id))


async def open_pin(hsm: Hsm, store_id: str, blob: bytes) -> str:
    """Raises ``hsm.InvalidCiphertext`` for a blob that is not a PIN sealed for this store."""
    return (await unseal(hsm, blob, _aad(store_id))).decode("utf-8")
