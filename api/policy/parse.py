"""Reading a policy document's JSON into the model, refusing what IAM's grammar does not allow.

Key policies and identity policies share the grammar except for two elements: a key policy must
name a principal and its ``Resource`` is ``"*"`` (the key itself); an identity policy must not
name a principal and its ``Resource`` names keys or aliases by ARN, wildcards allowed.

Only the document's own shape is checked here; whether its actions and condition keys exist is
the catalog's question (``api.policy.checks``), and so is a statement without ``Action`` or
``Resource`` in a key policy, which AWS KMS stores (it matches nothing): each is a finding that
``KEYGRAPH_POLICY_CHECK`` decides on (``api.policy.findings``). Refusals name the statement (its
index and Sid) and the element; where AWS has a message of its own it comes first, so clients
that look for it still find it.
"""

from __future__ import annotations

import enum
import json
import re
from typing import Any

from api import messages
from api.errors import MalformedPolicyDocumentException
from api.policy.conditions import parse_conditions
from api.policy.model import (
    ActionPattern,
    Clause,
    Effect,
    PolicyDocument,
    Principal,
    PrincipalType,
    Statement,
    Version,
    statement_label,
)

NEEDS_ACTION = "a statement needs an Action or a NotAction."
NEEDS_RESOURCE = "a statement needs a Resource or a NotResource."


class PolicyKind(enum.Enum):
    """What a document is attached to, which decides its grammar (see the module's docstring)."""

    KEY = "key"
    IDENTITY = "identity"


_DOCUMENT_MEMBERS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_MEMBERS = frozenset(
    {
        "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
        "NotResource", "Condition",
    }
)  # fmt: skip
_ACTION = re.compile(r"\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+")
_ACCOUNT = r"\d{12}"
_AWS_PRINCIPAL = re.compile(
    rf"\*|{_ACCOUNT}|arn:aws:iam::{_ACCOUNT}:(root|user/[^*]+|role/[^*]+)"
    rf"|arn:aws:sts::{_ACCOUNT}:(assumed-role/[^*/]+/[^*]+|federated-user/[^*]+)"
)
_SERVICE_PRINCIPAL = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)+")
_PRINCIPAL_FORMS: dict[PrincipalType, re.Pattern[str]] = {
    PrincipalType.AWS: _AWS_PRINCIPAL,
    PrincipalType.SERVICE: _SERVICE_PRINCIPAL,
}
# What an identity policy's Resource may name: keys and aliases, by ARN, wildcards allowed; the
# account is twelve digits unless it is a pattern, and a resource of "*" is every key and alias.
_ACCOUNT_OR_PATTERN = r"(\d{12}|[\d*?]*[*?][\d*?]*)"
_KMS_RESOURCE = re.compile(
    rf"arn:aws:kms:[a-z0-9*?-]+:{_ACCOUNT_OR_PATTERN}:"
    r"(key/[A-Za-z0-9*?-]+|alias/[A-Za-z0-9:/_*?-]+|\*)"
)
_KMS_RESOURCE_FORMS = (
    "arn:aws:kms:<region>:<account>:key/<key id> or arn:aws:kms:<region>:<account>:alias/<name>"
)


def _refuse(label: str, detail: str) -> MalformedPolicyDocumentException:
    return messages.POLICY_PROBLEM(label=label, problem=detail)


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object; IAM refuses an element written twice, where ``json`` keeps the last."""
    members: dict[str, Any] = {}
    for name, value in pairs:
        if name in members:
            raise messages.POLICY_REPEATED_ELEMENT(name=name)
        members[name] = value
    return members


def _strings(label: str, element: str, raw: object) -> tuple[str, ...]:
    """A string or a non-empty list of strings, as IAM allows for most elements."""
    items = raw if isinstance(raw, list) else [raw]
    if not items or not all(isinstance(item, str) and item for item in items):
        raise _refuse(label, f"{element} must be a string or a non-empty list of strings.")
    return tuple(items)


def _either(label: str, raw: dict[str, Any], element: str) -> tuple[object, bool] | None:
    """The element or its ``Not`` form (value, negated); None when the statement has neither."""
    negated = f"Not{element}"
    if element in raw and negated in raw:
        raise _refuse(label, f"a statement takes {element} or {negated}, not both.")
    if element in raw:
        return raw[element], False
    if negated in raw:
        return raw[negated], True
    return None


def _principals(label: str, raw: object) -> tuple[Principal, ...]:
    if raw == "*":
        return (Principal(PrincipalType.AWS, "*"),)
    if not isinstance(raw, dict) or not raw:
        raise messages.PRINCIPAL_NOT_WELL_FORMED(label=label)
    principals: list[Principal] = []
    for written, values in raw.items():
        kind = next((t for t in PrincipalType if t.value == written), None)
        if kind is None:
            raise messages.PRINCIPAL_TYPE_UNSUPPORTED(label=label, written=written)
        for value in _strings(label, f"the {written} principal", values):
            if not _PRINCIPAL_FORMS[kind].fullmatch(value):
                raise messages.PRINCIPAL_NOT_VALID(label=label, value=value, written=written)
            principals.append(Principal(kind, value))
    return tuple(principals)


def _principal(label: str, raw: dict[str, Any], kind: PolicyKind) -> Clause[Principal] | None:
    found = _either(label, raw, "Principal")
    if kind is PolicyKind.IDENTITY:
        if found is not None:
            written = "NotPrincipal" if found[1] else "Principal"
            raise messages.PRINCIPAL_IN_IDENTITY_POLICY(label=label, written=written)
        return None
    if found is None:
        raise messages.NO_PRINCIPAL(label=label)
    value, negated = found
    return Clause(_principals(label, value), negated)


# A key policy statement without Action or Resource: AWS KMS stores it, and it matches nothing
# (the checker, ``api.policy.checks``, reports it). IAM refuses such an identity policy.
_NOTHING: Clause[Any] = Clause((), negated=False)


def _missing(label: str, detail: str, kind: PolicyKind) -> Clause[Any]:
    if kind is PolicyKind.IDENTITY:
        raise _refuse(label, detail)
    return _NOTHING


def _action(label: str, raw: dict[str, Any], kind: PolicyKind) -> Clause[ActionPattern]:
    found = _either(label, raw, "Action")
    if found is None:
        return _missing(label, NEEDS_ACTION, kind)
    value, negated = found
    patterns = _strings(label, "NotAction" if negated else "Action", value)
    for pattern in patterns:
        if not _ACTION.fullmatch(pattern):
            raise _refuse(label, f'action "{pattern}" is not "*" or of the form service:action.')
    return Clause(tuple(ActionPattern(p) for p in patterns), negated)


def _resource(label: str, raw: dict[str, Any], kind: PolicyKind) -> Clause[str]:
    """A key policy is about its own key, so AWS accepts only ``"Resource": "*"`` there; an
    identity policy names the keys it is about."""
    found = _either(label, raw, "Resource")
    if found is None:
        return _missing(label, NEEDS_RESOURCE, kind)
    value, negated = found
    element = "NotResource" if negated else "Resource"
    resources = _strings(label, element, value)
    if kind is PolicyKind.IDENTITY:
        other = next((r for r in resources if r != "*" and not _KMS_RESOURCE.fullmatch(r)), None)
        if other is not None:
            raise _refuse(
                label, f'{element} "{other}" is not "*" or a KMS ARN: {_KMS_RESOURCE_FORMS}.'
            )
        return Clause(resources, negated)
    other = next((r for r in resources if r != "*"), None)
    if not negated and other is not None:
        raise _refuse(
            label, f'Resource in a key policy must be "*" (the key itself), not "{other}".'
        )
    return Clause(resources, negated)


def _statement(index: int, raw: object, kind: PolicyKind) -> Statement:
    if not isinstance(raw, dict):
        raise _refuse(statement_label(index, None), "a statement must be a JSON object.")
    sid = raw.get("Sid")
    label = statement_label(index, sid if isinstance(sid, str) else None)
    if sid is not None and not isinstance(sid, str):
        raise _refuse(label, "Sid must be a string.")
    unknown = sorted(set(raw) - _STATEMENT_MEMBERS)
    if unknown:
        raise _refuse(label, f'"{unknown[0]}" is not an element of a policy statement.')
    effect = next((e for e in Effect if e.value == raw.get("Effect")), None)
    if effect is None:
        raise _refuse(label, 'Effect must be "Allow" or "Deny".')
    return Statement(
        index=index,
        sid=sid,
        effect=effect,
        principal=_principal(label, raw, kind),
        action=_action(label, raw, kind),
        resource=_resource(label, raw, kind),
        conditions=parse_conditions(label, raw["Condition"]) if "Condition" in raw else (),
    )


def _placed(index: int, raw: object, kind: PolicyKind) -> Statement:
    """``_statement``, its refusals placed at the statement (``KeygraphError.place``)."""
    try:
        return _statement(index, raw, kind)
    except MalformedPolicyDocumentException as refused:
        refused.place = refused.place or {"statementIndex": index}
        raise


def _version(raw: dict[str, Any]) -> Version:
    written = raw.get("Version", Version.V2008_10_17.value)
    version = next((v for v in Version if v.value == written), None)
    if version is None:
        raise messages.POLICY_VERSION(written=written)
    return version


def _unique_sids(statements: tuple[Statement, ...]) -> None:
    seen: dict[str, Statement] = {}
    for statement in statements:
        if statement.sid is None:
            continue
        first = seen.setdefault(statement.sid, statement)
        if first is not statement:
            refused = _refuse(
                statement.label, f"its Sid is also the Sid of Statement[{first.index}]."
            )
            refused.place = {"statementIndex": statement.index}
            raise refused


def parse_policy(document: str, kind: PolicyKind = PolicyKind.KEY) -> PolicyDocument:
    """The document's model, or ``MalformedPolicyDocumentException`` saying what is wrong."""
    try:
        raw = json.loads(document, object_pairs_hook=_unique_members)
    except RecursionError:
        # Nesting deeper than Python's stack (a 30 KB document of arrays is): no policy is.
        raise messages.POLICY_TOO_DEEP() from None
    except json.JSONDecodeError as exc:
        refused = messages.POLICY_NOT_JSON()
        refused.place = {"line": exc.lineno, "column": exc.colno}
        raise refused from None
    except ValueError:
        raise messages.POLICY_NOT_JSON() from None
    if not isinstance(raw, dict):
        raise messages.POLICY_NOT_OBJECT()
    unknown = sorted(set(raw) - _DOCUMENT_MEMBERS)
    if unknown:
        raise messages.POLICY_UNKNOWN_ELEMENT(name=unknown[0])
    version = _version(raw)
    policy_id = raw.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        raise messages.POLICY_ID_NOT_STRING()
    listed = raw.get("Statement")
    items = listed if isinstance(listed, list) else [listed] if listed is not None else []
    if not items:
        raise messages.POLICY_NO_STATEMENT()
    statements = tuple(_placed(index, item, kind) for index, item in enumerate(items))
    _unique_sids(statements)
    return PolicyDocument(version=version, id=policy_id, statements=statements)
