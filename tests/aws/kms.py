"""What the AWS conformance tests share: making keys through boto3 and reading what it answers."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from tests.aws.door import AwsServer

# How far a time keygraph answers may be from the one the test expects: the test's own clock
# runs on while the call is made.
SLACK = timedelta(minutes=5)


def new_key(kms: Any, **members: Any) -> dict[str, Any]:
    """CreateKey's KeyMetadata."""
    metadata: dict[str, Any] = kms.create_key(**members)["KeyMetadata"]
    return metadata


def key_arn(aws: AwsServer, key_id: str) -> str:
    return f"arn:aws:kms:{aws.region}:{aws.account_id}:key/{key_id}"


def alias_arn(aws: AwsServer, alias_name: str) -> str:
    return f"arn:aws:kms:{aws.region}:{aws.account_id}:{alias_name}"


def unique(prefix: str) -> str:
    """A name no other test of the session uses (one server serves them all)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def about(moment: object, later: timedelta = timedelta()) -> bool:
    """Whether ``moment`` is a datetime, as botocore parses AWS's timestamps, ``later`` than
    now."""
    return (
        isinstance(moment, datetime)
        and moment.tzinfo is not None
        and abs(moment - (datetime.now(UTC) + later)) < SLACK
    )


def answered_nothing(response: dict[str, Any]) -> bool:
    """An operation AWS answers with nothing leaves botocore only its response metadata."""
    return set(response) == {"ResponseMetadata"}


def error_of(error: ClientError) -> tuple[str, str]:
    """The AWS error code and message, as botocore reads them from the answer."""
    return error.response["Error"]["Code"], error.response["Error"]["Message"]


def wait_for_use(kms: Any, key_id: str, request_id: str, seconds: float = 5.0) -> dict[str, Any]:
    """GetKeyLastUsage's ``KeyLastUsage`` once it names the call ``request_id``: keygraph reads
    it from the audit trail, written in batches (AWS documents the operation as eventually
    consistent too)."""
    deadline = time.monotonic() + seconds
    while True:
        usage: dict[str, Any] = kms.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]
        if usage.get("KmsRequestId") == request_id or time.monotonic() > deadline:
            return usage
        time.sleep(0.05)
