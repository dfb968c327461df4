"""Key policy documents: the default policy, and checking a document against the catalog."""

from api.policy.documents import DEFAULT_POLICY_NAME, default_key_policy
from api.policy.validation import validate_key_policy

__all__ = ["DEFAULT_POLICY_NAME", "default_key_policy", "validate_key_policy"]
