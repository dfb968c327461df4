"""Condition values read as the type their operator compares: one reader per type, shared by the
parser (a policy value that does not read is refused) and the evaluator (a request value that does
not read makes the condition false).

Each reader returns None for text that is not of its type, so neither caller needs exceptions.
"""

from __future__ import annotations

import base64
import ipaddress
import math
import re
from datetime import UTC, datetime

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# A decimal number as JSON writes one; Python's float() would also take "nan", "1_000" or " 1".
_NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_TRUTH = {"true": True, "false": False}


def read_number(value: str) -> float | None:
    if not _NUMBER.fullmatch(value):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def read_date(value: str) -> float | None:
    """An instant as seconds since the epoch: ISO 8601 (without a zone it is UTC) or epoch
    seconds, as IAM's date operators accept, so that differently written instants compare."""
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def read_bool(value: str) -> bool | None:
    return _TRUTH.get(value.casefold())


def read_binary(value: str) -> bytes | None:
    """Base64; a non-ASCII character is a ValueError of its own, not a binascii.Error."""
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        return None


def read_address(value: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def read_network(value: str) -> IPNetwork | None:
    """An address or a CIDR range; host bits are ignored (``10.1.2.3/8`` is ``10.0.0.0/8``)."""
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None
