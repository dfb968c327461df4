"""Where keygraph's operations deliberately differ from AWS KMS's API model, each with its reason.

The parity test (``tests/operations/test_botocore_parity.py``) compares every operation that both
have, member by member, with the KMS model botocore ships, and accepts a difference only when it
is listed here. Keep each reason one that a user of the API would accept.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Side(enum.Enum):
    INPUT = "input"
    OUTPUT = "output"


class Kind(enum.Enum):
    """What differs about one member."""

    ABSENT = "AWS has the member; keygraph does not"
    EXTRA = "keygraph has the member; AWS does not"
    REQUIRED = "required in one and not the other"
    TYPE = "another type"


@dataclass(frozen=True)
class Difference:
    operation: str  # AWS's action name; "*" for every operation
    side: Side
    member: str  # AWS's member name, dotted into structures (KeyMetadata.MultiRegionConfiguration)
    kind: Kind
    reason: str


_AFTER = "keygraph answers with the key's metadata after the change, where AWS's response is empty."
_STORE_AFTER = (
    "keygraph answers with the store as it is after the change, where AWS's response is empty."
)
_PKCS11 = "keygraph's custom key stores are PKCS#11 tokens, not CloudHSM clusters."
_XKS = "External key stores (XKS proxies) are not served; custom key stores are PKCS#11 tokens."
_SERVICE = "keygraph has no AWS service principals; grants name IAM principals only."
_SOURCE_ARN = (
    "SourceArn constrains grants AWS services use on a caller's behalf; keygraph has none."
)
_MATERIALS = (
    "Multiple imported key materials per key (AWS's 2025 import types) are not served: a key "
    "has one imported material, re-imported as it was."
)
_GONE = "keygraph answers with the grant's id and key ARN, where AWS's response is empty."


_RECIPIENT = (
    "Recipient and CiphertextForRecipient serve Nitro Enclaves attestation, which keygraph has "
    "no part of."
)
_MULTI_REGION = "keygraph has no multi-region keys."
_ML_KEM = "Key encapsulation needs ML-KEM keys, which keygraph does not serve."
_DRY_RUN_MODIFIERS = (
    "DryRunModifiers (IGNORE_CIPHERTEXT) is not served: a dry run checks the ciphertext too, so it "
    "is required."
)


def _each(kind: Kind, reason: str, *places: str) -> tuple[Difference, ...]:
    """One difference for each place, written ``"<Operation> <input|output> <Member>"``."""
    found = []
    for place in places:
        operation, side, member = place.split(" ")
        found.append(Difference(operation, Side(side), member, kind, reason))
    return tuple(found)


DIFFERENCES: tuple[Difference, ...] = (
    *_each(
        Kind.ABSENT,
        _PKCS11,
        "* output KeyMetadata.CloudHsmClusterId",
        "UpdateCustomKeyStore input CloudHsmClusterId",
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
        "CreateKey input MultiRegion",
    ),
    *_each(
        Kind.ABSENT,
        _XKS,
        "* output KeyMetadata.XksKeyConfiguration",
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
        "DescribeCustomKeyStores output CustomKeyStores.XksProxyConfiguration",
    ),
    *_each(
        Kind.EXTRA,
        _AFTER,
        "* output KeyMetadata",
    ),
    *_each(
        Kind.ABSENT,
        "keys are not shared across accounts through AWS RAM; ListKeys lists the account's own.",
        "ListKeys input ResourceOwners",
    ),
    *_each(
        Kind.REQUIRED,
        _DRY_RUN_MODIFIERS,
        "Decrypt input CiphertextBlob",
        "ReEncrypt input CiphertextBlob",
    ),
    *_each(
        Kind.ABSENT,
        _DRY_RUN_MODIFIERS,
        "Decrypt input DryRunModifiers",
        "ReEncrypt input DryRunModifiers",
    ),
    *_each(
        Kind.ABSENT,
        _RECIPIENT,
        "Decrypt input Recipient",
        "Decrypt output CiphertextForRecipient",
        "DeriveSharedSecret input Recipient",
        "DeriveSharedSecret output CiphertextForRecipient",
        "GenerateDataKey input Recipient",
        "GenerateDataKey output CiphertextForRecipient",
        "GenerateDataKeyPair input Recipient",
        "GenerateDataKeyPair output CiphertextForRecipient",
        "GenerateRandom input Recipient",
        "GenerateRandom output CiphertextForRecipient",
    ),
    *_each(
        Kind.ABSENT,
        "random bytes come from the deployment's HSM; a custom key store's token is not asked.",
        "GenerateRandom input CustomKeyStoreId",
    ),
    *_each(
        Kind.ABSENT,
        "Lists rotations only (AWS's ROTATIONS_ONLY): " + _MATERIALS,
        "ListKeyRotations input IncludeKeyMaterial",
    ),
    *_each(
        Kind.ABSENT,
        _MATERIALS,
        "ListKeyRotations output Rotations.KeyMaterialDescription",
        "ListKeyRotations output Rotations.ImportState",
        "ListKeyRotations output Rotations.KeyMaterialState",
        "ListKeyRotations output Rotations.ExpirationModel",
        "ListKeyRotations output Rotations.ValidTo",
        "ImportKeyMaterial input ImportType",
        "ImportKeyMaterial input KeyMaterialDescription",
        "ImportKeyMaterial input KeyMaterialId",
        "DeleteImportedKeyMaterial input KeyMaterialId",
    ),
    *_each(
        Kind.ABSENT,
        _PKCS11 + " pkcs11ModulePath and tokenLabel name the token.",
        "CreateCustomKeyStore input CloudHsmClusterId",
    ),
    *_each(
        Kind.ABSENT,
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
        Kind.REQUIRED,
        "Required: AWS's alternative, GranteeServicePrincipal, is not served. " + _SERVICE,
        "CreateGrant input GranteePrincipal",
    ),
    *_each(
        Kind.ABSENT,
        _SERVICE,
        "CreateGrant input GranteeServicePrincipal",
        "CreateGrant input RetiringServicePrincipal",
        "ListGrants input GranteeServicePrincipal",
        "ListGrants output Grants.GranteeServicePrincipal",
        "ListGrants output Grants.RetiringServicePrincipal",
        "ListRetirableGrants input RetiringServicePrincipal",
        "ListRetirableGrants output Grants.GranteeServicePrincipal",
        "ListRetirableGrants output Grants.RetiringServicePrincipal",
    ),
    *_each(
        Kind.ABSENT,
        _SOURCE_ARN,
        "CreateGrant input Constraints.SourceArn",
        "ListGrants output Grants.Constraints.SourceArn",
        "ListRetirableGrants output Grants.Constraints.SourceArn",
    ),
    *_each(
        Kind.REQUIRED,
        "Required: AWS's alternative, RetiringServicePrincipal, is not served. " + _SERVICE,
        "ListRetirableGrants input RetiringPrincipal",
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
                "ECC_NIST_EDWARDS25519",
                "ML_KEM_512",
                "ML_KEM_768",
                "ML_KEM_1024",
            }
        ),
        "SM2 is offered only in China regions; ML-DSA, ML-KEM and Ed25519 keys have no "
        "mechanism in SoftHSM 2.6 or CloudHSM's PKCS#11 library that keygraph could use.",
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
        frozenset({"SM2DSA", "ML_DSA_SHAKE_256", "ED25519_SHA_512", "ED25519_PH_SHA_512"}),
        "SM2 is offered only in China regions; ML-DSA and Ed25519 keys are not served.",
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
        "SM2 is offered only in China regions; Ed25519 and ML-KEM pairs are not served.",
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
}
