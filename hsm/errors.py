"""The errors hsm raises, one class per thing that went wrong.

Callers (the application layer) map these to AWS exception names; nothing here knows about
GraphQL or KMS wording. Messages name the operation and the PKCS#11 return code, never a PIN, key
material, plaintext or wrapped bytes.
"""

from __future__ import annotations


class HsmError(Exception):
    """Base of every error hsm raises on purpose."""


class HsmUnavailable(HsmError):
    """The device, token or session cannot serve the call, even after recovery was tried.

    Transient by nature: the readiness probe fails and callers may retry later.
    """


class TokenNotFound(HsmUnavailable):
    """No token with the configured label is present in the module's slots."""


class LoginFailed(HsmUnavailable):
    """The token refused the PIN (wrong, locked or expired); retrying will not help."""


class HsmConfigurationError(HsmError):
    """The configuration contradicts what the module or the token can do (wrong IV mode, second
    SoftHSM configuration in one process, bad module path)."""


class DomainKeyMissing(HsmError):
    """The token holds no domain wrapping key yet; call ``ensure_domain_key`` first."""


class DomainKeyAmbiguous(HsmError):
    """More than one domain wrapping key carries the configured label; wrapped keys would be
    ambiguous, so the backend refuses to pick one."""


class MechanismUnsupported(HsmError):
    """The token lacks a mechanism this operation needs and no software composition exists."""


class IncompatibleAlgorithm(HsmError):
    """The algorithm does not suit the key spec (for example ECDSA_SHA_384 with a P-256 key)."""


class InvalidInput(HsmError):
    """A caller-supplied value has the wrong shape; the message says which."""


class InvalidDigestLength(InvalidInput):
    """A DIGEST message is not exactly the digest length of the algorithm."""


class PlaintextTooLarge(InvalidInput):
    """The plaintext exceeds what the algorithm and key size can encrypt."""


class InvalidPublicKey(InvalidInput):
    """A peer public key is not a valid DER SubjectPublicKeyInfo on the key's curve."""


class InvalidCiphertext(HsmError):
    """Decryption failed authentication or padding checks: tampered data, wrong key or wrong AAD."""


class InvalidSignature(HsmError):
    """The signature does not verify under the key."""


class InvalidMac(HsmError):
    """The MAC does not verify under the key."""


class InvalidKeyMaterial(HsmError):
    """Wrapped or imported key material could not be unwrapped into a key of the expected spec."""


class KeyMaterialMismatch(InvalidKeyMaterial):
    """Imported material was decrypted, but it is not a key of the spec it is imported into
    (another size or curve), or its private key does not match the public key it implies."""


class KeyNotFound(HsmError):
    """A custom key store holds no key with the requested label."""
