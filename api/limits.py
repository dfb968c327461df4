"""AWS KMS's documented numeric limits, in one place. Operations validate against these."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Range:
    low: int
    high: int

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and self.low <= value <= self.high


DESCRIPTION_MAX = 8192
# The API model accepts 1 to 365 days; the service itself then insists on 7 to 30.
PENDING_WINDOW_MODEL = Range(1, 365)
PENDING_WINDOW_DAYS = Range(7, 30)
PENDING_WINDOW_DEFAULT = 30
ROTATION_PERIOD_DAYS = Range(90, 2560)
ROTATION_PERIOD_DEFAULT = 365
ON_DEMAND_ROTATIONS_MAX = 25
LIST_LIMIT = Range(1, 1000)
LIST_LIMIT_DEFAULT = 100
ALIAS_NAME_LENGTH = Range(1, 256)
ALIASES_PER_KEY = 50
TAG_KEY_LENGTH = Range(1, 128)
TAG_VALUE_LENGTH = Range(0, 256)
TAGS_PER_KEY = 50
POLICY_MAX_BYTES = 32 * 1024
KEY_ID_LENGTH = Range(1, 2048)
PLAINTEXT_BYTES = Range(1, 4096)
CIPHERTEXT_BYTES = Range(1, 6144)
RANDOM_BYTES = Range(1, 1024)
DATA_KEY_BYTES = Range(1, 1024)
MESSAGE_BYTES = Range(1, 4096)
GRANT_TOKENS_MAX = 10
IMPORT_TOKEN_HOURS = 24
# ListAliases accepts any Limit in LIST_LIMIT (the API model's range) and returns at most
# ALIASES_PAGE_MAX entries per page, AWS's documented default and maximum.
ALIASES_PAGE_DEFAULT = 50
ALIASES_PAGE_MAX = 100
POLICY_NAME_LENGTH = Range(1, 128)
MARKER_LENGTH = Range(1, 1024)
# Keys one background job handles in one pass; the rest wait for the next pass.
JOB_ITEMS_PER_RUN = 500
IMPORT_TOKEN_RETENTION_HOURS = 24
IMPORT_VALID_TO_MAX_DAYS = 365
ENCRYPTED_KEY_MATERIAL_BYTES = Range(1, 6144)
KEY_STORE_NAME_LENGTH = Range(1, 256)
KEY_STORE_PIN_LENGTH = Range(1, 256)
PKCS11_MODULE_PATH_LENGTH = Range(1, 4096)
TOKEN_LABEL_LENGTH = Range(1, 32)
KEY_STORE_SESSIONS = 2
GRANT_TOKEN_LENGTH = Range(1, 8192)
SIGNATURE_BYTES = Range(1, 6144)
MAC_BYTES = Range(1, 6144)
PEER_PUBLIC_KEY_BYTES = Range(1, 8192)
# keygraph's bound on an encryption context, measured as its canonical encoding (see
# api/crypto/envelope.py); AWS publishes none, and the context rides along as GCM AAD.
ENCRYPTION_CONTEXT_BYTES = 8192
# RSAES-OAEP: the largest plaintext AWS accepts per (key spec, encryption algorithm).
RSA_PLAINTEXT_MAX: dict[tuple[str, str], int] = {
    ("RSA_2048", "RSAES_OAEP_SHA_1"): 214,
    ("RSA_2048", "RSAES_OAEP_SHA_256"): 190,
    ("RSA_3072", "RSAES_OAEP_SHA_1"): 342,
    ("RSA_3072", "RSAES_OAEP_SHA_256"): 318,
    ("RSA_4096", "RSAES_OAEP_SHA_1"): 470,
    ("RSA_4096", "RSAES_OAEP_SHA_256"): 446,
}
