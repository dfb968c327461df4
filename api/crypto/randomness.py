"""GenerateRandom: bytes from the HSM's random number generator."""

from __future__ import annotations

from api import limits
from api.authz.authorize import authorize
from api.calls import Call
from api.errors import ValidationException
from api.keys.validation import member_range
from api.services import Services


async def generate_random(services: Services, call: Call, number_of_bytes: int | None) -> bytes:
    await authorize(services, call, "GenerateRandom", None)
    if number_of_bytes is None:
        raise ValidationException("NumberOfBytes is required.")
    size = member_range("numberOfBytes", number_of_bytes, limits.RANDOM_BYTES)
    return await services.hsm.generate_random(size)
