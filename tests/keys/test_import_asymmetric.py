"""Import into RSA, ECC and HMAC keys over GraphQL: the material is made and wrapped offline with
``cryptography``, as a customer makes it, and what keygraph holds is shown to be exactly that
material by checking its answers offline: getPublicKey equals the offline public key, signatures
verify offline and offline signatures verify here, RSA ciphertexts cross both ways, MACs equal
the offline HMAC, shared secrets equal the offline ECDH.

AWS's rules come from its API reference: CreateKey ("Imported key material": every KMS key type
takes imported material), GetParametersForImport (WrappingAlgorithm: an RSA private key needs an
RSA_AES wrapping algorithm; RSAES_OAEP_* under an RSA_2048 wrapping key cannot carry an
ECC_NIST_P521 key) and ImportKeyMaterial, and from "Step 3: Encrypt the key material" in its
developer guide (asymmetric keys import only the private key, as PKCS#8 DER; AWS derives the
public key).
"""

from __future__ import annotations

import base64
import hmac
import os
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

from api.services import Services
from tests.crypto.asymmetric import call, get_public_key, unb64
from tests.database_dump import database_dump
from tests.graphql_client import GraphQLFailure, gql, gql_failure

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

CREATE = """
mutation($input: CreateKeyInput) {
  createKey(input: $input) { keyMetadata { keyId arn keyState enabled origin keySpec keyUsage } }
}
"""
DESCRIBE = """
query($id: String!) { describeKey(input: {keyId: $id}) { keyMetadata { keyState enabled } } }
"""
PARAMETERS = """
query($id: String!, $algorithm: AlgorithmSpec!, $spec: WrappingKeySpec!) {
  getParametersForImport(input: {keyId: $id, wrappingAlgorithm: $algorithm,
                                 wrappingKeySpec: $spec}) { importToken publicKey }
}
"""
IMPORT = """
mutation($input: ImportKeyMaterialInput!) {
  importKeyMaterial(input: $input) { keyId keyMaterialId keyMetadata { keyState enabled } }
}
"""
DELETE = """
mutation($id: String!) { deleteImportedKeyMaterial(input: {keyId: $id}) { keyId } }
"""

CURVES: dict[str, ec.EllipticCurve] = {
    "ECC_NIST_P256": ec.SECP256R1(),
    "ECC_NIST_P384": ec.SECP384R1(),
    "ECC_NIST_P521": ec.SECP521R1(),
    "ECC_SECG_P256K1": ec.SECP256K1(),
}
EC_SIGNING = {
    "ECC_NIST_P256": ("ECDSA_SHA_256", hashes.SHA256()),
    "ECC_NIST_P384": ("ECDSA_SHA_384", hashes.SHA384()),
    "ECC_NIST_P521": ("ECDSA_SHA_512", hashes.SHA512()),
    "ECC_SECG_P256K1": ("ECDSA_SHA_256", hashes.SHA256()),
}
HMAC_HASHES = {
    "HMAC_224": "sha224",
    "HMAC_256": "sha256",
    "HMAC_384": "sha384",
    "HMAC_512": "sha512",
}
MESSAGE = b"imported keys answer as the keys they are"


def pkcs8(key: PrivateKey) -> bytes:
    """The private key as AWS takes it: PKCS#8 PrivateKeyInfo, DER."""
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def spki(key: PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def wrap(material: bytes, wrapping_public_key: bytes, algorithm: str) -> bytes:
    """What a customer does with the parameters: RSAES_OAEP_* encrypts the material under the
    wrapping key; RSA_AES_KEY_WRAP_* encrypts a fresh AES key so and the material under that key
    with AES key wrap with padding (RFC 5649), concatenated."""
    public = serialization.load_der_public_key(wrapping_public_key)
    assert isinstance(public, rsa.RSAPublicKey)
    sha1 = algorithm.endswith("SHA_1")
    digest: hashes.HashAlgorithm = hashes.SHA1() if sha1 else hashes.SHA256()  # noqa: S303 - AWS's
    oaep = padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)
    if algorithm.startswith("RSA_AES_KEY_WRAP"):
        ephemeral = os.urandom(32)
        return public.encrypt(ephemeral, oaep) + aes_key_wrap_with_padding(ephemeral, material)
    return public.encrypt(material, oaep)


async def external_key(client: httpx.AsyncClient, spec: str, usage: str) -> dict[str, Any]:
    variables = {"input": {"origin": "EXTERNAL", "keySpec": spec, "keyUsage": usage}}
    key: dict[str, Any] = (await gql(client, CREATE, variables))["createKey"]["keyMetadata"]
    return key


async def parameters(
    client: httpx.AsyncClient, key_id: str, algorithm: str, wrapping_key_spec: str
) -> dict[str, Any]:
    variables = {"id": key_id, "algorithm": algorithm, "spec": wrapping_key_spec}
    given: dict[str, Any] = (await gql(client, PARAMETERS, variables))["getParametersForImport"]
    return given


def import_variables(key_id: str, given: dict[str, Any], encrypted: bytes) -> dict[str, Any]:
    return {
        "input": {
            "keyId": key_id,
            "importToken": given["importToken"],
            "encryptedKeyMaterial": base64.b64encode(encrypted).decode("ascii"),
            "expirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
        }
    }


async def import_material(
    client: httpx.AsyncClient,
    key_id: str,
    material: bytes,
    algorithm: str,
    wrapping_key_spec: str = "RSA_2048",
) -> dict[str, Any]:
    given = await parameters(client, key_id, algorithm, wrapping_key_spec)
    encrypted = wrap(material, unb64(given["publicKey"]), algorithm)
    data = await gql(client, IMPORT, import_variables(key_id, given, encrypted))
    result: dict[str, Any] = data["importKeyMaterial"]
    return result


async def sign(client: httpx.AsyncClient, key_id: str, algorithm: str) -> bytes:
    signed = await call(
        client, "sign", "signature", keyId=key_id, message=MESSAGE, signingAlgorithm=algorithm
    )
    return unb64(signed["signature"])


async def verify(client: httpx.AsyncClient, key_id: str, signature: bytes, algorithm: str) -> bool:
    verified = await call(
        client, "verify", "signatureValid", keyId=key_id, message=MESSAGE, signature=signature,
        signingAlgorithm=algorithm,
    )  # fmt: skip
    valid: bool = verified["signatureValid"]
    return valid


@pytest.mark.parametrize(
    ("spec", "usage"),
    [
        ("RSA_2048", "ENCRYPT_DECRYPT"),
        ("RSA_3072", "SIGN_VERIFY"),
        ("RSA_4096", "ENCRYPT_DECRYPT"),
        ("ECC_NIST_P256", "SIGN_VERIFY"),
        ("ECC_NIST_P384", "KEY_AGREEMENT"),
        ("ECC_NIST_P521", "SIGN_VERIFY"),
        ("ECC_SECG_P256K1", "SIGN_VERIFY"),
        ("HMAC_224", "GENERATE_VERIFY_MAC"),
        ("HMAC_512", "GENERATE_VERIFY_MAC"),
    ],
)
async def test_every_kind_of_key_can_wait_for_imported_material(
    client: httpx.AsyncClient, spec: str, usage: str
) -> None:
    # AWS's CreateKey reference: "You can import key material into KMS keys of all supported KMS
    # key types"; a recorded AWS answer to create-key --origin EXTERNAL --key-spec RSA_2048
    # (localstack/localstack issue 10677) is PendingImport and not enabled.
    key = await external_key(client, spec, usage)
    assert (key["keySpec"], key["keyUsage"], key["origin"]) == (spec, usage, "EXTERNAL")
    assert (key["keyState"], key["enabled"]) == ("PendingImport", False)
    # Nothing to sign or show until the material comes (AWS's key state table: PendingImport).
    pending = GraphQLFailure("KMSInvalidStateException", f"{key['arn']} is pending import.")
    if spec.startswith(("RSA", "ECC")):
        document = "query($id: String!) { getPublicKey(input: {keyId: $id}) { publicKey } }"
        assert await gql_failure(client, document, {"id": key["keyId"]}) == pending


async def test_ed25519_keys_take_no_imported_material(client: httpx.AsyncClient) -> None:
    # keygraph's difference (README, "Where keygraph differs from AWS"): an Ed25519 private key
    # is an HSM token object, not material wrapped under the domain key, so none is imported.
    variables = {
        "input": {
            "origin": "EXTERNAL",
            "keySpec": "ECC_NIST_EDWARDS25519",
            "keyUsage": "SIGN_VERIFY",
        }
    }
    assert await gql_failure(client, CREATE, variables) == GraphQLFailure(
        "ValidationException",
        "KeySpec ECC_NIST_EDWARDS25519 is not supported for Origin EXTERNAL.",
    )


@pytest.mark.parametrize(
    ("spec", "algorithm", "wrapping_key_spec"),
    [
        ("ECC_NIST_P256", "RSAES_OAEP_SHA_1", "RSA_2048"),
        ("ECC_NIST_P256", "RSA_AES_KEY_WRAP_SHA_256", "RSA_2048"),
        ("ECC_NIST_P384", "RSAES_OAEP_SHA_256", "RSA_2048"),
        ("ECC_NIST_P384", "RSA_AES_KEY_WRAP_SHA_1", "RSA_3072"),
        ("ECC_NIST_P521", "RSAES_OAEP_SHA_1", "RSA_3072"),
        ("ECC_NIST_P521", "RSA_AES_KEY_WRAP_SHA_256", "RSA_2048"),
        ("ECC_SECG_P256K1", "RSAES_OAEP_SHA_256", "RSA_2048"),
        ("ECC_SECG_P256K1", "RSA_AES_KEY_WRAP_SHA_1", "RSA_2048"),
    ],
)
async def test_an_imported_ec_key_signs_as_the_offline_key(
    client: httpx.AsyncClient, spec: str, algorithm: str, wrapping_key_spec: str
) -> None:
    offline = ec.generate_private_key(CURVES[spec])
    key = await external_key(client, spec, "SIGN_VERIFY")
    imported = await import_material(
        client, key["keyId"], pkcs8(offline), algorithm, wrapping_key_spec
    )
    assert (imported["keyMetadata"]["keyState"], imported["keyMetadata"]["enabled"]) == (
        "Enabled",
        True,
    )
    # AWS derives the public key from the private key ("Step 3: Encrypt the key material").
    assert unb64((await get_public_key(client, key["keyId"]))["publicKey"]) == spki(offline)
    signing, digest = EC_SIGNING[spec]
    signature = await sign(client, key["keyId"], signing)
    offline.public_key().verify(signature, MESSAGE, ec.ECDSA(digest))
    assert await verify(client, key["keyId"], offline.sign(MESSAGE, ec.ECDSA(digest)), signing)


async def test_an_ecc_nist_p256_key_imports_as_aws_answered(client: httpx.AsyncClient) -> None:
    # The flow recorded against AWS in localstack/localstack's tests/aws/services/kms/test_kms.py
    # (test_import_key_asymmetric, marked aws.validated): a P-256 PKCS#8 key wrapped with
    # RSAES_OAEP_SHA_256 under RSA_2048; GetPublicKey then equals cryptography's public key.
    offline = ec.generate_private_key(ec.SECP256R1())
    key = await external_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    await import_material(client, key["keyId"], pkcs8(offline), "RSAES_OAEP_SHA_256")
    assert unb64((await get_public_key(client, key["keyId"]))["publicKey"]) == spki(offline)
    signature = await sign(client, key["keyId"], "ECDSA_SHA_256")
    assert await verify(client, key["keyId"], signature, "ECDSA_SHA_256")


async def test_an_imported_key_agreement_key_derives_the_offline_secret(
    client: httpx.AsyncClient,
) -> None:
    offline = ec.generate_private_key(ec.SECP384R1())
    key = await external_key(client, "ECC_NIST_P384", "KEY_AGREEMENT")
    await import_material(client, key["keyId"], pkcs8(offline), "RSAES_OAEP_SHA_256")
    peer = ec.generate_private_key(ec.SECP384R1())
    derived = await call(
        client, "deriveSharedSecret", "sharedSecret", keyId=key["keyId"],
        keyAgreementAlgorithm="ECDH", publicKey=spki(peer),
    )  # fmt: skip
    assert unb64(derived["sharedSecret"]) == peer.exchange(ec.ECDH(), offline.public_key())


@pytest.mark.parametrize(
    ("spec", "algorithm"),
    [
        ("RSA_2048", "RSA_AES_KEY_WRAP_SHA_256"),
        ("RSA_3072", "RSA_AES_KEY_WRAP_SHA_1"),
        ("RSA_4096", "RSA_AES_KEY_WRAP_SHA_256"),
    ],
)
async def test_an_imported_rsa_key_decrypts_and_encrypts_as_the_offline_key(
    client: httpx.AsyncClient, spec: str, algorithm: str
) -> None:
    offline = rsa.generate_private_key(65537, int(spec.removeprefix("RSA_")))
    key = await external_key(client, spec, "ENCRYPT_DECRYPT")
    await import_material(client, key["keyId"], pkcs8(offline), algorithm)
    assert unb64((await get_public_key(client, key["keyId"]))["publicKey"]) == spki(offline)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    ciphertext = offline.public_key().encrypt(MESSAGE, oaep)
    decrypted = await call(
        client, "decrypt", "plaintext", keyId=key["keyId"], ciphertextBlob=ciphertext,
        encryptionAlgorithm="RSAES_OAEP_SHA_256",
    )  # fmt: skip
    assert unb64(decrypted["plaintext"]) == MESSAGE
    encrypted = await call(
        client, "encrypt", "ciphertextBlob", keyId=key["keyId"], plaintext=MESSAGE,
        encryptionAlgorithm="RSAES_OAEP_SHA_256",
    )  # fmt: skip
    assert offline.decrypt(unb64(encrypted["ciphertextBlob"]), oaep) == MESSAGE


async def test_an_imported_rsa_key_signs_as_the_offline_key(client: httpx.AsyncClient) -> None:
    offline = rsa.generate_private_key(65537, 3072)
    key = await external_key(client, "RSA_3072", "SIGN_VERIFY")
    await import_material(client, key["keyId"], pkcs8(offline), "RSA_AES_KEY_WRAP_SHA_256")
    signature = await sign(client, key["keyId"], "RSASSA_PSS_SHA_384")
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=48)
    offline.public_key().verify(signature, MESSAGE, pss, hashes.SHA384())
    offline_signature = offline.sign(MESSAGE, padding.PKCS1v15(), hashes.SHA256())
    assert await verify(client, key["keyId"], offline_signature, "RSASSA_PKCS1_V1_5_SHA_256")


@pytest.mark.parametrize("spec", list(HMAC_HASHES))
@pytest.mark.parametrize("algorithm", ["RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1"])
async def test_an_imported_hmac_key_computes_the_offline_mac(
    client: httpx.AsyncClient, spec: str, algorithm: str
) -> None:
    material = os.urandom(int(spec.removeprefix("HMAC_")) // 8)
    key = await external_key(client, spec, "GENERATE_VERIFY_MAC")
    await import_material(client, key["keyId"], material, algorithm)
    mac_algorithm = "HMAC_SHA_" + spec.removeprefix("HMAC_")
    offline = hmac.new(material, MESSAGE, HMAC_HASHES[spec]).digest()
    made = await call(
        client, "generateMac", "mac", keyId=key["keyId"], message=MESSAGE,
        macAlgorithm=mac_algorithm,
    )  # fmt: skip
    assert unb64(made["mac"]) == offline
    verified = await call(
        client, "verifyMac", "macValid", keyId=key["keyId"], message=MESSAGE, mac=offline,
        macAlgorithm=mac_algorithm,
    )  # fmt: skip
    assert verified["macValid"] is True


@pytest.mark.parametrize(
    ("spec", "usage", "algorithm", "wrapping_key_spec"),
    [
        ("RSA_2048", "ENCRYPT_DECRYPT", "RSAES_OAEP_SHA_256", "RSA_4096"),
        ("RSA_4096", "SIGN_VERIFY", "RSAES_OAEP_SHA_1", "RSA_2048"),
        ("ECC_NIST_P521", "SIGN_VERIFY", "RSAES_OAEP_SHA_256", "RSA_2048"),
        ("ECC_NIST_P521", "SIGN_VERIFY", "RSAES_OAEP_SHA_1", "RSA_2048"),
    ],
)
async def test_wrappings_that_cannot_carry_the_key_are_refused(
    client: httpx.AsyncClient, spec: str, usage: str, algorithm: str, wrapping_key_spec: str
) -> None:
    # AWS's GetParametersForImport reference, WrappingAlgorithm: "To import an RSA private key,
    # you must use an RSA_AES wrapping algorithm"; "You cannot use the RSAES_OAEP_SHA_* wrapping
    # algorithm with the RSA_2048 wrapping key spec to wrap ECC_NIST_P521 key material." The
    # code is keygraph's choice for a request AWS's reference forbids; the message is keygraph's.
    key = await external_key(client, spec, usage)
    variables = {"id": key["keyId"], "algorithm": algorithm, "spec": wrapping_key_spec}
    refused = await gql_failure(client, PARAMETERS, variables)
    assert refused.code == "ValidationException"
    assert "RSA_AES_KEY_WRAP" in refused.message


async def test_an_ecc_nist_p521_key_fits_other_wrappings(client: httpx.AsyncClient) -> None:
    # The same reference: "Use a larger wrapping key or an RSA_AES_KEY_WRAP_SHA_* wrapping
    # algorithm."
    for algorithm, wrapping_key_spec in (
        ("RSA_AES_KEY_WRAP_SHA_256", "RSA_2048"),
        ("RSAES_OAEP_SHA_256", "RSA_3072"),
    ):
        offline = ec.generate_private_key(ec.SECP521R1())
        key = await external_key(client, "ECC_NIST_P521", "SIGN_VERIFY")
        await import_material(client, key["keyId"], pkcs8(offline), algorithm, wrapping_key_spec)
        assert unb64((await get_public_key(client, key["keyId"]))["publicKey"]) == spki(offline)


def _traditional(key: ec.EllipticCurvePrivateKey) -> bytes:
    """SEC 1 ECPrivateKey DER: a private key, but not the PKCS#8 AWS takes."""
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


@pytest.mark.parametrize(
    ("spec", "usage", "material", "algorithm"),
    [
        (
            "ECC_NIST_P256",
            "SIGN_VERIFY",
            lambda: pkcs8(ec.generate_private_key(ec.SECP384R1())),
            "RSA_AES_KEY_WRAP_SHA_256",
        ),
        (
            "ECC_NIST_P256",
            "SIGN_VERIFY",
            lambda: pkcs8(ec.generate_private_key(ec.SECP256K1())),
            "RSAES_OAEP_SHA_256",
        ),
        (
            "ECC_NIST_P256",
            "SIGN_VERIFY",
            lambda: _traditional(ec.generate_private_key(ec.SECP256R1())),
            "RSAES_OAEP_SHA_1",
        ),
        (
            "RSA_2048",
            "SIGN_VERIFY",
            lambda: pkcs8(rsa.generate_private_key(65537, 3072)),
            "RSA_AES_KEY_WRAP_SHA_1",
        ),
        (
            "RSA_2048",
            "SIGN_VERIFY",
            lambda: pkcs8(ec.generate_private_key(ec.SECP256R1())),
            "RSA_AES_KEY_WRAP_SHA_256",
        ),
        ("HMAC_256", "GENERATE_VERIFY_MAC", lambda: os.urandom(16), "RSAES_OAEP_SHA_256"),
        ("HMAC_384", "GENERATE_VERIFY_MAC", lambda: os.urandom(64), "RSA_AES_KEY_WRAP_SHA_256"),
    ],
    ids=[
        "p384-into-p256",
        "secp256k1-into-p256",
        "sec1-not-pkcs8",
        "rsa3072-into-rsa2048",
        "ec-into-rsa",
        "hmac-too-short",
        "hmac-too-long",
    ],
)
async def test_material_that_is_not_a_key_of_the_spec_is_incorrect(
    client: httpx.AsyncClient, spec: str, usage: str, material: Any, algorithm: str
) -> None:
    # AWS's ImportKeyMaterial reference: IncorrectKeyMaterialException when the key material "is
    # ... invalid, or does not meet expectations"; InvalidCiphertextException is for material KMS
    # "could not decrypt". The message is keygraph's.
    key = await external_key(client, spec, usage)
    given = await parameters(client, key["keyId"], algorithm, "RSA_2048")
    encrypted = wrap(material(), unb64(given["publicKey"]), algorithm)
    variables = import_variables(key["keyId"], given, encrypted)
    assert await gql_failure(client, IMPORT, variables) == GraphQLFailure(
        "IncorrectKeyMaterialException",
        f"The key material in the request is not {spec} key material.",
    )
    described = (await gql(client, DESCRIBE, {"id": key["keyId"]}))["describeKey"]["keyMetadata"]
    assert described == {"keyState": "PendingImport", "enabled": False}


async def test_material_wrapped_for_another_import_key_does_not_decrypt(
    client: httpx.AsyncClient,
) -> None:
    # AWS's ImportKeyMaterial reference: InvalidCiphertextException when KMS "could not decrypt
    # the encrypted (wrapped) key material". The token is spent only by a successful import.
    offline = ec.generate_private_key(ec.SECP256R1())
    key = await external_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    given = await parameters(client, key["keyId"], "RSAES_OAEP_SHA_256", "RSA_2048")
    other = await parameters(client, key["keyId"], "RSAES_OAEP_SHA_256", "RSA_2048")
    encrypted = wrap(pkcs8(offline), unb64(other["publicKey"]), "RSAES_OAEP_SHA_256")
    variables = import_variables(key["keyId"], given, encrypted)
    assert await gql_failure(client, IMPORT, variables) == GraphQLFailure(
        "InvalidCiphertextException", ""
    )
    encrypted = wrap(pkcs8(offline), unb64(given["publicKey"]), "RSAES_OAEP_SHA_256")
    await gql(client, IMPORT, import_variables(key["keyId"], given, encrypted))
    assert unb64((await get_public_key(client, key["keyId"]))["publicKey"]) == spki(offline)


async def test_deleted_asymmetric_material_comes_back_only_as_itself(
    client: httpx.AsyncClient,
) -> None:
    # AWS's ImportKeyMaterial reference: "For asymmetric and HMAC keys, you cannot change the key
    # material after the initial import"; reimporting the same material restores the key.
    offline = ec.generate_private_key(ec.SECP256R1())
    key = await external_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    first = await import_material(client, key["keyId"], pkcs8(offline), "RSAES_OAEP_SHA_256")
    await gql(client, DELETE, {"id": key["keyId"]})
    with pytest.raises(GraphQLFailure) as pending:
        await sign(client, key["keyId"], "ECDSA_SHA_256")
    assert pending.value == GraphQLFailure(
        "KMSInvalidStateException", f"{key['arn']} is pending import."
    )
    another = pkcs8(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(GraphQLFailure) as refused:
        await import_material(client, key["keyId"], another, "RSAES_OAEP_SHA_256")
    assert refused.value.code == "IncorrectKeyMaterialException"
    again = await import_material(client, key["keyId"], pkcs8(offline), "RSA_AES_KEY_WRAP_SHA_1")
    assert again["keyMaterialId"] == first["keyMaterialId"]
    assert unb64((await get_public_key(client, key["keyId"]))["publicKey"]) == spki(offline)
    signature = await sign(client, key["keyId"], "ECDSA_SHA_256")
    offline.public_key().verify(signature, MESSAGE, ec.ECDSA(hashes.SHA256()))


async def test_the_private_key_stays_out_of_the_database(
    client: httpx.AsyncClient, services: Services
) -> None:
    offline = ec.generate_private_key(ec.SECP256R1())
    rsa_offline = rsa.generate_private_key(65537, 2048)
    ec_key = await external_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    rsa_key = await external_key(client, "RSA_2048", "SIGN_VERIFY")
    await import_material(client, ec_key["keyId"], pkcs8(offline), "RSAES_OAEP_SHA_256")
    await import_material(client, rsa_key["keyId"], pkcs8(rsa_offline), "RSA_AES_KEY_WRAP_SHA_256")
    dump = await database_dump(services.pool)
    scalar = offline.private_numbers().private_value.to_bytes(32, "big")
    prime = rsa_offline.private_numbers().p
    prime_bytes = prime.to_bytes((prime.bit_length() + 7) // 8, "big")
    for secret in (pkcs8(offline), scalar, pkcs8(rsa_offline), prime_bytes):
        assert secret not in dump
