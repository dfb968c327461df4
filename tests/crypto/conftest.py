"""Served keygraph processes for the tests that need real HTTP between processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hsm import HsmConfig
from tests.served import Replica, serve_environment


@pytest.fixture
def replicas(
    fresh_database: str, hsm_config: HsmConfig, keygraph_home: Path
) -> Iterator[tuple[Replica, Replica]]:
    """Two replicas on one database and one token."""
    env = serve_environment(fresh_database, hsm_config, keygraph_home)
    first = Replica(env)
    first.wait_ready()  # creates the root principal and its token before the second starts
    second = Replica(env)
    try:
        second.wait_ready()
        yield first, second
    finally:
        first.stop()
        second.stop()


@pytest.fixture
def replica(fresh_database: str, hsm_config: HsmConfig, keygraph_home: Path) -> Iterator[Replica]:
    served = Replica(serve_environment(fresh_database, hsm_config, keygraph_home))
    try:
        served.wait_ready()
        yield served
    finally:
        served.stop()
