"""Where keygraph's operations deliberately differ from AWS KMS's API model, each with its reason.

The parity test (``tests/operations/test_botocore_parity.py``) compares every operation that both
have, member by member, with the KMS model botocore ships, and accepts a difference only when it
is listed here. Keep each reason one that a user of the API would accept.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from api import messages
from api.shapes import Kind as ShapeKind
from api.shapes import shape_name, shape_of


class Side(enum.Enum):
    INPUT = "input"
    OUTPUT = "output"


class Kind(enum.Enum):
    """What differs about one member."""

    ABSENT = "AWS has the member; keygraph does not"
    EXTRA = "keygraph has the member; AWS does not"
    REQUIRED = "required in one and not the other"
    TYPE = "another type"
    # A request member of a feature keygraph does not serve: both doors take it (as AWS types
    # it) and ``refuse_unserved_members`` answers UnsupportedOperationException when a request
    # asks for the feature, rather than ignoring it.
    REFUSED = "keygraph takes the member and refuses a request that asks for the feature"


@dataclass(frozen=True)
class Difference:
    operation: str  # AWS's action name; "*" for every operation
    side: Side
    member: str  # AWS's member name, dotted into structures (KeyMetadata.MultiRegionConfiguration)
    kind: Kind
    reason: str
    # An EXTRA member that GraphQL alone serves: the AWS door neither reads it from a request
    # (it is ignored there, as any member AWS's model lacks) nor writes it in a response.
    graphql_only: bool = False


_AFTER = "keygraph answers with the key's metadata after the change, where AWS's response is empty."
_STORE_AFTER = (
    "keygraph answers with the store as it is after the change, where AWS's response is empty."
)
_PKCS11 = "keygraph's custom key stores are PKCS#11 tokens, not CloudHSM clusters."
_XKS = "External key stores (XKS proxies) are not served; custom key stores are PKCS#11 tokens."
_GONE = "keygraph answers with the grant's id and key ARN, where AWS's response is empty."


_RECIPIENT = (
    "Recipient and CiphertextForRecipient serve Nitro Enclaves attestation, which keygraph has "
    "no part of."
)
_MULTI_REGION = "keygraph has no multi-region keys."
_ML_KEM = "Key encapsulation needs ML-KEM keys, which keygraph does not serve."


def _each(kind: Kind, reason: str, *places: str) -> tuple[Difference, ...]:
    """One difference for each place, written ``"<Operation> <input|output> <Member>"``."""
    found = []
    for place in places:
        operation, side, member = place.split(" ")
        found.append(Difference(operation, Side(side), member, kind, reason))
    return tuple(found)


_DASHBOARD = (
    "keygraph's own listing of keys for people (its dashboard): GraphQL only, the AWS door "
    "answers ListKeys as AWS does."
)


def _graphql_only(operation: str, side: Side, *members: str) -> tuple[Difference, ...]:
    return tuple(
        Difference(operation, side, name, Kind.EXTRA, _DASHBOARD, graphql_only=True)
        for name in members
    )


DIFFERENCES: tuple[Difference, ...] = (
    *_graphql_only("ListKeys", Side.INPUT, "Filter", "SortBy", "SortOrder"),
    *_graphql_only("ListKeys", Side.OUTPUT, "TotalCount"),
    *_each(
        Kind.ABSENT,
        _PKCS11,
        "* output KeyMetadata.CloudHsmClusterId",
        "DescribeCustomKeyStores output CustomKeyStores.CloudHsmClusterId",
        "DescribeCustomKeyStores output CustomKeyStores.TrustAnchorCertificate",
    ),
    *_each(
        Kind.ABSENT,
        _ML_KEM,
        "* output KeyMetadata.EncapsulationAlgorithms",
        "GetPublicKey output EncapsulationAlgorithms",
    ),
    *_each(
        Kind.ABSENT,
        _MULTI_REGION,
        "* output KeyMetadata.MultiRegionConfiguration",
    ),
    *_each(Kind.REFUSED, _MULTI_REGION, "CreateKey input MultiRegion"),
    *_each(
        Kind.ABSENT,
        _XKS,
        "* output KeyMetadata.XksKeyConfiguration",
        "DescribeCustomKeyStores output CustomKeyStores.XksProxyConfiguration",
    ),
    *_each(
        Kind.REFUSED,
        _XKS,
        "CreateKey input XksKeyId",
        "CreateCustomKeyStore input XksProxyUriEndpoint",
        "CreateCustomKeyStore input XksProxyUriPath",
        "CreateCustomKeyStore input XksProxyVpcEndpointServiceName",
        "CreateCustomKeyStore input XksProxyVpcEndpointServiceOwner",
        "CreateCustomKeyStore input XksProxyAuthenticationCredential",
        "CreateCustomKeyStore input XksProxyConnectivity",
        "UpdateCustomKeyStore input XksProxyUriEndpoint",
        "UpdateCustomKeyStore input XksProxyUriPath",
        "UpdateCustomKeyStore input XksProxyVpcEndpointServiceName",
        "UpdateCustomKeyStore input XksProxyVpcEndpointServiceOwner",
        "UpdateCustomKeyStore input XksProxyAuthenticationCredential",
        "UpdateCustomKeyStore input XksProxyConnectivity",
    ),
    *_each(Kind.REFUSED, _PKCS11, "UpdateCustomKeyStore input CloudHsmClusterId"),
    *_each(
        Kind.EXTRA,
        _AFTER,
        "* output KeyMetadata",
    ),
    *_each(
        Kind.EXTRA,
        (
            "What keygraph's policy checker found in a policy that AWS stores regardless (an "
            "unknown action...): GraphQL answers it, the AWS door leaves it out as AWS does and "
            "records it in the call's audit events (KEYGRAPH_POLICY_CHECK=warn)."
        ),
        "CreateKey output Warnings",
        "PutKeyPolicy output Warnings",
    ),
    *_each(
        Kind.REFUSED,
        _RECIPIENT,
        "Decrypt input Recipient",
        "DeriveSharedSecret input Recipient",
        "GenerateDataKey input Recipient",
        "GenerateDataKeyPair input Recipient",
        "GenerateRandom input Recipient",
    ),
    *_each(
        Kind.ABSENT,
        _RECIPIENT,
        "Decrypt output CiphertextForRecipient",
        "DeriveSharedSecret output CiphertextForRecipient",
        "GenerateDataKey output CiphertextForRecipient",
        "GenerateDataKeyPair output CiphertextForRecipient",
        "GenerateRandom output CiphertextForRecipient",
    ),
    *_each(
        Kind.REFUSED,
        _PKCS11 + " pkcs11ModulePath and tokenLabel name the token.",
        "CreateCustomKeyStore input CloudHsmClusterId",
    ),
    *_each(
        Kind.REFUSED,
        _PKCS11 + " The module reaches its token without a TLS trust anchor.",
        "CreateCustomKeyStore input TrustAnchorCertificate",
    ),
    *_each(
        Kind.REQUIRED,
        (
            "The token's user PIN: every PKCS#11 store needs one (AWS makes it optional for XKS "
            "stores)."
        ),
        "CreateCustomKeyStore input KeyStorePassword",
    ),
    *_each(
        Kind.EXTRA,
        _PKCS11 + " The PKCS#11 library (must be the deployment's own).",
        "CreateCustomKeyStore input Pkcs11ModulePath",
    ),
    *_each(
        Kind.EXTRA,
        _PKCS11 + " The label of the token that holds the store's keys.",
        "CreateCustomKeyStore input TokenLabel",
    ),
    *_each(
        Kind.EXTRA,
        _STORE_AFTER
        + " Connecting completes within the call: CONNECTED, or FAILED with the reason.",
        "ConnectCustomKeyStore output CustomKeyStore",
    ),
    *_each(
        Kind.EXTRA,
        _STORE_AFTER,
        "DisconnectCustomKeyStore output CustomKeyStore",
        "UpdateCustomKeyStore output CustomKeyStore",
    ),
    *_each(
        Kind.EXTRA,
        "keygraph answers with the id it deleted, where AWS's response is empty.",
        "DeleteCustomKeyStore output CustomKeyStoreId",
    ),
    *_each(
        Kind.EXTRA,
        "keygraph answers that the store is deleted, where AWS's response is empty.",
        "DeleteCustomKeyStore output Deleted",
    ),
    *_each(
        Kind.EXTRA,
        _PKCS11,
        "DescribeCustomKeyStores output CustomKeyStores.Pkcs11ModulePath",
        "DescribeCustomKeyStores output CustomKeyStores.TokenLabel",
    ),
    *_each(
        Kind.EXTRA,
        _GONE + " Not the key's metadata: a retiring principal may have no right to read it.",
        "RetireGrant output KeyId",
    ),
    *_each(
        Kind.EXTRA,
        _GONE,
        "RetireGrant output GrantId",
        "RevokeGrant output KeyId",
        "RevokeGrant output GrantId",
    ),
)

# The values of AWS's enums that keygraph does not serve, and why: AWS's model lists algorithms
# of key specs that neither SoftHSM nor CloudHSM's PKCS#11 library offers keygraph, and features
# of AWS's infrastructure (multi-region keys, external key stores) that keygraph has no part of.
UNSERVED_VALUES: dict[str, tuple[frozenset[str], str]] = {
    "KeySpec": (
        frozenset(
            {
                "SM2",
                "ML_DSA_44",
                "ML_DSA_65",
                "ML_DSA_87",
                "ML_KEM_512",
                "ML_KEM_768",
                "ML_KEM_1024",
            }
        ),
        "SM2 is offered only in China regions; ML-DSA and ML-KEM keys have no mechanism in "
        "SoftHSM 2.6 or CloudHSM's PKCS#11 library that keygraph could use.",
    ),
    "CustomerMasterKeySpec": (
        frozenset({"SM2"}),
        "SM2 is offered only in China regions.",
    ),
    "KeyUsageType": (
        frozenset({"ENCAPSULATE_DECAPSULATE"}),
        "Key encapsulation needs ML-KEM keys, which keygraph does not serve.",
    ),
    "EncryptionAlgorithmSpec": (frozenset({"SM2PKE"}), "SM2 is offered only in China regions."),
    "SigningAlgorithmSpec": (
        frozenset({"SM2DSA", "ML_DSA_SHAKE_256"}),
        "SM2 is offered only in China regions; ML-DSA keys are not served.",
    ),
    "KeyMaterialState": (
        frozenset({"PENDING_MULTI_REGION_IMPORT_AND_ROTATION"}),
        "That state is of multi-Region keys' imported material, and keygraph has no multi-Region "
        "keys.",
    ),
    "KeyState": (
        frozenset({"Creating", "PendingReplicaDeletion", "Updating"}),
        "Those states belong to multi-region replicas and external key stores, which keygraph "
        "does not have; its keys are created and changed within one transaction.",
    ),
    "OriginType": (
        frozenset({"EXTERNAL_KEY_STORE"}),
        "External key stores (XKS proxies) are not served; custom key stores are PKCS#11 tokens.",
    ),
    "DataKeyPairSpec": (
        frozenset({"SM2", "ECC_NIST_EDWARDS25519", "ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"}),
        "SM2 is offered only in China regions; ML-KEM pairs are not served; Ed25519 pairs "
        "(readable PKCS#8 out of the HSM) are not served yet.",
    ),
    "AlgorithmSpec": (
        frozenset({"SM2PKE", "RSAES_PKCS1_V1_5"}),
        "SM2 is offered only in China regions; AWS no longer accepts RSAES_PKCS1_V1_5 wrapping "
        "for new imports, and keygraph never did.",
    ),
    "MessageType": (
        frozenset({"EXTERNAL_MU"}),
        "EXTERNAL_MU is the pre-hashed message representative of ML-DSA keys, not served.",
    ),
    "WrappingKeySpec": (frozenset({"SM2"}), "SM2 is offered only in China regions."),
    "CustomKeyStoreType": (frozenset({"EXTERNAL_KEY_STORE"}), _XKS),
    "ConnectionErrorCodeType": (
        frozenset(
            {
                "INSUFFICIENT_CLOUDHSM_HSMS",
                "INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET",
                "SUBNET_NOT_FOUND",
                "USER_LOCKED_OUT",
                "USER_LOGGED_IN",
                "USER_NOT_FOUND",
                "XKS_PROXY_ACCESS_DENIED",
                "XKS_PROXY_INVALID_CONFIGURATION",
                "XKS_PROXY_INVALID_RESPONSE",
                "XKS_PROXY_INVALID_TLS_CONFIGURATION",
                "XKS_PROXY_NOT_REACHABLE",
                "XKS_PROXY_TIMED_OUT",
                "XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION",
                "XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND",
            }
        ),
        "A PKCS#11 token fails only as a module or label not found, a refused PIN, a token that "
        "stops answering, or otherwise; the CloudHSM cluster and XKS codes have no counterpart.",
    ),
    "GrantOperation": (
        frozenset({"Encapsulate", "Decapsulate"}),
        "Key encapsulation needs ML-KEM keys, which keygraph does not serve.",
    ),
    "KeyLastUsageTrackingOperation": (
        frozenset({"Encapsulate", "Decapsulate"}),
        "Key encapsulation needs ML-KEM keys, which keygraph does not serve.",
    ),
}

# Each operation's refused members (``Kind.REFUSED``) by AWS name, with the reason.
_REFUSED: dict[str, dict[str, str]] = {}
for _difference in DIFFERENCES:
    if _difference.kind is Kind.REFUSED:
        _REFUSED.setdefault(_difference.operation, {})[_difference.member] = _difference.reason


def _asks(value: Any) -> bool:
    """Whether a member's value asks for its feature: ``MultiRegion: false`` asks for nothing."""
    return value is not None and value is not False


def refuse_unserved_values(request: Any) -> None:
    """``UnsupportedOperationException`` with the reason for a value of AWS's enums that keygraph
    does not serve (``KeySpec: ML_DSA_44``): a door hands such a value over as the string it was
    sent, and this answers it before validation would call it no value of the enum. Only the
    members that can hold such a value are read (none of Encrypt's, say), so the pipeline pays
    for this check only where it applies."""
    for name, unserved, reason, structure in _carriers(type(request)):
        value = getattr(request, name)
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            if structure:
                refuse_unserved_values(item)
            elif isinstance(item, str) and item in unserved:
                raise messages.UNSERVED_VALUE(value=item, reason=reason)


_Carrier = tuple[str, frozenset[str], str, bool]


_CARRIERS: dict[type, tuple[_Carrier, ...]] = {}


def _carriers(request_type: type) -> tuple[_Carrier, ...]:
    """The members of ``request_type`` that can hold a value keygraph does not serve: an enum
    (or list of one) with such values, or a structure (or list of one) holding such a member.
    Each is (attribute name, the values, the reason, whether it is a structure); found once per
    type."""
    known = _CARRIERS.get(request_type)
    if known is None:
        known = _CARRIERS[request_type] = _find_carriers(request_type)
    return known


def _find_carriers(request_type: type) -> tuple[_Carrier, ...]:
    found: list[_Carrier] = []
    for member in shape_of(request_type):
        ref = member.type.item if member.type.kind is ShapeKind.LIST else member.type
        if ref is None:
            continue
        if ref.enum is not None and shape_name(ref.enum) in UNSERVED_VALUES:
            unserved, reason = UNSERVED_VALUES[shape_name(ref.enum)]
            found.append((member.name, unserved, reason, False))
        elif ref.structure is not None and _carriers(ref.structure):
            found.append((member.name, frozenset(), "", True))
    return tuple(found)


def refuse_unserved_members(operation: str, request: object) -> None:
    """``UnsupportedOperationException`` with the reason for a refused member that asks for its
    feature (``Recipient``, ``MultiRegion: true``...), once the request is valid: a member's
    value breaking AWS's constraints is AWS's ValidationException first."""
    refused = _REFUSED.get(operation, {})
    for member in shape_of(type(request)):
        if member.wire in refused and _asks(getattr(request, member.name)):
            raise messages.UNSERVED_MEMBER(member=member.wire, reason=refused[member.wire])
