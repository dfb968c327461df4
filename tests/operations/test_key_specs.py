"""keySpecs, what a create-key form offers: every pair it lists CreateKey takes, every other pair
CreateKey refuses, and SoftHSM makes keys of every spec."""

from __future__ import annotations

import pytest

from api.errors import ValidationException
from api.keys.model import KeyUsage, Origin
from api.operations.key_specs import KeySpecsRequest, KeySpecUsages
from api.operations.keys import CreateKeyRequest
from hsm import KeySpec
from tests.operations.conftest import Invoke


async def test_key_specs_name_every_spec_with_its_usages_and_origins(call: Invoke) -> None:
    listed: list[KeySpecUsages] = await call("KeySpecs", KeySpecsRequest())
    by_spec = {entry.key_spec: entry for entry in listed}

    assert set(by_spec) == set(KeySpec)
    assert by_spec[KeySpec.SYMMETRIC_DEFAULT].key_usages == [KeyUsage.ENCRYPT_DECRYPT]
    assert by_spec[KeySpec.SYMMETRIC_DEFAULT].origins == list(Origin)
    assert by_spec[KeySpec.ECC_NIST_P256].key_usages == [
        KeyUsage.SIGN_VERIFY,
        KeyUsage.KEY_AGREEMENT,
    ]
    assert Origin.AWS_CLOUDHSM not in by_spec[KeySpec.RSA_2048].origins
    assert by_spec[KeySpec.HMAC_256].key_usages == [KeyUsage.GENERATE_VERIFY_MAC]
    # SoftHSM 2.6.1 has every mechanism keygraph's specs need, Ed25519's included.
    assert all(entry.generated for entry in listed)


@pytest.mark.parametrize(
    "spec", [KeySpec.SYMMETRIC_DEFAULT, KeySpec.ECC_NIST_P256, KeySpec.HMAC_224]
)
async def test_create_key_takes_the_listed_pairs_and_refuses_the_others(
    call: Invoke, spec: KeySpec
) -> None:
    listed: list[KeySpecUsages] = await call("KeySpecs", KeySpecsRequest())
    (entry,) = (entry for entry in listed if entry.key_spec is spec)
    for usage in KeyUsage:
        request = CreateKeyRequest(key_spec=spec, key_usage=usage)
        if usage in entry.key_usages:
            created = await call("CreateKey", request)
            assert created.key_metadata.key_usage is usage
        else:
            with pytest.raises(ValidationException):
                await call("CreateKey", request)
