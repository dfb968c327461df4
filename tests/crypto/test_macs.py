"""generateMac and verifyMac with the four HMAC specs.

The key never leaves the HSM, so the MAC cannot be recomputed here with ``hmac``; correctness is
shown by length, determinism, verification, and refusal of every altered MAC or message (hsm's own
tests compare with ``hmac`` on imported material).
"""

from __future__ import annotations

import httpx
import pytest

from tests.crypto.asymmetric import call, create_key, disable, failure, schedule_deletion, unb64
from tests.graphql_client import GraphQLFailure

MESSAGE = b"invoice 2026-11 total 1200"
SPECS = {"HMAC_224": 28, "HMAC_256": 32, "HMAC_384": 48, "HMAC_512": 64}


def algorithm_of(spec: str) -> str:
    return "HMAC_SHA_" + spec.split("_")[1]


async def generate(
    client: httpx.AsyncClient, key_id: str, message: bytes, algorithm: str, **members: object
) -> bytes:
    made = await call(
        client, "generateMac", "keyId mac macAlgorithm", keyId=key_id, message=message,
        macAlgorithm=algorithm, **members,
    )  # fmt: skip
    assert made["macAlgorithm"] == algorithm
    return unb64(made["mac"])


async def check(
    client: httpx.AsyncClient,
    key_id: str,
    message: bytes,
    mac: bytes,
    algorithm: str,
    **members: object,
) -> dict[str, object]:
    return await call(
        client, "verifyMac", "keyId macValid macAlgorithm", keyId=key_id, message=message,
        mac=mac, macAlgorithm=algorithm, **members,
    )  # fmt: skip


@pytest.mark.parametrize(("spec", "size"), SPECS.items())
async def test_mac_round_trip(client: httpx.AsyncClient, spec: str, size: int) -> None:
    key = await create_key(client, spec, "GENERATE_VERIFY_MAC")
    algorithm = algorithm_of(spec)
    mac = await generate(client, key["keyId"], MESSAGE, algorithm)
    assert len(mac) == size
    assert await generate(client, key["arn"], MESSAGE, algorithm) == mac
    assert await generate(client, key["keyId"], MESSAGE + b".", algorithm) != mac
    assert await check(client, key["keyId"], MESSAGE, mac, algorithm) == {
        "keyId": key["arn"],
        "macValid": True,
        "macAlgorithm": algorithm,
    }
    for position in (0, size // 2, size - 1):
        flipped = bytearray(mac)
        flipped[position] ^= 0x80
        error = await failure(check(client, key["keyId"], MESSAGE, bytes(flipped), algorithm))
        assert error.code == "KMSInvalidMacException"
    for message, candidate in ((MESSAGE + b".", mac), (MESSAGE, mac[:-1]), (MESSAGE, mac + b"0")):
        error = await failure(check(client, key["keyId"], message, candidate, algorithm))
        assert error.code == "KMSInvalidMacException"


async def test_each_key_has_its_own_mac(client: httpx.AsyncClient) -> None:
    first = await create_key(client, "HMAC_256", "GENERATE_VERIFY_MAC")
    second = await create_key(client, "HMAC_256", "GENERATE_VERIFY_MAC")
    mac = await generate(client, first["keyId"], MESSAGE, "HMAC_SHA_256")
    assert await generate(client, second["keyId"], MESSAGE, "HMAC_SHA_256") != mac
    error = await failure(check(client, second["keyId"], MESSAGE, mac, "HMAC_SHA_256"))
    assert error.code == "KMSInvalidMacException"


async def test_the_algorithm_must_match_the_spec(client: httpx.AsyncClient) -> None:
    key = await create_key(client, "HMAC_256", "GENERATE_VERIFY_MAC")
    for algorithm in ("HMAC_SHA_224", "HMAC_SHA_384", "HMAC_SHA_512"):
        expected = GraphQLFailure(
            "InvalidKeyUsageException",
            f"Algorithm {algorithm} is incompatible with key spec HMAC_256.",
        )
        assert await failure(generate(client, key["keyId"], MESSAGE, algorithm)) == expected
        assert await failure(check(client, key["keyId"], MESSAGE, b"m" * 32, algorithm)) == (
            expected
        )


async def test_message_and_mac_sizes(client: httpx.AsyncClient) -> None:
    key = await create_key(client, "HMAC_512", "GENERATE_VERIFY_MAC")
    largest = b"m" * 4096
    mac = await generate(client, key["keyId"], largest, "HMAC_SHA_512")
    assert (await check(client, key["keyId"], largest, mac, "HMAC_SHA_512"))["macValid"] is True
    assert await failure(generate(client, key["keyId"], largest + b"m", "HMAC_SHA_512")) == (
        GraphQLFailure(
            "ValidationException",
            "1 validation error detected: Value at 'message' failed to satisfy constraint: "
            "Member must have length less than or equal to 4096",
        )
    )
    assert await failure(generate(client, key["keyId"], b"", "HMAC_SHA_512")) == GraphQLFailure(
        "ValidationException",
        "1 validation error detected: Value at 'message' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
    )
    assert await failure(check(client, key["keyId"], MESSAGE, b"", "HMAC_SHA_512")) == (
        GraphQLFailure(
            "ValidationException",
            "1 validation error detected: Value at 'mac' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1",
        )
    )


async def test_only_mac_keys(client: httpx.AsyncClient) -> None:
    for spec, usage in (("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"), ("ECC_NIST_P256", "SIGN_VERIFY")):
        key = await create_key(client, spec, usage)
        assert await failure(generate(client, key["keyId"], MESSAGE, "HMAC_SHA_256")) == (
            GraphQLFailure(
                "InvalidKeyUsageException",
                f"{key['arn']} key usage is {usage} which is not valid for GenerateMac.",
            )
        )
        assert await failure(check(client, key["keyId"], MESSAGE, b"m" * 32, "HMAC_SHA_256")) == (
            GraphQLFailure(
                "InvalidKeyUsageException",
                f"{key['arn']} key usage is {usage} which is not valid for VerifyMac.",
            )
        )


async def test_key_states_and_dry_run(client: httpx.AsyncClient) -> None:
    key = await create_key(client, "HMAC_224", "GENERATE_VERIFY_MAC")
    mac = await generate(client, key["keyId"], MESSAGE, "HMAC_SHA_224")
    dry_run = GraphQLFailure(
        "DryRunOperationException",
        "The request would have succeeded, but the DryRun option is set.",
    )
    assert await failure(generate(client, key["keyId"], MESSAGE, "HMAC_SHA_224", dryRun=True)) == (
        dry_run
    )
    assert await failure(
        check(client, key["keyId"], MESSAGE, b"wrong", "HMAC_SHA_224", dryRun=True)
    ) == (dry_run)
    await disable(client, key["keyId"])
    disabled = GraphQLFailure("DisabledException", f"{key['arn']} is disabled.")
    assert await failure(generate(client, key["keyId"], MESSAGE, "HMAC_SHA_224")) == disabled
    assert await failure(check(client, key["keyId"], MESSAGE, mac, "HMAC_SHA_224")) == disabled
    assert await failure(generate(client, key["keyId"], MESSAGE, "HMAC_SHA_224", dryRun=True)) == (
        disabled
    )
    await schedule_deletion(client, key["keyId"])
    assert await failure(generate(client, key["keyId"], MESSAGE, "HMAC_SHA_224")) == (
        GraphQLFailure("KMSInvalidStateException", f"{key['arn']} is pending deletion.")
    )


async def test_grant_tokens(client: httpx.AsyncClient) -> None:
    key = await create_key(client, "HMAC_256", "GENERATE_VERIFY_MAC")
    tokens = [f"token-{n}" for n in range(10)]
    mac = await generate(client, key["keyId"], MESSAGE, "HMAC_SHA_256", grantTokens=tokens)
    await check(client, key["keyId"], MESSAGE, mac, "HMAC_SHA_256", grantTokens=tokens)
    error = await failure(
        check(client, key["keyId"], MESSAGE, mac, "HMAC_SHA_256", grantTokens=[*tokens, "x"])
    )
    assert error.code == "ValidationException"
    assert "'grantTokens'" in error.message
