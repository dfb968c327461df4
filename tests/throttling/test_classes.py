"""Which quota each request counts against, checked against the catalog and AWS's quota table."""

from __future__ import annotations

import pytest

from api.catalog import Privilege, load_catalog
from api.crypto.datakeys import DataKeyPairSpec
from api.throttling import (
    DEFAULT_RATES,
    ECC,
    RATE_CLASSES,
    RSA,
    SYMMETRIC,
    Family,
    UnclassifiedRequest,
    quotas,
    rate_class,
    rate_classes_of,
)
from hsm import KeySpec


def _kms_privileges() -> tuple[Privilege, ...]:
    service = load_catalog().service("kms")
    assert service is not None
    return service.privileges


KMS_PRIVILEGES = _kms_privileges()
KMS_ACTIONS = tuple(p.name for p in KMS_PRIVILEGES)


def _any_request_class(action: str) -> set[str]:
    """The classes a request for ``action`` lands in, trying every key spec and pair spec."""
    found = set()
    for key_spec in (None, *(s.value for s in KeySpec)):
        for pair_spec in (None, *(s.value for s in DataKeyPairSpec)):
            try:
                found.add(rate_class(action, key_spec, pair_spec).name)
            except UnclassifiedRequest:
                continue
    return found


def test_the_catalog_includes_actions_added_beside_the_seed_page() -> None:
    additions = {p.name for p in KMS_PRIVILEGES if not p.from_seed}
    assert {"GenerateMac", "VerifyMac", "DeriveSharedSecret", "RotateKeyOnDemand"} <= additions


@pytest.mark.parametrize("action", KMS_ACTIONS)
def test_every_catalog_action_falls_in_a_class(action: str) -> None:
    classes = rate_classes_of(action)
    assert classes, f"{action} has no request quota"
    assert _any_request_class(action) == {c.name for c in classes}


def test_the_quota_table_names_exactly_the_catalog_actions() -> None:
    """A misspelt action in the table would be a quota nothing ever counts against."""
    classified = {
        *quotas.OPERATION_BY_ACTION,
        *quotas.KEYED_ACTIONS,
        *quotas.DATA_KEY_PAIR_ACTIONS,
        *quotas.KEYLESS_CRYPTOGRAPHIC_ACTIONS,
    }
    assert classified == set(KMS_ACTIONS)


def test_class_names_are_unique_ignoring_case() -> None:
    names = [c.name.casefold() for c in RATE_CLASSES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("action", "key_spec", "expected"),
    [
        ("Encrypt", "SYMMETRIC_DEFAULT", SYMMETRIC),
        ("Decrypt", "SYMMETRIC_DEFAULT", SYMMETRIC),
        ("ReEncryptFrom", "SYMMETRIC_DEFAULT", SYMMETRIC),
        ("GenerateDataKey", "SYMMETRIC_DEFAULT", SYMMETRIC),
        ("GenerateDataKeyWithoutPlaintext", "SYMMETRIC_DEFAULT", SYMMETRIC),
        ("GenerateMac", "HMAC_256", SYMMETRIC),
        ("VerifyMac", "HMAC_512", SYMMETRIC),
        ("Encrypt", "RSA_2048", RSA),
        ("Decrypt", "RSA_4096", RSA),
        ("ReEncryptTo", "RSA_3072", RSA),
        ("Sign", "RSA_3072", RSA),
        ("Verify", "RSA_2048", RSA),
        ("Sign", "ECC_NIST_P256", ECC),
        ("Verify", "ECC_SECG_P256K1", ECC),
        ("DeriveSharedSecret", "ECC_NIST_P384", ECC),
    ],
)
def test_cryptographic_operations_count_against_their_key_type(
    action: str, key_spec: str, expected: object
) -> None:
    assert rate_class(action, key_spec) is expected


@pytest.mark.parametrize("spec", list(KeySpec))
def test_every_key_spec_has_a_cryptographic_quota(spec: KeySpec) -> None:
    expected = {"SYMMETRIC": SYMMETRIC, "HMAC": SYMMETRIC, "RSA": RSA, "ECC": ECC}
    assert rate_class("Sign", spec.value) is expected[spec.value.split("_")[0]]


def test_generate_random_uses_no_key_and_counts_as_symmetric() -> None:
    assert rate_class("GenerateRandom", None) is SYMMETRIC


@pytest.mark.parametrize("spec", [s.value for s in DataKeyPairSpec])
def test_data_key_pairs_count_per_pair_spec_not_per_key(spec: str) -> None:
    with_plaintext = rate_class("GenerateDataKeyPair", "SYMMETRIC_DEFAULT", spec)
    without = rate_class("GenerateDataKeyPairWithoutPlaintext", "RSA_2048", spec)
    assert with_plaintext is without
    assert with_plaintext.family is Family.DATA_KEY_PAIR
    assert with_plaintext.name == f"GenerateDataKeyPair/{spec}"


def test_rsa_and_ecc_pairs_have_separate_quotas() -> None:
    rsa = rate_class("GenerateDataKeyPair", "SYMMETRIC_DEFAULT", "RSA_2048")
    ecc = rate_class("GenerateDataKeyPair", "SYMMETRIC_DEFAULT", "ECC_NIST_P256")
    assert rsa is not ecc


@pytest.mark.parametrize("key_spec", [None, "SYMMETRIC_DEFAULT", "RSA_2048"])
def test_management_operations_have_their_own_quota_whatever_the_key(key_spec: str | None) -> None:
    describe = rate_class("DescribeKey", key_spec)
    assert describe.name == "DescribeKey"
    assert describe.family is Family.OPERATION
    assert rate_class("CreateKey", key_spec) is not describe


@pytest.mark.parametrize(
    ("name", "rate"),
    [
        # AWS KMS Developer Guide, "Request quotas", defaults outside the regions AWS raises.
        ("symmetric", 10_000),
        ("rsa", 1_000),
        ("ecc", 1_000),
        ("GenerateDataKeyPair/RSA_2048", 20),
        ("GenerateDataKeyPair/RSA_4096", 1),
        ("GenerateDataKeyPair/ECC_NIST_P256", 100),
        ("CreateKey", 5),
        ("CreateGrant", 50),
        ("DescribeKey", 2_000),
        ("ListKeys", 500),
        ("GetParametersForImport", 1),
    ],
)
def test_default_rates_are_aws_published_quotas(name: str, rate: float) -> None:
    assert DEFAULT_RATES.rates[name] == rate


@pytest.mark.parametrize(
    ("action", "key_spec", "pair_spec"),
    [
        ("Encrypt", None, None),
        ("Sign", "NOT_A_SPEC", None),
        ("GenerateDataKeyPair", "SYMMETRIC_DEFAULT", None),
        ("GenerateDataKeyPair", "SYMMETRIC_DEFAULT", "HMAC_256"),
        ("Frobnicate", None, None),
        ("kms:CreateKey", None, None),
    ],
)
def test_a_request_without_a_quota_is_refused(
    action: str, key_spec: str | None, pair_spec: str | None
) -> None:
    with pytest.raises(UnclassifiedRequest, match=action):
        rate_class(action, key_spec, pair_spec)
