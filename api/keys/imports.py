"""Imported key material: the import key sizes AWS offers, the identity of imported material,
and what a key becomes when its material is deleted or expires.

Material identity: imported material is re-wrapped under the domain key with AES key wrap, which
is deterministic, so the SHA-256 of the wrapped blob identifies the material without exposing
it. That digest is the key material id; the key keeps it after its material is deleted or
expires, and a re-import must produce the same id (``IncorrectKeyMaterialException``).

The operations (GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial) are
``api.operations.imports``'s; the job that expires material is ``api.jobs.imports``'s.
"""

from __future__ import annotations

import hashlib
from typing import Any

from api.keys.model import Key, KeyState
from hsm import OfKeySpec, WrappedKey


class WrappingKeySpec(OfKeySpec):
    """The import public key's size, as AWS names it."""

    RSA_2048 = "RSA_2048"
    RSA_3072 = "RSA_3072"
    RSA_4096 = "RSA_4096"


def material_fingerprint(wrapped: WrappedKey) -> str:
    """The key material id of imported material (64 hexadecimal characters, AWS's form)."""
    return hashlib.sha256(wrapped.material).hexdigest()


def material_gone(key: Key) -> dict[str, Any]:
    """The key after its imported material is deleted or expired: no expiry, and PendingImport
    unless it is pending deletion (which it stays). The material id stays: a re-import must
    bring the same material."""
    keeps_state = key.state in (KeyState.PENDING_DELETION, KeyState.PENDING_IMPORT)
    target: dict[str, Any] = {
        "expiration_model": None,
        "valid_to": None,
        "state": key.state if keeps_state else KeyState.PENDING_IMPORT,
    }
    current: dict[str, Any] = {
        "expiration_model": key.expiration_model,
        "valid_to": key.valid_to,
        "state": key.state,
    }
    return {column: value for column, value in target.items() if current[column] != value}
