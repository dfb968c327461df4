"""The GraphQL requests the keygraph rows send: one operation, a batch, or a persisted query.

Values travel as variables, so a row's document text is constant and keygraph's document cache
serves it as it would a real client's. DescribeKey selects every field of KeyMetadata, as AWS's
DescribeKey returns them all.

A batch is keygraph's list form (``encryptBatch(input: {requests: [...]})``) for the operations
that have one: its items run concurrently, where aliased mutation fields would run one after
another. DescribeKey has no list form, and the batch rows leave it out (``bench.model``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from bench.model import Op

METADATA_FIELDS = (
    "awsAccountId keyId arn creationDate enabled description keyUsage keyState deletionDate "
    "validTo origin customKeyStoreId expirationModel keyManager keySpec encryptionAlgorithms "
    "signingAlgorithms macAlgorithms keyAgreementAlgorithms multiRegion "
    "pendingDeletionWindowInDays currentKeyMaterialId"
)
# The variable that holds a batch's list of inputs.
REQUESTS = "r"


@dataclass(frozen=True)
class _Field:
    kind: str  # "query" or "mutation"
    name: str  # the operation's name, "Encrypt"
    field: str  # the root field, "encrypt"; its list form is ``<field>Batch``
    arguments: Mapping[str, str]  # input field -> "$variable" or an enum literal
    variables: Mapping[str, str]  # variable name -> GraphQL type
    result: str  # what is selected of the result
    input_type: str | None = None  # the input's type, when the field has a list form

    def selection(self) -> str:
        arguments = ", ".join(f"{name}: {value}" for name, value in self.arguments.items())
        return f"{self.field}(input: {{{arguments}}}) {{ {self.result} }}"

    def item(self, variables: Mapping[str, object]) -> dict[str, object]:
        """One input of the list form, as a variable value: the same arguments, filled in."""
        return {
            name: variables[value[1:]] if value.startswith("$") else value
            for name, value in self.arguments.items()
        }


_FIELDS = {
    Op.ENCRYPT: _Field(
        "mutation",
        "Encrypt",
        "encrypt",
        {"keyId": "$k", "plaintext": "$p", "encryptionContext": "$c"},
        {"k": "String!", "p": "Base64!", "c": "StringMap"},
        "ciphertextBlob",
        "EncryptInput",
    ),
    Op.DECRYPT: _Field(
        "mutation",
        "Decrypt",
        "decrypt",
        {"ciphertextBlob": "$b", "encryptionContext": "$c"},
        {"b": "Base64!", "c": "StringMap"},
        "plaintext",
        "DecryptInput",
    ),
    Op.GENERATE_DATA_KEY: _Field(
        "mutation",
        "GenerateDataKey",
        "generateDataKey",
        {"keyId": "$k", "keySpec": "AES_256", "encryptionContext": "$c"},
        {"k": "String!", "c": "StringMap"},
        "ciphertextBlob plaintext",
        "GenerateDataKeyInput",
    ),
    Op.SIGN: _Field(
        "mutation",
        "Sign",
        "sign",
        {
            "keyId": "$k",
            "message": "$m",
            "messageType": "RAW",
            "signingAlgorithm": "ECDSA_SHA_256",
        },
        {"k": "String!", "m": "Base64!"},
        "signature",
        "SignInput",
    ),
    Op.DESCRIBE_KEY: _Field(
        "query",
        "DescribeKey",
        "describeKey",
        {"keyId": "$k"},
        {"k": "String!"},
        f"keyMetadata {{ {METADATA_FIELDS} }}",
    ),
}


CREATE_KEY = (
    "mutation CreateKey($s: KeySpec!, $u: KeyUsageType!) "
    "{ createKey(input: {keySpec: $s, keyUsage: $u}) { keyMetadata { keyId } } }"
)
# Who the bench acts as (the account's root) and a key's ARN, which names the region.
WHOAMI_AND_ARN = (
    "query WhoamiAndArn($k: String!) "
    "{ whoami { arn } describeKey(input: {keyId: $k}) { keyMetadata { arn } } }"
)
CREATE_ACCESS_KEY = (
    "mutation CreateAccessKey($p: String!) "
    "{ createAccessKey(input: {principal: $p}) { accessKey { accessKeyId secretAccessKey } } }"
)


@dataclass(frozen=True)
class Values:
    """What the variables hold: the key (symmetric, or P-256 for Sign), payload and ciphertext."""

    aes_key: str
    p256_key: str
    plaintext: str
    context: Mapping[str, str]
    ciphertext: str

    def of(self, op: Op) -> dict[str, object]:
        everything: dict[str, object] = {
            "k": self.p256_key if op is Op.SIGN else self.aes_key,
            "p": self.plaintext,
            "m": self.plaintext,
            "c": dict(self.context),
            "b": self.ciphertext,
        }
        return {name: everything[name] for name in _FIELDS[op].variables}


def query(op: Op) -> str:
    """The document of one operation; its variables are named as ``Values.of`` names them."""
    field = _FIELDS[op]
    return _document(field.kind, field.name, _definitions(field.variables), field.selection())


def single(op: Op, values: Values) -> str:
    """A request body with one operation."""
    return _body(query(op), _FIELDS[op].name, values.of(op))


def sha256_hex(text: str) -> str:
    """A persisted query's id: SHA-256 of the document's UTF-8 text, lower-case hex (Apollo's
    protocol), computed here rather than borrowed from keygraph, so the two must agree."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def persisted(op: Op, values: Values) -> str:
    """One operation sent as a persisted query: the SHA-256 of ``query(op)``, no text. The server
    knows the hash once it has been sent that text."""
    body = {
        "variables": values.of(op),
        "operationName": _FIELDS[op].name,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(query(op))}},
    }
    return json.dumps(body)


def batch(op: Op, values: Values, size: int) -> str:
    """A request body with ``size`` operations on the same values, in the list form."""
    field = _FIELDS[op]
    if field.input_type is None:
        raise ValueError(f"{op.value} has no list form")
    return _list(field, [field.item(values.of(op))] * size)


def spread(op: Op, values: Values, keys: list[str]) -> str:
    """A batch (list form) whose items each name another key."""
    field = _FIELDS[op]
    if field.input_type is None or "k" not in field.variables:
        raise ValueError(f"{op.value} has no list form naming a key")
    return _list(field, [field.item({**values.of(op), "k": key}) for key in keys])


def _list(field: _Field, items: list[dict[str, object]]) -> str:
    name = f"{field.name}Batch"
    selection = (
        f"{field.field}Batch(input: {{requests: ${REQUESTS}}}) "
        f"{{ entries {{ result {{ {field.result} }} error {{ code message }} }} }}"
    )
    definitions = f"${REQUESTS}: [{field.input_type}!]!"
    return _body(_document(field.kind, name, definitions, selection), name, {REQUESTS: items})


def _definitions(variables: Mapping[str, str]) -> str:
    return ", ".join(f"${name}: {kind}" for name, kind in variables.items())


def _document(kind: str, name: str, definitions: str, selections: str) -> str:
    return f"{kind} {name}({definitions}) {{ {selections} }}"


def _body(document: str, name: str, variables: Mapping[str, object]) -> str:
    return json.dumps({"query": document, "variables": dict(variables), "operationName": name})
