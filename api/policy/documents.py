"""Policy documents as AWS writes them."""

from __future__ import annotations

import json

DEFAULT_POLICY_NAME = "default"


def default_key_policy(account_id: str) -> str:
    """AWS's default key policy: the account's root may do everything with the key."""
    document = {
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
    return json.dumps(document, indent=2)
