"""The requests of the rows that speak AWS's JSON 1.1 protocol (moto_server and keygraph's AWS
door): one body per operation, the same payload as every other row, and the headers that name
the operation (``X-Amz-Target: TrentService.<Action>``). How a request is authenticated is each
row's own business: moto checks no signature, keygraph's door checks SigV4 or a bearer token.
"""

from __future__ import annotations

import json

from bench.documents import Values
from bench.model import Op

CONTENT_TYPE = "application/x-amz-json-1.1"
TARGET_PREFIX = "TrentService"
ACTIONS = {
    Op.ENCRYPT: "Encrypt",
    Op.DECRYPT: "Decrypt",
    Op.GENERATE_DATA_KEY: "GenerateDataKey",
    Op.SIGN: "Sign",
    Op.DESCRIBE_KEY: "DescribeKey",
}


def action_headers(action: str) -> dict[str, str]:
    """The headers that make a ``POST /`` the call of ``action`` (``Encrypt``, ``CreateKey``)."""
    return {"Content-Type": CONTENT_TYPE, "X-Amz-Target": f"{TARGET_PREFIX}.{action}"}


def bodies(values: Values) -> dict[Op, str]:
    """Each operation's request body, with the members the GraphQL rows send as variables."""
    return {
        Op.ENCRYPT: json.dumps(
            {
                "KeyId": values.aes_key,
                "Plaintext": values.plaintext,
                "EncryptionContext": dict(values.context),
            }
        ),
        Op.DECRYPT: json.dumps(
            {"CiphertextBlob": values.ciphertext, "EncryptionContext": dict(values.context)}
        ),
        Op.GENERATE_DATA_KEY: json.dumps(
            {
                "KeyId": values.aes_key,
                "KeySpec": "AES_256",
                "EncryptionContext": dict(values.context),
            }
        ),
        Op.SIGN: json.dumps(
            {
                "KeyId": values.p256_key,
                "Message": values.plaintext,
                "MessageType": "RAW",
                "SigningAlgorithm": "ECDSA_SHA_256",
            }
        ),
        Op.DESCRIBE_KEY: json.dumps({"KeyId": values.aes_key}),
    }
