"""GenerateMac and VerifyMac with HMAC keys; both run in the HSM, where the key lives.

Each HMAC spec allows exactly one algorithm (HMAC_256 -> HMAC_SHA_256); another is refused with
AWS's incompatibility message before the HSM is asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import hsm
from api import limits
from api.calls import Call
from api.crypto import checks
from api.crypto.material import Material, material_of
from api.errors import KMSInvalidMacException
from api.keys.ids import ANY_FORM
from api.keys.model import Key
from api.members import dry_run, grant_tokens, key_id
from api.services import Services
from api.shapes import member
from hsm import MacAlgorithm


@dataclass(frozen=True, kw_only=True)
class GenerateMacRequest:
    key_id: str = key_id(ANY_FORM)
    message: bytes = checks.message()
    mac_algorithm: MacAlgorithm
    grant_tokens: list[str] | None = grant_tokens()
    dry_run: bool | None = dry_run()


# Not a subclass of GenerateMacRequest: AWS's VerifyMac has ``Mac`` before ``GrantTokens``.
@dataclass(frozen=True, kw_only=True)
class VerifyMacRequest:
    key_id: str = key_id(ANY_FORM)
    message: bytes = checks.message()
    mac_algorithm: MacAlgorithm
    mac: bytes = member(length=(limits.MAC_BYTES.low, limits.MAC_BYTES.high), sensitive=True)
    grant_tokens: list[str] | None = grant_tokens()
    dry_run: bool | None = dry_run()


@dataclass(frozen=True)
class Mac:
    key: Key
    mac: bytes = field(repr=False)
    mac_algorithm: MacAlgorithm


async def generate_mac(services: Services, call: Call, request: GenerateMacRequest) -> Mac:
    key, material = await _mac_key(services, call, "GenerateMac", request)
    mac = await services.hsm.generate_mac(material.wrapped, request.message, request.mac_algorithm)
    return Mac(key, mac, request.mac_algorithm)


async def verify_mac(services: Services, call: Call, request: VerifyMacRequest) -> Key:
    """The key that verified the MAC; a MAC that does not verify raises
    ``KMSInvalidMacException``."""
    key, material = await _mac_key(services, call, "VerifyMac", request)
    try:
        await services.hsm.verify_mac(
            material.wrapped, request.message, request.mac, request.mac_algorithm
        )
    except hsm.InvalidMac:
        raise KMSInvalidMacException() from None
    return key


async def _mac_key(
    services: Services, call: Call, action: str, request: GenerateMacRequest | VerifyMacRequest
) -> tuple[Key, Material]:
    facts = {"kms:MacAlgorithm": request.mac_algorithm.value}
    key = await checks.request_key(services, call, action, request, facts=facts)
    checks.compatible(key, request.mac_algorithm, key.mac_algorithms)
    checks.stop_if_dry_run(bool(request.dry_run))
    return key, await material_of(services, key)
