"""Token buckets with a hand-moved clock: exact counts, refill, separation, and the memory bound."""

from __future__ import annotations

import pytest

from api.errors import ThrottlingException
from api.throttling import (
    DEFAULT_RATES,
    NO_THROTTLING,
    THROTTLED_MESSAGE,
    Throttle,
    UnclassifiedRequest,
    parse_rates,
)
from tests.throttling.conftest import FakeClock

ALICE = "arn:aws:iam::111122223333:user/alice"
BOB = "arn:aws:iam::111122223333:user/bob"
SYMMETRIC_KEY = "SYMMETRIC_DEFAULT"


def _encrypts(throttle: Throttle, principal: str = ALICE) -> int:
    """How many Encrypt requests pass before the first refusal."""
    passed = 0
    while True:
        try:
            throttle.take(principal, "Encrypt", SYMMETRIC_KEY)
        except ThrottlingException:
            return passed
        passed += 1


@pytest.fixture
def five(clock: FakeClock) -> Throttle:
    """Five symmetric requests per second, so five in a burst."""
    return Throttle(parse_rates("symmetric=5"), clock=clock)


def test_a_full_bucket_passes_one_second_of_requests_then_refuses(five: Throttle) -> None:
    for _ in range(5):
        five.take(ALICE, "Encrypt", SYMMETRIC_KEY)
    with pytest.raises(ThrottlingException) as raised:
        five.take(ALICE, "Encrypt", SYMMETRIC_KEY)
    assert raised.value.code == "ThrottlingException"
    assert raised.value.message == THROTTLED_MESSAGE


def test_tokens_come_back_continuously_at_the_rate(five: Throttle, clock: FakeClock) -> None:
    assert _encrypts(five) == 5
    clock.advance(0.1)
    assert _encrypts(five) == 0
    clock.advance(0.1)
    assert _encrypts(five) == 1
    clock.advance(0.6)
    assert _encrypts(five) == 3


def test_refused_requests_spend_nothing(five: Throttle, clock: FakeClock) -> None:
    assert _encrypts(five) == 5
    for _ in range(20):
        with pytest.raises(ThrottlingException):
            five.take(ALICE, "Encrypt", SYMMETRIC_KEY)
    clock.advance(0.2)
    five.take(ALICE, "Encrypt", SYMMETRIC_KEY)


def test_the_burst_never_exceeds_one_second_of_rate(five: Throttle, clock: FakeClock) -> None:
    clock.advance(3600)
    assert _encrypts(five) == 5


def test_a_rate_below_one_per_second_still_lets_one_request_through(clock: FakeClock) -> None:
    throttle = Throttle(parse_rates("GetParametersForImport=0.5"), clock=clock)
    throttle.take(ALICE, "GetParametersForImport", SYMMETRIC_KEY)
    clock.advance(1.9)
    with pytest.raises(ThrottlingException):
        throttle.take(ALICE, "GetParametersForImport", SYMMETRIC_KEY)
    clock.advance(0.1)
    throttle.take(ALICE, "GetParametersForImport", SYMMETRIC_KEY)


def test_two_principals_have_separate_buckets(five: Throttle) -> None:
    assert _encrypts(five, ALICE) == 5
    assert _encrypts(five, BOB) == 5


def test_operations_of_one_class_share_a_bucket(five: Throttle) -> None:
    for action in ("Encrypt", "Decrypt", "GenerateDataKey", "GenerateRandom", "ReEncryptFrom"):
        five.take(ALICE, action, SYMMETRIC_KEY)
    with pytest.raises(ThrottlingException):
        five.take(ALICE, "GenerateMac", "HMAC_256")


def test_classes_have_separate_buckets(clock: FakeClock) -> None:
    throttle = Throttle(parse_rates("symmetric=1,rsa=1,CreateKey=1"), clock=clock)
    throttle.take(ALICE, "Encrypt", SYMMETRIC_KEY)
    throttle.take(ALICE, "Encrypt", "RSA_2048")
    throttle.take(ALICE, "CreateKey", None)
    for action, spec in (("Decrypt", SYMMETRIC_KEY), ("Sign", "RSA_2048"), ("CreateKey", None)):
        with pytest.raises(ThrottlingException):
            throttle.take(ALICE, action, spec)


def test_data_key_pairs_are_limited_per_pair_spec(clock: FakeClock) -> None:
    throttle = Throttle(DEFAULT_RATES, clock=clock)
    for _ in range(20):
        throttle.take(ALICE, "GenerateDataKeyPair", SYMMETRIC_KEY, "RSA_2048")
    with pytest.raises(ThrottlingException):
        throttle.take(ALICE, "GenerateDataKeyPairWithoutPlaintext", SYMMETRIC_KEY, "RSA_2048")
    throttle.take(ALICE, "GenerateDataKeyPair", SYMMETRIC_KEY, "ECC_NIST_P256")
    throttle.take(ALICE, "Encrypt", SYMMETRIC_KEY)


def test_off_lets_everything_through(clock: FakeClock) -> None:
    throttle = Throttle(NO_THROTTLING, clock=clock)
    assert throttle.enforced is False
    for _ in range(100):
        throttle.take(ALICE, "CreateKey", None)
    assert throttle.tracked_principals == 0


def test_a_request_without_a_quota_is_a_bug_not_a_throttle(five: Throttle) -> None:
    with pytest.raises(UnclassifiedRequest):
        five.take(ALICE, "Encrypt", None)


def test_idle_principals_are_forgotten(clock: FakeClock) -> None:
    throttle = Throttle(DEFAULT_RATES, clock=clock, idle_seconds=60)
    for n in range(1_000):
        throttle.take(f"arn:aws:iam::111122223333:user/u{n}", "DescribeKey", None)
    assert throttle.tracked_principals == 1_000
    clock.advance(59)
    throttle.take(ALICE, "DescribeKey", None)
    assert throttle.tracked_principals == 1_001
    clock.advance(1)
    throttle.take(BOB, "DescribeKey", None)
    assert throttle.tracked_principals == 2  # ALICE was seen within the last 60 s


def test_forgetting_a_principal_never_hands_it_extra_requests(clock: FakeClock) -> None:
    """A bucket is only dropped once it would have refilled completely anyway."""
    throttle = Throttle(parse_rates("GetParametersForImport=0.01"), clock=clock, idle_seconds=10)
    throttle.take(ALICE, "GetParametersForImport", SYMMETRIC_KEY)
    for _ in range(9):
        clock.advance(10)
        throttle.take(BOB, "DescribeKey", None)
        with pytest.raises(ThrottlingException):
            throttle.take(ALICE, "GetParametersForImport", SYMMETRIC_KEY)
    clock.advance(10)
    throttle.take(ALICE, "GetParametersForImport", SYMMETRIC_KEY)
