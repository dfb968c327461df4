"""A key policy naming an action no service has is stored, as AWS stores it: boto3 code written for
AWS works unchanged against keygraph's default (KEYGRAPH_POLICY_CHECK=warn), and the answer has
only AWS's members. (AWS stored ``kms:unknown`` in the conformance run recorded for issue 15;
PutKeyPolicy's response has no members, CreateKey's only KeyMetadata:
https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html#API_PutKeyPolicy_ResponseElements,
https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html#API_CreateKey_ResponseSyntax.)
What AWS refuses stays refused (tests/policy/test_warn_mode.py has both modes and the audit
events)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.aws.door import AwsServer
from tests.aws.kms import answered_nothing, error_of, new_key

pytestmark = pytest.mark.slow


def typo_policy(aws: AwsServer) -> str:
    root = f"arn:aws:iam::{aws.account_id}:root"
    statements = [
        {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*",
         "Resource": "*"},
        {"Sid": "Typo", "Effect": "Allow", "Principal": {"AWS": root},
         "Action": ["kms:Encrypt", "kms:unknown"], "Resource": "*"},
    ]  # fmt: skip
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def test_put_key_policy_stores_an_unknown_action(aws: AwsServer, kms: Any) -> None:
    key_id = new_key(kms)["KeyId"]
    document = typo_policy(aws)
    assert answered_nothing(kms.put_key_policy(KeyId=key_id, Policy=document))
    assert kms.get_key_policy(KeyId=key_id)["Policy"] == document


def test_create_key_stores_an_unknown_action(aws: AwsServer, kms: Any) -> None:
    document = typo_policy(aws)
    created = kms.create_key(Policy=document)
    assert set(created) == {"KeyMetadata", "ResponseMetadata"}
    assert kms.get_key_policy(KeyId=created["KeyMetadata"]["KeyId"])["Policy"] == document


def test_malformed_json_is_still_refused(kms: Any) -> None:
    key_id = new_key(kms)["KeyId"]
    with pytest.raises(ClientError) as refused:
        kms.put_key_policy(KeyId=key_id, Policy="{not json")
    assert error_of(refused.value)[0] == "MalformedPolicyDocumentException"
