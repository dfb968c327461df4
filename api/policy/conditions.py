"""The Condition element: operator blocks of keys and values, read into ``Condition`` rows.

Values are checked against their operator's type here (a date for ``DateLessThan``, an address
range for ``IpAddress``...) so that evaluation never meets a value it cannot compare.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
from collections.abc import Callable
from datetime import datetime

from api.errors import MalformedPolicyDocumentException
from api.policy.model import Condition, ConditionOperator, SetQualifier, ValueType

_KEY = re.compile(r"[A-Za-z0-9-]+:\S+")
_IF_EXISTS = "IfExists"


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _is_date(value: str) -> bool:
    """ISO 8601, or seconds since the epoch, as IAM's date operators accept."""
    if value.isdigit():
        return True
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_address_range(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def _is_base64(value: str) -> bool:
    try:
        base64.b64decode(value, validate=True)
    except binascii.Error:
        return False
    return True


def _is_boolean(value: str) -> bool:
    return value.casefold() in {"true", "false"}


# What each value type accepts, and how a refusal describes it. Strings and ARNs take any value.
_VALUE_CHECKS: dict[ValueType, tuple[Callable[[str], bool], str]] = {
    ValueType.NUMERIC: (_is_number, "a number"),
    ValueType.DATE: (_is_date, "an ISO 8601 date or epoch seconds"),
    ValueType.BOOL: (_is_boolean, "true or false"),
    ValueType.NULL: (_is_boolean, "true or false"),
    ValueType.IP_ADDRESS: (_is_address_range, "an IP address or CIDR range"),
    ValueType.BINARY: (_is_base64, "Base64"),
}


def _refuse(label: str, detail: str) -> MalformedPolicyDocumentException:
    return MalformedPolicyDocumentException(f"{label}: {detail}")


def _operator(label: str, written: str) -> tuple[ConditionOperator, SetQualifier | None, bool]:
    """``ForAnyValue:StringLikeIfExists`` -> (StringLike, ForAnyValue, if_exists)."""
    qualifier = next((q for q in SetQualifier if written.startswith(f"{q.value}:")), None)
    base = written.removeprefix(f"{qualifier.value}:") if qualifier else written
    if_exists = base.endswith(_IF_EXISTS)
    base = base.removesuffix(_IF_EXISTS)
    operator = next((op for op in ConditionOperator if op.value == base), None)
    if operator is None or (if_exists and operator is ConditionOperator.NULL):
        raise _refuse(label, f'condition operator "{written}" is not an IAM condition operator.')
    return operator, qualifier, if_exists


def _values(label: str, where: str, raw: object) -> tuple[str, ...]:
    """A scalar or a non-empty list of scalars, as the strings IAM compares."""
    items = raw if isinstance(raw, list) else [raw]
    if not items or not all(isinstance(v, str | bool | int | float) for v in items):
        raise _refuse(label, f"{where} must be a string, number or boolean, or a list of them.")
    return tuple(v if isinstance(v, str) else json.dumps(v) for v in items)


def parse_conditions(label: str, raw: object) -> tuple[Condition, ...]:
    if not isinstance(raw, dict) or not raw:
        raise _refuse(label, "Condition must be an object of condition operators.")
    conditions: list[Condition] = []
    for written, block in raw.items():
        operator, qualifier, if_exists = _operator(label, written)
        if not isinstance(block, dict) or not block:
            raise _refuse(label, f"{written} must be an object of condition keys and values.")
        for key, given in block.items():
            if not _KEY.fullmatch(key):
                raise _refuse(label, f'condition key "{key}" is not of the form service:key.')
            values = _values(label, f"the value of {key} under {written}", given)
            check = _VALUE_CHECKS.get(operator.value_type)
            if check is not None:
                accepts, described = check
                wrong = next((v for v in values if not accepts(v)), None)
                if wrong is not None:
                    raise _refuse(label, f'{written} value "{wrong}" of {key} is not {described}.')
            conditions.append(Condition(operator, qualifier, if_exists, key, values))
    return tuple(conditions)
