"""AES-256-GCM through one parameter path for both IV modes.

Both modes pass a ctypes ``CK_GCM_PARAMS`` as raw mechanism bytes: in caller mode the IV buffer is
filled before the call, in HSM mode it is zeroed and the token fills it. Using the same path in
both modes is what lets SoftHSM (caller mode) vouch for the code CloudHSM (HSM mode) runs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pkcs11 import Attribute, KeyType, Mechanism
from pkcs11 import exceptions as p11
from pkcs11.exceptions import PKCS11Error

from hsm._cryptoki import GCM_IV_BYTES, GCM_TAG_BITS, GcmParams
from hsm._failures import confirm_data_error
from hsm.config import IvMode
from hsm.errors import HsmError, InvalidCiphertext, InvalidInput, MechanismUnsupported

if TYPE_CHECKING:
    from hsm.capabilities import Capabilities


def encrypt(key: Any, plaintext: bytes, aad: bytes, iv: bytes | None) -> tuple[bytes, bytes]:
    """Returns (IV as left in the buffer, ciphertext || tag)."""
    params = GcmParams(iv, aad)
    ciphertext = key.encrypt(plaintext, mechanism=Mechanism.AES_GCM, mechanism_param=params.raw)
    return params.iv, ciphertext


def decrypt(key: Any, iv: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    params = GcmParams(iv, aad)
    return bytes(key.decrypt(ciphertext, mechanism=Mechanism.AES_GCM, mechanism_param=params.raw))


@dataclass(frozen=True)
class Sealed:
    """An AES-256-GCM result: the 12-byte IV and the ciphertext followed by its 16-byte tag.

    In HSM IV mode the IV is known only after encryption, so it cannot be part of the AAD; GCM
    authenticates it anyway.
    """

    iv: bytes
    ciphertext: bytes = field(repr=False)


_TAG_FAILURES: tuple[type[PKCS11Error], ...] = (
    p11.EncryptedDataInvalid,
    p11.EncryptedDataLenRange,
    p11.DataInvalid,
    p11.DataLenRange,
)


def seal(caps: Capabilities, key: Any, plaintext: bytes, aad: bytes, iv: bytes | None) -> Sealed:
    """Encrypt under the token's IV mode; refuse to return a ciphertext whose IV is not the one
    the mode promises (a caller IV the token replaced, or an HSM IV left at zero)."""
    if caps.iv_mode is IvMode.HSM:
        if iv is not None:
            raise MechanismUnsupported("the token generates AES-GCM IVs; a caller IV is refused")
        chosen = None
    else:
        if iv is not None and len(iv) != GCM_IV_BYTES:
            raise InvalidInput(f"an AES-GCM IV is {GCM_IV_BYTES} bytes")
        chosen = iv if iv is not None else secrets.token_bytes(GCM_IV_BYTES)
    used, ciphertext = encrypt(key, plaintext, aad, chosen)
    if (chosen is not None and used != chosen) or (chosen is None and used == bytes(GCM_IV_BYTES)):
        raise HsmError(f"the token did not honour AES-GCM IV mode {caps.iv_mode.value}")
    return Sealed(used, ciphertext)


def unseal(caps: Capabilities, key: Any, sealed: Sealed, aad: bytes) -> bytes:
    if len(sealed.iv) != GCM_IV_BYTES or len(sealed.ciphertext) < GCM_TAG_BITS // 8:
        raise InvalidCiphertext()
    try:
        return decrypt(key, sealed.iv, sealed.ciphertext, aad)
    except (caps.gcm_tag_failure, *_TAG_FAILURES) as exc:
        confirm_data_error(exc, key)
        raise InvalidCiphertext() from exc


def scratch_key(session: Any) -> Any:
    """A throwaway AES-256 session key that encrypts and decrypts: for probing a token's GCM
    behaviour, never for customer data (destroy it after use)."""
    return session.generate_key(
        KeyType.AES,
        256,
        capabilities=0,
        template={Attribute.ENCRYPT: True, Attribute.DECRYPT: True},
    )
