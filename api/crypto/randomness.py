"""GenerateRandom: bytes from the HSM's random number generator, or from a custom key store's.

AWS's model leaves ``NumberOfBytes`` optional and bounds it (1 to 1024, checked with the request's
shape); the service itself then requires it. With ``CustomKeyStoreId`` the bytes come from that
store's token, as AWS takes them from the store's CloudHSM cluster: the store must be one of the
caller's account and region (else CustomKeyStoreNotFoundException) and CONNECTED (else
CustomKeyStoreInvalidStateException).
"""

from __future__ import annotations

from api import messages
from api.authz.authorize import authorize
from api.calls import Call
from api.keys.custom_stores import use_store
from api.services import Services


async def generate_random(
    services: Services, call: Call, number_of_bytes: int | None, store_id: str | None = None
) -> bytes:
    await authorize(services, call, "GenerateRandom", None)
    if number_of_bytes is None:
        raise messages.NUMBER_OF_BYTES_REQUIRED()
    if store_id is None:
        return await services.hsm.generate_random(number_of_bytes)
    return await use_store(
        services.key_stores,
        call,
        store_id,
        "GenerateRandom",
        lambda token: token.generate_random(number_of_bytes),
    )
