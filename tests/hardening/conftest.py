"""One served keygraph for the package's hostile-input and fuzzing tests, on a database of its
own (the outage test runs its own Postgres, which it stops)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from hsm import HsmConfig
from tests.aws.door import AwsServer, served_door
from tests.fixtures.postgres import new_database
from tests.hardening.doors import Doors


@pytest.fixture(scope="package")
async def hardening_database(database_url: str) -> AsyncIterator[str]:
    async with new_database(database_url) as url:
        yield url


@pytest.fixture(scope="package")
def hardening_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hardening-home")


@pytest.fixture(scope="package")
def hardened(
    hardening_database: str, hsm_config: HsmConfig, hardening_home: Path
) -> Iterator[AwsServer]:
    with served_door(hardening_database, hsm_config, hardening_home) as door:
        yield door


@pytest.fixture(scope="package")
def doors(hardened: AwsServer, hardening_home: Path) -> Doors:
    return Doors.of(hardened.url, hardening_home)
