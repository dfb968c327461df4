"""GraphQL enums of the contract, spelled as AWS spells them (``PendingDeletion``, not
``PENDING_DELETION``). Each registers the python enum that ``api`` or ``hsm`` already defines, once,
and re-exports it under its GraphQL name, so annotations use the real class."""

from __future__ import annotations

import enum

import strawberry

from api.authz.decision import Outcome as AccessDecision
from api.authz.decision import Source as AccessSource
from api.crypto.datakeys import DataKeyPairSpec, DataKeySpec
from api.keys.model import EncryptionAlgorithmSpec, KeyState
from api.keys.model import ExpirationModel as ExpirationModelType
from api.keys.model import KeyAgreementAlgorithm as KeyAgreementAlgorithmSpec
from api.keys.model import KeyUsage as KeyUsageType
from api.keys.model import Origin as OriginType
from hsm import KeySpec, MessageType
from hsm import MacAlgorithm as MacAlgorithmSpec
from hsm import SigningAlgorithm as SigningAlgorithmSpec
from hsm import WrappingAlgorithm as AlgorithmSpec

_REGISTERED: tuple[tuple[type[enum.Enum], str], ...] = (
    (KeySpec, "KeySpec"),
    (KeyUsageType, "KeyUsageType"),
    (KeyState, "KeyState"),
    (OriginType, "OriginType"),
    (ExpirationModelType, "ExpirationModelType"),
    (EncryptionAlgorithmSpec, "EncryptionAlgorithmSpec"),
    (SigningAlgorithmSpec, "SigningAlgorithmSpec"),
    (MacAlgorithmSpec, "MacAlgorithmSpec"),
    (KeyAgreementAlgorithmSpec, "KeyAgreementAlgorithmSpec"),
    (MessageType, "MessageType"),
    (AlgorithmSpec, "AlgorithmSpec"),
    (DataKeySpec, "DataKeySpec"),
    (DataKeyPairSpec, "DataKeyPairSpec"),
    (AccessDecision, "AccessDecision"),
    (AccessSource, "AccessSource"),
)

for _enum, _name in _REGISTERED:
    strawberry.enum(_enum, name=_name, graphql_name_from="value")

__all__ = [
    "AccessDecision",
    "AccessSource",
    "AlgorithmSpec",
    "DataKeyPairSpec",
    "DataKeySpec",
    "EncryptionAlgorithmSpec",
    "ExpirationModelType",
    "KeyAgreementAlgorithmSpec",
    "KeySpec",
    "KeyState",
    "KeyUsageType",
    "MacAlgorithmSpec",
    "MessageType",
    "OriginType",
    "SigningAlgorithmSpec",
]
