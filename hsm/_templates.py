"""PKCS#11 templates per key kind: transient keys made to be wrapped, and working copies.

python-pkcs11 fills all seven capability attributes of an unwrap template; SoftHSM rejects those
that do not belong to the object class (ENCRYPT on an EC private key), so they are given as
``DEFAULT``, which drops them. Working copies are never extractable: only the freshly generated
key, inside one call, is extractable long enough to be wrapped under the domain key. The one
exception is a data key pair, made to be handed out: readable, never used in the HSM, destroyed
within the call that reads it.
"""

from __future__ import annotations

from typing import Any

from pkcs11 import DEFAULT, Attribute, KeyType, ObjectClass

from hsm.keyspec import KeyKind

KEY_TYPES = {
    KeyKind.AES: KeyType.AES,
    KeyKind.HMAC: KeyType.GENERIC_SECRET,
    KeyKind.RSA: KeyType.RSA,
    KeyKind.EC: KeyType.EC,
    KeyKind.EC_EDWARDS: KeyType.EC_EDWARDS,
}

OBJECT_CLASSES = {
    KeyKind.AES: ObjectClass.SECRET_KEY,
    KeyKind.HMAC: ObjectClass.SECRET_KEY,
    KeyKind.RSA: ObjectClass.PRIVATE_KEY,
    KeyKind.EC: ObjectClass.PRIVATE_KEY,
    KeyKind.EC_EDWARDS: ObjectClass.PRIVATE_KEY,
}

_NOT_ON_PRIVATE_KEYS = {
    Attribute.ENCRYPT: DEFAULT,
    Attribute.VERIFY: DEFAULT,
    Attribute.WRAP: DEFAULT,
}

_USES: dict[KeyKind, dict[Attribute, Any]] = {
    KeyKind.AES: {Attribute.ENCRYPT: True, Attribute.DECRYPT: True},
    KeyKind.HMAC: {Attribute.SIGN: True, Attribute.VERIFY: True},
    KeyKind.RSA: {
        **_NOT_ON_PRIVATE_KEYS,
        Attribute.DECRYPT: True,
        Attribute.SIGN: True,
        Attribute.UNWRAP: True,
    },
    KeyKind.EC: {**_NOT_ON_PRIVATE_KEYS, Attribute.SIGN: True, Attribute.DERIVE: True},
    KeyKind.EC_EDWARDS: {**_NOT_ON_PRIVATE_KEYS, Attribute.SIGN: True},
}

TRANSIENT: dict[Attribute, Any] = {
    Attribute.TOKEN: False,
    Attribute.PRIVATE: True,
    Attribute.SENSITIVE: True,
    Attribute.EXTRACTABLE: True,
}


# Key pairs generated with ``capabilities=0``: of the capability attributes python-pkcs11 then
# sets to false, these do not belong to EC keys.
_NOT_ON_EC_PUBLIC_KEYS = {Attribute.ENCRYPT: DEFAULT, Attribute.WRAP: DEFAULT}
_NOT_ON_EC_PRIVATE_KEYS = {Attribute.DECRYPT: DEFAULT, Attribute.UNWRAP: DEFAULT}


def exportable_pair(kind: KeyKind) -> tuple[dict[Attribute, Any], dict[Attribute, Any]]:
    """Public and private templates of a session key pair whose private values are read out
    (GenerateDataKeyPair): not sensitive, extractable, no capability switched on."""
    ec = kind is KeyKind.EC
    public: dict[Attribute, Any] = {
        Attribute.TOKEN: False,
        **(_NOT_ON_EC_PUBLIC_KEYS if ec else {}),
    }
    private: dict[Attribute, Any] = {
        Attribute.TOKEN: False,
        Attribute.PRIVATE: True,
        Attribute.SENSITIVE: False,
        Attribute.EXTRACTABLE: True,
        **(_NOT_ON_EC_PRIVATE_KEYS if ec else {}),
    }
    return public, private


def working_copy(kind: KeyKind) -> dict[Attribute, Any]:
    """Template of a session object unwrapped for use: sensitive, not extractable, only the
    capabilities its kind needs."""
    return {
        Attribute.TOKEN: False,
        Attribute.PRIVATE: True,
        Attribute.SENSITIVE: True,
        Attribute.EXTRACTABLE: False,
        **_USES[kind],
    }


def resident(kind: KeyKind, object_id: bytes) -> dict[Attribute, Any]:
    """Template of a private key kept on the token (``KeySpec.token_resident``): sensitive, never
    extractable, found again by its random ``CKA_ID``."""
    return {**working_copy(kind), Attribute.TOKEN: True, Attribute.ID: object_id}


def extractable_copy(kind: KeyKind) -> dict[Attribute, Any]:
    """Template of key material unwrapped from an import, to be wrapped again under the domain
    key and destroyed within the same call."""
    return {**working_copy(kind), Attribute.EXTRACTABLE: True}
