"""`keygraph principal create-access-key` and the rest as an operator runs them, in the
environment the server runs in (its database and its HSM), while the server may be serving."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from api.access_keys import SigningKey, list_access_keys, signing_key
from api.principals import Principal, PrincipalKind, create_principal, principal_for
from api.services import Services
from tests.app.test_dev_server import keygraph
from tests.served import serve_environment

pytestmark = pytest.mark.slow


async def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *keygraph("principal", *args),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


@pytest.fixture
def env(services: Services, keygraph_home: Path) -> dict[str, str]:
    settings = services.settings
    return serve_environment(settings.database_url, settings.hsm, keygraph_home)


async def test_an_access_key_from_creation_to_deletion(
    services: Services, env: dict[str, str]
) -> None:
    account = services.settings.account_id
    async with services.pool.acquire() as conn:
        await create_principal(conn, principal_for(account, "deployer", PrincipalKind.ROLE))

    code, out, err = await run(env, "create-access-key", "deployer", "--role")
    assert code == 0, err
    assert re.fullmatch(
        r"AWS_ACCESS_KEY_ID=(KGAK[A-Z2-7]{16})\nAWS_SECRET_ACCESS_KEY=([A-Za-z0-9+/]{40})\n", out
    )
    pairs = dict(line.split("=", 1) for line in out.splitlines())
    key_id, secret = pairs["AWS_ACCESS_KEY_ID"], pairs["AWS_SECRET_ACCESS_KEY"]
    role = Principal(account, PrincipalKind.ROLE, "deployer")
    assert err == f"created access key {key_id} for {role.arn}; its secret is shown only now\n"
    # The server unseals what the command sealed.
    assert await signing_key(services, key_id) == SigningKey(key_id, role, secret)

    async with services.pool.acquire() as conn:
        (stored,) = await list_access_keys(conn, role)
    listed = f"{key_id}\tActive\t{stored.create_date.isoformat()}\n"
    assert await run(env, "list-access-keys", "deployer", "--role") == (0, listed, "")

    assert await run(env, "deactivate-access-key", key_id) == (0, f"deactivated {key_id}\n", "")
    assert (await run(env, "list-access-keys", "deployer", "--role"))[1].split("\t")[1] == (
        "Inactive"
    )
    assert await signing_key(services, key_id) is None
    assert await run(env, "delete-access-key", key_id) == (0, f"deleted {key_id}\n", "")
    assert await run(env, "list-access-keys", "deployer", "--role") == (0, "", "")
    assert await run(env, "delete-access-key", key_id) == (
        1,
        "",
        f"keygraph: Access key {key_id} does not exist.\n",
    )


async def test_the_roots_keys_and_the_limit(services: Services, env: dict[str, str]) -> None:
    root = Principal.root(services.settings.account_id)
    for _ in range(2):
        code, out, err = await run(env, "create-access-key", "--root")
        assert code == 0, err
        key_id = out.split("\n")[0].removeprefix("AWS_ACCESS_KEY_ID=")
        found = await signing_key(services, key_id)
        assert found is not None and found.principal == root

    assert await run(env, "create-access-key", "--root") == (
        1,
        "",
        "keygraph: Cannot exceed quota for AccessKeysPerUser: 2. "
        f"{root.arn} holds 2 access keys: delete one first.\n",
    )
    code, out, _ = await run(env, "list-access-keys", "--root")
    assert (code, len(out.splitlines())) == (0, 2)


async def test_wrong_names_are_refused_clearly(env: dict[str, str]) -> None:
    assert await run(env, "create-access-key", "nobody") == (
        1,
        "",
        "keygraph: Principal arn:aws:iam::111122223333:user/nobody does not exist.\n",
    )
    code, _, err = await run(env, "create-access-key")
    assert code == 2
    assert "one of the arguments name --root is required" in err
    assert await run(env, "create-access-key", "--root", "--role") == (
        1,
        "",
        "keygraph: --root names the account's root principal, not a role\n",
    )
