"""Three `keygraph serve` replicas on one PostgreSQL database and one SoftHSM token, behind a
round-robin client that sends each call to the next replica, as a Service spreads calls over a
Deployment's pods (docs/scale-out.md). While several tasks run mixed load through the round robin
(CreateKey, Encrypt, Decrypt, GenerateDataKey, DescribeKey, CreateGrant):

- a change made through one replica is seen by the two others within a second: a key disabled
  (Encrypt refused with ``DisabledException``) and enabled again; a grant created, then revoked
  (its grantee refused, with the grant's token and without); a key policy changed to allow a
  principal, then changed back. Each change goes through a different replica. The times measured
  are printed (``pytest -s`` or ``-rP`` shows them); only the second the README promises is
  asserted;
- every ciphertext a replica made (Encrypt, GenerateDataKey) decrypts on each of the other two;
- the audit trail is one chain: ``keygraph audit verify`` passes, and the trail holds exactly one
  event per answered call (one per item of a batch), matched by the request id the client sends.
  Every replica is stopped cleanly first, so no buffered event is outstanding.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from api.principals import PrincipalKind, create_principal, principal_for
from hsm import HsmConfig
from tests.served import Replica, serve_environment

pytestmark = pytest.mark.slow

REPLICAS = 3
LOAD_TASKS = 6
# Load keeps running this long after the last check, so the checks are not its whole life.
LOAD_SECONDS_AFTER_CHECKS = 2.0
# What the README promises: a change through one replica holds in every replica within this.
PROPAGATION_SECONDS = 1.0
DECRYPT_BATCH_SIZE = 100
ACCOUNT = "111122223333"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
LOAD_GRANTEE = f"arn:aws:iam::{ACCOUNT}:user/load-grantee"

CREATE_KEY = "mutation { createKey { keyMetadata { keyId } } }"
DISABLE_KEY = "mutation($id: String!) { disableKey(input: {keyId: $id}) { keyMetadata { keyId } } }"
ENABLE_KEY = "mutation($id: String!) { enableKey(input: {keyId: $id}) { keyMetadata { keyId } } }"
DESCRIBE_KEY = (
    "query($id: String!) { describeKey(input: {keyId: $id}) { keyMetadata { keyState } } }"
)
ENCRYPT = """mutation($id: String!, $p: Base64!, $t: [String!]) {
  encrypt(input: {keyId: $id, plaintext: $p, grantTokens: $t}) { ciphertextBlob } }"""
GENERATE_DATA_KEY = """mutation($id: String!) {
  generateDataKey(input: {keyId: $id, keySpec: AES_256}) { ciphertextBlob plaintext } }"""
DECRYPT = "mutation($b: Base64!) { decrypt(input: {ciphertextBlob: $b}) { plaintext } }"
DECRYPT_BATCH = """mutation($r: [DecryptInput!]!) {
  decryptBatch(input: {requests: $r}) { entries { result { plaintext } error { code } } } }"""
CREATE_GRANT = """mutation($id: String!, $who: String!, $ops: [GrantOperation!]!) {
  createGrant(input: {keyId: $id, granteePrincipal: $who, operations: $ops}) {
    grantId grantToken } }"""
REVOKE_GRANT = """mutation($id: String!, $g: String!) {
  revokeGrant(input: {keyId: $id, grantId: $g}) { grantId } }"""
PUT_KEY_POLICY = """mutation($id: String!, $p: String!) {
  putKeyPolicy(input: {keyId: $id, policy: $p}) { keyMetadata { keyId } } }"""

ROOT_STATEMENT = {
    "Sid": "Enable IAM User Permissions",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}
ALICE_STATEMENT = {
    "Sid": "Alice encrypts",
    "Effect": "Allow",
    "Principal": {"AWS": ALICE},
    "Action": "kms:Encrypt",
    "Resource": "*",
}


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@dataclass
class Call:
    """One request: the replica it went to, its action, how many audit events it must leave (a
    batch leaves one per item), what it was for, and what it was answered."""

    request_id: str
    replica: int
    action: str
    events: int
    purpose: str
    answered: bool = False
    codes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    replica: int
    data: Any
    codes: list[str]


class RoundRobin:
    """A client of the replicas: ``next`` sends each call to the replica after the previous
    call's, as a load balancer does; ``on`` sends one to a named replica, for the checks that
    change something through one replica and watch the others. Every call carries a request id of
    its own (``X-Request-Id``), which the audit events of the call record."""

    def __init__(self, replicas: list[Replica]) -> None:
        self._clients = [httpx.AsyncClient(base_url=r.url, timeout=30) for r in replicas]
        self._turn = itertools.cycle(range(len(replicas)))
        self._ids = itertools.count()
        self.calls: list[Call] = []

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()

    async def next(
        self, token: str, action: str, query: str, variables: dict[str, Any], purpose: str
    ) -> Answer:
        return await self.on(next(self._turn), token, action, query, variables, purpose)

    async def on(
        self,
        replica: int,
        token: str,
        action: str,
        query: str,
        variables: dict[str, Any],
        purpose: str,
        *,
        events: int = 1,
    ) -> Answer:
        made = Call(f"kg17-{next(self._ids)}", replica, action, events, purpose)
        self.calls.append(made)
        response = await self._clients[replica].post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}", "X-Request-Id": made.request_id},
        )
        body = response.json()
        made.answered = True
        made.codes = [error["extensions"]["code"] for error in body.get("errors", [])]
        return Answer(replica, body.get("data"), made.codes)


@dataclass
class Sealed:
    """A ciphertext a replica answered, with its plaintext (base64) and the replica."""

    blob: str
    plaintext: str
    replica: int


@pytest.fixture
def replicas(
    fresh_database: str, hsm_config: HsmConfig, keygraph_home: Path
) -> Iterator[list[Replica]]:
    """Three replicas, throttling off: the load is faster than AWS's CreateKey quota (5 per
    second per replica), and what is tested is agreement, not throttling."""
    env = {**serve_environment(fresh_database, hsm_config, keygraph_home), "KEYGRAPH_RATES": "off"}
    started = [Replica(env)]
    try:
        started[0].wait_ready()  # creates the root principal and its token before the others
        started += [Replica(env) for _ in range(REPLICAS - 1)]
        for replica in started[1:]:
            replica.wait_ready()
        yield started
    finally:
        for replica in started:
            replica.stop()


async def new_user(database_url: str, name: str) -> str:
    """A user of the account, made as `keygraph principal create` makes one; its token."""
    conn = await asyncpg.connect(database_url)
    try:
        issued = await create_principal(conn, principal_for(ACCOUNT, name, PrincipalKind.USER))
    finally:
        await conn.close()
    return issued.value


def sample(rng: random.Random) -> str:
    return base64.b64encode(rng.randbytes(rng.randint(1, 64))).decode()


async def load(
    client: RoundRobin,
    root: str,
    pool: list[str],
    sealed: list[Sealed],
    stop: asyncio.Event,
    seed: int,
) -> None:
    """Mixed calls through the round robin until ``stop``."""
    rng = random.Random(seed)
    actions = ["Encrypt", "Decrypt", "GenerateDataKey", "DescribeKey", "CreateGrant", "CreateKey"]
    while not stop.is_set():
        action = rng.choices(actions, weights=[35, 25, 15, 15, 5, 5])[0]
        key_id = rng.choice(pool)
        if action == "Decrypt" and sealed:
            made = rng.choice(sealed)
            answer = await client.next(root, action, DECRYPT, {"b": made.blob}, "load")
            assert answer.data["decrypt"]["plaintext"] == made.plaintext
        elif action in ("Encrypt", "Decrypt"):
            plaintext = sample(rng)
            variables = {"id": key_id, "p": plaintext}
            answer = await client.next(root, "Encrypt", ENCRYPT, variables, "load")
            blob = answer.data["encrypt"]["ciphertextBlob"]
            sealed.append(Sealed(blob, plaintext, answer.replica))
        elif action == "GenerateDataKey":
            answer = await client.next(root, action, GENERATE_DATA_KEY, {"id": key_id}, "load")
            made_key = answer.data["generateDataKey"]
            sealed.append(Sealed(made_key["ciphertextBlob"], made_key["plaintext"], answer.replica))
        elif action == "DescribeKey":
            answer = await client.next(root, action, DESCRIBE_KEY, {"id": key_id}, "load")
            assert answer.data["describeKey"]["keyMetadata"]["keyState"] == "Enabled"
        elif action == "CreateGrant":
            grant = {"id": key_id, "who": LOAD_GRANTEE, "ops": ["Decrypt"]}
            await client.next(root, action, CREATE_GRANT, grant, "load")
        else:
            await client.next(root, action, CREATE_KEY, {}, "load")


@dataclass(frozen=True)
class Seen:
    """When a watcher replica first showed a change: seconds after the change was answered (an
    upper bound: the answer of the poll that saw it), and how many polls that took."""

    seconds: float
    polls: int


async def observed_within_a_second(
    watchers: list[int], shows: Callable[[int], Awaitable[bool]], what: str
) -> list[Seen]:
    """When each watcher replica ``shows`` the change, polled from now (just after the change was
    answered); fails when one takes more than a second."""
    changed_at = time.monotonic()

    async def watch(replica: int) -> Seen:
        deadline = changed_at + PROPAGATION_SECONDS
        polls = 1
        while not await shows(replica):
            assert time.monotonic() < deadline, f"replica {replica}: {what}, still not after 1 s"
            polls += 1
        return Seen(time.monotonic() - changed_at, polls)

    return list(await asyncio.gather(*(watch(replica) for replica in watchers)))


class Checks:
    """The changes made through one replica and watched on the others, with the times seen."""

    def __init__(self, client: RoundRobin, root: str, alice: str) -> None:
        self.client = client
        self.root = root
        self.alice = alice
        self.seen: dict[str, list[Seen]] = {}

    async def encrypt(
        self, replica: int, token: str, key_id: str, grant_tokens: list[str] | None = None
    ) -> list[str]:
        variables = {"id": key_id, "p": "aGVsbG8=", "t": grant_tokens}
        answer = await self.client.on(replica, token, "Encrypt", ENCRYPT, variables, "check")
        return answer.codes

    async def change(self, replica: int, action: str, query: str, variables: dict[str, Any]) -> Any:
        answer = await self.client.on(replica, self.root, action, query, variables, "check")
        assert answer.codes == [], f"{action} through replica {replica}: {answer.codes}"
        return answer.data

    async def new_key(self, replica: int) -> str:
        created = await self.change(replica, "CreateKey", CREATE_KEY, {})
        return str(created["createKey"]["keyMetadata"]["keyId"])

    async def watch(
        self, name: str, watchers: list[int], shows: Callable[[int], Awaitable[bool]]
    ) -> None:
        self.seen[name] = await observed_within_a_second(watchers, shows, name)

    async def key_state(self, through: int, watchers: list[int]) -> None:
        key_id = await self.new_key(through)
        for replica in watchers:  # the key is now in their caches
            assert await self.encrypt(replica, self.root, key_id) == []

        async def refused(replica: int) -> bool:
            return await self.encrypt(replica, self.root, key_id) == ["DisabledException"]

        async def works(replica: int) -> bool:
            return await self.encrypt(replica, self.root, key_id) == []

        await self.change(through, "DisableKey", DISABLE_KEY, {"id": key_id})
        await self.watch("key disabled -> Encrypt refused (DisabledException)", watchers, refused)
        await self.change(through, "EnableKey", ENABLE_KEY, {"id": key_id})
        await self.watch("key enabled again -> Encrypt works", watchers, works)

    async def grant(self, through: int, watchers: list[int]) -> None:
        key_id = await self.new_key(through)
        for replica in watchers:  # the key's grants (none) are now in their caches
            assert await self.encrypt(replica, self.alice, key_id) == ["AccessDeniedException"]
        variables = {"id": key_id, "who": ALICE, "ops": ["Encrypt"]}
        granted = (await self.change(through, "CreateGrant", CREATE_GRANT, variables))[
            "createGrant"
        ]

        async def allowed(replica: int) -> bool:
            return await self.encrypt(replica, self.alice, key_id) == []

        async def refused(replica: int) -> bool:
            plain = await self.encrypt(replica, self.alice, key_id)
            tokened = await self.encrypt(replica, self.alice, key_id, [granted["grantToken"]])
            return plain == tokened == ["AccessDeniedException"]

        await self.watch("grant created -> grantee allowed", watchers, allowed)
        for replica in watchers:
            assert await self.encrypt(replica, self.alice, key_id, [granted["grantToken"]]) == []
        revoke = {"id": key_id, "g": granted["grantId"]}
        await self.change(through, "RevokeGrant", REVOKE_GRANT, revoke)
        await self.watch("grant revoked -> grantee refused, token or not", watchers, refused)

    async def key_policy(self, through: int, watchers: list[int]) -> None:
        key_id = await self.new_key(through)
        for replica in watchers:  # the key's policy is now in their caches
            assert await self.encrypt(replica, self.alice, key_id) == ["AccessDeniedException"]

        async def allowed(replica: int) -> bool:
            return await self.encrypt(replica, self.alice, key_id) == []

        async def refused(replica: int) -> bool:
            return await self.encrypt(replica, self.alice, key_id) == ["AccessDeniedException"]

        opened = {"id": key_id, "p": policy(ROOT_STATEMENT, ALICE_STATEMENT)}
        await self.change(through, "PutKeyPolicy", PUT_KEY_POLICY, opened)
        await self.watch("key policy allows alice -> alice allowed", watchers, allowed)
        closed = {"id": key_id, "p": policy(ROOT_STATEMENT)}
        await self.change(through, "PutKeyPolicy", PUT_KEY_POLICY, closed)
        await self.watch("key policy without alice -> alice refused", watchers, refused)


async def decrypt_elsewhere(client: RoundRobin, root: str, sealed: list[Sealed]) -> int:
    """Decrypt on each replica every ciphertext another replica made; how many decryptions."""
    done = 0
    for replica in range(REPLICAS):
        theirs = [made for made in sealed if made.replica != replica]
        for start in range(0, len(theirs), DECRYPT_BATCH_SIZE):
            chunk = theirs[start : start + DECRYPT_BATCH_SIZE]
            answer = await client.on(
                replica,
                root,
                "Decrypt",
                DECRYPT_BATCH,
                {"r": [{"ciphertextBlob": made.blob} for made in chunk]},
                "cross-decrypt",
                events=len(chunk),
            )
            assert answer.codes == []
            entries = answer.data["decryptBatch"]["entries"]
            assert [entry["error"] for entry in entries] == [None] * len(chunk)
            assert [entry["result"]["plaintext"] for entry in entries] == [
                made.plaintext for made in chunk
            ]
            done += len(chunk)
    return done


async def audit_events(database_url: str) -> Counter[tuple[str, str]]:
    """(request id, action) of every event in the trail, counted."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT request_id, action FROM audit_events")
    finally:
        await conn.close()
    return Counter((row["request_id"], row["action"]) for row in rows)


async def audit_verify(env: dict[str, str]) -> str:
    """What `keygraph audit verify` prints; it must exit 0."""
    verify = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "keygraph",
        "audit",
        "verify",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(verify.communicate(), 60)
    assert verify.returncode == 0, stderr.decode()
    return stdout.decode()


def described(seen: list[Seen]) -> str:
    return ", ".join(
        f"{one.seconds * 1000:.0f} ms ({one.polls} poll{'s' if one.polls > 1 else ''})"
        for one in seen
    )


async def test_three_replicas_agree_and_keep_one_audit_chain(
    replicas: list[Replica], keygraph_home: Path, fresh_database: str, hsm_config: HsmConfig
) -> None:
    root = (keygraph_home / "admin-token").read_text().strip()
    alice = await new_user(fresh_database, "alice")
    client = RoundRobin(replicas)
    try:
        pool = []
        for _ in range(4):
            created = await client.next(root, "CreateKey", CREATE_KEY, {}, "setup")
            pool.append(created.data["createKey"]["keyMetadata"]["keyId"])
        sealed: list[Sealed] = []
        stop = asyncio.Event()
        loaders = [
            asyncio.create_task(load(client, root, pool, sealed, stop, seed))
            for seed in range(LOAD_TASKS)
        ]
        checks = Checks(client, root, alice)
        try:
            await checks.key_state(through=0, watchers=[1, 2])
            await checks.grant(through=1, watchers=[0, 2])
            await checks.key_policy(through=2, watchers=[0, 1])
            await asyncio.sleep(LOAD_SECONDS_AFTER_CHECKS)
        finally:
            stop.set()
            await asyncio.gather(*loaders)
        load_calls = [made for made in client.calls if made.purpose == "load"]
        assert [made.codes for made in load_calls if made.codes] == [], "load answered errors"
        assert {made.replica for made in sealed} == set(range(REPLICAS))
        decrypted = await decrypt_elsewhere(client, root, sealed)
    finally:
        await client.aclose()
    for replica in replicas:
        replica.stop()  # a clean shutdown writes every buffered event

    events = await audit_events(fresh_database)
    assert all(made.answered for made in client.calls)
    assert {request_id for request_id, _ in events} <= {made.request_id for made in client.calls}
    left = {
        made.request_id: events[(made.request_id, f"kms:{made.action}")] for made in client.calls
    }
    assert left == {made.request_id: made.events for made in client.calls}
    expected = sum(made.events for made in client.calls)
    assert events.total() == expected
    env = serve_environment(fresh_database, hsm_config, keygraph_home)
    assert await audit_verify(env) == f"audit chain verified: {expected} events\n"

    per_replica = Counter(made.replica for made in client.calls)
    print(
        f"\n{len(client.calls)} calls answered ({len(load_calls)} of them load, by replica "
        f"{dict(sorted(per_replica.items()))}), {len(sealed)} ciphertexts decrypted on the other "
        f"two replicas ({decrypted} decryptions), {expected} audit events in one verified chain"
    )
    for name, seen in checks.seen.items():
        print(f"propagation, {name}: seen on the other two replicas in {described(seen)}")
