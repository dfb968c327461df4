"""The rates a process enforces, and their one-line textual form (the ``KEYGRAPH_RATES`` setting).

The text is ``off``, or comma-separated ``name=rate`` entries that override AWS's defaults, for
example ``symmetric=20000,rsa=2000,CreateKey=20,GenerateDataKeyPair/RSA_2048=40``. A name is a
class (``symmetric``, ``rsa``, ``ecc``, ``GenerateDataKeyPair/<pair spec>``) or the action of an
operation with a quota of its own (``CreateKey``, ``DescribeKey``); names ignore case, as IAM
action names do. A rate is requests per second per principal, any finite number above zero
(``0.5`` is one request every two seconds). Anything else is refused, naming the entry, because a
typo that silently keeps a default is a limit nobody meant.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from api.throttling.classify import rate_classes_of
from api.throttling.errors import (
    DuplicateRateEntry,
    InvalidRate,
    MalformedRateEntry,
    UnknownRateName,
)
from api.throttling.quotas import (
    DATA_KEY_PAIR_ACTIONS,
    KEYED_ACTIONS,
    KEYLESS_CRYPTOGRAPHIC_ACTIONS,
    RATE_CLASSES,
    RateClass,
)

OFF = "off"


@dataclass(frozen=True)
class RateTable:
    """Requests per second per principal for every class; ``enforced`` false turns throttling
    off."""

    rates: Mapping[str, float]
    enforced: bool = True

    def __post_init__(self) -> None:
        missing = sorted({c.name for c in RATE_CLASSES} - set(self.rates))
        if missing:
            raise ValueError(f"a rate table needs every class; missing {', '.join(missing)}")

    def rate(self, rate_class: RateClass) -> float:
        return self.rates[rate_class.name]


DEFAULT_RATES = RateTable(MappingProxyType({c.name: c.default_rate for c in RATE_CLASSES}))
NO_THROTTLING = RateTable(DEFAULT_RATES.rates, enforced=False)

_CLASS_BY_NAME: Mapping[str, RateClass] = {c.name.casefold(): c for c in RATE_CLASSES}
# Actions that share a quota with others: naming one is refused with the classes to name instead.
_SHARING_ACTIONS: Mapping[str, str] = {
    action.casefold(): action
    for action in (*KEYED_ACTIONS, *DATA_KEY_PAIR_ACTIONS, *KEYLESS_CRYPTOGRAPHIC_ACTIONS)
}


def parse_rates(text: str) -> RateTable:
    """Read the setting; empty text means AWS's defaults, ``off`` no throttling at all."""
    stripped = text.strip()
    if not stripped:
        return DEFAULT_RATES
    if stripped.casefold() == OFF:
        return NO_THROTTLING
    overrides: dict[str, float] = {}
    for raw in stripped.split(","):
        entry = raw.strip()
        rate_class, rate = _entry(entry)
        if rate_class.name in overrides:
            raise DuplicateRateEntry(entry, f"{rate_class.name} is set more than once")
        overrides[rate_class.name] = rate
    return RateTable(MappingProxyType({**DEFAULT_RATES.rates, **overrides}))


def _entry(entry: str) -> tuple[RateClass, float]:
    name, equals, value = entry.partition("=")
    if not equals or not name.strip() or not value.strip():
        raise MalformedRateEntry(entry, "expected name=requests per second")
    return _rate_class(entry, name.strip()), _rate(entry, value.strip())


def _rate_class(entry: str, name: str) -> RateClass:
    found = _CLASS_BY_NAME.get(name.casefold())
    if found is not None:
        return found
    action = _SHARING_ACTIONS.get(name.casefold())
    if action is not None:
        names = ", ".join(sorted(c.name for c in rate_classes_of(action)))
        raise UnknownRateName(entry, f"{action} shares its quota; set one of: {names}")
    raise UnknownRateName(entry, f"{name} is not a rate class or an action with its own quota")


def _rate(entry: str, value: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        raise InvalidRate(entry, f"{value} is not a number") from None
    if not math.isfinite(rate) or rate <= 0:
        raise InvalidRate(entry, "a rate must be a finite number of requests per second above 0")
    return rate
