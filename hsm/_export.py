"""Data key pairs: generated in the HSM, read out once, destroyed before the call returns.

GenerateDataKeyPair hands the private key to the caller in plaintext by design, so this pair is
made readable (not sensitive, extractable) as session objects of one working session, its values
are read and encoded in process, and both objects are destroyed whatever happens. The private
values then exist only in the returned ``ExportedKeyPair`` (and, being Python integers and bytes,
until the garbage collector frees them); nothing here logs them or puts them in an error.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from pkcs11 import Attribute, KeyType
from pkcs11.util.ec import encode_named_curve_parameters

from hsm._keygen import load_public_key, public_key_der
from hsm._session import WorkingSession
from hsm._templates import exportable_pair
from hsm.errors import HsmError, IncompatibleAlgorithm
from hsm.keyspec import ExportedKeyPair, KeyKind, KeySpec

_RSA_PRIVATE_VALUES = (
    Attribute.PRIVATE_EXPONENT,
    Attribute.PRIME_1,
    Attribute.PRIME_2,
    Attribute.EXPONENT_1,
    Attribute.EXPONENT_2,
    Attribute.COEFFICIENT,
)


def generate_exportable(working: WorkingSession, spec: KeySpec) -> ExportedKeyPair:
    if not spec.is_asymmetric:
        raise IncompatibleAlgorithm(f"a data key pair is RSA or EC, not {spec.value}")
    public_template, private_template = exportable_pair(spec.kind)
    if spec.kind is KeyKind.RSA:
        public, private = working.session.generate_keypair(
            KeyType.RSA,
            spec.bits,
            capabilities=0,
            public_template=public_template,
            private_template=private_template,
        )
    else:
        public_template[Attribute.EC_PARAMS] = encode_named_curve_parameters(spec.curve)
        public, private = working.session.generate_keypair(
            KeyType.EC,
            capabilities=0,
            public_template=public_template,
            private_template=private_template,
        )
    try:
        public_der = public_key_der(spec, public)
        key = _private_key(spec, public_der, private)
    finally:
        try:
            public.destroy()
        finally:
            private.destroy()
    return ExportedKeyPair(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        public_der,
    )


def _private_key(spec: KeySpec, public_der: bytes, private: Any) -> PrivateKeyTypes:
    """The private key object's values as a ``cryptography`` key, refused unless it is the
    private half of ``public_der`` (a token that returned other values must not go unnoticed)."""
    public = load_public_key(spec, public_der)
    try:
        if isinstance(public, rsa.RSAPublicKey):
            d, p, q, dmp1, dmq1, iqmp = (
                int.from_bytes(private[attribute], "big") for attribute in _RSA_PRIVATE_VALUES
            )
            key: PrivateKeyTypes = rsa.RSAPrivateNumbers(
                p, q, d, dmp1, dmq1, iqmp, public.public_numbers()
            ).private_key()
        else:
            assert isinstance(public, ec.EllipticCurvePublicKey)
            scalar = int.from_bytes(private[Attribute.VALUE], "big")
            key = ec.derive_private_key(scalar, public.curve)
    except ValueError:
        raise HsmError(f"the HSM returned an inconsistent {spec.value} key pair") from None
    if (
        key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        != public_der
    ):
        raise HsmError(f"the HSM returned an inconsistent {spec.value} key pair")
    return key
