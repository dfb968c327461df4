"""CreateKey: new key material made inside the HSM, then one transaction that stores it all.

The HSM work comes first and writes nothing durable (material leaves it only wrapped), so a failed
HSM call leaves no row and a failed transaction leaves nothing to clean up. The exception is a key
in a custom key store, a token object there: ``store_key`` destroys it if the transaction fails.
"""

from __future__ import annotations

import contextlib
import secrets
import uuid
from dataclasses import dataclass

from api import limits
from api.authz.authorize import authorize
from api.authz.facts import Values
from api.authz.lockout import check_lockout
from api.calls import Call
from api.errors import ValidationException
from api.keys.model import ORIGIN_SPECS, USAGES, Key, KeyState, KeyUsage, Origin
from api.keys.store import to_key
from api.keys.tags import Tag, insert_tags, tag_facts, validate_tags
from api.keys.validation import member_length
from api.keystores.keys import store_key
from api.keystores.model import ConnectionState
from api.policy import default_key_policy
from api.policy.operations import policy_document
from api.policy.validation import parse_key_policy
from api.services import Services
from api.shapes import member
from db import keys as rows
from hsm import KeySpec

# The API model's longest CustomKeyStoreId.
CUSTOM_KEY_STORE_ID_LENGTH = 64


@dataclass(frozen=True, kw_only=True)
class CreateKeyRequest:
    """AWS's CreateKey request, without the members of what keygraph does not offer
    (``MultiRegion``, ``XksKeyId``)."""

    description: str = member("", length=(0, limits.DESCRIPTION_MAX))
    key_usage: KeyUsage | None = None
    key_spec: KeySpec = KeySpec.SYMMETRIC_DEFAULT
    customer_master_key_spec: KeySpec | None = member(None, deprecated="Use keySpec.")
    origin: Origin = Origin.AWS_KMS
    custom_key_store_id: str | None = member(None, length=(1, CUSTOM_KEY_STORE_ID_LENGTH))
    policy: str | None = policy_document(None)
    bypass_policy_lockout_safety_check: bool = False
    tags: list[Tag] | None = None

    @property
    def spec(self) -> KeySpec:
        """The key spec asked for: the deprecated ``CustomerMasterKeySpec`` when given, which
        AWS treats as ``KeySpec`` under its old name."""
        return self.customer_master_key_spec or self.key_spec


def new_material_id() -> str:
    """AWS's form: 64 hexadecimal characters."""
    return secrets.token_hex(32)


def resolve_usage(spec: KeySpec, usage: KeyUsage | None) -> KeyUsage:
    allowed = USAGES[spec]
    if usage is None:
        if spec is not KeySpec.SYMMETRIC_DEFAULT:
            raise ValidationException(
                "You must specify a KeyUsage value for all KMS keys except for symmetric "
                "encryption keys."
            )
        return allowed[0]
    if usage not in allowed:
        raise ValidationException(
            f"KeyUsage {usage.value} is not compatible with KeySpec {spec.value}."
        )
    return usage


def check_origin(request: CreateKeyRequest) -> None:
    if request.spec not in ORIGIN_SPECS[request.origin]:
        raise ValidationException(
            f"KeySpec {request.spec.value} is not supported for Origin {request.origin.value}."
        )
    in_store = request.origin is Origin.AWS_CLOUDHSM
    if in_store and not request.custom_key_store_id:
        raise ValidationException("CustomKeyStoreId is required when Origin is AWS_CLOUDHSM.")
    if request.custom_key_store_id and not in_store:
        raise ValidationException("CustomKeyStoreId requires Origin AWS_CLOUDHSM.")


async def create_key(services: Services, call: Call, request: CreateKeyRequest) -> Key:
    """Validate everything, make the material, then store key, material and tags at once."""
    member_length("description", request.description, limits.DESCRIPTION_MAX)
    usage = resolve_usage(request.spec, request.key_usage)
    check_origin(request)
    tags = validate_tags(request.tags or [])
    await authorize(services, call, "CreateKey", None, facts=_create_facts(request, usage, tags))
    proposed = (
        parse_key_policy(request.policy, services.catalog) if request.policy is not None else None
    )
    policy = request.policy or default_key_policy(call.scope.account_id)
    key_id = uuid.uuid4()
    generated = request.origin is Origin.AWS_KMS
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
        await check_lockout(services, call, to_key(row), proposed, bypass=bypass)
    placed = _placed(services, call, request, row)
    async with placed, services.pool.acquire() as conn, conn.transaction():
        await rows.insert_key(conn, row)
        if material is not None and material_id is not None:
            await rows.insert_material(
                conn,
                rows.MaterialRow(
                    key_id=key_id,
                    material_id=material_id,
                    wrapped=material.material,
                    public_key=material.public_key,
                    created_at=call.now,
                    rotation_type=None,
                ),
            )
        await insert_tags(conn, key_id, tags)
        await rows.record_event(conn, key_id, "CreateKey", None, state.value)
    return to_key(row)


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
    return store_key(services, call, request.custom_key_store_id, str(row.id))
