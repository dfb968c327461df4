"""The Condition element: operator blocks of keys and values, read into ``Condition`` rows.

Values are checked against their operator's type here (a date for ``DateLessThan``, an address
range for ``IpAddress``...) with the readers evaluation uses (``api.policy.values``), so that
evaluation never meets a policy value it cannot compare.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from api import messages
from api.errors import MalformedPolicyDocumentException
from api.policy.model import Condition, ConditionOperator, SetQualifier, ValueType
from api.policy.values import read_binary, read_bool, read_date, read_network, read_number

_KEY = re.compile(r"[A-Za-z0-9-]+:\S+")
_IF_EXISTS = "IfExists"


# How each value type is read, and how a refusal describes it. Strings and ARNs take any value.
_VALUE_READERS: dict[ValueType, tuple[Callable[[str], object | None], str]] = {
    ValueType.NUMERIC: (read_number, "a number"),
    ValueType.DATE: (read_date, "an ISO 8601 date or epoch seconds"),
    ValueType.BOOL: (read_bool, "true or false"),
    ValueType.NULL: (read_bool, "true or false"),
    ValueType.IP_ADDRESS: (read_network, "an IP address or CIDR range"),
    ValueType.BINARY: (read_binary, "Base64"),
}


def _refuse(label: str, detail: str) -> MalformedPolicyDocumentException:
    return messages.POLICY_PROBLEM(label=label, problem=detail)


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
            reader = _VALUE_READERS.get(operator.value_type)
            if reader is not None:
                read, described = reader
                wrong = next((v for v in values if read(v) is None), None)
                if wrong is not None:
                    raise _refuse(label, f'{written} value "{wrong}" of {key} is not {described}.')
            conditions.append(Condition(operator, qualifier, if_exists, key, values))
    return tuple(conditions)
