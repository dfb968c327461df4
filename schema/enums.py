"""GraphQL enums of the contract, spelled as AWS spells them (``PendingDeletion``, not
``PENDING_DELETION``): each wraps the python enum that ``api`` or ``hsm`` already defines."""

from __future__ import annotations

import strawberry

from api.keys import model
from hsm import KeySpec as _KeySpec
from hsm import MacAlgorithm, MessageType, SigningAlgorithm, WrappingAlgorithm

KeySpec = strawberry.enum(_KeySpec, name="KeySpec", graphql_name_from="value")
KeyUsageType = strawberry.enum(model.KeyUsage, name="KeyUsageType", graphql_name_from="value")
KeyState = strawberry.enum(model.KeyState, name="KeyState", graphql_name_from="value")
OriginType = strawberry.enum(model.Origin, name="OriginType", graphql_name_from="value")
ExpirationModelType = strawberry.enum(
    model.ExpirationModel, name="ExpirationModelType", graphql_name_from="value"
)
EncryptionAlgorithmSpec = strawberry.enum(
    model.EncryptionAlgorithmSpec, name="EncryptionAlgorithmSpec", graphql_name_from="value"
)
SigningAlgorithmSpec = strawberry.enum(
    SigningAlgorithm, name="SigningAlgorithmSpec", graphql_name_from="value"
)
MacAlgorithmSpec = strawberry.enum(MacAlgorithm, name="MacAlgorithmSpec", graphql_name_from="value")
KeyAgreementAlgorithmSpec = strawberry.enum(
    model.KeyAgreementAlgorithm, name="KeyAgreementAlgorithmSpec", graphql_name_from="value"
)
MessageTypeEnum = strawberry.enum(MessageType, name="MessageType", graphql_name_from="value")
AlgorithmSpec = strawberry.enum(
    WrappingAlgorithm, name="AlgorithmSpec", graphql_name_from="value"
)
