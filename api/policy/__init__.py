"""Policy documents, the language alone: the default key policy, parsing key and identity
policies into a model, checking them against the catalog, evaluating them against a request.

It knows nothing of keys or callers, so authorization (``api.authz``) and the operations that
store policies (``api.operations.policies``, CreateKey) sit above it."""

from api.policy.checks import condition_key_applies
from api.policy.documents import DEFAULT_POLICY_NAME, default_key_policy
from api.policy.evaluate import (
    Evaluation,
    PrincipalMatch,
    RequestContext,
    StatementMatch,
    evaluate_identity_policy,
    evaluate_key_policy,
    request_context,
)
from api.policy.findings import FindingCode, PolicyCheck, PolicyWarning
from api.policy.model import PolicyDocument
from api.policy.operators import condition_holds
from api.policy.parse import PolicyKind, parse_policy
from api.policy.validation import (
    CheckedPolicy,
    check_identity_policy,
    check_key_policy,
    parse_identity_policy,
    parse_key_policy,
    validate_key_policy,
)

__all__ = [
    "DEFAULT_POLICY_NAME",
    "CheckedPolicy",
    "Evaluation",
    "FindingCode",
    "PolicyCheck",
    "PolicyDocument",
    "PolicyKind",
    "PolicyWarning",
    "PrincipalMatch",
    "RequestContext",
    "StatementMatch",
    "check_identity_policy",
    "check_key_policy",
    "condition_holds",
    "condition_key_applies",
    "default_key_policy",
    "evaluate_identity_policy",
    "evaluate_key_policy",
    "parse_identity_policy",
    "parse_key_policy",
    "parse_policy",
    "request_context",
    "validate_key_policy",
]
