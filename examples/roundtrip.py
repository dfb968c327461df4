"""A round trip through keygraph, as a service would make it, checked with `cryptography`:

1. encrypt -> decrypt with a symmetric key and an encryption context;
2. sign with an ECC_NIST_P256 key, then verify the signature OFFLINE with the public key from
   getPublicKey (no trust in keygraph needed to check it);
3. encrypt OFFLINE with an RSA key's public key (RSAES_OAEP_SHA_256), decrypt through keygraph.

Usage: python examples/roundtrip.py [URL] [TOKEN_FILE]
(defaults: http://127.0.0.1:8080/graphql and .keygraph/admin-token)
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class KeyGraph:
    def __init__(self, url: str, token: str) -> None:
        self.http = httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30)
        self.url = url

    def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        body = self.http.post(self.url, json={"query": query, "variables": variables}).json()
        if body.get("errors"):
            raise SystemExit(f"keygraph: {body['errors'][0]}")
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


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080/graphql"
    token_file = Path(sys.argv[2] if len(sys.argv) > 2 else ".keygraph/admin-token")
    kg = KeyGraph(url, token_file.read_text().strip())
    message = b"the quick brown fox"
    context = {"tenant": "acme", "purpose": "roundtrip"}

    symmetric = kg.create_key(description="roundtrip: symmetric")
    blob = kg("mutation($k: String!, $p: Base64!, $c: StringMap) { encrypt(input: "
              "{keyId: $k, plaintext: $p, encryptionContext: $c}) { ciphertextBlob } }",
              k=symmetric, p=b64(message), c=context)["encrypt"]["ciphertextBlob"]  # fmt: skip
    plain = kg("mutation($b: Base64!, $c: StringMap) { decrypt(input: "
               "{ciphertextBlob: $b, encryptionContext: $c}) { plaintext } }",
               b=blob, c=context)["decrypt"]["plaintext"]  # fmt: skip
    assert base64.b64decode(plain) == message
    print("encrypt -> decrypt: ok")

    signer = kg.create_key(keySpec="ECC_NIST_P256", keyUsage="SIGN_VERIFY")
    signature = kg("mutation($k: String!, $m: Base64!) { sign(input: {keyId: $k, message: $m, "
                   "messageType: RAW, signingAlgorithm: ECDSA_SHA_256}) { signature } }",
                   k=signer, m=b64(message))["sign"]["signature"]  # fmt: skip
    public_key = kg.public_key(signer)
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    public_key.verify(base64.b64decode(signature), message, ec.ECDSA(hashes.SHA256()))
    print("sign -> verify with cryptography: ok")

    decrypter = kg.create_key(keySpec="RSA_2048", keyUsage="ENCRYPT_DECRYPT")
    rsa_public = kg.public_key(decrypter)
    assert isinstance(rsa_public, rsa.RSAPublicKey)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    offline = rsa_public.encrypt(message, oaep)
    plain = kg("mutation($k: String!, $b: Base64!) { decrypt(input: {keyId: $k, "
               "ciphertextBlob: $b, encryptionAlgorithm: RSAES_OAEP_SHA_256}) { plaintext } }",
               k=decrypter, b=b64(offline))["decrypt"]["plaintext"]  # fmt: skip
    assert base64.b64decode(plain) == message
    print("encrypt with cryptography -> decrypt: ok")


if __name__ == "__main__":
    main()
