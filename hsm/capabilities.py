"""What the token can do, learned once at start-up from its mechanism list and small trials.

Paths are chosen from this record, never from the vendor's name: a mechanism list can claim
RSA_PKCS_OAEP and still refuse SHA-256 (SoftHSM 2.6.1), and only a trial shows whether the token
generates GCM IVs itself (CloudHSM) and which error a forged GCM tag produces.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pkcs11 import MGF, Attribute, KeyType, Mechanism, ObjectClass
from pkcs11.exceptions import PKCS11Error

from hsm import _eddsa, _gcm
from hsm._cryptoki import GCM_IV_BYTES
from hsm._failures import is_device_failure
from hsm.config import IvMode
from hsm.errors import HsmConfigurationError, MechanismUnsupported
from hsm.keyspec import KeyKind, KeySpec

log = logging.getLogger(__name__)

REQUIRED = (
    Mechanism.AES_KEY_GEN,
    Mechanism.AES_GCM,
    Mechanism.AES_KEY_WRAP_PAD,
)

# Key specs a token may lack without failing start-up: their keys are refused instead.
_SPEC_MECHANISMS = {
    KeyKind.EC_EDWARDS: (Mechanism.EC_EDWARDS_KEY_PAIR_GEN, Mechanism.EDDSA),
}


@dataclass(frozen=True)
class Capabilities:
    """``iv_mode`` is resolved (CALLER or HSM, never AUTO). ``gcm_tag_failure`` is the
    python-pkcs11 exception class the token raises for a forged tag. ``eddsa_prehash`` says
    whether ``CKM_EDDSA`` really signs Ed25519ph when asked (``hsm._eddsa.honours_prehash``)."""

    mechanisms: frozenset[int]
    iv_mode: IvMode
    oaep_sha256: bool
    gcm_tag_failure: type[PKCS11Error]
    eddsa_prehash: bool

    def has(self, mechanism: Mechanism) -> bool:
        return int(mechanism) in self.mechanisms

    def require(self, mechanism: Mechanism, what: str) -> None:
        if not self.has(mechanism):
            raise MechanismUnsupported(f"{what} needs {mechanism.name}, which the token lacks")

    def serves(self, spec: KeySpec) -> bool:
        """Whether keys of ``spec`` can be generated and used on this token."""
        return all(self.has(m) for m in _SPEC_MECHANISMS.get(spec.kind, ()))

    def require_spec(self, spec: KeySpec) -> None:
        for mechanism in _SPEC_MECHANISMS.get(spec.kind, ()):
            self.require(mechanism, f"a {spec.value} key")

    def require_eddsa_prehash(self) -> None:
        if not self.eddsa_prehash:
            raise MechanismUnsupported(
                "Ed25519ph needs CKM_EDDSA with phFlag, which the token ignores or lacks"
            )

    def summary(self) -> dict[str, str]:
        """One line per decision, for the start-up log and the operator docs."""
        return {
            "gcm_iv": self.iv_mode.value,
            "oaep_sha256": "native" if self.oaep_sha256 else "raw RSA + software OAEP",
            "rsa_aes_key_wrap": "composed: OAEP step as above, then AES_KEY_WRAP_PAD unwrap",
            "ecdsa": "digest in software, CKM_ECDSA" if self.has(Mechanism.ECDSA) else "missing",
            "ecdh": "CKM_ECDH1_DERIVE" if self.has(Mechanism.ECDH1_DERIVE) else "missing",
            "ed25519": (
                "CKM_EDDSA, private keys as token objects"
                if self.serves(KeySpec.ECC_NIST_EDWARDS25519)
                else "missing"
            ),
            "ed25519ph": "CKM_EDDSA with phFlag" if self.eddsa_prehash else "missing",
            "gcm_tag_failure": self.gcm_tag_failure.__name__,
            "mechanisms": str(len(self.mechanisms)),
        }


def probe(slot: Any, session: Any, configured: IvMode) -> Capabilities:
    """Run the trials in ``session`` (a fresh session, closed by the caller)."""
    mechanisms = frozenset(int(m) for m in slot.get_mechanisms())
    missing = [m.name for m in REQUIRED if int(m) not in mechanisms]
    if missing:
        raise HsmConfigurationError(f"token lacks required mechanisms: {', '.join(missing)}")
    iv_mode, tag_failure = _probe_gcm(session, configured)
    oaep = int(Mechanism.RSA_PKCS_OAEP) in mechanisms and _probe_oaep_sha256(session)
    eddsa = all(int(m) in mechanisms for m in _SPEC_MECHANISMS[KeyKind.EC_EDWARDS])
    prehash = eddsa and _eddsa.honours_prehash(session)
    caps = Capabilities(mechanisms, iv_mode, oaep, tag_failure, prehash)
    log.info("HSM capabilities: %s", caps.summary())
    return caps


def _probe_gcm(session: Any, configured: IvMode) -> tuple[IvMode, type[PKCS11Error]]:
    key = _gcm.scratch_key(session)
    try:
        iv, ciphertext = _gcm.encrypt(key, bytes(16), b"probe", None)
        generated = iv != bytes(GCM_IV_BYTES)
        observed = IvMode.HSM if generated else IvMode.CALLER
        if configured is not IvMode.AUTO and configured is not observed:
            raise HsmConfigurationError(
                f"iv_mode is {configured.value} but the token behaves as {observed.value}"
            )
        forged = ciphertext[:-1] + bytes([ciphertext[-1] ^ 1])
        try:
            _gcm.decrypt(key, iv, forged, b"probe")
        except PKCS11Error as exc:
            return observed, type(exc)
        raise HsmConfigurationError("the token accepted a forged AES-GCM tag")
    finally:
        key.destroy()


def _probe_oaep_sha256(session: Any) -> bool:
    """Encrypt under a throwaway public key in the HSM, decrypt in software."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = private.public_key().public_numbers()
    public = session.create_object(
        {
            Attribute.CLASS: ObjectClass.PUBLIC_KEY,
            Attribute.KEY_TYPE: KeyType.RSA,
            Attribute.TOKEN: False,
            Attribute.ENCRYPT: True,
            Attribute.MODULUS: numbers.n.to_bytes(256, "big"),
            Attribute.PUBLIC_EXPONENT: numbers.e.to_bytes(3, "big"),
        }
    )
    try:
        ciphertext = public.encrypt(
            b"probe",
            mechanism=Mechanism.RSA_PKCS_OAEP,
            mechanism_param=(Mechanism.SHA256, MGF.SHA256, None),
        )
        sha256 = hashes.SHA256()
        oaep = padding.OAEP(mgf=padding.MGF1(sha256), algorithm=sha256, label=None)
        return bool(private.decrypt(ciphertext, oaep) == b"probe")
    except ValueError:
        return False
    except PKCS11Error as exc:
        if is_device_failure(exc):
            raise
        return False
    finally:
        public.destroy()
