"""CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, UpdateKeyDescription,
ScheduleKeyDeletion and CancelKeyDeletion.

CreateKey makes new key material inside the HSM, then stores key, material and tags in one
transaction. The HSM work comes first and writes nothing durable (material leaves it only
wrapped), so a failed HSM call leaves no row and a failed transaction leaves nothing to clean up.
The exception is a key in a custom key store, a token object there: ``store_key`` destroys it if
the transaction fails.

Scheduling a deletion only changes the key's state and dates; the deletion itself is the
background job's (``api.jobs``), once the date has passed.

AWS answers EnableKey, DisableKey and UpdateKeyDescription with nothing; keygraph answers with the
key's metadata after the change, as its GraphQL door always has. ``changed_key`` is the step of
every operation that changes one key (those of aliases, tags, policies and imports too).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import enum
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import asyncpg

from api import limits, messages
from api import members as aws
from api.authz.access import change_key, readable_key
from api.authz.authorize import authorize
from api.authz.facts import Values, tag_facts
from api.authz.lockout import check_lockout
from api.calls import Call, Door
from api.keys.custom_stores import store_key
from api.keys.ids import ANY_FORM
from api.keys.model import (
    ORIGIN_SPECS,
    USAGES,
    CustomerMasterKeySpec,
    Key,
    KeyState,
    KeyUsage,
    Origin,
    new_material_id,
)
from api.keys.store import store_material, to_key
from api.keys.tags import Tag, insert_tags, validate_tags
from api.keystores.model import ConnectionState
from api.operation import Handler, change, read
from api.operations.structures import (
    KeyArnResponse,
    KeyMetadataResponse,
    KeyRequest,
    KeyTokensRequest,
    PolicyStoredResponse,
)
from api.pages import fetch_size, invalid_marker, page_of, page_size
from api.policy import default_key_policy
from api.policy.validation import check_key_policy, policy_document
from api.services import Services
from api.shapes import member, project
from api.validation import member_length, member_range
from db import keys as rows
from hsm import KeySpec

# The API model's longest CustomKeyStoreId.
CUSTOM_KEY_STORE_ID_LENGTH = 64


@dataclass(frozen=True, kw_only=True)
class CreateKeyRequest:
    """AWS's CreateKey request. ``MultiRegion: true`` and ``XksKeyId`` ask for what keygraph
    does not offer: they are refused (``api.differences``)."""

    description: str = member("", length=(0, limits.DESCRIPTION_MAX))
    key_usage: KeyUsage | None = None
    key_spec: KeySpec = KeySpec.SYMMETRIC_DEFAULT
    customer_master_key_spec: CustomerMasterKeySpec | None = member(None, deprecated="Use keySpec.")
    origin: Origin = Origin.AWS_KMS
    custom_key_store_id: str | None = member(None, length=(1, CUSTOM_KEY_STORE_ID_LENGTH))
    policy: str | None = policy_document(None)
    bypass_policy_lockout_safety_check: bool = False
    tags: list[Tag] | None = None
    multi_region: bool | None = None
    xks_key_id: str | None = member(None, length=(1, 128), pattern="^[a-zA-Z0-9-_.]+$")

    @property
    def spec(self) -> KeySpec:
        """The key spec asked for: the deprecated ``CustomerMasterKeySpec`` when given, which
        AWS treats as ``KeySpec`` under its old name."""
        deprecated = self.customer_master_key_spec
        return self.key_spec if deprecated is None else deprecated.key_spec


class ResourceOwnerType(enum.Enum):
    """Whose keys ListKeys lists: the account's own, or those other accounts share with it
    through AWS RAM. keygraph has no RAM, so no key is ever shared that way."""

    SELF = "SELF"
    OTHER_ACCOUNTS_VIA_RAM = "OTHER_ACCOUNTS_VIA_RAM"


@dataclass(frozen=True, kw_only=True)
class KeyFilter:
    """keygraph's own narrowing of ListKeys (GraphQL only): each field set narrows the keys, a
    list to any of its values."""

    key_states: list[KeyState] | None = None
    key_specs: list[KeySpec] | None = None
    key_usages: list[KeyUsage] | None = None
    origins: list[Origin] | None = None
    text: str | None = member(
        None,
        length=(1, limits.DESCRIPTION_MAX),
        doc="Found, ignoring case, in the key id, the description, an alias name, a tag key "
        "or a tag value.",
    )


class KeySortField(enum.Enum):
    """What keygraph's ListKeys orders by (ties by key id)."""

    CREATION_DATE = "CREATION_DATE"
    KEY_ID = "KEY_ID"
    KEY_STATE = "KEY_STATE"
    KEY_SPEC = "KEY_SPEC"
    DESCRIPTION = "DESCRIPTION"


class SortOrder(enum.Enum):
    ASCENDING = "ASCENDING"
    DESCENDING = "DESCENDING"


# Each sort field's column, and how a marker holds its value (the column's value as text).
_SORT_COLUMNS: dict[KeySortField, tuple[str, Callable[[str], Any]]] = {
    KeySortField.CREATION_DATE: ("created_at", datetime.fromisoformat),
    KeySortField.KEY_ID: ("id", uuid.UUID),
    KeySortField.KEY_STATE: ("state", str),
    KeySortField.KEY_SPEC: ("key_spec", str),
    KeySortField.DESCRIPTION: ("description", str),
}


@dataclass(frozen=True, kw_only=True)
class ListKeysRequest:
    """AWS's ListKeys; ``filter``, ``sort_by`` and ``sort_order`` are keygraph's own, served
    through GraphQL only (``api.differences``)."""

    limit: int | None = aws.limit()
    marker: str | None = aws.marker()
    resource_owners: list[ResourceOwnerType] | None = member(None, length=(1, 2))
    filter: KeyFilter | None = None
    sort_by: KeySortField | None = member(None, doc="KEY_ID when not given.")
    sort_order: SortOrder | None = member(None, doc="ASCENDING when not given.")


@dataclass(frozen=True, kw_only=True)
class KeyListEntry:
    """A key of ListKeys; the GraphQL door hangs the key's aliases, tags, policy... on it."""

    key_id: str
    key_arn: str


@dataclass(frozen=True, kw_only=True)
class ListKeysResponse:
    keys: list[KeyListEntry]
    next_marker: str | None
    truncated: bool
    total_count: int = member(doc="How many keys match, on all pages (GraphQL only).")


@dataclass(frozen=True, kw_only=True)
class UpdateKeyDescriptionRequest(KeyRequest):
    description: str = member(length=(0, limits.DESCRIPTION_MAX))


@dataclass(frozen=True, kw_only=True)
class ScheduleKeyDeletionRequest(KeyRequest):
    # The model's range; the service then insists on 7 to 30 days (``schedule_key_deletion``).
    pending_window_in_days: int | None = member(
        None, value=(limits.PENDING_WINDOW_MODEL.low, limits.PENDING_WINDOW_MODEL.high)
    )


@dataclass(frozen=True, kw_only=True)
class ScheduleKeyDeletionResponse:
    key_id: str = member(doc="The key's ARN.")
    deletion_date: datetime
    key_state: KeyState
    pending_window_in_days: int


# A change of one key that writes with the transaction's connection: ``change_key``'s ``change``.
KeyChange = Callable[[asyncpg.Connection, Key], Awaitable[dict[str, Any]]]


async def changed_key(
    services: Services,
    call: Call,
    key_id: str,
    action: str,
    change: KeyChange,
    facts: Values | None = None,
) -> Key:
    """``change_key`` on a connection of its own, which ``change`` is handed to write with."""
    async with services.pool.acquire() as conn:
        return await change_key(services, conn, call, key_id, action, partial(change, conn), facts)


def resolve_usage(spec: KeySpec, usage: KeyUsage | None) -> KeyUsage:
    allowed = USAGES[spec]
    if usage is None:
        if spec is not KeySpec.SYMMETRIC_DEFAULT:
            raise messages.KEY_USAGE_REQUIRED()
        return allowed[0]
    if usage not in allowed:
        raise messages.KEY_USAGE_NOT_COMPATIBLE(usage=usage.value, spec=spec.value)
    return usage


def check_origin(request: CreateKeyRequest) -> None:
    if request.spec not in ORIGIN_SPECS[request.origin]:
        raise messages.SPEC_NOT_FOR_ORIGIN(spec=request.spec.value, origin=request.origin.value)
    in_store = request.origin is Origin.AWS_CLOUDHSM
    if in_store and not request.custom_key_store_id:
        raise messages.KEY_STORE_ID_REQUIRED()
    if request.custom_key_store_id and not in_store:
        raise messages.KEY_STORE_ID_NEEDS_ORIGIN()


async def create_key(
    services: Services, call: Call, request: CreateKeyRequest
) -> PolicyStoredResponse:
    """Validate everything, make the material, then store key, material and tags at once."""
    member_length("description", request.description, limits.DESCRIPTION_MAX)
    usage = resolve_usage(request.spec, request.key_usage)
    check_origin(request)
    tags = validate_tags(request.tags or [])
    await authorize(services, call, "CreateKey", None, facts=_create_facts(request, usage, tags))
    proposed = (
        check_key_policy(request.policy, services.catalog, services.settings.policy_check)
        if request.policy is not None
        else None
    )
    policy = request.policy or default_key_policy(call.scope.account_id)
    key_id = uuid.uuid4()
    generated = request.origin is Origin.AWS_KMS
    if generated and not services.hsm.capabilities.serves(request.spec):
        raise messages.KEY_SPEC_NOT_ON_TOKEN(spec=request.spec.value)
    material = await services.hsm.generate_key(request.spec) if generated else None
    material_id = new_material_id() if material is not None else None
    state = KeyState.PENDING_IMPORT if request.origin is Origin.EXTERNAL else KeyState.ENABLED
    row = rows.KeyRow(
        id=key_id,
        account_id=call.scope.account_id,
        region=call.scope.region,
        description=request.description,
        key_spec=request.spec.value,
        key_usage=usage.value,
        origin=request.origin.value,
        state=state.value,
        created_at=call.now,
        current_material_id=material_id,
        deletion_date=None,
        pending_window_days=None,
        custom_key_store_id=request.custom_key_store_id,
        expiration_model=None,
        valid_to=None,
        rotation_period_days=None,
        next_rotation_at=None,
        policy=policy,
        version=1,
        store_state=ConnectionState.CONNECTED.value if request.custom_key_store_id else None,
    )
    if proposed is not None:
        bypass = request.bypass_policy_lockout_safety_check
        await check_lockout(services, call, to_key(row), proposed.policy, bypass=bypass)
    placed = _placed(services, call, request, row)
    async with placed, services.pool.acquire() as conn, conn.transaction():
        await rows.insert_key(conn, row)
        if material is not None and material_id is not None:
            await store_material(conn, key_id, material_id, material, call.now, None)
        await insert_tags(conn, key_id, tags)
        await rows.record_event(conn, key_id, "CreateKey", None, state.value)
    return PolicyStoredResponse.stored(call, to_key(row), proposed.warnings if proposed else ())


def _create_facts(request: CreateKeyRequest, usage: KeyUsage, tags: list[Tag]) -> Values:
    """CreateKey's condition values: what the request asks for."""
    bypass = request.bypass_policy_lockout_safety_check
    return {
        "kms:KeySpec": request.spec.value,
        "kms:KeyUsage": usage.value,
        "kms:KeyOrigin": request.origin.value,
        "kms:MultiRegion": "false",
        "kms:BypassPolicyLockoutSafetyCheck": str(bypass).lower(),
        **tag_facts(tags),
    }


def _placed(
    services: Services, call: Call, request: CreateKeyRequest, row: rows.KeyRow
) -> contextlib.AbstractAsyncContextManager[None]:
    """A key in a custom key store is a token object there, made first and removed again if
    storing the key fails; other keys have nothing outside the database."""
    if request.custom_key_store_id is None:
        return contextlib.nullcontext()
    return store_key(services.key_stores, call, request.custom_key_store_id, str(row.id))


async def describe_key(
    services: Services, call: Call, request: KeyTokensRequest
) -> KeyMetadataResponse:
    """From the key cache: services call DescribeKey about as often as they encrypt. Its grant
    tokens are validated as AWS's model says, then unused: keygraph's grants take effect at once,
    so there is no token to wait for."""
    key = await readable_key(services, call, request.key_id, "DescribeKey")
    return KeyMetadataResponse.of(key)


async def list_keys(services: Services, call: Call, request: ListKeysRequest) -> ListKeysResponse:
    """Keys of the account and region, in a stable order: by key id, or as ``sort_by`` and
    ``sort_order`` say; ``marker`` resumes after the last key of the page before (its id, or
    with another order its sort value and id). ``ResourceOwners`` as AWS defines it: SELF (the
    default) lists these keys, and OTHER_ACCOUNTS_VIA_RAM the keys other accounts share through
    AWS RAM, which keygraph has none of (a key policy may let another account use a key, but
    that never lists it, at AWS either).

    The keys listed go into the key cache: the graph's nested fields (``Key.aliases``...) run
    an operation on each, which resolves the key again, from the cache rather than with one
    statement per key."""
    size = page_size(request.limit)
    await authorize(services, call, "ListKeys", None)
    if ResourceOwnerType.SELF not in (request.resource_owners or [ResourceOwnerType.SELF]):
        # Only keys shared through RAM, which keygraph has none of: an empty list, and no
        # marker of this listing was ever handed out.
        if request.marker is not None:
            raise invalid_marker()
        return ListKeysResponse(keys=[], next_marker=None, truncated=False, total_count=0)
    sort_by = request.sort_by or KeySortField.KEY_ID
    column = _SORT_COLUMNS[sort_by][0]
    listing = _listing(call, request.filter, column, request.sort_order is SortOrder.DESCENDING)
    after = None if request.marker is None else _resume(sort_by, request.marker)
    cache = services.key_cache
    since = cache.generation
    async with services.pool.acquire() as conn:
        listed = await rows.list_keys(conn, listing, after, fetch_size(size))
        # The AWS door does not answer the count (``api.differences``): not counted for it.
        total = 0 if call.door is Door.AWS else await rows.count_keys(conn, listing)
    page = page_of(listed, size, partial(_marker, sort_by, column))
    keys = [to_key(row) for row in page.items]
    for key in keys:
        cache.put_key(key, since)
    entries = [KeyListEntry(key_id=key.key_id, key_arn=key.arn) for key in keys]
    return project(ListKeysResponse, page, keys=entries, total_count=total)


def _listing(call: Call, where: KeyFilter | None, column: str, descending: bool) -> rows.KeyListing:
    def spelled(values: list[Any] | None) -> list[str] | None:
        return None if values is None else [value.value for value in values]

    where = where or KeyFilter()
    return rows.KeyListing(
        account_id=call.scope.account_id,
        region=call.scope.region,
        states=spelled(where.key_states),
        specs=spelled(where.key_specs),
        usages=spelled(where.key_usages),
        origins=spelled(where.origins),
        text=where.text,
        sort_column=column,
        descending=descending,
    )


def _marker(sort_by: KeySortField, column: str, row: rows.KeyRow) -> str:
    """The marker after ``row``: its id (AWS's form) in key id order, else the sort field, its
    value and the id, as URL-safe base64 of JSON."""
    if sort_by is KeySortField.KEY_ID:
        return str(row.id)
    value = getattr(row, column)
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    packed = json.dumps([sort_by.value, text, str(row.id)]).encode()
    return base64.urlsafe_b64encode(packed).decode("ascii")


def _resume(sort_by: KeySortField, marker: str) -> tuple[Any, uuid.UUID]:
    """Where a marker resumes: (sort value, id); a marker of another order or none of ours is
    AWS's InvalidMarkerException."""
    try:
        if sort_by is KeySortField.KEY_ID:
            after = uuid.UUID(marker)
            return after, after
        field, text, key_id = json.loads(base64.urlsafe_b64decode(marker.encode("ascii")))
        if field != sort_by.value:
            raise ValueError(field)
        return _SORT_COLUMNS[sort_by][1](text), uuid.UUID(key_id)
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        raise invalid_marker() from None


@dataclass(frozen=True, kw_only=True)
class KeyLookupRequest:
    key_id: str = aws.key_id(ANY_FORM)


async def key(services: Services, call: Call, request: KeyLookupRequest) -> KeyListEntry:
    """One key of the graph, as ``listKeys`` lists it, for a page about that key: authorized
    and audited as DescribeKey, its nested fields each as their own operation."""
    found = await readable_key(services, call, request.key_id, "DescribeKey")
    return KeyListEntry(key_id=found.key_id, key_arn=found.arn)


def _state_setter(action: str, state: KeyState) -> Handler[KeyRequest, KeyMetadataResponse]:
    """EnableKey's and DisableKey's handler: the key in ``state``, from whichever states the
    state table lets ``action`` leave."""

    async def set_state(services: Services, call: Call, request: KeyRequest) -> KeyMetadataResponse:
        async def change(conn: asyncpg.Connection, key: Key) -> dict[str, Any]:
            return {} if key.state is state else {"state": state}

        key = await changed_key(services, call, request.key_id, action, change)
        return KeyMetadataResponse.of(key)

    return set_state


enable_key = _state_setter("EnableKey", KeyState.ENABLED)
disable_key = _state_setter("DisableKey", KeyState.DISABLED)


async def update_key_description(
    services: Services, call: Call, request: UpdateKeyDescriptionRequest
) -> KeyMetadataResponse:
    description = member_length("description", request.description, limits.DESCRIPTION_MAX)

    async def change(conn: asyncpg.Connection, key: Key) -> dict[str, Any]:
        return {} if key.description == description else {"description": description}

    return KeyMetadataResponse.of(
        await changed_key(services, call, request.key_id, "UpdateKeyDescription", change)
    )


async def schedule_key_deletion(
    services: Services, call: Call, request: ScheduleKeyDeletionRequest
) -> ScheduleKeyDeletionResponse:
    requested = request.pending_window_in_days
    days = limits.PENDING_WINDOW_DEFAULT if requested is None else requested
    member_range("pendingWindowInDays", days, limits.PENDING_WINDOW_MODEL)
    if days not in limits.PENDING_WINDOW_DAYS:
        window = limits.PENDING_WINDOW_DAYS
        raise messages.PENDING_WINDOW(low=window.low, high=window.high)

    deletion_date = call.now + timedelta(days=days)

    async def change(conn: asyncpg.Connection, key: Key) -> dict[str, Any]:
        return {
            "state": KeyState.PENDING_DELETION,
            "deletion_date": deletion_date,
            "pending_window_days": days,
        }

    facts = {"kms:ScheduleKeyDeletionPendingWindowInDays": str(days)}
    key = await changed_key(services, call, request.key_id, "ScheduleKeyDeletion", change, facts)
    return ScheduleKeyDeletionResponse(
        key_id=key.arn,
        deletion_date=deletion_date,
        key_state=key.state,
        pending_window_in_days=days,
    )


async def _state_after_cancel(conn: asyncpg.Connection, key: Key) -> KeyState:
    """AWS leaves a cancelled key Disabled; a key without usable key material (imported material
    never imported, deleted or expired: the row is gone though the id stays) cannot be enabled,
    so it waits for an import again."""
    material = key.current_material_id
    if material is not None and await rows.find_material(conn, key.uuid, material) is not None:
        return KeyState.DISABLED
    return KeyState.PENDING_IMPORT


async def cancel_key_deletion(
    services: Services, call: Call, request: KeyRequest
) -> KeyArnResponse:
    async def change(conn: asyncpg.Connection, key: Key) -> dict[str, Any]:
        return {
            "state": await _state_after_cancel(conn, key),
            "deletion_date": None,
            "pending_window_days": None,
        }

    key = await changed_key(services, call, request.key_id, "CancelKeyDeletion", change)
    return KeyArnResponse(key_id=key.arn)


OPERATIONS = (
    change("CreateKey", create_key),
    read("DescribeKey", describe_key),
    read("ListKeys", list_keys),
    read(
        "Key",
        key,
        actions=("kms:DescribeKey",),
        flat=True,
        description="One key and everything about it (NotFoundException when there is none).",
    ),
    change("EnableKey", enable_key),
    change("DisableKey", disable_key),
    change("UpdateKeyDescription", update_key_description),
    change("ScheduleKeyDeletion", schedule_key_deletion),
    change("CancelKeyDeletion", cancel_key_deletion),
)
