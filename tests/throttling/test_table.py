"""Reading KEYGRAPH_RATES: overrides by class or action name, ``off``, and every refusal naming the
entry that caused it."""

from __future__ import annotations

import pytest

from api.throttling import (
    DEFAULT_RATES,
    DuplicateRateEntry,
    InvalidRate,
    MalformedRateEntry,
    RateConfigError,
    RateTable,
    UnknownRateName,
    parse_rates,
)


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_setting_keeps_aws_defaults(text: str) -> None:
    assert parse_rates(text) == DEFAULT_RATES


@pytest.mark.parametrize("text", ["off", " OFF ", "Off"])
def test_off_turns_throttling_off(text: str) -> None:
    assert parse_rates(text).enforced is False


def test_classes_and_actions_override_their_defaults_only() -> None:
    table = parse_rates("symmetric=10000,rsa=2000,CreateKey=20")
    assert table.enforced is True
    assert table.rates["symmetric"] == 10_000
    assert table.rates["rsa"] == 2_000
    assert table.rates["CreateKey"] == 20
    untouched = set(DEFAULT_RATES.rates) - {"symmetric", "rsa", "CreateKey"}
    assert {name: table.rates[name] for name in untouched} == {
        name: DEFAULT_RATES.rates[name] for name in untouched
    }


def test_overriding_leaves_the_defaults_as_they_were() -> None:
    before = dict(DEFAULT_RATES.rates)
    parse_rates("ecc=1,DescribeKey=1")
    assert dict(DEFAULT_RATES.rates) == before


def test_names_ignore_case_and_spaces_around_entries() -> None:
    table = parse_rates(" SYMMETRIC = 7 , describekey=3 ,generatedatakeypair/rsa_2048=2")
    assert table.rates["symmetric"] == 7
    assert table.rates["DescribeKey"] == 3
    assert table.rates["GenerateDataKeyPair/RSA_2048"] == 2


def test_a_rate_may_be_a_fraction_of_one_per_second() -> None:
    assert parse_rates("GetParametersForImport=0.25").rates["GetParametersForImport"] == 0.25


@pytest.mark.parametrize(
    ("text", "entry", "error"),
    [
        ("nope=5", "nope=5", UnknownRateName),
        ("symmetric=5,Encrypts=3", "Encrypts=3", UnknownRateName),
        ("kms:CreateKey=5", "kms:CreateKey=5", UnknownRateName),
        ("GenerateDataKeyPair/HMAC_256=5", "GenerateDataKeyPair/HMAC_256=5", UnknownRateName),
        ("CreateKey=0", "CreateKey=0", InvalidRate),
        ("CreateKey=-5", "CreateKey=-5", InvalidRate),
        ("CreateKey=five", "CreateKey=five", InvalidRate),
        ("CreateKey=inf", "CreateKey=inf", InvalidRate),
        ("CreateKey=nan", "CreateKey=nan", InvalidRate),
        ("CreateKey", "CreateKey", MalformedRateEntry),
        ("CreateKey=", "CreateKey=", MalformedRateEntry),
        ("=5", "=5", MalformedRateEntry),
        ("CreateKey=5,,rsa=1", "", MalformedRateEntry),
        ("CreateKey=5,createkey=6", "createkey=6", DuplicateRateEntry),
    ],
)
def test_a_bad_entry_is_refused_by_name(
    text: str, entry: str, error: type[RateConfigError]
) -> None:
    with pytest.raises(error) as raised:
        parse_rates(text)
    assert raised.value.entry == entry
    assert repr(entry) in str(raised.value)


@pytest.mark.parametrize(
    ("action", "classes"),
    [
        ("Encrypt", ["ecc", "rsa", "symmetric"]),
        ("generaterandom", ["symmetric"]),
        (
            "GenerateDataKeyPair",
            ["GenerateDataKeyPair/RSA_2048", "GenerateDataKeyPair/ECC_NIST_P256"],
        ),
    ],
)
def test_an_action_that_shares_a_quota_points_at_the_classes_to_set(
    action: str, classes: list[str]
) -> None:
    with pytest.raises(UnknownRateName) as raised:
        parse_rates(f"{action}=100")
    for name in classes:
        assert name in str(raised.value)


def test_a_table_missing_a_class_is_refused_when_built() -> None:
    """Otherwise the first request of that class would fail instead of start-up."""
    partial = {name: rate for name, rate in DEFAULT_RATES.rates.items() if name != "CreateKey"}
    with pytest.raises(ValueError, match="CreateKey"):
        RateTable(partial)
