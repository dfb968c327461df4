"""GenerateRandom: bytes from the HSM's random number generator.

AWS's model leaves ``NumberOfBytes`` optional and bounds it (1 to 1024, checked with the request's
shape); the service itself then requires it.
"""

from __future__ import annotations

from api.authz.authorize import authorize
from api.calls import Call
from api.errors import ValidationException
from api.services import Services


async def generate_random(services: Services, call: Call, number_of_bytes: int | None) -> bytes:
    await authorize(services, call, "GenerateRandom", None)
    if number_of_bytes is None:
        raise ValidationException("NumberOfBytes is required.")
    return await services.hsm.generate_random(number_of_bytes)
