"""A parsed policy checked against the catalog: its actions exist, its condition keys apply.

Each rule broken is a finding (``api.policy.findings``), never a refusal of its own: AWS stores
such a policy, and ``KEYGRAPH_POLICY_CHECK`` decides whether keygraph refuses it or stores it with
warnings. A statement without ``Action`` or ``Resource`` (which matches nothing) is a finding too.

- An action pattern of a service the catalog holds (``kms``) must match at least one of that
  service's actions; actions of services the catalog does not hold pass unchecked, since nothing
  here could tell a right one from a wrong one.
- A condition key of such a service must be listed in the catalog for at least one of the actions
  the statement covers (``Action`` patterns expanded, or everything ``NotAction`` leaves). ``aws:``
  keys may also be any of IAM's global keys; keys of services the catalog does not hold pass.
- A catalog key with a ``${...}`` placeholder (``aws:ResourceTag/${TagKey}``) stands for every key
  that fills it in.
- ``kms:EncryptionContext:<context key>``: the catalog comes from a privileges page that lists
  only ``kms:EncryptionContextKeys`` for the encryption operations, not AWS's current
  ``kms:EncryptionContext:${EncryptionContextKey}``. AWS documents both keys for the same
  operations, so an action whose catalog entry lists ``kms:EncryptionContextKeys`` is taken to
  list the ``${EncryptionContextKey}`` family as well. When the catalog lists the family itself
  the placeholder rule covers it and this adds nothing.

The same rules answer, per request, which condition keys apply to the action being authorized
(``condition_key_applies``): the catalog, not code, says that ``kms:EncryptionAlgorithm`` means
something to ``Encrypt`` and nothing to ``CreateKey``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from api.catalog import Catalog, Privilege
from api.policy.findings import FindingCode, PolicyWarning
from api.policy.global_keys import GLOBAL_CONDITION_KEYS
from api.policy.model import ActionPattern, Clause, PolicyDocument, Statement
from api.policy.parse import NEEDS_ACTION, NEEDS_RESOURCE

_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
_GLOBAL_PREFIX = "aws"

# Keys a catalog entry implies beyond those it lists (see the module's docstring).
_IMPLIED_KEYS: dict[str, tuple[str, ...]] = {
    "kms:encryptioncontextkeys": ("kms:EncryptionContext:${EncryptionContextKey}",),
}


def _key_pattern(catalog_key: str) -> str:
    """A catalog key as a pattern; each ``${...}`` is any non-empty text."""
    return ".+".join(re.escape(part) for part in _PLACEHOLDER.split(catalog_key))


@lru_cache(maxsize=1024)
def _any_of(catalog_keys: tuple[str, ...]) -> re.Pattern[str]:
    """Catalog keys as one case-insensitive pattern, so a lookup is one match, not one per key."""
    alternatives = "|".join(f"(?:{_key_pattern(key)})" for key in dict.fromkeys(catalog_keys))
    return re.compile(alternatives or "(?!)", re.IGNORECASE)


def _listed(key: str, catalog_keys: tuple[str, ...]) -> bool:
    return _any_of(catalog_keys).fullmatch(key) is not None


def _keys_of(privilege: Privilege) -> tuple[str, ...]:
    implied = (k for key in privilege.condition_keys for k in _IMPLIED_KEYS.get(key.casefold(), ()))
    return (*privilege.condition_keys, *implied)


@lru_cache(maxsize=1024)
def _applicable(privilege: Privilege) -> re.Pattern[str]:
    return _any_of((*GLOBAL_CONDITION_KEYS, *_keys_of(privilege)))


def condition_key_applies(privilege: Privilege, key: str) -> bool:
    """Whether a policy condition on ``key`` can see a value when ``privilege`` is authorized:
    IAM's global keys always can, other keys when the catalog lists them for the action."""
    return _applicable(privilege).fullmatch(key) is not None


def _written(clause: Clause[ActionPattern]) -> str:
    name = "NotAction" if clause.negated else "Action"
    return f"{name} {', '.join(pattern.text for pattern in clause.values)}"


def _covered(statement: Statement, catalog: Catalog) -> tuple[Privilege, ...]:
    """The catalog's actions the statement applies to."""
    clause = statement.action
    return tuple(
        privilege
        for service in catalog.services
        for privilege in service.privileges
        if any(p.matches(privilege.action) for p in clause.values) != clause.negated
    )


def _finding(statement: Statement, code: FindingCode, detail: str) -> PolicyWarning:
    return PolicyWarning(
        code=code,
        message=f"{statement.label}: {detail}",
        statement_index=statement.index,
        sid=statement.sid,
    )


def _missing(statement: Statement) -> Iterator[PolicyWarning]:
    """A statement without Action or Resource, which the parser read as matching nothing."""
    if not statement.action.values:
        yield _finding(statement, FindingCode.MISSING_ACTION, NEEDS_ACTION)
    if not statement.resource.values:
        yield _finding(statement, FindingCode.MISSING_RESOURCE, NEEDS_RESOURCE)


def _unknown_actions(statement: Statement, catalog: Catalog) -> Iterator[PolicyWarning]:
    for pattern in statement.action.values:
        service = catalog.service(pattern.service) if pattern.service is not None else None
        if service is not None and not any(pattern.matches(p.action) for p in service.privileges):
            yield _finding(
                statement,
                FindingCode.UNKNOWN_ACTION,
                f"{pattern.text} matches no action of the catalog's {service.prefix} service.",
            )


def _inapplicable_conditions(statement: Statement, catalog: Catalog) -> Iterator[PolicyWarning]:
    if not statement.action.values:
        return  # the statement matches nothing: MISSING_ACTION says so
    covered = _covered(statement, catalog)
    listed = tuple(key for privilege in covered for key in _keys_of(privilege))
    for condition in statement.conditions:
        key = condition.key
        prefix = key.split(":", 1)[0].casefold()
        if _listed(key, GLOBAL_CONDITION_KEYS):
            continue
        if prefix != _GLOBAL_PREFIX and catalog.service(prefix) is None:
            continue
        if not _listed(key, listed):
            neither = "is not a global condition key and " if prefix == _GLOBAL_PREFIX else ""
            yield _finding(
                statement,
                FindingCode.INAPPLICABLE_CONDITION_KEY,
                f"condition key {key} {neither}is not listed in the catalog for any action of "
                f"{_written(statement.action)}.",
            )


def check_policy(policy: PolicyDocument, catalog: Catalog) -> Iterator[PolicyWarning]:
    """Every finding in the policy, statement by statement, in the order strict mode has always
    refused them (the first is its refusal)."""
    for statement in policy.statements:
        yield from _missing(statement)
        yield from _unknown_actions(statement, catalog)
        yield from _inapplicable_conditions(statement, catalog)
