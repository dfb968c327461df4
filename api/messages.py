"""Every message keygraph answers with, in one table, each marked with where its words come from.

A caller moving between keygraph and AWS KMS reads these messages, and some code matches on them,
so each says whether its words are AWS's as recorded from a real response (``Recorded``), AWS's as
its documentation prints them (``Documented``), or keygraph's own (``Own``: a feature AWS does not
have, or an AWS case whose words no recording or page confirms). Code raises through the table
(``raise messages.DISABLED(arn=key.arn)``), so a message is written once and its provenance sits
next to it; ``tests/operations/test_messages.py`` checks that every entry has one and that the
converted modules raise no literal message.

The words of a failed model constraint (``1 validation error detected: Value 'X' at 'keySpec'
failed to satisfy constraint: ...``) are assembled by ``api.shapes`` from the entries below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from api.errors import (
    AccessDeniedException,
    AlreadyExistsException,
    CloudHsmClusterInUseException,
    CustomKeyStoreHasCMKsException,
    CustomKeyStoreInvalidStateException,
    CustomKeyStoreNameInUseException,
    CustomKeyStoreNotFoundException,
    DisabledException,
    ExpiredImportTokenException,
    IncorrectKeyException,
    IncorrectKeyMaterialException,
    InvalidArnException,
    InvalidGrantIdException,
    InvalidGrantTokenException,
    InvalidImportTokenException,
    InvalidKeyUsageException,
    InvalidMarkerException,
    KeygraphError,
    KMSInternalException,
    KMSInvalidStateException,
    LimitExceededException,
    MalformedPolicyDocumentException,
    NotAuthorizedException,
    NotFoundException,
    TagException,
    ThrottlingException,
    UnrecognizedClientException,
    UnsupportedOperationException,
    ValidationException,
)


@dataclass(frozen=True)
class Recorded:
    """AWS's words in a response recorded from AWS KMS itself; ``response`` names the request
    and where the recording is."""

    response: str


@dataclass(frozen=True)
class Documented:
    """AWS's words as a page of AWS's documentation prints them; ``page`` is its address."""

    page: str


@dataclass(frozen=True)
class Own:
    """keygraph's wording; ``why`` says why it is not AWS's (a feature of keygraph's, or a case
    of AWS's whose words nothing at hand confirms)."""

    why: str


Provenance = Recorded | Documented | Own

# Where recordings are: issue 15's conformance run compared keygraph with error responses
# recorded against AWS KMS; LocalStack publishes its KMS tests' responses recorded against AWS
# KMS (tests/aws/services/kms/test_kms.snapshot.json, recorded 2023-04 to 2024-01).
CONFORMANCE = "keygraph issue 15's conformance run against responses recorded from AWS KMS"
SNAPSHOT = "AWS KMS response recorded in localstack tests/aws/services/kms/test_kms.snapshot.json"
_API = "https://docs.aws.amazon.com/kms/latest/APIReference/"
UNCONFIRMED = "meant as AWS's words for this case, which no recording or AWS page at hand confirms"
FEATURE = "a feature of keygraph's that AWS KMS does not have"
KEY_STATES = "https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html"
SIGV4_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/signature-v4-troubleshooting.html"
SIGV4 = (
    "AWS's SigV4 words as AWS services answer them (quoted in public reports of their "
    "responses); no recording of AWS KMS's own answer or AWS page at hand confirms them"
)


E = TypeVar("E", bound=KeygraphError)


@dataclass(frozen=True)
class Message(Generic[E]):
    """One message: the exception it travels in (None: a door's own class, which raises it
    with ``format``), its words (a ``str.format`` template) and where the words come from."""

    error: type[E] | None
    text: str
    source: Provenance

    def format(self, **fields: object) -> str:
        return self.text.format(**fields)

    def __call__(self, *, detail: str | None = None, **fields: object) -> E:
        """The exception to raise, its template filled with ``fields``."""
        assert self.error is not None, "a door's own message: raise it with format()"
        return self.error(self.format(**fields), detail=detail)


# -- Failed model constraints, as AWS's request validation words them ------------------------

VALIDATION_ERROR = Message(
    ValidationException,
    "1 validation error detected: {problems}",
    Recorded(f"GenerateRandom NumberOfBytes=0 and CreateKey KeyUsage=RANDOM; {SNAPSHOT}"),
)
VALIDATION_ERRORS = Message(
    ValidationException,
    "{count} validation errors detected: {problems}",
    Own(
        "AWS's form for several failed constraints as other AWS JSON services answer it; no "
        "KMS recording of several at once is at hand"
    ),
)
CONSTRAINT_FAILED = Message(
    ValidationException,
    "{value} at '{path}' failed to satisfy constraint: {constraint}",
    Recorded(f"CreateKey KeySpec=HMAC_random, GenerateMac MacAlgorithm=INVALID; {SNAPSHOT}"),
)

# -- The AWS door's envelope -------------------------------------------------------------------

# The AWS door raises these in its own exception classes (``aws.errors``), which api/ cannot name.
WRONG_JSON_TYPE: Message[KeygraphError] = Message(
    None, "The value of {path} must be {expected}.", Own(UNCONFIRMED)
)
NOT_JSON: Message[KeygraphError] = Message(
    None, "The request body is not valid JSON.", Own(UNCONFIRMED)
)
UNKNOWN_OPERATION: Message[KeygraphError] = Message(
    None, "keygraph serves no operation named '{target}'.", Own(UNCONFIRMED)
)
UNSERVED_MEMBER = Message(
    UnsupportedOperationException,
    "{member} is not supported: {reason}",
    Own("a member of AWS's model that keygraph does not serve, with the reason"),
)
UNSERVED_VALUE = Message(
    UnsupportedOperationException,
    "{value} is not supported: {reason}",
    Own("a value of AWS's model that keygraph does not serve, with the reason"),
)

# -- Key states (AWS's key state table) ----------------------------------------------------------

# The key state page's table details print these as "DisabledException: <key ARN> is disabled."
DISABLED = Message(DisabledException, "{arn} is disabled.", Documented(KEY_STATES))
PENDING_DELETION = Message(
    KMSInvalidStateException, "{arn} is pending deletion.", Documented(KEY_STATES)
)
NOT_PENDING_DELETION = Message(
    KMSInvalidStateException, "{arn} is not pending deletion.", Documented(KEY_STATES)
)
PENDING_IMPORT = Message(
    KMSInvalidStateException,
    "{arn} is pending import.",
    Recorded(f"Encrypt under an EXTERNAL key before its import; {SNAPSHOT}"),
)
UNAVAILABLE = Message(KMSInvalidStateException, "{arn} is unavailable.", Own(UNCONFIRMED))
ORIGIN_NOT_VALID = Message(
    UnsupportedOperationException,
    "{arn} origin is {origin} which is not valid for this operation.",
    Recorded(f"GetParametersForImport for an AWS_KMS key; {SNAPSHOT}"),
)

# -- Keys ----------------------------------------------------------------------------------------

KEY_USAGE_REQUIRED = Message(
    ValidationException,
    "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
    Recorded(f"CreateKey KeySpec=HMAC_256 without KeyUsage; {SNAPSHOT}"),
)
KEY_USAGE_NOT_COMPATIBLE = Message(
    ValidationException,
    # No trailing period: AWS has none.
    "KeyUsage {usage} is not compatible with KeySpec {spec}",
    Recorded(f"CreateKey KeySpec=RSA_2048 KeyUsage=KEY_AGREEMENT; {CONFORMANCE}"),
)
SPEC_NOT_FOR_ORIGIN = Message(
    ValidationException, "KeySpec {spec} is not supported for Origin {origin}.", Own(UNCONFIRMED)
)
KEY_STORE_ID_REQUIRED = Message(
    ValidationException,
    "CustomKeyStoreId is required when Origin is AWS_CLOUDHSM.",
    Own(UNCONFIRMED),
)
KEY_STORE_ID_NEEDS_ORIGIN = Message(
    ValidationException, "CustomKeyStoreId requires Origin AWS_CLOUDHSM.", Own(UNCONFIRMED)
)
PENDING_WINDOW = Message(
    ValidationException, "PendingWindowInDays must be between {low} and {high}", Own(UNCONFIRMED)
)
KEY_USAGE_NOT_VALID = Message(
    InvalidKeyUsageException,
    "{arn} key usage is {usage} which is not valid for {action}.",
    Recorded(f"GenerateMac, Sign, Verify, Encrypt under a key of another usage; {SNAPSHOT}"),
)
ALGORITHM_INCOMPATIBLE = Message(
    InvalidKeyUsageException,
    "Algorithm {algorithm} is incompatible with key spec {spec}.",
    Recorded(f"GenerateMac HMAC_SHA_256 under an HMAC_224 key; {SNAPSHOT}"),
)
MESSAGE_TYPE_INCOMPATIBLE = Message(
    ValidationException,
    "Message type {message_type} is incompatible with algorithm {algorithm}.",
    Own(
        "only the message's beginning is recorded from AWS KMS (Sign ED25519_PH_SHA_512 with "
        "MessageType RAW, https://github.com/floci-io/floci/issues/2924); the rest, and the "
        "DIGEST/ED25519_SHA_512 case, follow it"
    ),
)
ED25519PH_UNSUPPORTED = Message(
    UnsupportedOperationException,
    "ED25519_PH_SHA_512 is not supported by this keygraph's HSM: its CKM_EDDSA ignores the "
    "prehash flag or lacks it.",
    Own("AWS serves Ed25519ph wherever it serves Ed25519; a limit of keygraph's HSM"),
)
KEY_SPEC_NOT_ON_TOKEN = Message(
    UnsupportedOperationException,
    "KeySpec {spec} is not supported by this keygraph's HSM.",
    Own("AWS serves every key spec of its model in commercial regions; a limit of the HSM"),
)
PLAINTEXT_TOO_LARGE = Message(
    ValidationException,
    "Algorithm {algorithm} and key spec {spec} cannot encrypt data larger than {largest} bytes.",
    Recorded(f"Encrypt RSA_2048 RSAES_OAEP_SHA_1 with 215 bytes; {SNAPSHOT}"),
)
NO_PUBLIC_KEY_SPEC = Message(
    UnsupportedOperationException,
    "{arn} key spec is {spec} which is not valid for GetPublicKey.",
    Own(UNCONFIRMED),
)
NO_STORED_PUBLIC_KEY = Message(
    KMSInternalException,
    "{arn} has no stored public key.",
    Own("a fault of keygraph's own storage, which AWS has no words for"),
)
CONTEXT_FOR_ASYMMETRIC = Message(
    ValidationException,
    "EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs.",
    Own(UNCONFIRMED),
)
CONTEXT_NOT_UNICODE = Message(
    ValidationException,
    "1 validation error detected: Value at '{member}' failed to satisfy constraint: "
    "Member must contain only valid Unicode strings",
    Own("JSON can carry lone surrogates, which AWS's Java service never sees as text"),
)
CONTEXT_TOO_LARGE = Message(
    ValidationException,
    "1 validation error detected: Value at '{member}' failed to satisfy constraint: "
    "Member must encode to at most {limit} bytes (keys and values)",
    Own(UNCONFIRMED),
)
DATA_KEY_SIZE_EITHER = Message(
    ValidationException, "Please specify either number of bytes or key spec.", Own(UNCONFIRMED)
)
DATA_KEY_ASYMMETRIC = Message(
    InvalidKeyUsageException,
    "You cannot generate a data key with an asymmetric CMK",
    Own(UNCONFIRMED),
)
NUMBER_OF_BYTES_REQUIRED = Message(
    ValidationException,
    "NumberOfBytes is required.",
    Recorded(f"GenerateRandom without NumberOfBytes; {SNAPSHOT}"),
)
PUBLIC_KEY_UNUSABLE = Message(
    ValidationException,
    "",
    Recorded(f"DeriveSharedSecret with a PublicKey that is not one; {CONFORMANCE}"),
)
ON_DEMAND_ROTATIONS_LIMIT = Message(
    LimitExceededException,
    "The on-demand rotations limit has been reached for the given keyId. No more on-demand "
    "rotations can be performed for this key: {arn}",
    Own(UNCONFIRMED),
)

# -- Aliases -------------------------------------------------------------------------------------

ALIAS_PREFIX = Message(
    ValidationException,
    'Alias must start with the prefix "alias/". Please see '
    "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html",
    Recorded(f"CreateAlias with a name outside alias/; {SNAPSHOT}"),
)
ALIAS_INVALID_CHARACTERS = Message(
    ValidationException, "{name} contains invalid characters for an alias", Own(UNCONFIRMED)
)
ALIAS_RESERVED = Message(
    NotAuthorizedException,
    "{name} is in the alias/aws/ namespace, which is reserved for AWS managed keys.",
    Own("AWS answers this code with no message; keygraph says why"),
)
ALIASES_PER_KEY = Message(
    LimitExceededException,
    "{arn} already has {limit} aliases, the most a key can have.",
    Own(UNCONFIRMED),
)
ALIAS_USAGE_CHANGE = Message(
    ValidationException,
    "Alias {name} cannot be changed from a CMK with key usage {current} to a CMK with key usage "
    "{target}. The key usage of the current CMK and the new CMK must be the same.",
    Own(UNCONFIRMED),
)
ALIAS_TYPE_CHANGE = Message(
    ValidationException,
    "Alias {name} cannot be changed from a CMK with key type {current} to a CMK with key type "
    "{target}. The key type of the current CMK and the new CMK must be the same.",
    Own(UNCONFIRMED),
)
ALIAS_EXISTS = Message(
    AlreadyExistsException, "An alias with the name {arn} already exists", Own(UNCONFIRMED)
)

# -- Tags ----------------------------------------------------------------------------------------

DUPLICATE_TAG_KEYS = Message(TagException, "Duplicate tag keys", Own(UNCONFIRMED))
TOO_MANY_TAGS = Message(TagException, "Too many tags", Own(UNCONFIRMED))
RESERVED_TAG = Message(TagException, "Tags beginning with aws: are reserved", Own(UNCONFIRMED))

# -- Key policies --------------------------------------------------------------------------------

NO_SUCH_POLICY = Message(NotFoundException, "No such policy exists", Own(UNCONFIRMED))

# -- Paging --------------------------------------------------------------------------------------

INVALID_MARKER = Message(InvalidMarkerException, "The marker is not valid.", Own(UNCONFIRMED))

# -- Custom key stores (PKCS#11 tokens in keygraph) ---------------------------------------------

KEY_STORE_NOT_FOUND = Message(
    CustomKeyStoreNotFoundException,
    "Custom key store '{store_id}' does not exist",
    Own(UNCONFIRMED),
)
KEY_STORE_NAME_IN_USE = Message(
    CustomKeyStoreNameInUseException,
    "Custom key store name {name} is already in use.",
    Own(UNCONFIRMED),
)
KEY_STORE_HAS_KEYS = Message(
    CustomKeyStoreHasCMKsException,
    "Custom key store {store_id} contains KMS keys; delete them (ScheduleKeyDeletion) before the "
    "store.",
    Own(UNCONFIRMED),
)
KEY_STORE_STATE = Message(
    CustomKeyStoreInvalidStateException,
    "{action} is not valid for custom key store {store_id} while its connection state is {state}.",
    Own(UNCONFIRMED),
)
KEY_STORE_TOKEN_FAILED = Message(
    CustomKeyStoreInvalidStateException,
    "Custom key store {store_id} cannot use its token ({code}).",
    Own("a PKCS#11 token's failure, which AWS's CloudHSM stores word otherwise"),
)
KEY_STORE_MODULE = Message(
    ValidationException,
    "pkcs11ModulePath must be the PKCS#11 module this deployment uses: {module}",
    Own(FEATURE),
)
KEY_STORE_OWN_TOKEN = Message(
    CloudHsmClusterInUseException,
    "Token {label} is keygraph's own HSM token and cannot be a custom key store.",
    Own(FEATURE),
)
KEY_STORE_TOKEN_IN_USE = Message(
    CloudHsmClusterInUseException,
    "Token {label} is already used by a custom key store.",
    Own(FEATURE),
)
KEY_STORE_ID_OR_NAME = Message(
    ValidationException,
    "Specify either customKeyStoreId or customKeyStoreName, not both.",
    Own(UNCONFIRMED),
)

# -- Principals, access keys, access simulation and the audit trail (keygraph's own) -----------

PRINCIPAL_NAME = Message(
    ValidationException,
    "Principal name {name!r} must be 1-64 characters of letters, digits and +=,.@_-",
    Own(FEATURE),
)
PRINCIPAL_ARN = Message(
    InvalidArnException, "{arn} is not the ARN of an account root, user or role.", Own(FEATURE)
)
PRINCIPAL_EXISTS = Message(ValidationException, "Principal {arn} already exists.", Own(FEATURE))
NO_SUCH_PRINCIPAL = Message(NotFoundException, "Principal {arn} does not exist.", Own(FEATURE))
NO_SUCH_TOKEN = Message(
    NotFoundException, "Token {token_id} does not exist or is revoked already.", Own(FEATURE)
)
NO_SUCH_ACCESS_KEY = Message(
    NotFoundException, "Access key {access_key_id} does not exist.", Own(FEATURE)
)
ACCESS_KEYS_QUOTA = Message(
    LimitExceededException,
    "Cannot exceed quota for AccessKeysPerUser: {limit}. {arn} holds {limit} access keys: "
    "delete one first.",
    Own("IAM's words for its quota, with keygraph's hint"),
)
ROOT_HAS_NO_IDENTITY_POLICY = Message(
    ValidationException,
    "An account's root principal has no identity policy: it is allowed every action without a "
    "key, and what key policies grant its account.",
    Own(FEATURE),
)
SIMULATE_OTHER_ACCOUNT = Message(
    AccessDeniedException,
    "User: {caller} is not authorized to perform: {action} for principals of account {account}",
    Own(FEATURE),
)
UNKNOWN_ACTION = Message(
    ValidationException, "{action} is not an action of the catalog.", Own(FEATURE)
)
AUDIT_ROOT_ONLY = Message(
    AccessDeniedException,
    "User: {arn} is not authorized to read the audit trail: only an account's root principal may",
    Own(FEATURE),
)
AUDIT_CHAIN_OPERATOR_ONLY = Message(
    AccessDeniedException,
    "User: {arn} is not authorized to verify the audit chain: only the root principal of the "
    "deployment's account may",
    Own(FEATURE),
)
AUDIT_BY_ALIAS = Message(
    ValidationException,
    "keyId '{key_id}' names an alias; the audit trail is filtered by key id or key ARN",
    Own(FEATURE),
)

# -- The GraphQL subscription's WebSocket (graphql-transport-ws, schema/subscriptions.py) -----

GRAPHQL_WS = (
    "the close reason of graphql-ws's PROTOCOL.md (the graphql-transport-ws protocol that its "
    "clients, Apollo's and urql's, speak)"
)
WS_SUBPROTOCOL: Message[KeygraphError] = Message(
    None, "Subprotocol not acceptable: keygraph speaks graphql-transport-ws", Own(GRAPHQL_WS)
)
WS_INIT_TIMEOUT: Message[KeygraphError] = Message(
    None, "Connection initialisation timeout", Own(GRAPHQL_WS)
)
WS_TOO_MANY_INITS: Message[KeygraphError] = Message(
    None, "Too many initialisation requests", Own(GRAPHQL_WS)
)
WS_UNAUTHORIZED: Message[KeygraphError] = Message(None, "Unauthorized", Own(GRAPHQL_WS))
WS_INTERNAL_ERROR: Message[KeygraphError] = Message(None, "Internal server error", Own(GRAPHQL_WS))
WS_FORBIDDEN: Message[KeygraphError] = Message(
    None, "Forbidden: no valid token or session, or a session from another origin", Own(FEATURE)
)
WS_SUBSCRIBER_EXISTS: Message[KeygraphError] = Message(
    None, "Subscriber for {id} already exists", Own(GRAPHQL_WS)
)
WS_INVALID_MESSAGE: Message[KeygraphError] = Message(
    None, "Invalid message: {why}", Own(GRAPHQL_WS)
)
SUBSCRIPTIONS_PER_CONNECTION = Message(
    LimitExceededException,
    "A connection holds at most {limit} subscriptions at once; complete one first",
    Own(FEATURE),
)
SUBSCRIPTION_OVER_HTTP: Message[KeygraphError] = Message(
    None,
    "Subscriptions run over the WebSocket at /graphql (protocol graphql-transport-ws)",
    Own(FEATURE),
)

# -- Naming keys ---------------------------------------------------------------------------------

INVALID_KEY_ID = Message(
    NotFoundException,
    "Invalid keyId '{key_id}'",
    Recorded(f"DescribeKey KeyId=fake-key-id, GenerateMac KeyId=key_id; {SNAPSHOT}"),
)
KEY_NOT_FOUND = Message(
    NotFoundException,
    "Key '{arn}' does not exist",
    Recorded(
        f"DescribeKey of a missing key and of a well-formed mrk- id; {SNAPSHOT}; {CONFORMANCE}"
    ),
)
ALIAS_NOT_FOUND = Message(NotFoundException, "Alias {arn} is not found.", Own(UNCONFIRMED))
KEY_ALIASES_NOT_SUPPORTED = Message(
    InvalidArnException,
    "Key Aliases are not supported for this operation.",
    Recorded(
        "CreateGrant with an alias, AWS's answer quoted in boto/boto#3202 and #3883 and relayed "
        "by Lambda in hashicorp/terraform#20813"
    ),
)
ALIAS_TO_ALIAS = Message(
    ValidationException, "Aliases must refer to keys. Not aliases", Own(UNCONFIRMED)
)
INCORRECT_KEY = Message(
    IncorrectKeyException,
    "The key ID in the request does not identify a CMK that can perform this operation.",
    Recorded(f"Decrypt naming a key of another usage; {SNAPSHOT}; {CONFORMANCE}"),
)

# -- Rotation ------------------------------------------------------------------------------------

NOT_ROTATABLE = Message(
    UnsupportedOperationException,
    "You cannot perform this operation on a non-symmetric key or a key with non-ENCRYPT_DECRYPT "
    "key usage.",
    Own(
        "only the message's beginning is recorded (EnableKeyRotation of an RSA_2048 key; "
        f"{CONFORMANCE}); the rest follows it"
    ),
)
ROTATE_ON_DEMAND_REFUSED = Message(
    UnsupportedOperationException,
    "",
    Recorded(f"RotateKeyOnDemand of an RSA_2048 key; {CONFORMANCE}"),
)
NO_ROTATION_FOR_MATERIAL = Message(
    UnsupportedOperationException,
    "{arn} does not support key rotation, so IncludeKeyMaterial is not valid for it.",
    Own(UNCONFIRMED),
)
NO_MATERIAL_PENDING_ROTATION = Message(
    KMSInvalidStateException,
    "{arn} has no key material pending rotation. Import new key material (ImportType "
    "NEW_KEY_MATERIAL) first.",
    Own(UNCONFIRMED),
)

# -- Imported key material -----------------------------------------------------------------------

VALID_TO_FORBIDDEN = Message(
    ValidationException,
    "ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.",
    Own(UNCONFIRMED),
)
VALID_TO_REQUIRED = Message(
    ValidationException,
    "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES",
    Recorded(f"ImportKeyMaterial KEY_MATERIAL_EXPIRES without ValidTo; {SNAPSHOT}; {CONFORMANCE}"),
)
VALID_TO_RANGE = Message(
    ValidationException,
    "ValidTo must be in the future and at most {days} days from now.",
    Own(UNCONFIRMED),
)
IMPORT_TOKEN_EXPIRED = Message(
    ExpiredImportTokenException,
    "The import token has expired. Use GetParametersForImport to get a new one.",
    Own(UNCONFIRMED),
)
IMPORT_TOKEN_INVALID = Message(
    InvalidImportTokenException,
    "The import token is not valid for this KMS key.",
    Own(UNCONFIRMED),
)
NOT_KEY_MATERIAL_OF_SPEC = Message(
    IncorrectKeyMaterialException,
    "The key material in the request is not {spec} key material.",
    Own(UNCONFIRMED),
)
WRAPPING_ALGORITHM_REQUIRED = Message(
    ValidationException,
    "{spec} key material must be wrapped with RSA_AES_KEY_WRAP_SHA_1 or RSA_AES_KEY_WRAP_SHA_256.",
    Own(UNCONFIRMED),
)
WRAPPING_KEY_TOO_SHORT = Message(
    ValidationException,
    "{spec} key material cannot be wrapped with {algorithm} under an RSA_2048 wrapping key. Use a "
    "longer wrapping key or an RSA_AES_KEY_WRAP algorithm.",
    Own(UNCONFIRMED),
)
IMPORT_TYPE_SYMMETRIC_ONLY = Message(
    ValidationException,
    "ImportType, KeyMaterialId and KeyMaterialDescription are only valid for symmetric "
    "encryption keys.",
    Own(UNCONFIRMED),
)
MATERIAL_ID_WITH_NEW_MATERIAL = Message(
    ValidationException,
    "KeyMaterialId cannot be specified when ImportType is NEW_KEY_MATERIAL.",
    Own("AWS's ImportKeyMaterial reference states the rule; the wording is keygraph's"),
)
MATERIAL_DOES_NOT_MATCH = Message(
    IncorrectKeyMaterialException,
    "The key material in the request does not match key material {material_id}.",
    Own(UNCONFIRMED),
)
NOT_PREVIOUS_MATERIAL = Message(
    IncorrectKeyMaterialException,
    "The key material in the request is not the key material that was previously imported into "
    "this KMS key.",
    Own(UNCONFIRMED),
)
MATERIAL_ALREADY_IMPORTED = Message(
    IncorrectKeyMaterialException,
    "The key material in the request is already key material {material_id} of this KMS key. Use "
    "ImportType EXISTING_KEY_MATERIAL to reimport it.",
    Own(UNCONFIRMED),
)
MATERIAL_PENDING_ROTATION = Message(
    KMSInvalidStateException,
    "{arn} already has key material {material_id} pending rotation. Rotate the key or delete that "
    "key material first.",
    Own(UNCONFIRMED),
)
NO_SUCH_MATERIAL = Message(
    NotFoundException, "Key material {material_id} does not exist in {arn}.", Own(UNCONFIRMED)
)

# -- Cryptographic operations ---------------------------------------------------------------------

DIGEST_LENGTH = Message(
    ValidationException,
    "Digest is invalid length for algorithm {algorithm}.",
    Recorded(f"Sign with MessageType DIGEST and a digest of the wrong length; {SNAPSHOT}"),
)
IGNORE_CIPHERTEXT_NEEDS_KEY = Message(
    ValidationException,
    "{member} is required when DryRunModifiers includes IGNORE_CIPHERTEXT.",
    Own(UNCONFIRMED),
)
THROTTLED = Message(
    ThrottlingException,
    "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.",
    Own(UNCONFIRMED),
)

# -- Grants --------------------------------------------------------------------------------------

GRANT_NOT_FOUND = Message(
    NotFoundException, "Grant {grant_id} is not found for {arn}.", Own(UNCONFIRMED)
)
GRANTS_PER_KEY = Message(
    LimitExceededException,
    "{arn} already has {limit} grants, the most a key can have.",
    Own(UNCONFIRMED),
)
RETIRE_NAMES_NO_GRANT = Message(
    ValidationException,
    "Either GrantToken, or both KeyId and GrantId, must be specified.",
    Own(UNCONFIRMED),
)
TOKEN_GRANT_NOT_FOUND = Message(
    NotFoundException, "The grant that the grant token names is not found.", Own(UNCONFIRMED)
)
TOKEN_GRANT_ID_MISMATCH = Message(
    InvalidGrantIdException,
    "The GrantId is not the grant that the grant token names.",
    Own(UNCONFIRMED),
)
TOKEN_KEY_MISMATCH = Message(
    ValidationException,
    "The KeyId is not the key of the grant that the grant token names.",
    Own(UNCONFIRMED),
)
GRANT_PRINCIPAL_ARN = Message(
    InvalidArnException, "ARN does not refer to a valid principal: {value}", Own(UNCONFIRMED)
)
GRANT_ONLY_CREATE_GRANT = Message(
    ValidationException,
    "Grants must not contain only the CreateGrant operation.",
    Own(UNCONFIRMED),
)
GRANT_CONTEXT_PAIRS = Message(
    ValidationException,
    "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must "
    "have at most {limit} encryption context pairs",
    Own(UNCONFIRMED),
)
GRANT_CONTEXT_VALUES = Message(
    ValidationException,
    "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member "
    "values must have length less than or equal to {limit}",
    Own(UNCONFIRMED),
)
INVALID_GRANT_ID = Message(
    InvalidGrantIdException,
    "The request was rejected because the specified GrantId is not valid.",
    Own(UNCONFIRMED),
)
INVALID_GRANT_TOKEN = Message(
    InvalidGrantTokenException,
    "The request was rejected because the grant token is not valid.",
    Own(UNCONFIRMED),
)
GRANT_OPERATION_NOT_FOR_KEY = Message(
    ValidationException,
    "Grant operation {operation} is not valid for {arn}, a key with key spec {spec} and key usage "
    "{usage}.",
    Own(UNCONFIRMED),
)
GRANT_CONSTRAINTS_NOT_FOR_OPERATION = Message(
    ValidationException,
    "Grant constraints are not valid with the grant operation {operation} on {arn}: it takes no "
    "encryption context.",
    Own(UNCONFIRMED),
)
ONE_OF_PAIR = Message(
    ValidationException,
    "You {verb} specify either {first} or {second}, but not both.",
    Own("AWS's CreateGrant and ListRetirableGrants references state the rule; no recording"),
)
SERVICE_GRANT_SOURCE_ARN = Message(
    ValidationException,
    "When you specify a GranteeServicePrincipal, you must also specify a SourceArn grant "
    "constraint.",
    Own("AWS's CreateGrant reference states the rule in these words; no recording"),
)
SERVICE_GRANT_RETIRING = Message(
    ValidationException,
    "When you specify a GranteeServicePrincipal, you must specify either a RetiringPrincipal or a "
    "RetiringServicePrincipal.",
    Own("AWS's CreateGrant reference states the rule in these words; no recording"),
)

# -- Policy documents ----------------------------------------------------------------------------

POLICY_LOCKOUT = Message(
    MalformedPolicyDocumentException,
    "The new key policy will not allow you to update the key policy in the future.",
    Own(UNCONFIRMED),
)
POLICY_TOO_LARGE = Message(
    MalformedPolicyDocumentException,
    "The policy document exceeds the maximum size of {limit} bytes.",
    Own(UNCONFIRMED),
)
# keygraph's checker says where in a document it found what (``label``: which statement).
_CHECKER = "keygraph's policy checker, which says where in the document it found what"
POLICY_PROBLEM = Message(MalformedPolicyDocumentException, "{label}: {problem}", Own(_CHECKER))
POLICY_REPEATED_ELEMENT = Message(
    MalformedPolicyDocumentException,
    'The policy document repeats the element "{name}".',
    Own(_CHECKER),
)
NO_PRINCIPAL_WORDS = "Policy contains a statement with no principal."
INVALID_PRINCIPALS_WORDS = "Policy contains a statement with one or more invalid principals."
PRINCIPAL_IN_IDENTITY_POLICY_WORDS = "Policy document should not specify a principal."
_AWS_PREFIX = (
    "a sentence of AWS's (IAM's words for the case, unconfirmed for KMS) and keygraph's account "
    "of where"
)
PRINCIPAL_NOT_WELL_FORMED = Message(
    MalformedPolicyDocumentException,
    INVALID_PRINCIPALS_WORDS
    + ' {label}: a principal is "*" or an object such as {{"AWS": [...]}}.',
    Own(_AWS_PREFIX),
)
PRINCIPAL_TYPE_UNSUPPORTED = Message(
    MalformedPolicyDocumentException,
    INVALID_PRINCIPALS_WORDS
    + ' {label}: principal type "{written}" is not supported; use "AWS" or "Service".',
    Own(_AWS_PREFIX),
)
PRINCIPAL_NOT_VALID = Message(
    MalformedPolicyDocumentException,
    INVALID_PRINCIPALS_WORDS + ' {label}: "{value}" is not a valid {written} principal.',
    Own(_AWS_PREFIX),
)
PRINCIPAL_IN_IDENTITY_POLICY = Message(
    MalformedPolicyDocumentException,
    PRINCIPAL_IN_IDENTITY_POLICY_WORDS + " {label} has a {written}.",
    Own(_AWS_PREFIX),
)
NO_PRINCIPAL = Message(
    MalformedPolicyDocumentException,
    NO_PRINCIPAL_WORDS + " {label} has no Principal or NotPrincipal.",
    Own(_AWS_PREFIX),
)
POLICY_VERSION = Message(
    MalformedPolicyDocumentException,
    'Version "{written}" is not a policy language version: use "2012-10-17" or "2008-10-17".',
    Own(_CHECKER),
)
POLICY_TOO_DEEP = Message(
    MalformedPolicyDocumentException, "The policy document nests too deeply.", Own(_CHECKER)
)
POLICY_NOT_JSON = Message(
    MalformedPolicyDocumentException, "The policy document is not valid JSON.", Own(_CHECKER)
)
POLICY_NOT_OBJECT = Message(
    MalformedPolicyDocumentException, "The policy document must be a JSON object.", Own(_CHECKER)
)
POLICY_UNKNOWN_ELEMENT = Message(
    MalformedPolicyDocumentException,
    '"{name}" is not an element of a policy document.',
    Own(_CHECKER),
)
POLICY_ID_NOT_STRING = Message(
    MalformedPolicyDocumentException, "Id must be a string.", Own(_CHECKER)
)
POLICY_NO_STATEMENT = Message(
    MalformedPolicyDocumentException, "The policy document has no Statement.", Own(_CHECKER)
)

# -- Browser sessions, CORS and the dashboard (keygraph's own) -----------------------------------

CSRF_HEADER_REQUIRED = Message(
    AccessDeniedException,
    "A request signed in by the session cookie must carry the header X-Keygraph-CSRF: 1.",
    Own(FEATURE),
)
CORS_ORIGIN_REFUSED = Message(
    AccessDeniedException,
    "The request's Origin is not one of KEYGRAPH_CORS_ORIGINS.",
    Own(FEATURE),
)
SIGN_IN_BODY = Message(
    ValidationException,
    "POST /session takes Authorization: Bearer <token>, or a JSON body (Content-Type: "
    "application/json) holding the strings accessKeyId and secretAccessKey.",
    Own(FEATURE),
)
# Plain text, for a person at a browser.
DASHBOARD_NOT_BUILT: Message[KeygraphError] = Message(
    None,
    "The dashboard is not built: run `make run`, which builds it (or `npm run build` in "
    "dashboard/).",
    Own(FEATURE),
)

# -- GraphQL batches (keygraph's own) ------------------------------------------------------------

BATCH_SIZE = Message(
    ValidationException,
    "1 validation error detected: Value at 'requests' failed to satisfy constraint: Member must "
    "have length between 1 and {limit}",
    Own(FEATURE),
)

# -- The AWS door's authentication (SigV4) -------------------------------------------------------

# The AWS door raises most of these in its own exception classes (``aws.errors``).
MISSING_AUTHENTICATION_TOKEN: Message[KeygraphError] = Message(
    None, "Missing Authentication Token", Documented(SIGV4_PAGE)
)
INVALID_SECURITY_TOKEN = Message(
    UnrecognizedClientException,
    "The security token included in the request is invalid.",
    Own(SIGV4),
)
NO_TEMPORARY_CREDENTIALS = Message(
    UnrecognizedClientException,
    "keygraph issues no temporary credentials: sign requests with an access key and no "
    "X-Amz-Security-Token (keygraph principal create-access-key).",
    Own("AWS accepts session tokens; keygraph issues none, and says so"),
)
SIGNATURE_MISMATCH: Message[KeygraphError] = Message(
    None,
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.",
    Own(f"{SIGV4}; {SIGV4_PAGE} prints the first sentence"),
)
LONE_SURROGATE = Message(
    ValidationException,
    "The request holds a lone UTF-16 surrogate, which is not Unicode text.",
    Own("JSON can carry lone surrogates, which AWS's Java service never sees as text"),
)
AUTHORIZATION_PARAMETER: Message[KeygraphError] = Message(
    None, "Authorization header requires '{name}' parameter.", Own(SIGV4)
)
CREDENTIAL_ELEMENTS: Message[KeygraphError] = Message(
    None,
    "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term.",
    Own(SIGV4),
)
DATE_HEADER_REQUIRED: Message[KeygraphError] = Message(
    None,
    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    Own(SIGV4),
)
AMZ_DATE_FORMAT: Message[KeygraphError] = Message(
    None, "X-Amz-Date must be in ISO 8601 basic format: YYYYMMDD'T'HHMMSS'Z'.", Own(SIGV4)
)
SIGNATURE_EXPIRED: Message[KeygraphError] = Message(
    None,
    "Signature expired: {amz_date} is now earlier than {earliest} ({current} - 5 min.)",
    Own(SIGV4),
)
SIGNATURE_NOT_YET_CURRENT: Message[KeygraphError] = Message(
    None,
    "Signature not yet current: {amz_date} is still later than {latest} ({current} + 5 min.)",
    Own(SIGV4),
)
SCOPE_REGION: Message[KeygraphError] = Message(
    None, "Credential should be scoped to a valid region, not '{region}'.", Own(SIGV4)
)
SCOPE_SERVICE: Message[KeygraphError] = Message(
    None, "Credential should be scoped to correct service: '{service}'.", Own(SIGV4)
)
SCOPE_TERMINATOR: Message[KeygraphError] = Message(
    None,
    "Credential should be scoped with a valid terminator: '{terminator}', not '{written}'.",
    Own(SIGV4),
)
SCOPE_DATE: Message[KeygraphError] = Message(
    None,
    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
    "'{date}' != '{day}', from '{amz_date}'.",
    Own(SIGV4),
)
HOST_NOT_SIGNED: Message[KeygraphError] = Message(
    None, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", Own(SIGV4)
)
CONTENT_HASH_MISMATCH: Message[KeygraphError] = Message(
    None,
    "The provided 'x-amz-content-sha256' header does not match what was computed.",
    Own(SIGV4),
)
SIGNATURE_FORMAT: Message[KeygraphError] = Message(
    None, "Signature must be 64 lowercase hexadecimal digits.", Own(UNCONFIRMED)
)


def table() -> dict[str, Message[KeygraphError]]:
    """Every entry by name: what the provenance test reads."""
    return {name: value for name, value in globals().items() if isinstance(value, Message)}
