"""The blocking face of hsm: every operation keygraph needs, on wrapped keys.

Call it from worker threads (the async ``Hsm`` does, and so does ``bench/hsm_floor.py``); it is
safe for as many concurrent threads as you like, and runs up to ``session_pool_size`` HSM calls in
parallel. Inputs are ``WrappedKey`` values and bytes; outputs are bytes. Algorithm/spec mismatches
are refused here too, so a caller bug cannot turn into an odd HSM error.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pkcs11 import Attribute, KeyType, Mechanism
from pkcs11 import exceptions as p11

from hsm import _agreement, _eddsa, _export, _gcm, _import, _keygen, _rsa, _signing
from hsm._gcm import Sealed
from hsm._session import WorkingSession, find_domain_key
from hsm._token import ConnectionState, TokenBackend
from hsm.algorithms import (
    EncryptionAlgorithm,
    MacAlgorithm,
    MessageType,
    SigningAlgorithm,
    WrappingAlgorithm,
    encryption_algorithms,
    mac_algorithm,
    signing_algorithms,
)
from hsm.capabilities import Capabilities
from hsm.config import HsmConfig
from hsm.errors import (
    DomainKeyMissing,
    HsmError,
    IncompatibleAlgorithm,
    InvalidInput,
    InvalidMac,
)
from hsm.keyspec import ExportedKeyPair, KeyKind, KeySpec, WrappedKey

T = TypeVar("T")

_DOMAIN_KEY: dict[Attribute, Any] = {
    Attribute.TOKEN: True,
    Attribute.PRIVATE: True,
    Attribute.SENSITIVE: True,
    Attribute.EXTRACTABLE: False,
    Attribute.MODIFIABLE: False,
    Attribute.WRAP: True,
    Attribute.UNWRAP: True,
}

_HMAC_MECHANISMS = {
    MacAlgorithm.HMAC_SHA_224: Mechanism.SHA224_HMAC,
    MacAlgorithm.HMAC_SHA_256: Mechanism.SHA256_HMAC,
    MacAlgorithm.HMAC_SHA_384: Mechanism.SHA384_HMAC,
    MacAlgorithm.HMAC_SHA_512: Mechanism.SHA512_HMAC,
}

_IMPORT_KEY_SPECS = (KeySpec.RSA_2048, KeySpec.RSA_3072, KeySpec.RSA_4096)

MAX_RANDOM_BYTES = 1024


class HsmEngine:
    def __init__(self, config: HsmConfig) -> None:
        self._backend = TokenBackend(config)
        self._domain_lock = threading.Lock()
        self._self_test_key: WrappedKey | None = None

    @property
    def config(self) -> HsmConfig:
        return self._backend.config

    @property
    def capabilities(self) -> Capabilities:
        """Probed on first use (``open_hsm`` does it at start-up) and logged once."""
        return self._backend.capabilities

    @property
    def state(self) -> ConnectionState:
        return self._backend.state

    def close(self) -> None:
        self._backend.close()

    # --- the key hierarchy -------------------------------------------------------------------

    def ensure_domain_key(self) -> None:
        """Create the AES-256 domain wrapping key as a token object unless it exists.

        Idempotent within a process. Two processes racing on an empty token can both create one;
        the next lookup then raises ``DomainKeyAmbiguous`` instead of wrapping under either, so
        provision the token (``keygraph`` start-up, one replica) before scaling out.
        """
        label = self.config.domain_key_label

        def op(working: WorkingSession) -> None:
            try:
                working.domain_key()
                return
            except DomainKeyMissing:
                pass
            with self._domain_lock:
                try:
                    find_domain_key(working.session, label)
                except DomainKeyMissing:
                    working.session.generate_key(
                        KeyType.AES,
                        256,
                        label=label,
                        store=True,
                        capabilities=0,
                        template=_DOMAIN_KEY,
                    )

        self._backend.run("ensure_domain_key", op)

    def generate_key(self, spec: KeySpec) -> WrappedKey:
        """New key material made in the HSM; only its domain-wrapped form comes back (for a
        ``token_resident`` spec, the id of its token object)."""
        self.capabilities.require_spec(spec)
        return self._backend.run(f"generate {spec.value}", lambda w: _keygen.generate(w, spec))

    def destroy_key(self, key: WrappedKey) -> None:
        """Destroy the token object of a ``token_resident`` key (idempotent). Wrapped material
        has nothing in the HSM to destroy: dropping the stored blob is enough."""
        if key.spec.token_resident:
            self._backend.run(f"destroy {key.spec.value}", lambda w: _eddsa.destroy(w, key))

    def generate_exportable_key_pair(self, spec: KeySpec) -> ExportedKeyPair:
        """A key pair for GenerateDataKeyPair: made in the HSM, handed out in plaintext (PKCS#8
        and SubjectPublicKeyInfo DER); the HSM keeps no copy. RSA and EC specs only."""
        return self._backend.run(
            f"generate exportable {spec.value}", lambda w: _export.generate_exportable(w, spec)
        )

    def self_test(self) -> None:
        """A real AES-GCM round trip under a key wrapped by the domain key (made once)."""
        step = "generating the self-test key"
        try:
            if self._self_test_key is None:
                self._self_test_key = self.generate_key(KeySpec.SYMMETRIC_DEFAULT)
            plaintext = secrets.token_bytes(32)
            step = "encrypting"
            sealed = self.encrypt(self._self_test_key, plaintext, b"keygraph self-test")
            step = "decrypting"
            recovered = self.decrypt(self._self_test_key, sealed, b"keygraph self-test")
        except HsmError as exc:
            raise type(exc)(f"HSM self-test failed {step}: {exc}") from exc
        if recovered != plaintext:
            raise HsmError("HSM self-test failed: the round trip returned other plaintext")

    # --- symmetric -----------------------------------------------------------------------------

    def encrypt(
        self, key: WrappedKey, plaintext: bytes, aad: bytes = b"", iv: bytes | None = None
    ) -> Sealed:
        """AES-256-GCM. ``iv`` only in caller IV mode (default: 12 random bytes); in HSM IV
        mode the token chooses it and ``Sealed.iv`` reports it."""
        _expect(key, KeyKind.AES, "AES-GCM encryption")
        caps = self.capabilities
        return self._with_key(
            "encrypt", key, lambda w, obj: _gcm.seal(caps, obj, plaintext, aad, iv)
        )

    def decrypt(self, key: WrappedKey, sealed: Sealed, aad: bytes = b"") -> bytes:
        """Raises ``InvalidCiphertext`` for a wrong tag, key, IV or AAD."""
        _expect(key, KeyKind.AES, "AES-GCM decryption")
        caps = self.capabilities
        return self._with_key("decrypt", key, lambda w, obj: _gcm.unseal(caps, obj, sealed, aad))

    # --- asymmetric ----------------------------------------------------------------------------

    def sign(
        self,
        key: WrappedKey,
        message: bytes,
        algorithm: SigningAlgorithm,
        message_type: MessageType = MessageType.RAW,
    ) -> bytes:
        """RSASSA-PSS (salt = digest length), PKCS#1 v1.5, ECDSA (DER) or Ed25519 over
        ``message``."""
        _expect_algorithm(key, algorithm, signing_algorithms(key.spec))
        digest = _signing.digest_of(message, algorithm, message_type)
        caps = self.capabilities
        return self._with_key(
            "sign", key, lambda w, obj: _signing.sign(caps, obj, digest, algorithm)
        )

    def verify(
        self,
        key: WrappedKey,
        message: bytes,
        signature: bytes,
        algorithm: SigningAlgorithm,
        message_type: MessageType = MessageType.RAW,
    ) -> None:
        """Raises ``InvalidSignature`` unless ``signature`` verifies (in software, with the
        stored public key: no secret is involved)."""
        _expect_algorithm(key, algorithm, signing_algorithms(key.spec))
        digest = _signing.digest_of(message, algorithm, message_type)
        if algorithm is SigningAlgorithm.ED25519_PH_SHA_512:
            self.capabilities.require_eddsa_prehash()
            public = _public(key)
            self._backend.run(
                "verify",
                lambda w: _eddsa.verify_prehashed(w.session, public, digest, signature),
            )
            return
        _signing.verify(key.spec, _public(key), digest, signature, algorithm)

    def rsa_encrypt(
        self, key: WrappedKey, plaintext: bytes, algorithm: EncryptionAlgorithm
    ) -> bytes:
        """RSA-OAEP with the public key, in software."""
        _expect_algorithm(key, algorithm, encryption_algorithms(key.spec))
        return _rsa.encrypt(key.spec, _public(key), plaintext, algorithm)

    def rsa_decrypt(
        self, key: WrappedKey, ciphertext: bytes, algorithm: EncryptionAlgorithm
    ) -> bytes:
        """RSA-OAEP in the HSM; every failure is ``InvalidCiphertext``."""
        _expect_algorithm(key, algorithm, encryption_algorithms(key.spec))
        caps = self.capabilities
        return self._with_key(
            "rsa_decrypt",
            key,
            lambda w, obj: _rsa.decrypt(caps, obj, key.spec, ciphertext, algorithm),
        )

    def derive_shared_secret(self, key: WrappedKey, peer_public_key: bytes) -> bytes:
        """ECDH with a peer's DER SubjectPublicKeyInfo; returns the raw shared secret (x)."""
        _expect(key, KeyKind.EC, "ECDH")
        point = _agreement.peer_point(key.spec, peer_public_key)
        caps = self.capabilities
        return self._with_key(
            "derive_shared_secret",
            key,
            lambda w, obj: _agreement.derive(caps, obj, key.spec, point),
        )

    # --- MAC -------------------------------------------------------------------------------------

    def generate_mac(self, key: WrappedKey, message: bytes, algorithm: MacAlgorithm) -> bytes:
        mechanism = self._mac_mechanism(key, algorithm)
        return self._with_key(
            "generate_mac", key, lambda w, obj: bytes(obj.sign(message, mechanism=mechanism))
        )

    def verify_mac(
        self, key: WrappedKey, message: bytes, mac: bytes, algorithm: MacAlgorithm
    ) -> None:
        """Raises ``InvalidMac`` unless ``mac`` verifies (in the HSM)."""
        mechanism = self._mac_mechanism(key, algorithm)

        def op(working: WorkingSession, obj: Any) -> bool:
            try:
                return bool(obj.verify(message, mac, mechanism=mechanism))
            except (p11.SignatureInvalid, p11.SignatureLenRange):
                return False

        if not self._with_key("verify_mac", key, op):
            raise InvalidMac()

    def _mac_mechanism(self, key: WrappedKey, algorithm: MacAlgorithm) -> Mechanism:
        _expect_algorithm(key, algorithm, (mac_algorithm(key.spec),))
        mechanism = _HMAC_MECHANISMS[algorithm]
        self.capabilities.require(mechanism, algorithm.value)
        return mechanism

    # --- random ----------------------------------------------------------------------------------

    def generate_random(self, size: int) -> bytes:
        if not 1 <= size <= MAX_RANDOM_BYTES:
            raise InvalidInput(f"random byte count must be 1 to {MAX_RANDOM_BYTES}")
        return self._backend.run(
            "generate_random", lambda w: bytes(w.session.generate_random(size * 8))
        )

    # --- import ----------------------------------------------------------------------------------

    def create_import_key(self, spec: KeySpec = KeySpec.RSA_2048) -> WrappedKey:
        """An RSA key pair for GetParametersForImport, wrapped like any other key; hand out its
        ``public_key`` and keep the WrappedKey until the import or its expiry."""
        if spec not in _IMPORT_KEY_SPECS:
            raise IncompatibleAlgorithm(f"an import key is RSA_2048/3072/4096, not {spec.value}")
        return self.generate_key(spec)

    def import_key_material(
        self,
        import_key: WrappedKey,
        encrypted_material: bytes,
        algorithm: WrappingAlgorithm,
        spec: KeySpec,
    ) -> WrappedKey:
        """Unwrap material encrypted under ``import_key`` and re-wrap it under the domain key.

        Material is raw key bytes for AES and HMAC specs and a PKCS#8 private key for RSA and EC
        specs, whose public key is computed in the HSM and returned in ``public_key``.
        """
        if import_key.spec not in _IMPORT_KEY_SPECS:
            raise IncompatibleAlgorithm(f"{import_key.spec.value} is not an import key spec")
        caps = self.capabilities
        return self._backend.run(
            "import_key_material",
            lambda w: _import.import_material(
                w, caps, import_key, encrypted_material, algorithm, spec
            ),
        )

    # --- several at once -------------------------------------------------------------------------

    def together(self, calls: Sequence[Callable[[], Any]]) -> list[Any]:
        """Run ``calls`` (this engine's operations bound to their arguments) one after another
        on one session, in this thread: a batch's operations on one key for the price of one
        session acquisition and one unwrap. Each call's result, or the exception it raised,
        comes back in its place (no operation returns an exception). A device failure fails
        them all: they run again on a fresh session, and raise ``HsmUnavailable`` together
        once recovery gives up, as each would alone."""
        return self._backend.run_together("together", lambda: [_outcome(call) for call in calls])

    # --- plumbing --------------------------------------------------------------------------------

    def _with_key(self, what: str, key: WrappedKey, op: Callable[[WorkingSession, Any], T]) -> T:
        return self._backend.run(what, lambda w: op(w, _keygen.unwrapped(w, key)))


def _outcome(call: Callable[[], Any]) -> Any:
    """What ``call`` returned, or the exception it raised; a raw PKCS#11 error (only a device
    failure gets here untranslated) propagates, so that the session is recovered."""
    try:
        return call()
    except p11.PKCS11Error:
        raise
    except Exception as exc:
        return exc


def _expect(key: WrappedKey, kind: KeyKind, what: str) -> None:
    if key.spec.kind is not kind:
        raise IncompatibleAlgorithm(f"{what} needs a {kind.value} key, not {key.spec.value}")


def _expect_algorithm(key: WrappedKey, algorithm: Any, allowed: tuple[Any, ...]) -> None:
    if algorithm not in allowed:
        raise IncompatibleAlgorithm(
            f"Algorithm {algorithm.value} is incompatible with key spec {key.spec.value}."
        )


def _public(key: WrappedKey) -> bytes:
    if key.public_key is None:
        raise IncompatibleAlgorithm(f"{key.spec.value} keys have no public key")
    return key.public_key
