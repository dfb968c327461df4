"""What a client sees of each kind of failure. A bug cannot be caused on purpose through the real
schema, so the unexpected case is a GraphQLError wrapping an exception, as graphql-core makes it."""

from __future__ import annotations

import logging

import pytest
from graphql import GraphQLError

from api.errors import DisabledException, NotFoundException
from hsm import HsmUnavailable
from schema.errors import present


def test_keygraph_errors_carry_their_aws_code_and_message() -> None:
    raised = GraphQLError(
        "ignored", path=["describeKey"], original_error=NotFoundException("Invalid keyId 'x'")
    )
    shown = present(raised)
    assert shown.message == "Invalid keyId 'x'"
    assert shown.extensions == {"code": "NotFoundException"}
    assert shown.path == ["describeKey"]
    assert present(
        GraphQLError(
            "",
            path=["encrypt"],
            original_error=DisabledException(
                "arn:aws:kms:us-east-1:111122223333:key/k is disabled."
            ),
        )
    ).extensions == {"code": "DisabledException"}


def test_an_unreachable_hsm_is_a_service_side_error() -> None:
    shown = present(
        GraphQLError("", path=["encrypt"], original_error=HsmUnavailable("CKR_DEVICE_ERROR"))
    )
    assert shown.extensions == {"code": "KMSInternalException"}
    assert shown.message == "The HSM cannot be reached right now. Try again later."


def test_malformed_requests_are_validation_errors_with_graphql_words() -> None:
    shown = present(GraphQLError("Cannot query field 'nope' on type 'Caller'."))
    assert shown.extensions == {"code": "ValidationException"}
    assert shown.message == "Cannot query field 'nope' on type 'Caller'."


def test_unexpected_errors_are_masked_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    bug = RuntimeError("plaintext=hunter2 leaked into an exception")
    with caplog.at_level(logging.ERROR, logger="keygraph.errors"):
        shown = present(GraphQLError(str(bug), path=["whoami"], original_error=bug))
    assert shown.message == "An internal error occurred."
    assert shown.extensions == {"code": "InternalError"}
    assert "hunter2" not in shown.message
    assert caplog.records[0].exc_info is not None
    assert caplog.records[0].exc_info[1] is bug


@pytest.mark.parametrize(
    ("graphql_core_says", "client_sees"),
    [
        (
            "Variable '$input' has invalid value at .plaintext: Expected value of type 'Base64',"
            " but encountered error 'Base64 value is not valid base64'; found: 'hunter2!!'.",
            "Variable '$input' has invalid value at .plaintext: Expected value of type 'Base64',"
            " but encountered error 'Base64 value is not valid base64'.",
        ),
        (
            "Expected value of type 'Base64!', found \"hunter2!!\"; "
            "Base64 value is not valid base64",
            "Expected value of type 'Base64!'; Base64 value is not valid base64",
        ),
        (
            "Expected value of type 'Int', found \"hunter2\".",
            "Expected value of type 'Int'",
        ),
    ],
)
def test_input_values_are_cut_from_coercion_errors(
    graphql_core_says: str, client_sees: str
) -> None:
    shown = present(GraphQLError(graphql_core_says))
    assert shown.message == client_sees
    assert "hunter2" not in shown.message
