"""Per-principal throttling with AWS KMS's request quotas.

Every request spends one token from a bucket keyed by (principal ARN, rate class); the classes and
their default rates are AWS's published quotas (``quotas.py``), overridable with the
``KEYGRAPH_RATES`` setting (``table.py``) or turned off with ``KEYGRAPH_RATES=off``. Past the rate
the request fails with ``ThrottlingException`` and AWS's message.

AWS counts a quota across the whole account and Region; keygraph counts per principal and per
process. Limits are per process: with N replicas, a principal (and so the account) can get N
times the configured rate, so divide the rates by the replica count when the total matters.
"""

from api.throttling.classify import rate_class, rate_classes_of
from api.throttling.errors import (
    DuplicateRateEntry,
    InvalidRate,
    MalformedRateEntry,
    RateConfigError,
    UnclassifiedRequest,
    UnknownRateName,
)
from api.throttling.quotas import ECC, RATE_CLASSES, RSA, SYMMETRIC, Family, RateClass
from api.throttling.table import DEFAULT_RATES, NO_THROTTLING, RateTable, parse_rates
from api.throttling.throttle import (
    DEFAULT_IDLE_SECONDS,
    THROTTLED_MESSAGE,
    MonotonicClock,
    Throttle,
)

__all__ = [
    "DEFAULT_IDLE_SECONDS",
    "DEFAULT_RATES",
    "ECC",
    "NO_THROTTLING",
    "RATE_CLASSES",
    "RSA",
    "SYMMETRIC",
    "THROTTLED_MESSAGE",
    "DuplicateRateEntry",
    "Family",
    "InvalidRate",
    "MalformedRateEntry",
    "MonotonicClock",
    "RateClass",
    "RateConfigError",
    "RateTable",
    "Throttle",
    "UnclassifiedRequest",
    "UnknownRateName",
    "parse_rates",
    "rate_class",
    "rate_classes_of",
]
