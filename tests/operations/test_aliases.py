"""CreateAlias, UpdateAlias, DeleteAlias and ListAliases through the pipeline."""

from __future__ import annotations

import pytest

from api.errors import (
    AlreadyExistsException,
    InvalidMarkerException,
    NotFoundException,
    ValidationException,
)
from api.keys.model import KeyUsage
from api.operations.aliases import (
    AliasListEntry,
    AliasTargetRequest,
    DeleteAliasRequest,
    ListAliasesRequest,
)
from api.operations.structures import KeyTokensRequest
from hsm import KeySpec
from tests.operations.conftest import Invoke
from tests.operations.test_keys import SCOPE, new_key, refused

PATTERN_MESSAGE = (
    "1 validation error detected: Value '{}' at 'aliasName' failed to satisfy constraint: "
    "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"
)


async def names(
    call: Invoke, key_id: str | None = None, limit: int | None = None, marker: str | None = None
) -> list[str]:
    page = await call("ListAliases", ListAliasesRequest(key_id=key_id, limit=limit, marker=marker))
    return [entry.alias_name for entry in page.aliases]


async def test_create_update_delete_round_trip(call: Invoke) -> None:
    first, second = await new_key(call), await new_key(call)
    created = await call(
        "CreateAlias", AliasTargetRequest(alias_name="alias/app", target_key_id=first.key_id)
    )
    assert created.key_metadata.key_id == first.key_id
    (entry,) = (await call("ListAliases", ListAliasesRequest())).aliases
    assert entry == AliasListEntry(
        alias_name="alias/app",
        alias_arn=f"{SCOPE}:alias/app",
        target_key_id=first.key_id,
        creation_date=entry.creation_date,
        last_updated_date=entry.creation_date,
    )
    moved = await call(
        "UpdateAlias", AliasTargetRequest(alias_name="alias/app", target_key_id=second.arn)
    )
    assert moved.key_metadata.key_id == second.key_id
    described = await call("DescribeKey", KeyTokensRequest(key_id="alias/app"))
    assert described.key_metadata.key_id == second.key_id
    assert await names(call, key_id=first.key_id) == []
    assert await names(call, key_id=second.key_id) == ["alias/app"]
    deleted = await call("DeleteAlias", DeleteAliasRequest(alias_name="alias/app"))
    assert deleted.key_metadata.key_id == second.key_id
    assert await names(call) == []
    gone = await refused(call("DeleteAlias", DeleteAliasRequest(alias_name="alias/app")))
    assert isinstance(gone, NotFoundException)
    assert gone.message == f"Alias {SCOPE}:alias/app is not found."


async def test_alias_refusals(call: Invoke) -> None:
    key = await new_key(call)
    await call("CreateAlias", AliasTargetRequest(alias_name="alias/taken", target_key_id=key.arn))
    taken = await refused(
        call("CreateAlias", AliasTargetRequest(alias_name="alias/taken", target_key_id=key.arn))
    )
    assert isinstance(taken, AlreadyExistsException)
    assert taken.message == f"An alias with the name {SCOPE}:alias/taken already exists"
    cases = {
        # Both of the model's constraints fail, and AWS names each.
        "": "2 validation errors detected: Value '' at 'aliasName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; Value '' at 'aliasName' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
        "alias/" + "a" * 251: f"1 validation error detected: Value 'alias/{'a' * 251}' at "
        "'aliasName' failed to satisfy constraint: Member must have length less than or equal "
        "to 256",
        "alias/my alias": PATTERN_MESSAGE.format("alias/my alias"),
        "payments": 'Alias must start with the prefix "alias/". Please see '
        "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html",
        "alias/my:alias": "alias/my:alias contains invalid characters for an alias",
    }
    for name, message in cases.items():
        for action in ("CreateAlias", "UpdateAlias"):
            request = AliasTargetRequest(alias_name=name, target_key_id=key.key_id)
            got = await refused(call(action, request))
            assert (got.code, got.message) == ("ValidationException", message), (action, name)
    to_alias = await refused(
        call("CreateAlias", AliasTargetRequest(alias_name="alias/x", target_key_id="alias/taken"))
    )
    assert to_alias.message == "Aliases must refer to keys. Not aliases"
    both = await refused(
        call("CreateAlias", AliasTargetRequest(alias_name="", target_key_id="k" * 2049))
    )
    assert isinstance(both, ValidationException)
    # The empty name fails its length and its pattern, the target its length: three, in one.
    assert both.message.startswith("3 validation errors detected: ")
    assert await names(call) == ["alias/taken"]


async def test_an_alias_moves_only_between_keys_of_one_usage(call: Invoke) -> None:
    symmetric = await new_key(call)
    signing = await new_key(call, key_spec=KeySpec.RSA_2048, key_usage=KeyUsage.SIGN_VERIFY)
    await call(
        "CreateAlias", AliasTargetRequest(alias_name="alias/fixed", target_key_id=symmetric.arn)
    )
    got = await refused(
        call("UpdateAlias", AliasTargetRequest(alias_name="alias/fixed", target_key_id=signing.arn))
    )
    assert got.message == (
        "Alias alias/fixed cannot be changed from a CMK with key usage ENCRYPT_DECRYPT to a CMK "
        "with key usage SIGN_VERIFY. The key usage of the current CMK and the new CMK must be "
        "the same."
    )


async def test_one_keys_aliases_page_by_name(call: Invoke) -> None:
    key, other = await new_key(call), await new_key(call)
    for name in ("alias/c", "alias/a", "alias/b"):
        await call("CreateAlias", AliasTargetRequest(alias_name=name, target_key_id=key.key_id))
    await call("CreateAlias", AliasTargetRequest(alias_name="alias/0", target_key_id=other.arn))
    first = await call("ListAliases", ListAliasesRequest(key_id=key.arn, limit=2))
    assert [entry.alias_name for entry in first.aliases] == ["alias/a", "alias/b"]
    assert (first.truncated, first.next_marker) == (True, "alias/b")
    rest = await call(
        "ListAliases", ListAliasesRequest(key_id=key.key_id, limit=2, marker=first.next_marker)
    )
    assert [entry.alias_name for entry in rest.aliases] == ["alias/c"]
    assert (rest.truncated, rest.next_marker) == (False, None)
    assert {entry.target_key_id for entry in first.aliases + rest.aliases} == {key.key_id}
    # Without a key: the whole scope, in the same order.
    assert await names(call) == ["alias/0", "alias/a", "alias/b", "alias/c"]
    assert await names(call, marker="alias/a", limit=1) == ["alias/b"]


@pytest.mark.parametrize("key_id", [None, "1234abcd-12ab-34cd-56ef-1234567890ab"])
async def test_list_aliases_refusals(call: Invoke, key_id: str | None) -> None:
    bad = await refused(call("ListAliases", ListAliasesRequest(key_id=key_id, marker="garbage")))
    assert isinstance(bad, InvalidMarkerException)
    assert bad.message == "The marker is not valid."
    limit = await refused(call("ListAliases", ListAliasesRequest(key_id=key_id, limit=0)))
    assert limit.message == (
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )
    if key_id is not None:
        absent = await refused(call("ListAliases", ListAliasesRequest(key_id=key_id)))
        assert absent.message == f"Key '{SCOPE}:key/{key_id}' does not exist"
