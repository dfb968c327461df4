"""botocore's paginators walk keygraph's pages as they walk AWS's: ``Truncated`` and ``NextMarker``
on every page but the last, every item once, and a walk stopped at ``MaxItems`` resumed from its
``NextToken``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.aws.door import AwsServer
from tests.aws.kms import new_key, unique

pytestmark = pytest.mark.slow

PAGE = 2


def walked(kms: Any, operation: str, items: str, **members: Any) -> list[Any]:
    """Every item of every page of ``operation``, ``PAGE`` at a time, after checking that each
    page but the last says it is truncated and where the next begins, and the last does not."""
    pages = list(
        kms.get_paginator(operation).paginate(PaginationConfig={"PageSize": PAGE}, **members)
    )
    for page in pages[:-1]:
        assert (page["Truncated"], len(page[items])) == (True, PAGE)
        assert isinstance(page["NextMarker"], str) and page["NextMarker"]
    assert pages[-1]["Truncated"] is False
    assert "NextMarker" not in pages[-1]
    return [item for page in pages for item in page[items]]


def test_list_keys_walks_every_key_once(kms: Any) -> None:
    created = {new_key(kms)["KeyId"] for _ in range(5)}
    listed = [entry["KeyId"] for entry in walked(kms, "list_keys", "Keys")]
    assert len(listed) == len(set(listed))
    assert created <= set(listed)
    assert len(listed) >= 3 * PAGE  # several pages were walked


def test_a_walk_stopped_at_max_items_resumes_from_its_token(kms: Any) -> None:
    for _ in range(5):
        new_key(kms)
    paginator = kms.get_paginator("list_keys")
    everything = paginator.paginate(PaginationConfig={"PageSize": PAGE}).build_full_result()
    first = paginator.paginate(
        PaginationConfig={"PageSize": PAGE, "MaxItems": 3}
    ).build_full_result()
    assert len(first["Keys"]) == 3
    rest = paginator.paginate(
        PaginationConfig={"PageSize": PAGE, "StartingToken": first["NextToken"]}
    ).build_full_result()
    assert first["Keys"] + rest["Keys"] == everything["Keys"]


def test_list_aliases_walks_a_key_s_aliases(kms: Any) -> None:
    key_id = new_key(kms)["KeyId"]
    aliases = {unique("alias/paged") for _ in range(5)}
    for alias in aliases:
        kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    listed = walked(kms, "list_aliases", "Aliases", KeyId=key_id)
    assert sorted(entry["AliasName"] for entry in listed) == sorted(aliases)
    everyone = [entry["AliasName"] for entry in walked(kms, "list_aliases", "Aliases")]
    assert len(everyone) == len(set(everyone))
    assert aliases <= set(everyone)


def test_list_grants_walks_a_key_s_grants(aws: AwsServer, kms: Any) -> None:
    key_id = new_key(kms)["KeyId"]
    granted = {
        kms.create_grant(
            KeyId=key_id,
            GranteePrincipal=aws.second.principal_arn,
            Operations=["Encrypt"],
            Name=f"grant-{number}",
        )["GrantId"]
        for number in range(5)
    }
    listed = walked(kms, "list_grants", "Grants", KeyId=key_id)
    assert sorted(grant["GrantId"] for grant in listed) == sorted(granted)
