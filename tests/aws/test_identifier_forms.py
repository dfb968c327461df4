"""The identifier forms each operation takes, through the AWS door: the same table as GraphQL's
(tests/operations/test_identifier_forms.py), sent by boto3. AWS's reference for each member:
https://docs.aws.amazon.com/kms/latest/APIReference/API_<Name>.html, its KeyId parameter."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from tests.aws.door import AwsServer
from tests.aws.kms import new_key, unique
from tests.identifier_forms import RESOLVED_LATER, Case, cases


@pytest.fixture(scope="module")
def alias(kms: Any) -> str:
    """An alias of a real key: what a refused form names, so that only the form is refused."""
    name = f"alias/{unique('forms')}"
    kms.create_alias(AliasName=name, TargetKeyId=new_key(kms)["KeyId"])
    return name


def _boto3_members(kms: Any, operation: str, request: dict[str, Any]) -> dict[str, Any]:
    """The request as boto3 takes it: blobs as bytes (it base64-encodes them itself)."""
    shape = kms.meta.service_model.operation_model(operation).input_shape
    return {
        name: base64.b64decode(value) if shape.members[name].type_name == "blob" else value
        for name, value in request.items()
    }


@pytest.mark.parametrize("case", list(cases(aws_door=True)), ids=lambda case: case.id)
def test_the_aws_door_takes_the_forms_the_registry_declares(
    case: Case, aws: AwsServer, unvalidated_kms: Any, alias: str
) -> None:
    name = case.operation.name
    request = case.request(aws.region, aws.account_id, alias)
    code, message = case.expected(aws.region, aws.account_id, alias)
    with pytest.raises(ClientError) as raised:
        getattr(unvalidated_kms, xform_name(name))(**_boto3_members(unvalidated_kms, name, request))
    error = raised.value.response["Error"]
    answer = (error["Code"], error["Message"])
    if case.accepted and name in RESOLVED_LATER:
        assert answer != case.refusal(aws.region, aws.account_id, alias)
        return
    assert answer == (code, message)
