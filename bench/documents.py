"""The GraphQL requests the keygraph rows send: one operation, or a batch of aliased ones.

Values travel as variables, so a row's document text is constant and keygraph's document cache
serves it as it would a real client's. DescribeKey selects every field of KeyMetadata, as AWS's
DescribeKey returns them all.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class _Field:
    kind: str  # "query" or "mutation"
    name: str
    variables: Mapping[str, str]  # name -> GraphQL type
    selection: str  # with $name placeholders for the variables


_FIELDS = {
    Op.ENCRYPT: _Field(
        "mutation",
        "Encrypt",
        {"k": "String!", "p": "Base64!", "c": "StringMap"},
        "encrypt(input: {keyId: $k, plaintext: $p, encryptionContext: $c}) { ciphertextBlob }",
    ),
    Op.DECRYPT: _Field(
        "mutation",
        "Decrypt",
        {"b": "Base64!", "c": "StringMap"},
        "decrypt(input: {ciphertextBlob: $b, encryptionContext: $c}) { plaintext }",
    ),
    Op.GENERATE_DATA_KEY: _Field(
        "mutation",
        "GenerateDataKey",
        {"k": "String!", "c": "StringMap"},
        "generateDataKey(input: {keyId: $k, keySpec: AES_256, encryptionContext: $c}) "
        "{ ciphertextBlob plaintext }",
    ),
    Op.SIGN: _Field(
        "mutation",
        "Sign",
        {"k": "String!", "m": "Base64!"},
        "sign(input: {keyId: $k, message: $m, messageType: RAW, "
        "signingAlgorithm: ECDSA_SHA_256}) { signature }",
    ),
    Op.DESCRIBE_KEY: _Field(
        "query",
        "DescribeKey",
        {"k": "String!"},
        f"describeKey(input: {{keyId: $k}}) {{ keyMetadata {{ {METADATA_FIELDS} }} }}",
    ),
}


CREATE_KEY = (
    "mutation CreateKey($s: KeySpec!, $u: KeyUsageType!) "
    "{ createKey(input: {keySpec: $s, keyUsage: $u}) { keyMetadata { keyId } } }"
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
    return _document(field, field.name, _definitions(field.variables), field.selection)


def single(op: Op, values: Values) -> str:
    """A request body with one operation."""
    return _body(query(op), _FIELDS[op].name, values.of(op))


def batch(op: Op, values: Values, size: int) -> str:
    """A request body with ``size`` aliased copies of the operation on the same values."""
    field = _FIELDS[op]
    selections = " ".join(f"o{index}: {field.selection}" for index in range(size))
    name = f"{field.name}Batch"
    document = _document(field, name, _definitions(field.variables), selections)
    return _body(document, name, values.of(op))


def spread(op: Op, values: Values, keys: list[str]) -> str:
    """A batch whose aliased operations each name another key (``$k0``, ``$k1``, ...)."""
    field = _FIELDS[op]
    if "k" not in field.variables:
        raise ValueError(f"{op.value} names no key")
    shared = {name: kind for name, kind in field.variables.items() if name != "k"}
    own = {f"k{index}": field.variables["k"] for index in range(len(keys))}
    selections = " ".join(
        f"o{index}: {field.selection.replace('$k', f'$k{index}')}" for index in range(len(keys))
    )
    variables = {name: value for name, value in values.of(op).items() if name != "k"}
    variables.update({f"k{index}": key for index, key in enumerate(keys)})
    name = f"{field.name}Spread{len(keys)}"
    return _body(
        _document(field, name, _definitions({**shared, **own}), selections), name, variables
    )


def _definitions(variables: Mapping[str, str]) -> str:
    return ", ".join(f"${name}: {kind}" for name, kind in variables.items())


def _document(field: _Field, name: str, definitions: str, selections: str) -> str:
    return f"{field.kind} {name}({definitions}) {{ {selections} }}"


def _body(document: str, name: str, variables: Mapping[str, object]) -> str:
    return json.dumps({"query": document, "variables": dict(variables), "operationName": name})
