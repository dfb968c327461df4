"""SigV4 on the AWS door: requests signed by botocore's signer (what every AWS SDK for Python
sends) are accepted, and each way a signature can be wrong gets AWS's exception and words."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from api.access_keys import IssuedAccessKey, create_access_key
from api.principals import Principal
from api.services import Services
from keygraph.app import keygraph_app
from tests.aws_protocol.conftest import CONTENT_TYPE, AwsAnswer
from tests.graphql_client import BASE_URL, app_client

MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details."
)


@pytest.fixture
async def root_key(services: Services) -> IssuedAccessKey:
    root = Principal.root(services.settings.account_id)
    async with services.pool.acquire() as conn:
        return await create_access_key(conn, services.hsm, root)


@pytest.fixture
async def anonymous(services: Services) -> Any:
    async with app_client(keygraph_app(services.settings, services)) as http:
        yield http


def signed_request(
    action: str,
    key_id: str,
    secret: str,
    *,
    body: dict[str, Any] | None = None,
    region: str = "us-east-1",
    at: datetime | None = None,
    headers: dict[str, str] | None = None,
) -> AWSRequest:
    """A request signed as botocore signs it, at ``at`` (now by default)."""
    request = AWSRequest(
        method="POST",
        url=f"{BASE_URL}/",
        data=json.dumps(body or {}).encode(),
        headers={
            "X-Amz-Target": f"TrentService.{action}",
            "Content-Type": CONTENT_TYPE,
            **(headers or {}),
        },
    )
    signer = SigV4Auth(Credentials(key_id, secret), "kms", region)
    if at is None:
        signer.add_auth(request)
        return request
    # add_auth signs at the current time; this is its signing at another time, step by step.
    timestamp = at.strftime("%Y%m%dT%H%M%SZ")
    request.context["timestamp"] = timestamp
    request.headers["X-Amz-Date"] = timestamp
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    signed_headers = signer.signed_headers(signer.headers_to_sign(request))
    request.headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={signer.scope(request)}, "
        f"SignedHeaders={signed_headers}, Signature={signature}"
    )
    return request


async def send(
    client: httpx.AsyncClient, request: AWSRequest, body: bytes | None = None
) -> AwsAnswer:
    response = await client.post(
        "/", content=request.body if body is None else body, headers=dict(request.headers.items())
    )
    return AwsAnswer(response.status_code, response.json(), response.headers)


async def test_a_request_signed_by_botocore_is_the_key_holders(
    anonymous: httpx.AsyncClient, root_key: IssuedAccessKey
) -> None:
    request = signed_request(
        "CreateKey", root_key.key.access_key_id, root_key.secret, body={"Description": "signed"}
    )
    answer = await send(anonymous, request)
    assert answer.status == 200, answer.body
    assert answer.body["KeyMetadata"]["Description"] == "signed"
    assert answer.body["KeyMetadata"]["AWSAccountId"] == root_key.key.principal.account_id


async def test_a_wrong_secret_does_not_match(
    anonymous: httpx.AsyncClient, root_key: IssuedAccessKey
) -> None:
    request = signed_request("ListKeys", root_key.key.access_key_id, "x" * 40)
    answer = await send(anonymous, request)
    assert (answer.status, answer.error) == (400, ("InvalidSignatureException", MISMATCH))


async def test_a_body_changed_after_signing_does_not_match(
    anonymous: httpx.AsyncClient, root_key: IssuedAccessKey
) -> None:
    request = signed_request("ListKeys", root_key.key.access_key_id, root_key.secret)
    answer = await send(anonymous, request, body=b'{"Limit": 1}')
    assert answer.error == ("InvalidSignatureException", MISMATCH)


async def test_a_payload_hash_that_is_not_the_body_is_refused(
    anonymous: httpx.AsyncClient, root_key: IssuedAccessKey
) -> None:
    request = signed_request(
        "ListKeys",
        root_key.key.access_key_id,
        root_key.secret,
        headers={"X-Amz-Content-SHA256": "0" * 64},
    )
    answer = await send(anonymous, request)
    assert answer.error == (
        "InvalidSignatureException",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
    )


async def test_an_unknown_access_key_is_an_unrecognized_client(
    anonymous: httpx.AsyncClient, root_key: IssuedAccessKey
) -> None:
    request = signed_request("ListKeys", "KGAK" + "A" * 16, root_key.secret)
    answer = await send(anonymous, request)
    assert answer.error == (
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )


async def test_a_signature_older_than_five_minutes_has_expired(
    anonymous: httpx.AsyncClient, root_key: IssuedAccessKey
) -> None:
    signed_at = datetime.now(UTC) - timedelta(minutes=6)
    request = signed_request("ListKeys", root_key.key.access_key_id, root_key.secret, at=signed_at)
    code, message = (await send(anonymous, request)).error
    assert code == "InvalidSignatureException"
    stamp = signed_at.strftime("%Y%m%dT%H%M%SZ")
    assert message.startswith(f"Signature expired: {stamp} is now earlier than ")
    assert message.endswith(" - 5 min.)")


async def test_a_signature_from_the_future_is_not_yet_current(
    anonymous: httpx.AsyncClient, root_key: IssuedAccessKey
) -> None:
    signed_at = datetime.now(UTC) + timedelta(minutes=6)
    request = signed_request("ListKeys", root_key.key.access_key_id, root_key.secret, at=signed_at)
    code, message = (await send(anonymous, request)).error
    assert code == "InvalidSignatureException"
    assert message.startswith("Signature not yet current: ")


async def test_a_signature_for_another_region_is_refused(
    anonymous: httpx.AsyncClient, root_key: IssuedAccessKey
) -> None:
    request = signed_request(
        "ListKeys", root_key.key.access_key_id, root_key.secret, region="eu-west-1"
    )
    answer = await send(anonymous, request)
    assert answer.error == (
        "InvalidSignatureException",
        "Credential should be scoped to a valid region, not 'eu-west-1'.",
    )


async def test_an_authorization_without_its_parts_is_incomplete(
    anonymous: httpx.AsyncClient, root_key: IssuedAccessKey
) -> None:
    request = signed_request("ListKeys", root_key.key.access_key_id, root_key.secret)
    credential = request.headers["Authorization"].split(",")[0]
    request.headers.replace_header("Authorization", credential)
    answer = await send(anonymous, request)
    assert answer.error == (
        "IncompleteSignatureException",
        "Authorization header requires 'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter.",
    )


async def test_temporary_credentials_are_refused_clearly(
    anonymous: httpx.AsyncClient, root_key: IssuedAccessKey
) -> None:
    request = signed_request(
        "ListKeys",
        root_key.key.access_key_id,
        root_key.secret,
        headers={"X-Amz-Security-Token": "session"},
    )
    code, message = (await send(anonymous, request)).error
    assert code == "UnrecognizedClientException"
    assert "no temporary credentials" in message


async def test_a_request_without_credentials_is_missing_its_token(
    anonymous: httpx.AsyncClient,
) -> None:
    response = await anonymous.post(
        "/", content=b"{}", headers={"X-Amz-Target": "TrentService.ListKeys"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "__type": "MissingAuthenticationTokenException",
        "message": "Missing Authentication Token",
    }


async def test_a_bearer_token_works_and_a_wrong_one_is_unrecognized(
    anonymous: httpx.AsyncClient, admin_token: str
) -> None:
    target = {"X-Amz-Target": "TrentService.ListKeys"}
    good = await anonymous.post(
        "/", content=b"{}", headers={**target, "Authorization": f"Bearer {admin_token}"}
    )
    assert good.status_code == 200
    bad = await anonymous.post(
        "/", content=b"{}", headers={**target, "Authorization": "Bearer kg1.nope"}
    )
    assert bad.json()["__type"] == "UnrecognizedClientException"


async def test_a_deactivated_key_signs_nothing_more(
    anonymous: httpx.AsyncClient, client: httpx.AsyncClient, root_key: IssuedAccessKey
) -> None:
    key_id = root_key.key.access_key_id
    assert (
        await send(anonymous, signed_request("ListKeys", key_id, root_key.secret))
    ).status == 200
    response = await client.post(
        "/graphql",
        json={
            "query": "mutation($id: String!) { deactivateAccessKey(input: {accessKeyId: $id}) "
            "{ accessKeyMetadata { status } } }",
            "variables": {"id": key_id},
        },
    )
    assert "errors" not in response.json(), response.json()
    answer = await send(anonymous, signed_request("ListKeys", key_id, root_key.secret))
    assert answer.error[0] == "UnrecognizedClientException"


async def test_a_body_over_the_limit_is_refused_in_aws_shape(
    anonymous: httpx.AsyncClient, services: Services
) -> None:
    oversized = b" " * (services.settings.limits.max_body_bytes + 1)
    response = await anonymous.post(
        "/", content=oversized, headers={"X-Amz-Target": "TrentService.ListKeys"}
    )
    assert response.status_code == 413
    assert response.json()["__type"] == "ValidationException"
