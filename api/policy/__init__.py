"""Key policy documents: the default policy, parsing into a model, checking against the catalog,
and the GetKeyPolicy / PutKeyPolicy / ListKeyPolicies operations."""

from api.policy.documents import DEFAULT_POLICY_NAME, default_key_policy
from api.policy.model import PolicyDocument
from api.policy.validation import parse_key_policy, validate_key_policy

__all__ = [
    "DEFAULT_POLICY_NAME",
    "PolicyDocument",
    "default_key_policy",
    "parse_key_policy",
    "validate_key_policy",
]
