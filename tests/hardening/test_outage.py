"""A Postgres outage as callers meet it: every answer carries an AWS code and says to come back
(503 and ``Retry-After`` where the protocol has a status for it), nothing gets in without
authentication, and the same process serves again once Postgres is back.

The outage is real, on a cluster of this module's own, in two stages:

1. Postgres shutting down: the postmaster is sent SIGTERM (a smart shutdown, which refuses new
   sessions with 57P03) and keygraph's pool sessions are cut (``pg_terminate_backend``), while
   the key change listener's session lives on. The cache keeps serving, so calls are
   authenticated and what needs the database fails inside the operation.
2. Postgres gone: the remaining sessions are cut, the server exits, its port refuses. The
   listener is lost, the cache serves nothing, and authentication itself cannot read a token.
"""

from __future__ import annotations

import base64
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from db.embedded import EmbeddedPostgres
from hsm import HsmConfig
from tests.aws.door import AwsServer, served_door
from tests.fixtures.postgres import cluster_directory
from tests.hardening.doors import Answer, Doors

pytestmark = pytest.mark.slow

RETRYABLE = "KMSInternalException"
WHOAMI = "{ whoami { arn } }"
ENCRYPT = "mutation($i: EncryptInput!) { encrypt(input: $i) { ciphertextBlob keyId } }"
DECRYPT = "mutation($i: DecryptInput!) { decrypt(input: $i) { plaintext keyId } }"
CREATE_KEY = "mutation { createKey(input: {}) { keyMetadata { keyId } } }"
LIST_KEYS = "{ listKeys(input: {}) { keys { keyId } } }"
PLAINTEXT = base64.b64encode(b"kept through an outage").decode()


@pytest.fixture(scope="module")
def postgres() -> Iterator[EmbeddedPostgres]:
    with cluster_directory() as directory, EmbeddedPostgres(directory, throwaway=True) as running:
        yield running


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("outage-home")


@pytest.fixture(scope="module")
def served(postgres: EmbeddedPostgres, hsm_config: HsmConfig, home: Path) -> Iterator[AwsServer]:
    with served_door(postgres.dsn, hsm_config, home) as door:
        yield door


def retrying_kms(served: AwsServer) -> Any:
    """A boto3 client as an application makes one: SigV4, botocore's standard retries."""
    return boto3.session.Session().client(
        "kms",
        endpoint_url=served.url,
        region_name=served.region,
        aws_access_key_id=served.access_key_id,
        aws_secret_access_key=served.secret_access_key,
        config=Config(retries={"total_max_attempts": 3, "mode": "standard"}),
    )


def until(answer: Callable[[], Answer], done: Callable[[Answer], bool], seconds: float) -> Answer:
    """Asks again until ``done``; a generous bound for a process to notice a change."""
    deadline = time.monotonic() + seconds
    while True:
        given = answer()
        if done(given) or time.monotonic() > deadline:
            return given
        time.sleep(0.1)


def assert_retryable(answer: Answer, *, aws: bool) -> None:
    """The outage's answer: AWS's retryable code; through the AWS door (and before GraphQL runs
    anything) 503 with ``Retry-After``; a GraphQL field error in a 200 body otherwise."""
    assert answer.code == RETRYABLE, answer
    if aws or answer.status != 200:
        assert (answer.status, answer.retry_after) == (503, "1"), answer
    if not aws:
        assert answer.body["errors"][0]["message"]


def assert_served_or_retryable(answer: Answer, *, aws: bool) -> None:
    if answer.code is not None:
        assert_retryable(answer, aws=aws)
    else:
        assert answer.status == 200, answer


def start_shutting_down(postgres: EmbeddedPostgres) -> None:
    """SIGTERM to the postmaster: a smart shutdown, refusing new sessions until the last ends."""
    pid = int((postgres.data_dir / "postmaster.pid").read_text(encoding="ascii").splitlines()[0])
    os.kill(pid, signal.SIGTERM)


async def test_an_outage_is_answered_coded_and_retryable_and_passes(
    served: AwsServer, postgres: EmbeddedPostgres, home: Path
) -> None:
    doors = Doors.of(served.url, home)
    created = doors.graphql(CREATE_KEY).body["data"]["createKey"]["keyMetadata"]["keyId"]
    cached = {"keyId": created, "plaintext": PLAINTEXT}
    aws_cached = {"KeyId": created, "Plaintext": PLAINTEXT}
    blob = doors.graphql(ENCRYPT, {"i": cached}).body["data"]["encrypt"]["ciphertextBlob"]
    assert doors.aws("Encrypt", aws_cached).status == 200
    kms = retrying_kms(served)
    assert (
        kms.decrypt(CiphertextBlob=base64.b64decode(blob))["Plaintext"] == b"kept through an outage"
    )

    admin = await asyncpg.connect(postgres.dsn)
    try:
        start_shutting_down(postgres)
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'keygraph'"
        )
        # Stage 1: authenticated from the cache; the database is needed inside the operation.
        for answer, aws in (
            (doors.graphql(WHOAMI), False),
            (doors.graphql(ENCRYPT, {"i": cached}), False),
            (doors.aws("Encrypt", aws_cached), True),
        ):
            assert_served_or_retryable(answer, aws=aws)
        # A change waits for its audit event to be written, a bounded time (5 s).
        assert_retryable(doors.graphql(CREATE_KEY), aws=False)
        assert_retryable(doors.graphql(LIST_KEYS), aws=False)
        assert_retryable(doors.aws("ListKeys", {}), aws=True)
        assert_retryable(doors.aws("ListAliases", {}), aws=True)
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
    finally:
        await admin.close()
    # Stage 2: no Postgres at all; not even a token can be read, and nothing gets in.
    gone = until(lambda: doors.graphql(WHOAMI), lambda a: a.status == 503, 30)
    assert_retryable(gone, aws=False)
    assert not postgres.is_running()
    for query, variables in (
        (WHOAMI, None),
        (ENCRYPT, {"i": cached}),
        (DECRYPT, {"i": {"ciphertextBlob": blob}}),
        (CREATE_KEY, None),
    ):
        assert_retryable(doors.graphql(query, variables), aws=False)
    for action, body in (
        ("Encrypt", aws_cached),
        ("Decrypt", {"CiphertextBlob": blob}),
        ("CreateKey", {}),
        ("DescribeKey", {"KeyId": created}),
    ):
        assert_retryable(doors.aws(action, body), aws=True)
    with pytest.raises(ClientError) as refused:
        kms.decrypt(CiphertextBlob=base64.b64decode(blob))
    error = refused.value.response
    assert error["Error"]["Code"] == RETRYABLE
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert error["ResponseMetadata"]["RetryAttempts"] == 2, "botocore retries the answer"
    assert doors.healthy()

    # Postgres back: the same process serves again, without a restart.
    postgres.start()
    back = until(lambda: doors.graphql(WHOAMI), lambda a: a.status == 200 and a.code is None, 60)
    assert back.body["data"]["whoami"]["arn"].endswith(":root")
    assert doors.graphql(DECRYPT, {"i": {"ciphertextBlob": blob}}).code is None
    assert doors.graphql(CREATE_KEY).code is None
    assert doors.aws("Encrypt", aws_cached).status == 200
    assert doors.aws("CreateKey", {}).status == 200
    assert (
        kms.decrypt(CiphertextBlob=base64.b64decode(blob))["Plaintext"] == b"kept through an outage"
    )
    assert served.replica.process.poll() is None
    assert "unexpected error" not in served.replica.output(), "an outage is not a bug"
