"""hsm: the only code in keygraph that talks PKCS#11.

Customer key material is generated inside the HSM and leaves it only wrapped under the token's
domain key (``WrappedKey``); data key pairs, made to be handed out, leave it in plaintext
(``ExportedKeyPair``); operations take a ``WrappedKey`` and bytes and return bytes. The
application uses the async ``Hsm`` (``await open_hsm(config)``); blocking code and the benchmark
use ``HsmEngine``. See ``hsm/README.md`` for operators.
"""

from hsm._gcm import Sealed
from hsm._import import IMPORTABLE_KINDS
from hsm._token import ConnectionState
from hsm.algorithms import (
    EncryptionAlgorithm,
    HashName,
    MacAlgorithm,
    MessageType,
    SignaturePadding,
    SigningAlgorithm,
    WrappingAlgorithm,
    encryption_algorithms,
    mac_algorithm,
    signing_algorithms,
)
from hsm.capabilities import Capabilities
from hsm.config import HsmConfig, IvMode
from hsm.engine import HsmEngine
from hsm.errors import (
    DomainKeyAmbiguous,
    DomainKeyMissing,
    HsmConfigurationError,
    HsmError,
    HsmUnavailable,
    IncompatibleAlgorithm,
    InvalidCiphertext,
    InvalidDigestLength,
    InvalidInput,
    InvalidKeyMaterial,
    InvalidMac,
    InvalidPublicKey,
    InvalidSignature,
    KeyMaterialMismatch,
    KeyNotFound,
    LoginFailed,
    MechanismUnsupported,
    PlaintextTooLarge,
    TokenNotFound,
)
from hsm.facade import Hsm, open_hsm
from hsm.keyspec import ExportedKeyPair, KeyKind, KeySpec, OfKeySpec, WrappedKey
from hsm.keystore import KeyAlreadyExists, KeyStore, KeyStoreEngine, open_key_store
from hsm.provision import provision_softhsm

__all__ = [
    "IMPORTABLE_KINDS",
    "Capabilities",
    "ConnectionState",
    "DomainKeyAmbiguous",
    "DomainKeyMissing",
    "EncryptionAlgorithm",
    "ExportedKeyPair",
    "HashName",
    "Hsm",
    "HsmConfig",
    "HsmConfigurationError",
    "HsmEngine",
    "HsmError",
    "HsmUnavailable",
    "IncompatibleAlgorithm",
    "InvalidCiphertext",
    "InvalidDigestLength",
    "InvalidInput",
    "InvalidKeyMaterial",
    "InvalidMac",
    "InvalidPublicKey",
    "InvalidSignature",
    "IvMode",
    "KeyAlreadyExists",
    "KeyKind",
    "KeyMaterialMismatch",
    "KeyNotFound",
    "KeySpec",
    "KeyStore",
    "KeyStoreEngine",
    "LoginFailed",
    "MacAlgorithm",
    "MechanismUnsupported",
    "MessageType",
    "OfKeySpec",
    "PlaintextTooLarge",
    "Sealed",
    "SignaturePadding",
    "SigningAlgorithm",
    "TokenNotFound",
    "WrappedKey",
    "WrappingAlgorithm",
    "encryption_algorithms",
    "mac_algorithm",
    "open_hsm",
    "open_key_store",
    "provision_softhsm",
    "signing_algorithms",
]
