"""The batch forms do once what their items share (``api.batching``): the HSM work goes to the
thread pool as one task per key, alike items are authorized once, and the audit events are
appended together; while each item still answers, fails, is throttled and is audited exactly as
the single operation would."""

from __future__ import annotations

import base64
import collections
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import api.authz.authorize
import api.batching
from api.services import Services
from api.settings import Settings
from api.throttling import parse_rates
from api.throttling.throttle import THROTTLED_MESSAGE
from hsm import HsmConfig
from tests.authz.conftest import (
    ROOT_ADMIN,
    Clients,
    allow,
    create_key,
    policy,
    principal_client,
    user_arn,
)
from tests.crypto.asymmetric import create_key as create_typed_key
from tests.crypto.asymmetric import disable
from tests.grants.calls import create_grant
from tests.graphql_client import GraphQLFailure, gql

__all__ = ["principal_client"]  # the fixture, shared with tests/authz

ENCRYPT = "mutation($i: EncryptInput!) { encrypt(input: $i) { ciphertextBlob } }"
ENTRIES = "entries { result { %s } error { code message } }"
BATCHES = {
    "encrypt": ("EncryptInput", "ciphertextBlob keyId"),
    "decrypt": ("DecryptInput", "plaintext keyId"),
    "generateDataKey": ("GenerateDataKeyInput", "plaintext ciphertextBlob"),
    "sign": ("SignInput", "signature keyId"),
}
PLAINTEXT = base64.b64encode(b"thirty-two bytes of plaintext...").decode()


async def batch(client: httpx.AsyncClient, field: str, requests: list[dict[str, Any]]) -> list[Any]:
    """The entries of ``<field>Batch`` for ``requests``, in order."""
    input_type, selection = BATCHES[field]
    document = (
        f"mutation($r: [{input_type}!]!) {{ {field}Batch(input: {{requests: $r}}) "
        f"{{ {ENTRIES % selection} }} }}"
    )
    entries: list[Any] = (await gql(client, document, {"r": requests}))[f"{field}Batch"]["entries"]
    return entries


def encrypts(*key_ids: str, **members: Any) -> list[dict[str, Any]]:
    return [{"keyId": key_id, "plaintext": PLAINTEXT, **members} for key_id in key_ids]


def errors(entries: list[Any]) -> list[tuple[str, str] | None]:
    return [
        None if e["error"] is None else (e["error"]["code"], e["error"]["message"]) for e in entries
    ]


class Hops:
    """The batch's trips to the HSM's thread pool, counted where the api reaches the HSM: the
    async facade (``hsm.Hsm``). Every one of its methods is one thread-pool task, so counting
    calls of its public methods counts hops, and ``together``'s argument says how many HSM
    operations one hop carried. Counting inside hsm (sessions, PKCS#11 calls) would say nothing
    about hops; timing the batch would say it only by inference, and noisily."""

    def __init__(self) -> None:
        self.calls: collections.Counter[str] = collections.Counter()
        self.together: list[int] = []

    def singles(self) -> int:
        return sum(count for name, count in self.calls.items() if name != "together")


SINGLE_ENTRIES = ("encrypt", "decrypt", "sign", "generate_random", "rsa_encrypt", "rsa_decrypt")


@pytest.fixture
def hops(services: Services, monkeypatch: pytest.MonkeyPatch) -> Hops:
    """Counts on the class, so that a batch's own facade (a subclass) is counted too should it
    ever hand a grouped call to the pool on its own. The wait for slow items is made long:
    grouping is then decided by the items alone, not by how busy the machine is."""
    monkeypatch.setattr(api.batching, "GROUP_WAIT_SECONDS", 600.0)
    counted = Hops()
    facade = type(services.hsm)
    for name in (*SINGLE_ENTRIES, "together"):
        method = getattr(facade, name)

        def counting(
            method: Callable[..., Awaitable[Any]], name: str
        ) -> Callable[..., Awaitable[Any]]:
            async def count(self: Any, *args: Any, **kwargs: Any) -> Any:
                counted.calls[name] += 1
                if name == "together":
                    counted.together.append(len(args[0]))
                return await method(self, *args, **kwargs)

            return count

        monkeypatch.setattr(facade, name, counting(method, name))
    return counted


@pytest.fixture
def assessments(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The actions of every authorization decision actually made (not shared)."""
    made: list[str] = []
    assess = api.authz.authorize.assess

    async def counted(services: Services, request: Any, conn: Any = None) -> Any:
        made.append(request.action)
        return await assess(services, request, conn)

    monkeypatch.setattr(api.authz.authorize, "assess", counted)
    return made


async def audited_since(services: Services, seq: int) -> list[tuple[Any, ...]]:
    """The audit events after ``seq``, as what they say (not when), in a stable order."""
    await services.audit.flush()
    async with services.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT principal_arn, source_ip, door, action, key_arn, decision, decided_by,"
            " outcome, detail FROM audit_events WHERE seq > $1",
            seq,
        )
    return sorted((tuple(row) for row in rows), key=repr)


async def last_seq(services: Services) -> int:
    await services.audit.flush()
    async with services.pool.acquire() as conn:
        seq: int = await conn.fetchval("SELECT coalesce(max(seq), 0) FROM audit_events")
    return seq


async def singly(client: httpx.AsyncClient, requests: list[dict[str, Any]]) -> list[Any]:
    """The same requests as single Encrypt calls: each one's error (code, message) or None."""
    outcomes: list[Any] = []
    for request in requests:
        try:
            await gql(client, ENCRYPT, {"i": request})
            outcomes.append(None)
        except GraphQLFailure as failure:
            outcomes.append((failure.code, failure.message))
    return outcomes


async def test_fifty_items_over_two_keys_take_two_hops(
    client: httpx.AsyncClient, services: Services, hops: Hops
) -> None:
    first, second = await create_key(client), await create_key(client)
    keys = [first, second] * 25
    entries = await batch(client, "encrypt", encrypts(*keys, encryptionContext={"n": "1"}))
    assert errors(entries) == [None] * 50
    assert [e["result"]["keyId"].rsplit("/", 1)[1] for e in entries] == keys
    assert (hops.singles(), sorted(hops.together)) == (0, [25, 25])

    blobs = [{"ciphertextBlob": e["result"]["ciphertextBlob"]} for e in entries]
    decrypted = await batch(
        client, "decrypt", [{**b, "encryptionContext": {"n": "1"}} for b in blobs]
    )
    assert [e["result"]["plaintext"] for e in decrypted] == [PLAINTEXT] * 50
    assert (hops.singles(), sorted(hops.together)) == (0, [25, 25, 25, 25])

    # The wrong context is each item's InvalidCiphertextException, from its key's hop.
    decrypted = await batch(client, "decrypt", blobs[:3])
    assert errors(decrypted) == [("InvalidCiphertextException", "")] * 3
    assert sorted(hops.together) == [1, 2, 25, 25, 25, 25]


async def test_a_data_key_batch_hops_for_its_random_bytes_then_for_its_key(
    client: httpx.AsyncClient, hops: Hops
) -> None:
    key = await create_key(client)
    requests = [{"keyId": key, "keySpec": "AES_256"}] * 10 + [{"keyId": key, "numberOfBytes": 7}]
    entries = await batch(client, "generateDataKey", requests)
    assert errors(entries) == [None] * 11
    sizes = [len(base64.b64decode(e["result"]["plaintext"])) for e in entries]
    assert sizes == [32] * 10 + [7]
    assert len({e["result"]["plaintext"] for e in entries}) == 11
    assert (hops.singles(), hops.together) == (0, [11, 11])

    blobs = [{"ciphertextBlob": e["result"]["ciphertextBlob"]} for e in entries]
    decrypted = await batch(client, "decrypt", blobs)
    assert [e["result"]["plaintext"] for e in decrypted] == [
        e["result"]["plaintext"] for e in entries
    ]


async def test_a_sign_batch_takes_one_hop_per_key(client: httpx.AsyncClient, hops: Hops) -> None:
    signer = (await create_typed_key(client, "ECC_NIST_P256", "SIGN_VERIFY"))["keyId"]
    message = base64.b64encode(b"message").decode()
    request = {"keyId": signer, "message": message, "signingAlgorithm": "ECDSA_SHA_256"}
    wrong = {**request, "signingAlgorithm": "ECDSA_SHA_384"}
    entries = await batch(client, "sign", [request] * 9 + [wrong])
    incompatible = (
        "InvalidKeyUsageException",
        "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.",
    )
    assert errors(entries) == [None] * 9 + [incompatible]
    assert (hops.singles(), hops.together) == (0, [9])
    verify = "mutation($i: VerifyInput!) { verify(input: $i) { signatureValid } }"
    for entry in entries[:2]:
        signed = {**request, "signature": entry["result"]["signature"]}
        assert (await gql(client, verify, {"i": signed}))["verify"]["signatureValid"]


async def test_a_disabled_keys_items_fail_alone_as_they_would_singly(
    client: httpx.AsyncClient, services: Services, hops: Hops
) -> None:
    usable, disabled = await create_key(client), await create_key(client)
    await disable(client, disabled)
    requests = encrypts(usable, disabled, usable, disabled, usable)

    before = await last_seq(services)
    entries = await batch(client, "encrypt", requests)
    in_batch = await audited_since(services, before)
    assert hops.together == [3]

    between = await last_seq(services)
    single = await singly(client, requests)
    assert errors(entries) == single
    assert single[1] is not None and single[1][0] == "DisabledException"
    assert in_batch == await audited_since(services, between)


async def test_an_unauthorized_item_fails_alone_and_alike_items_are_decided_once(
    client: httpx.AsyncClient,
    services: Services,
    principal_client: Clients,
    hops: Hops,
    assessments: list[str],
) -> None:
    alice = await principal_client("alice")
    granted, other = await create_key(client), await create_key(client)
    await create_grant(client, granted, user_arn("alice"), "Encrypt")
    requests = encrypts(granted, other, granted, granted, other, "alias/none")

    before = await last_seq(services)
    assessments.clear()
    entries = await batch(alice, "encrypt", requests)
    in_batch = await audited_since(services, before)
    # One decision per distinct key: the grant allows, nothing allows the other key; the alias
    # that names no key fails before any decision.
    assert sorted(assessments) == ["Encrypt", "Encrypt"]
    assert hops.together == [3]

    between = await last_seq(services)
    single = await singly(alice, requests)
    assert errors(entries) == single
    assert [None if s is None else s[0] for s in single] == [
        None,
        "AccessDeniedException",
        None,
        None,
        "AccessDeniedException",
        "NotFoundException",
    ]
    assert in_batch == await audited_since(services, between)
    assert len(in_batch) == len(requests)


async def test_items_with_other_condition_values_are_decided_apart(
    client: httpx.AsyncClient,
    services: Services,
    principal_client: Clients,
    assessments: list[str],
) -> None:
    alice = await principal_client("alice")
    only_for_payroll = allow(
        user_arn("alice"),
        "kms:Encrypt",
        Condition={"StringEquals": {"kms:EncryptionContext:team": "payroll"}},
    )
    key = await create_key(client, policy(ROOT_ADMIN, only_for_payroll))
    payroll = encrypts(key, encryptionContext={"team": "payroll"})[0]
    sales = encrypts(key, encryptionContext={"team": "sales"})[0]
    requests = [payroll, sales, payroll, sales, payroll]

    assessments.clear()
    entries = await batch(alice, "encrypt", requests)
    assert len(assessments) == 2
    assert errors(entries) == await singly(alice, requests)
    assert [e["error"] is None for e in entries] == [True, False, True, False, True]


class TestThrottled:
    @pytest.fixture
    def settings(self, fresh_database: str, hsm_config: HsmConfig, keygraph_home: Path) -> Settings:
        """Symmetric cryptography at one request per 100 seconds: one item of a batch gets
        the only token, every other item is throttled."""
        return Settings(
            database_url=fresh_database,
            hsm=hsm_config,
            home=keygraph_home,
            rates=parse_rates("symmetric=0.01"),
        )

    async def test_each_item_spends_its_own_token(
        self, client: httpx.AsyncClient, services: Services, hops: Hops
    ) -> None:
        key = await create_key(client)
        before = await last_seq(services)
        entries = await batch(client, "encrypt", encrypts(key, key, key, key))
        throttled = ("ThrottlingException", THROTTLED_MESSAGE)
        assert collections.Counter(errors(entries)) == {None: 1, throttled: 3}
        assert hops.together == [1]
        audited = await audited_since(services, before)
        assert collections.Counter((row[5], row[7]) for row in audited) == {
            ("Allowed", "ok"): 1,
            (None, "ThrottlingException"): 3,
        }
