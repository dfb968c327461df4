"""The served keygraph as an AWS user meets it: a real ``keygraph serve`` subprocess, access keys
made the way the README tells a user to (``keygraph principal create-access-key``), and boto3
clients pointed at it."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from api.principals import PrincipalKind, principal_for
from api.settings import DEFAULT_ACCOUNT_ID, DEFAULT_REGION
from hsm import HsmConfig
from tests.app.test_dev_server import keygraph
from tests.aws.model import check_exchange
from tests.served import Replica, serve_environment

SECOND_PRINCIPAL = "bob"


@dataclass(frozen=True)
class AccessKey:
    """One principal's AWS credentials."""

    principal_arn: str
    access_key_id: str
    secret_access_key: str = field(repr=False)


@dataclass(frozen=True)
class AwsServer:
    """The served keygraph as an AWS user configures a client for it: ``access_key_id`` and
    ``secret_access_key`` are the account root's; ``second`` is a user with no policy of its own;
    ``env`` is the environment of a subprocess client (the endpoint, region and the root's
    credentials, and none of the host's AWS settings)."""

    url: str
    region: str
    account_id: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    env: dict[str, str] = field(repr=False)
    second: AccessKey
    replica: Replica = field(repr=False)
    serve_env: dict[str, str] = field(repr=False)

    @property
    def root(self) -> AccessKey:
        arn = principal_for(self.account_id, "root", PrincipalKind.ROOT).arn
        return AccessKey(arn, self.access_key_id, self.secret_access_key)

    def client(
        self,
        credentials: AccessKey | None = None,
        *,
        validate: bool = True,
        session_token: str | None = None,
    ) -> Any:
        """A boto3 KMS client as a user makes one, with retries off so that errors surface at
        once, and every answer checked against botocore's model (``tests.aws.model``).
        ``validate=False`` turns botocore's own parameter validation off, to send what it would
        refuse; ``session_token`` makes the credentials temporary ones."""
        credentials = credentials or self.root
        kms = boto3.session.Session().client(
            "kms",
            endpoint_url=self.url,
            region_name=self.region,
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            aws_session_token=session_token,
            config=Config(
                retries={"total_max_attempts": 1, "mode": "standard"},
                parameter_validation=validate,
            ),
        )
        kms.meta.events.register("after-call.kms", check_exchange)
        return kms

    def keygraph(self, *args: str) -> str:
        """``keygraph *args`` on the served deployment (its database and token)."""
        return _keygraph_cli(self.serve_env, *args)

    def create_access_key(self, principal_arn: str, *who: str) -> AccessKey:
        """``keygraph principal create-access-key *who`` for the principal ``principal_arn``."""
        return _access_key(self.serve_env, principal_arn, *who)


def client_environment(url: str, region: str, credentials: AccessKey) -> dict[str, str]:
    """The host's environment without its AWS settings, pointed at keygraph."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_ENDPOINT_URL_KMS": url,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_ACCESS_KEY_ID": credentials.access_key_id,
        "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
    }


def _keygraph_cli(env: dict[str, str], *args: str) -> str:
    """``keygraph *args`` against the served database; its standard output."""
    done = subprocess.run(
        keygraph(*args), env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _access_key(env: dict[str, str], principal_arn: str, *who: str) -> AccessKey:
    """A new access key from ``keygraph principal create-access-key``, read from the two lines
    it prints for ``export``."""
    printed = _keygraph_cli(env, "principal", "create-access-key", *who)
    values = dict(line.split("=", 1) for line in printed.splitlines() if line)
    return AccessKey(principal_arn, values["AWS_ACCESS_KEY_ID"], values["AWS_SECRET_ACCESS_KEY"])


@contextlib.contextmanager
def served_door(database_url: str, hsm_config: HsmConfig, home: Path) -> Iterator[AwsServer]:
    """``keygraph serve`` on ``database_url``, with access keys for its account's root and a
    second user. Throttling is off: the suite creates keys faster than AWS's CreateKey quota."""
    env = {**serve_environment(database_url, hsm_config, home), "KEYGRAPH_RATES": "off"}
    replica = Replica(env)
    try:
        replica.wait_ready()
        account, region = DEFAULT_ACCOUNT_ID, DEFAULT_REGION
        root = _access_key(env, principal_for(account, "root", PrincipalKind.ROOT).arn, "--root")
        _keygraph_cli(env, "principal", "create", SECOND_PRINCIPAL)
        second_arn = principal_for(account, SECOND_PRINCIPAL, PrincipalKind.USER).arn
        yield AwsServer(
            url=replica.url,
            region=region,
            account_id=account,
            access_key_id=root.access_key_id,
            secret_access_key=root.secret_access_key,
            env=client_environment(replica.url, region, root),
            second=_access_key(env, second_arn, SECOND_PRINCIPAL),
            replica=replica,
            serve_env=env,
        )
    finally:
        replica.stop()
