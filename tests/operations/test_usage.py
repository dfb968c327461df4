"""GetKeyLastUsage through the pipeline: the last successful cryptographic use of a key, read from
the audit trail (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html)."""

from __future__ import annotations

from api.crypto.encryption import EncryptRequest
from api.invoke import Caller, invoke
from api.operations import BY_NAME
from api.operations.structures import KeyRequest
from api.operations.usage import KeyLastUsageData, KeyLastUsageTrackingOperation
from api.principals import Principal
from api.services import Services
from tests.operations.conftest import Invoke, created_key, refused


async def test_the_last_use_names_its_call(
    services: Services, root: Principal, call: Invoke
) -> None:
    key = await created_key(services, root)
    before = await call("GetKeyLastUsage", KeyRequest(key_id=key.key_id))
    assert before.key_last_usage == KeyLastUsageData()
    assert before.key_creation_date == key.created_at == before.tracking_start_date

    request = EncryptRequest(key_id=key.key_id, plaintext=b"x")
    await invoke(services, Caller(root, request_id="use-1"), BY_NAME["Encrypt"], request)
    await services.audit.flush()

    usage = (await call("GetKeyLastUsage", KeyRequest(key_id=key.arn))).key_last_usage
    assert usage.operation is KeyLastUsageTrackingOperation.ENCRYPT
    assert usage.kms_request_id == "use-1"
    assert usage.cloud_trail_event_id is not None and usage.cloud_trail_event_id.isdigit()


async def test_a_failed_use_is_no_use(services: Services, root: Principal, call: Invoke) -> None:
    key = await created_key(services, root)
    request = EncryptRequest(key_id=key.key_id, plaintext=b"x")
    await invoke(services, Caller(root, request_id="use-ok"), BY_NAME["Encrypt"], request)
    await call("DisableKey", KeyRequest(key_id=key.key_id))
    failed = Caller(root, request_id="use-refused")
    error = await refused(invoke(services, failed, BY_NAME["Encrypt"], request))
    assert error.code == "DisabledException"
    await services.audit.flush()
    usage = (await call("GetKeyLastUsage", KeyRequest(key_id=key.key_id))).key_last_usage
    assert usage.kms_request_id == "use-ok"
