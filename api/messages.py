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
    InvalidArnException,
    InvalidKeyUsageException,
    InvalidMarkerException,
    KeygraphError,
    KMSInternalException,
    KMSInvalidStateException,
    LimitExceededException,
    NotAuthorizedException,
    NotFoundException,
    TagException,
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

DISABLED = Message(DisabledException, "{arn} is disabled.", Own(UNCONFIRMED))
PENDING_DELETION = Message(KMSInvalidStateException, "{arn} is pending deletion.", Own(UNCONFIRMED))
NOT_PENDING_DELETION = Message(
    KMSInvalidStateException, "{arn} is not pending deletion.", Own(UNCONFIRMED)
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
    Own(UNCONFIRMED),
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
AUDIT_BY_ALIAS = Message(
    ValidationException,
    "keyId '{key_id}' names an alias; the audit trail is filtered by key id or key ARN",
    Own(FEATURE),
)


def table() -> dict[str, Message[KeygraphError]]:
    """Every entry by name: what the provenance test reads."""
    return {name: value for name, value in globals().items() if isinstance(value, Message)}
