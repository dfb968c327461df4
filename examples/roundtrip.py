"""A round trip through keygraph, as a service would make it, checked with `cryptography`:

1. encrypt -> decrypt with a symmetric key and an encryption context;
2. sign with an ECC_NIST_P256 key, then verify the signature OFFLINE with the public key from
   getPublicKey (no trust in keygraph needed to check it);
3. encrypt OFFLINE with an RSA key's public key (RSAES_OAEP_SHA_256), decrypt through keygraph.

Usage: python examples/roundtrip.py [URL] [TOKEN_FILE]

The defaults are those of `make run` in the same shell: URL
http://127.0.0.1:${KEYGRAPH_PORT:-8080}/graphql, TOKEN_FILE ${KEYGRAPH_HOME:-.keygraph}/admin-token.
The token must be allowed to create keys and use them (the account's root token is). When the token
file or the server is missing, the script says what it needs in one line and exits with 1.
"""

from __future__ import annotations

import base64
import os
import sys
from pathlib import Path
from typing import Any

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa


class Missing(Exception):
    """Something the round trip needs and does not have; its message says what to do."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def default_url() -> str:
    """Where `keygraph dev` serves in this shell: it binds KEYGRAPH_PORT (8080 if unset)."""
    return f"http://127.0.0.1:{os.environ.get('KEYGRAPH_PORT') or '8080'}/graphql"


def default_token_file() -> Path:
    """The root token `keygraph dev` writes into its home, KEYGRAPH_HOME (./.keygraph if unset)."""
    return Path(os.environ.get("KEYGRAPH_HOME") or ".keygraph") / "admin-token"


def read_token(path: Path) -> str:
    try:
        token = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise Missing(
            f"no token file at {path}: start `make run` (keygraph dev) with this KEYGRAPH_HOME "
            "first, or pass one: python examples/roundtrip.py URL TOKEN_FILE"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise Missing(f"cannot read the token file {path}: {exc}") from None
    if not token:
        raise Missing(f"the token file {path} is empty")
    return token


class KeyGraph:
    def __init__(self, url: str, token: str) -> None:
        self.http = httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30)
        self.url = url

    def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        try:
            response = self.http.post(self.url, json={"query": query, "variables": variables})
        except httpx.TransportError as exc:
            raise Missing(
                f"no keygraph answers at {self.url} ({exc}): start `make run` in another "
                "terminal, with the same KEYGRAPH_PORT, or pass its URL"
            ) from None
        if response.status_code == 401:
            raise Missing(f"keygraph at {self.url} refused the token (401): use a current one")
        try:
            body = response.json()
        except ValueError:
            raise Missing(
                f"what answers at {self.url} is not keygraph (HTTP {response.status_code}, "
                "not JSON): check KEYGRAPH_PORT or the URL"
            ) from None
        if body.get("errors"):
            raise Missing(f"keygraph answered an error: {body['errors'][0]}")
        data: dict[str, Any] = body["data"]
        return data

    def create_key(self, **members: str) -> str:
        data = self("mutation($i: CreateKeyInput) { createKey(input: $i) "
                    "{ keyMetadata { keyId } } }", i=members)  # fmt: skip
        return str(data["createKey"]["keyMetadata"]["keyId"])

    def public_key(self, key_id: str) -> Any:
        data = self("query($k: String!) { getPublicKey(input: {keyId: $k}) { publicKey } }",
                    k=key_id)  # fmt: skip
        return serialization.load_der_public_key(
            base64.b64decode(data["getPublicKey"]["publicKey"])
        )


def check(condition: bool, what: str) -> None:
    """A failed check is a finding about keygraph, said in one line (assert vanishes under -O)."""
    if not condition:
        raise Missing(f"{what}: FAILED")


def roundtrip(kg: KeyGraph) -> None:
    message = b"the quick brown fox"
    context = {"tenant": "acme", "purpose": "roundtrip"}

    symmetric = kg.create_key(description="roundtrip: symmetric")
    blob = kg("mutation($k: String!, $p: Base64!, $c: StringMap) { encrypt(input: "
              "{keyId: $k, plaintext: $p, encryptionContext: $c}) { ciphertextBlob } }",
              k=symmetric, p=b64(message), c=context)["encrypt"]["ciphertextBlob"]  # fmt: skip
    plain = kg("mutation($b: Base64!, $c: StringMap) { decrypt(input: "
               "{ciphertextBlob: $b, encryptionContext: $c}) { plaintext } }",
               b=blob, c=context)["decrypt"]["plaintext"]  # fmt: skip
    check(base64.b64decode(plain) == message, "encrypt -> decrypt")
    print("encrypt -> decrypt: ok")

    signer = kg.create_key(keySpec="ECC_NIST_P256", keyUsage="SIGN_VERIFY")
    signature = kg("mutation($k: String!, $m: Base64!) { sign(input: {keyId: $k, message: $m, "
                   "messageType: RAW, signingAlgorithm: ECDSA_SHA_256}) { signature } }",
                   k=signer, m=b64(message))["sign"]["signature"]  # fmt: skip
    public_key = kg.public_key(signer)
    check(isinstance(public_key, ec.EllipticCurvePublicKey), "getPublicKey of an ECC key")
    try:
        public_key.verify(base64.b64decode(signature), message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise Missing("sign -> verify with cryptography: FAILED") from None
    print("sign -> verify with cryptography: ok")

    decrypter = kg.create_key(keySpec="RSA_2048", keyUsage="ENCRYPT_DECRYPT")
    rsa_public = kg.public_key(decrypter)
    check(isinstance(rsa_public, rsa.RSAPublicKey), "getPublicKey of an RSA key")
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    offline = rsa_public.encrypt(message, oaep)
    plain = kg("mutation($k: String!, $b: Base64!) { decrypt(input: {keyId: $k, "
               "ciphertextBlob: $b, encryptionAlgorithm: RSAES_OAEP_SHA_256}) { plaintext } }",
               k=decrypter, b=b64(offline))["decrypt"]["plaintext"]  # fmt: skip
    check(base64.b64decode(plain) == message, "encrypt with cryptography -> decrypt")
    print("encrypt with cryptography -> decrypt: ok")


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else default_url()
    token_file = Path(sys.argv[2]) if len(sys.argv) > 2 else default_token_file()
    try:
        roundtrip(KeyGraph(url, read_token(token_file)))
    except Missing as exc:
        sys.exit(f"roundtrip.py: {exc}")


if __name__ == "__main__":
    main()
