"""Secrets never leave through logs, error messages or the database in plaintext.

One flow touches every kind of secret keygraph handles (the admin token, a plaintext, a data key,
a custom key store PIN, an access key's secret); everything logged at DEBUG and every error body
is then searched for each of them, as is a dump of every table."""

from __future__ import annotations

import base64
import logging

import httpx
import pytest

from api.access_keys import signing_key
from api.services import Services
from hsm import HsmConfig
from tests.graphql_client import GraphQLFailure, gql

PLAINTEXT = b"correct horse battery staple"


def forms(secret: bytes) -> list[str]:
    """How a secret could show up in text: raw, base64, hex."""
    return [secret.decode("latin-1"), base64.b64encode(secret).decode(), secret.hex()]


async def test_secrets_stay_out_of_logs_errors_and_tables(
    client: httpx.AsyncClient,
    services: Services,
    admin_token: str,
    key_store_config: HsmConfig,
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen_errors: list[str] = []
    with caplog.at_level(logging.DEBUG):
        key = (await gql(client, "mutation { createKey { keyMetadata { keyId } } }"))["createKey"][
            "keyMetadata"
        ]["keyId"]
        plaintext = base64.b64encode(PLAINTEXT).decode()
        blob = (
            await gql(
                client,
                "mutation($k: String!, $p: Base64!) { encrypt(input: {keyId: $k, plaintext: $p,"
                ' encryptionContext: {tenant: "acme"}}) { ciphertextBlob } }',
                {"k": key, "p": plaintext},
            )
        )["encrypt"]["ciphertextBlob"]
        data_key = (
            await gql(
                client,
                "mutation($k: String!) { generateDataKey(input: {keyId: $k, keySpec: AES_256})"
                " { plaintext } }",
                {"k": key},
            )
        )["generateDataKey"]["plaintext"]
        for wrong in ({"tenant": "other"}, None):
            try:
                await gql(
                    client,
                    "mutation($b: Base64!, $c: StringMap) { decrypt(input: {ciphertextBlob: $b,"
                    " encryptionContext: $c}) { plaintext } }",
                    {"b": blob, "c": wrong},
                )
            except GraphQLFailure as failure:
                seen_errors.append(failure.message)
        store = await gql(
            client,
            "mutation($n: String!, $m: String!, $l: String!, $p: String!) {"
            " createCustomKeyStore(input: {customKeyStoreName: $n, pkcs11ModulePath: $m,"
            " tokenLabel: $l, keyStorePassword: $p}) { customKeyStoreId } }",
            {
                "n": "secrets-test",
                "m": key_store_config.module_path,
                "l": key_store_config.token_label,
                "p": key_store_config.pin,
            },
        )
        assert store["createCustomKeyStore"]["customKeyStoreId"]
        access_key = (
            await gql(
                client,
                "mutation($p: String!) { createAccessKey(input: {principal: $p})"
                " { accessKey { accessKeyId secretAccessKey } } }",
                {"p": f"arn:aws:iam::{services.settings.account_id}:root"},
            )
        )["createAccessKey"]["accessKey"]
        assert await signing_key(services, access_key["accessKeyId"]) is not None
        try:
            await gql(client, "mutation($p: Base64!) { encrypt(input: {keyId: \"x\", "
                      "plaintext: $p}) { keyId } }", {"p": plaintext + "!"})  # fmt: skip
        except GraphQLFailure as failure:
            seen_errors.append(failure.message)

    assert len(seen_errors) == 3
    secrets = [
        *forms(PLAINTEXT),
        *forms(base64.b64decode(data_key)),
        key_store_config.pin,
        admin_token,
        admin_token.split(".")[2],
        access_key["secretAccessKey"],
    ]
    logged = "\n".join(
        record.getMessage() + str(getattr(record, "fields", "")) for record in caplog.records
    )
    assert logged, "nothing was logged: the check would prove nothing"
    async with services.pool.acquire() as conn:
        tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        dumps = [
            str(await conn.fetch(f'SELECT * FROM "{row["tablename"]}"'))  # noqa: S608
            for row in tables
        ]
    for secret in secrets:
        assert secret not in logged
        assert not any(secret in message for message in seen_errors)
        assert not any(secret in dump for dump in dumps)
