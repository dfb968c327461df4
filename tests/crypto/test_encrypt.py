"""encrypt, decrypt and reEncrypt over GraphQL: symmetric keys with encryption context, RSA keys
checked offline with ``cryptography`` on getPublicKey's key, key states, usages, validation, dry
runs, custom key stores, and the cost of one Encrypt."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from api.services import Services
from hsm import HsmConfig
from tests.aws_messages import validation_message
from tests.crypto.asymmetric import (
    b64,
    call,
    create_alias,
    create_key,
    disable,
    public_key,
    schedule_deletion,
    unb64,
)
from tests.crypto.encryption import (
    ENCRYPTED,
    INVALID_CIPHERTEXT,
    count_hsm_calls,
    decrypt,
    encrypt,
    failure,
    re_encrypt,
)
from tests.graphql_client import GraphQLFailure, gql

CONTEXT = {"tenant": "acme", "purpose": "invoices"}
SECRET = b"the launch code is 0000"
DRY_RUN = GraphQLFailure(
    "DryRunOperationException", "The request would have succeeded, but the DryRun option is set."
)
RSA_LIMITS = {
    ("RSA_2048", "RSAES_OAEP_SHA_1"): 214,
    ("RSA_2048", "RSAES_OAEP_SHA_256"): 190,
    ("RSA_3072", "RSAES_OAEP_SHA_1"): 342,
    ("RSA_3072", "RSAES_OAEP_SHA_256"): 318,
    ("RSA_4096", "RSAES_OAEP_SHA_1"): 470,
    ("RSA_4096", "RSAES_OAEP_SHA_256"): 446,
}
OAEP_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "RSAES_OAEP_SHA_1": hashes.SHA1,
    "RSAES_OAEP_SHA_256": hashes.SHA256,
}


def validation(member: str, constraint: str, value: object = None) -> GraphQLFailure:
    return GraphQLFailure("ValidationException", validation_message(member, constraint, value))


def heap_buffer(size: int) -> str:
    """How AWS's validation shows a blob of ``size`` bytes."""
    return f"java.nio.HeapByteBuffer[pos=0 lim={size} cap={size}]"


def oaep(algorithm: str) -> padding.OAEP:
    chosen = OAEP_HASHES[algorithm]()
    return padding.OAEP(mgf=padding.MGF1(chosen), algorithm=chosen, label=None)


async def symmetric_key(client: httpx.AsyncClient) -> dict[str, str]:
    return await create_key(client, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")


async def current_material(client: httpx.AsyncClient, key_id: str) -> str:
    data = await gql(
        client,
        "query($id: String!) { describeKey(input: {keyId: $id}) "
        "{ keyMetadata { currentKeyMaterialId } } }",
        {"id": key_id},
    )
    material: str = data["describeKey"]["keyMetadata"]["currentKeyMaterialId"]
    return material


# --- symmetric keys ----------------------------------------------------------------------------


async def test_symmetric_round_trip_with_context(client: httpx.AsyncClient) -> None:
    key = await symmetric_key(client)
    encrypted = await call(
        client,
        "encrypt",
        ENCRYPTED,
        keyId=key["keyId"],
        plaintext=SECRET,
        encryptionContext=CONTEXT,
    )
    assert encrypted["keyId"] == key["arn"]
    assert encrypted["encryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    blob = encrypted["ciphertextBlob"]
    assert SECRET not in unb64(blob)

    # No keyId needed: the blob names its key. The context's order does not matter.
    reordered = dict(reversed(list(CONTEXT.items())))
    decrypted = await call(
        client,
        "decrypt",
        "keyId plaintext encryptionAlgorithm keyMaterialId",
        ciphertextBlob=blob,
        encryptionContext=reordered,
    )
    assert decrypted == {
        "keyId": key["arn"],
        "plaintext": b64(SECRET),
        "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "keyMaterialId": await current_material(client, key["keyId"]),
    }


async def test_each_encryption_is_fresh(client: httpx.AsyncClient) -> None:
    key = await symmetric_key(client)
    first = await encrypt(client, key["keyId"], SECRET)
    second = await encrypt(client, key["keyId"], SECRET)
    assert first != second
    for blob in (first, second):
        assert (await decrypt(client, blob))["plaintext"] == SECRET


async def test_every_key_id_form_works_and_decrypt_answers_with_the_arn(
    client: httpx.AsyncClient,
) -> None:
    key = await symmetric_key(client)
    await create_alias(client, "alias/payments", key["keyId"])
    alias_arn = "arn:aws:kms:us-east-1:111122223333:alias/payments"
    for form in (key["keyId"], key["arn"], "alias/payments", alias_arn):
        blob = await encrypt(client, form, SECRET)
        decrypted = await decrypt(client, blob, keyId=form)
        assert (decrypted["keyId"], decrypted["plaintext"]) == (key["arn"], SECRET)


async def test_decrypt_with_another_key_id_is_incorrect_key(client: httpx.AsyncClient) -> None:
    key, other = await symmetric_key(client), await symmetric_key(client)
    blob = await encrypt(client, key["keyId"], SECRET)
    assert await failure(decrypt(client, blob, keyId=other["keyId"])) == GraphQLFailure(
        "IncorrectKeyException",
        "The key ID in the request does not identify a CMK that can perform this operation.",
    )


async def test_wrong_or_missing_context_is_invalid_ciphertext(client: httpx.AsyncClient) -> None:
    key = await symmetric_key(client)
    blob = await encrypt(client, key["keyId"], SECRET, encryptionContext=CONTEXT)
    for wrong in (
        None,
        {},
        {"tenant": "acme"},
        {**CONTEXT, "extra": ""},
        {**CONTEXT, "tenant": "acme2"},
        {"tenant": "acmepurpose", "": "invoices"},
    ):
        members = {} if wrong is None else {"encryptionContext": wrong}
        assert await failure(decrypt(client, blob, **members)) == INVALID_CIPHERTEXT
    plain = await encrypt(client, key["keyId"], SECRET)
    assert await failure(decrypt(client, plain, encryptionContext=CONTEXT)) == INVALID_CIPHERTEXT
    # An empty context is no context, as in AWS.
    assert (await decrypt(client, plain, encryptionContext={}))["plaintext"] == SECRET


async def test_a_custom_key_store_key_encrypts_in_its_token(
    client: httpx.AsyncClient, services: Services, key_store_config: HsmConfig
) -> None:
    store = await gql(
        client,
        "mutation($input: CreateCustomKeyStoreInput!) "
        "{ createCustomKeyStore(input: $input) { customKeyStoreId } }",
        {
            "input": {
                "customKeyStoreName": "crypto-hsm",
                "pkcs11ModulePath": key_store_config.module_path,
                "tokenLabel": key_store_config.token_label,
                "keyStorePassword": key_store_config.pin,
            }
        },
    )
    store_id = store["createCustomKeyStore"]["customKeyStoreId"]
    try:
        await gql(
            client,
            "mutation($id: String!) { connectCustomKeyStore(input: {customKeyStoreId: $id}) "
            "{ customKeyStore { connectionState } } }",
            {"id": store_id},
        )
        created = await gql(
            client,
            "mutation($input: CreateKeyInput) { createKey(input: $input) "
            "{ keyMetadata { keyId arn } } }",
            {"input": {"origin": "AWS_CLOUDHSM", "customKeyStoreId": store_id}},
        )
        key = created["createKey"]["keyMetadata"]
        blob = await encrypt(client, key["keyId"], SECRET, encryptionContext=CONTEXT)
        decrypted = await decrypt(client, blob, encryptionContext=CONTEXT)
        assert decrypted == {
            "keyId": key["arn"],
            "plaintext": SECRET,
            "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            "keyMaterialId": None,
        }
        assert await failure(decrypt(client, blob)) == INVALID_CIPHERTEXT
        # While its store is disconnected the key is Unavailable.
        await gql(
            client,
            "mutation($id: String!) { disconnectCustomKeyStore(input: {customKeyStoreId: $id}) "
            "{ customKeyStore { connectionState } } }",
            {"id": store_id},
        )
        unavailable = GraphQLFailure("KMSInvalidStateException", f"{key['arn']} is unavailable.")
        assert await failure(encrypt(client, key["keyId"], SECRET)) == unavailable
        assert await failure(decrypt(client, blob, encryptionContext=CONTEXT)) == unavailable
    finally:
        await services.key_stores.aclose()


# --- RSA keys ----------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["RSA_2048", "RSA_3072", "RSA_4096"])
async def test_rsa_offline_ciphertext_decrypts_and_limits_hold(
    client: httpx.AsyncClient, spec: str
) -> None:
    key = await create_key(client, spec, "ENCRYPT_DECRYPT")
    public = await public_key(client, key["keyId"])
    assert isinstance(public, rsa.RSAPublicKey)
    for algorithm in OAEP_HASHES:
        largest = RSA_LIMITS[(spec, algorithm)]
        for plaintext in (b"x", b"\x5a" * largest):
            offline = public.encrypt(plaintext, oaep(algorithm))
            decrypted = await decrypt(
                client, offline, keyId=key["keyId"], encryptionAlgorithm=algorithm
            )
            assert decrypted == {
                "keyId": key["arn"],
                "plaintext": plaintext,
                "encryptionAlgorithm": algorithm,
                "keyMaterialId": None,
            }
        # keygraph's own RSA ciphertext is a plain OAEP block of the modulus size.
        blob = await encrypt(client, key["keyId"], SECRET, encryptionAlgorithm=algorithm)
        assert len(blob) == public.key_size // 8
        again = await decrypt(client, blob, keyId=key["arn"], encryptionAlgorithm=algorithm)
        assert again["plaintext"] == SECRET

        too_large = b"\x5a" * (largest + 1)
        error = await failure(
            encrypt(client, key["keyId"], too_large, encryptionAlgorithm=algorithm)
        )
        assert error == GraphQLFailure(
            "ValidationException",
            f"Algorithm {algorithm} and key spec {spec} cannot encrypt data larger than "
            f"{largest} bytes.",
        )


async def test_rsa_refusals(client: httpx.AsyncClient) -> None:
    key = await create_key(client, "RSA_2048", "ENCRYPT_DECRYPT")
    symmetric = await symmetric_key(client)
    public = await public_key(client, key["keyId"])
    assert isinstance(public, rsa.RSAPublicKey)
    offline = public.encrypt(SECRET, oaep("RSAES_OAEP_SHA_256"))

    # The algorithm defaults to SYMMETRIC_DEFAULT, which an RSA key does not do, and back.
    incompatible = await failure(encrypt(client, key["keyId"], SECRET))
    assert incompatible == GraphQLFailure(
        "InvalidKeyUsageException",
        "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.",
    )
    assert await failure(
        encrypt(client, symmetric["keyId"], SECRET, encryptionAlgorithm="RSAES_OAEP_SHA_1")
    ) == GraphQLFailure(
        "InvalidKeyUsageException",
        "Algorithm RSAES_OAEP_SHA_1 is incompatible with key spec SYMMETRIC_DEFAULT.",
    )
    # An asymmetric key takes no encryption context, in either direction.
    no_context = GraphQLFailure(
        "ValidationException",
        "EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs.",
    )
    encrypting = encrypt(
        client,
        key["keyId"],
        SECRET,
        encryptionAlgorithm="RSAES_OAEP_SHA_256",
        encryptionContext=CONTEXT,
    )
    assert await failure(encrypting) == no_context
    decrypting = decrypt(
        client,
        offline,
        keyId=key["keyId"],
        encryptionAlgorithm="RSAES_OAEP_SHA_256",
        encryptionContext=CONTEXT,
    )
    assert await failure(decrypting) == no_context
    # Without a key id an RSA ciphertext names no key; with the wrong algorithm or damage it
    # does not decrypt; all the same error.
    assert await failure(decrypt(client, offline)) == INVALID_CIPHERTEXT
    for blob, algorithm in (
        (offline, "RSAES_OAEP_SHA_1"),
        (bytes([offline[0] ^ 1]) + offline[1:], "RSAES_OAEP_SHA_256"),
        (offline[:-1], "RSAES_OAEP_SHA_256"),
        (offline + b"\0", "RSAES_OAEP_SHA_256"),
    ):
        error = await failure(
            decrypt(client, blob, keyId=key["keyId"], encryptionAlgorithm=algorithm)
        )
        assert error == INVALID_CIPHERTEXT


# --- reEncrypt ---------------------------------------------------------------------------------


async def test_re_encrypt_between_symmetric_and_rsa_keys(client: httpx.AsyncClient) -> None:
    first, second = await symmetric_key(client), await symmetric_key(client)
    rsa_key = await create_key(client, "RSA_3072", "ENCRYPT_DECRYPT")
    blob = await encrypt(client, first["keyId"], SECRET, encryptionContext=CONTEXT)

    # symmetric -> symmetric, new context; sourceKeyId is optional for a symmetric source.
    moved = await re_encrypt(
        client,
        blob,
        second["keyId"],
        sourceEncryptionContext=CONTEXT,
        destinationEncryptionContext={"stage": "two"},
    )
    assert moved["sourceKeyId"] == first["arn"] and moved["keyId"] == second["arn"]
    assert moved["sourceEncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert moved["destinationEncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert moved["sourceKeyMaterialId"] == await current_material(client, first["keyId"])
    assert moved["destinationKeyMaterialId"] == await current_material(client, second["keyId"])
    decrypted = await decrypt(client, moved["ciphertextBlob"], encryptionContext={"stage": "two"})
    assert (decrypted["keyId"], decrypted["plaintext"]) == (second["arn"], SECRET)

    # symmetric -> RSA: the result is RSA-OAEP that the private key (in keygraph) opens.
    to_rsa = await re_encrypt(
        client,
        moved["ciphertextBlob"],
        rsa_key["arn"],
        sourceKeyId=second["keyId"],
        sourceEncryptionContext={"stage": "two"},
        destinationEncryptionAlgorithm="RSAES_OAEP_SHA_256",
    )
    assert to_rsa["keyId"] == rsa_key["arn"]
    assert to_rsa["destinationEncryptionAlgorithm"] == "RSAES_OAEP_SHA_256"
    assert to_rsa["destinationKeyMaterialId"] is None
    rsa_plain = await decrypt(
        client,
        to_rsa["ciphertextBlob"],
        keyId=rsa_key["keyId"],
        encryptionAlgorithm="RSAES_OAEP_SHA_256",
    )
    assert rsa_plain["plaintext"] == SECRET

    # RSA -> symmetric: an RSA source needs its key id and algorithm.
    back = await re_encrypt(
        client,
        to_rsa["ciphertextBlob"],
        first["keyId"],
        sourceKeyId=rsa_key["keyId"],
        sourceEncryptionAlgorithm="RSAES_OAEP_SHA_256",
        destinationEncryptionContext=CONTEXT,
    )
    assert back["sourceKeyId"] == rsa_key["arn"] and back["sourceKeyMaterialId"] is None
    assert back["sourceEncryptionAlgorithm"] == "RSAES_OAEP_SHA_256"
    final = await decrypt(client, back["ciphertextBlob"], encryptionContext=CONTEXT)
    assert (final["keyId"], final["plaintext"]) == (first["arn"], SECRET)


async def test_re_encrypt_refusals(client: httpx.AsyncClient) -> None:
    source, destination = await symmetric_key(client), await symmetric_key(client)
    small_rsa = await create_key(client, "RSA_2048", "ENCRYPT_DECRYPT")
    signing = await create_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    blob = await encrypt(client, source["keyId"], SECRET, encryptionContext=CONTEXT)

    wrong_context = re_encrypt(client, blob, destination["keyId"])
    assert await failure(wrong_context) == INVALID_CIPHERTEXT
    mismatched = re_encrypt(
        client,
        blob,
        destination["keyId"],
        sourceKeyId=destination["keyId"],
        sourceEncryptionContext=CONTEXT,
    )
    assert (await failure(mismatched)).code == "IncorrectKeyException"
    assert await failure(
        re_encrypt(client, blob, signing["keyId"], sourceEncryptionContext=CONTEXT)
    ) == GraphQLFailure(
        "InvalidKeyUsageException",
        f"{signing['arn']} key usage is SIGN_VERIFY which is not valid for ReEncryptTo.",
    )
    # What the destination cannot hold is refused before anything is encrypted.
    big = await encrypt(client, source["keyId"], b"\1" * 191)
    assert await failure(
        re_encrypt(
            client, big, small_rsa["keyId"], destinationEncryptionAlgorithm="RSAES_OAEP_SHA_256"
        )
    ) == GraphQLFailure(
        "ValidationException",
        "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than "
        "190 bytes.",
    )
    await disable(client, destination["keyId"])
    assert await failure(
        re_encrypt(client, blob, destination["keyId"], sourceEncryptionContext=CONTEXT)
    ) == GraphQLFailure("DisabledException", f"{destination['arn']} is disabled.")
    await disable(client, source["keyId"])
    assert await failure(
        re_encrypt(client, blob, small_rsa["keyId"], sourceEncryptionContext=CONTEXT)
    ) == GraphQLFailure("DisabledException", f"{source['arn']} is disabled.")


# --- key state, usage, dry run -----------------------------------------------------------------


async def test_key_states_and_usages(client: httpx.AsyncClient) -> None:
    key = await symmetric_key(client)
    blob = await encrypt(client, key["keyId"], SECRET)
    for spec, usage in (("RSA_2048", "SIGN_VERIFY"), ("HMAC_256", "GENERATE_VERIFY_MAC")):
        other = await create_key(client, spec, usage)
        assert await failure(encrypt(client, other["keyId"], SECRET)) == GraphQLFailure(
            "InvalidKeyUsageException",
            f"{other['arn']} key usage is {usage} which is not valid for Encrypt.",
        )
    await disable(client, key["keyId"])
    disabled = GraphQLFailure("DisabledException", f"{key['arn']} is disabled.")
    assert await failure(encrypt(client, key["keyId"], SECRET)) == disabled
    assert await failure(decrypt(client, blob)) == disabled
    # A dry run makes every check first.
    assert await failure(encrypt(client, key["keyId"], SECRET, dryRun=True)) == disabled

    pending = await symmetric_key(client)
    pending_blob = await encrypt(client, pending["keyId"], SECRET)
    await schedule_deletion(client, pending["keyId"])
    pending_deletion = GraphQLFailure(
        "KMSInvalidStateException", f"{pending['arn']} is pending deletion."
    )
    assert await failure(encrypt(client, pending["keyId"], SECRET)) == pending_deletion
    assert await failure(decrypt(client, pending_blob)) == pending_deletion

    created = await gql(
        client,
        "mutation { createKey(input: {origin: EXTERNAL}) { keyMetadata { keyId arn } } }",
    )
    external = created["createKey"]["keyMetadata"]
    assert await failure(encrypt(client, external["keyId"], SECRET)) == GraphQLFailure(
        "KMSInvalidStateException", f"{external['arn']} is pending import."
    )


async def test_dry_run_stops_before_the_hsm(client: httpx.AsyncClient) -> None:
    key, other = await symmetric_key(client), await symmetric_key(client)
    blob = await encrypt(client, key["keyId"], SECRET)
    assert await failure(encrypt(client, key["keyId"], SECRET, dryRun=True)) == DRY_RUN
    assert await failure(decrypt(client, blob, dryRun=True)) == DRY_RUN
    assert await failure(re_encrypt(client, blob, other["keyId"], dryRun=True)) == DRY_RUN
    # A dry run of a call that would fail fails as the call would, as far as that shows
    # before the HSM: a blob too short to be one, a key id that does not match.
    assert await failure(decrypt(client, blob[:40], dryRun=True)) == INVALID_CIPHERTEXT
    assert (await failure(decrypt(client, blob, keyId=other["keyId"], dryRun=True))).code == (
        "IncorrectKeyException"
    )
    # dryRun false is an ordinary call.
    assert (await decrypt(client, blob, dryRun=False))["plaintext"] == SECRET


# --- validation --------------------------------------------------------------------------------


async def test_members_are_validated_before_the_key(client: httpx.AsyncClient) -> None:
    key = await symmetric_key(client)
    missing = "1234abcd-12ab-34cd-56ef-1234567890ab"
    assert await failure(encrypt(client, missing, b"")) == validation(
        "plaintext", "have length greater than or equal to 1"
    )
    assert await failure(encrypt(client, missing, b"\0" * 4097)) == validation(
        "plaintext", "have length less than or equal to 4096"
    )
    largest = await encrypt(client, key["keyId"], b"\7" * 4096)
    assert (await decrypt(client, largest))["plaintext"] == b"\7" * 4096
    assert await failure(decrypt(client, b"")) == validation(
        "ciphertextBlob", "have length greater than or equal to 1", heap_buffer(0)
    )
    assert await failure(decrypt(client, b"\0" * 6145)) == validation(
        "ciphertextBlob", "have length less than or equal to 6144", heap_buffer(6145)
    )
    assert await failure(re_encrypt(client, b"\0" * 6145, key["keyId"])) == validation(
        "ciphertextBlob", "have length less than or equal to 6144", heap_buffer(6145)
    )
    # Ten grant tokens are accepted (for the authorization layer), eleven are not.
    blob = await encrypt(client, key["keyId"], SECRET, grantTokens=["token"] * 10)
    assert (await decrypt(client, blob, grantTokens=["token"] * 10))["plaintext"] == SECRET
    too_many = await failure(encrypt(client, key["keyId"], SECRET, grantTokens=["t"] * 11))
    assert too_many == validation(
        "grantTokens", "have length less than or equal to 10", f"[{', '.join(['t'] * 11)}]"
    )
    empty_token = await failure(decrypt(client, blob, grantTokens=[""]))
    assert (empty_token.code, "'grantTokens'" in empty_token.message) == (
        "ValidationException",
        True,
    )
    big_context = {"k": "v" * 8192}
    assert await failure(
        encrypt(client, key["keyId"], SECRET, encryptionContext=big_context)
    ) == validation("encryptionContext", "encode to at most 8192 bytes (keys and values)")
    assert await failure(
        re_encrypt(client, blob, key["keyId"], destinationEncryptionContext=big_context)
    ) == validation(
        "destinationEncryptionContext", "encode to at most 8192 bytes (keys and values)"
    )


ENCRYPT_DOCUMENT = "mutation($input: EncryptInput!) { encrypt(input: $input) { ciphertextBlob } }"


async def test_malformed_members_name_the_field(client: httpx.AsyncClient) -> None:
    key = await symmetric_key(client)
    for members, field in (
        ({"plaintext": "not base64!"}, "plaintext"),
        ({"plaintext": b64(SECRET), "encryptionContext": ["a", "b"]}, "encryptionContext"),
        ({"plaintext": b64(SECRET), "encryptionContext": {"k": 1}}, "encryptionContext"),
        ({"plaintext": b64(SECRET), "encryptionAlgorithm": "AES_GCM"}, "encryptionAlgorithm"),
    ):
        variables = {"input": {"keyId": key["keyId"], **members}}
        error = await failure(gql(client, ENCRYPT_DOCUMENT, variables))
        assert error.code == "ValidationException", members
        assert field in error.message, error.message


async def test_a_context_without_a_utf8_form_is_refused(client: httpx.AsyncClient) -> None:
    key = await symmetric_key(client)
    # A lone surrogate is valid JSON (as an escape) but has no UTF-8 encoding.
    variables = {
        "input": {
            "keyId": key["keyId"],
            "plaintext": b64(SECRET),
            "encryptionContext": {"k": "\ud800"},
        }
    }
    body = json.dumps({"query": ENCRYPT_DOCUMENT, "variables": variables})
    response = await client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    (error,) = response.json()["errors"]
    # The GraphQL door refuses a body holding a lone surrogate before reading its members.
    assert error["extensions"]["code"] == "ValidationException"
    assert "lone UTF-16 surrogate" in error["message"]


async def test_a_malformed_plaintext_is_never_echoed(client: httpx.AsyncClient) -> None:
    key = await symmetric_key(client)
    secret = "TOPSECRETVALUE!!"
    variables = {"input": {"keyId": key["keyId"], "plaintext": secret}}
    literal = f'mutation {{ encrypt(input: {{keyId: "k", plaintext: "{secret}"}}) {{ keyId }} }}'
    for error in (
        await failure(gql(client, ENCRYPT_DOCUMENT, variables)),
        await failure(gql(client, literal)),
    ):
        assert error.code == "ValidationException"
        assert "TOPSECRET" not in error.message, error.message


# --- the hot path ------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def writes_refused(services: Services) -> AsyncIterator[None]:
    """While inside, every table refuses INSERT, UPDATE and DELETE, so any write fails the call."""
    async with services.pool.acquire() as conn:
        await conn.execute(
            "CREATE FUNCTION refuse_write() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'write to % on the hot path', TG_TABLE_NAME; END $$"
        )
        for row in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"):
            await conn.execute(
                f'CREATE TRIGGER refuse_write BEFORE INSERT OR UPDATE OR DELETE ON "{row[0]}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION refuse_write()"
            )
    try:
        yield
    finally:
        async with services.pool.acquire() as conn:
            await conn.execute("DROP FUNCTION refuse_write() CASCADE")


async def test_one_encrypt_is_one_hsm_call_and_no_database_write(
    client: httpx.AsyncClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = await symmetric_key(client)
    blob = await encrypt(client, key["keyId"], SECRET, encryptionContext=CONTEXT)
    calls = count_hsm_calls(services, monkeypatch)
    async with writes_refused(services):
        again = await encrypt(client, key["keyId"], SECRET, encryptionContext=CONTEXT)
        assert calls == ["encrypt"]
        plain = await decrypt(client, again, encryptionContext=CONTEXT)
        assert (plain["plaintext"], calls) == (SECRET, ["encrypt", "decrypt"])
    assert (await decrypt(client, blob, encryptionContext=CONTEXT))["plaintext"] == SECRET


async def test_unknown_key_in_a_blob_is_invalid_ciphertext(client: httpx.AsyncClient) -> None:
    key = await symmetric_key(client)
    blob = await encrypt(client, key["keyId"], SECRET)
    forged = blob[:1] + uuid.uuid4().bytes + blob[17:]
    assert await failure(decrypt(client, forged)) == INVALID_CIPHERTEXT
