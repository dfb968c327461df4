"""The AWS conformance suite's fixtures: one served keygraph for the whole session (starting one
costs seconds; every test makes its own keys) and boto3 clients of its principals."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from hsm import HsmConfig
from tests.aws.door import AwsServer, served_door
from tests.fixtures.postgres import new_database


@pytest.fixture(scope="session")
async def aws_database(database_url: str) -> AsyncIterator[str]:
    async with new_database(database_url) as url:
        yield url


@pytest.fixture(scope="session")
def aws(
    aws_database: str, hsm_config: HsmConfig, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AwsServer]:
    """The served keygraph: ``url``, ``region``, ``account_id``, the root's ``access_key_id``
    and ``secret_access_key``, ``env`` for subprocess clients, ``second`` (a user's key)."""
    with served_door(aws_database, hsm_config, tmp_path_factory.mktemp("aws-home")) as door:
        yield door


@pytest.fixture(scope="session")
def kms(aws: AwsServer) -> Any:
    """The account root's boto3 client."""
    return aws.client()


@pytest.fixture(scope="session")
def second_kms(aws: AwsServer) -> Any:
    """The second user's client: it has no identity policy, so the root's keys refuse it."""
    return aws.client(aws.second)


@pytest.fixture(scope="session")
def unvalidated_kms(aws: AwsServer) -> Any:
    """The root's client with botocore's parameter validation off, to send what it refuses."""
    return aws.client(validate=False)
