"""keygraph's own operations on access keys, the credentials of the AWS door (``api.access_keys``):
CreateAccessKey, ListAccessKeys, DeactivateAccessKey, DeleteAccessKey, shaped after IAM's.

As identity policies, a principal's access keys are managed by the root principal of its own
account only, and a principal may list its own. They authorize and are audited as ``keygraph:``
actions. The secret is in CreateAccessKey's answer and nowhere else, ever again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from api import access_keys
from api.access_keys import ID_PATTERN, AccessKeyStatus
from api.calls import Call
from api.operation import change, read
from api.operations.access import managed_principal
from api.services import Services
from api.shapes import member, project

CREATE = "keygraph:CreateAccessKey"
LIST = "keygraph:ListAccessKeys"
DEACTIVATE = "keygraph:DeactivateAccessKey"
DELETE = "keygraph:DeleteAccessKey"


@dataclass(frozen=True, kw_only=True)
class AccessKeyMetadata:
    """An access key without its secret."""

    principal: str
    access_key_id: str
    status: AccessKeyStatus
    create_date: datetime


@dataclass(frozen=True, kw_only=True)
class AccessKey:
    """A new access key with its secret, as it is shown once."""

    principal: str
    access_key_id: str
    status: AccessKeyStatus
    secret_access_key: str = member(
        sensitive=True, doc="AWS_SECRET_ACCESS_KEY: shown in this answer only, never again."
    )
    create_date: datetime


@dataclass(frozen=True, kw_only=True)
class AccessKeysRequest:
    principal: str = member(doc="The ARN of a user, a role or an account's root.")


@dataclass(frozen=True, kw_only=True)
class CreateAccessKeyResponse:
    access_key: AccessKey


@dataclass(frozen=True, kw_only=True)
class ListAccessKeysResponse:
    access_key_metadata: list[AccessKeyMetadata]


@dataclass(frozen=True, kw_only=True)
class AccessKeyRequest:
    access_key_id: str = member(pattern=ID_PATTERN, doc="The access key id (AWS_ACCESS_KEY_ID).")


@dataclass(frozen=True, kw_only=True)
class AccessKeyResponse:
    access_key_metadata: AccessKeyMetadata


def _metadata(key: access_keys.AccessKey) -> AccessKeyMetadata:
    return project(AccessKeyMetadata, key, principal=key.principal.arn)


async def create_access_key(
    services: Services, call: Call, request: AccessKeysRequest
) -> CreateAccessKeyResponse:
    """A new active key; a principal holds two at most."""
    target = managed_principal(call, CREATE, request.principal, self_allowed=False)
    async with services.pool.acquire() as conn:
        issued = await access_keys.create_access_key(conn, services.hsm, target)
    key = issued.key
    created = project(AccessKey, key, principal=key.principal.arn, secret_access_key=issued.secret)
    return CreateAccessKeyResponse(access_key=created)


async def list_access_keys(
    services: Services, call: Call, request: AccessKeysRequest
) -> ListAccessKeysResponse:
    target = managed_principal(call, LIST, request.principal, self_allowed=True)
    async with services.pool.acquire() as conn:
        found = await access_keys.list_access_keys(conn, target)
    return ListAccessKeysResponse(access_key_metadata=[_metadata(key) for key in found])


async def deactivate_access_key(
    services: Services, call: Call, request: AccessKeyRequest
) -> AccessKeyResponse:
    """The key stops signing at once, in every process. There is no way back, as a key that
    may have leaked should not return: delete it and create another."""
    async with services.pool.acquire() as conn:
        key = await access_keys.find_access_key(conn, request.access_key_id)
        managed_principal(call, DEACTIVATE, key.principal.arn, self_allowed=False)
        deactivated = await access_keys.deactivate_access_key(conn, key)
    services.key_cache.forget_access_key(key.access_key_id)
    return AccessKeyResponse(access_key_metadata=_metadata(deactivated))


async def delete_access_key(
    services: Services, call: Call, request: AccessKeyRequest
) -> AccessKeyResponse:
    """Delete the key, its sealed secret with it; answers the key as it was."""
    async with services.pool.acquire() as conn:
        key = await access_keys.find_access_key(conn, request.access_key_id)
        managed_principal(call, DELETE, key.principal.arn, self_allowed=False)
        await access_keys.delete_access_key(conn, key)
    services.key_cache.forget_access_key(key.access_key_id)
    return AccessKeyResponse(access_key_metadata=_metadata(key))


OPERATIONS = (
    change(
        "CreateAccessKey",
        create_access_key,
        actions=(CREATE,),
        description="A new access key for a principal, its secret shown once (root of the "
        "principal's account only; two keys per principal at most).",
    ),
    read(
        "ListAccessKeys",
        list_access_keys,
        actions=(LIST,),
        description="A principal's access keys, without their secrets.",
    ),
    change(
        "DeactivateAccessKey",
        deactivate_access_key,
        actions=(DEACTIVATE,),
        description="Stop an access key from signing requests, in every process at once.",
    ),
    change(
        "DeleteAccessKey",
        delete_access_key,
        actions=(DELETE,),
        description="Delete an access key and its sealed secret.",
    ),
)
