"""What the schema says of its types, by GraphQL type name: the API's documentation, kept apart
from the classes' docstrings, which are written for the people who change the code."""

from __future__ import annotations

DESCRIPTIONS: dict[str, str] = {
    "Query": "Read and List actions of the catalog, and the catalog itself.",
    "Mutation": "Write, Permissions management and Tagging actions of the catalog.",
    "AccessLevel": "AWS's access level of an action.",
    "AccessReason": "A statement or grant that decided.",
    "AliasListEntry": "An alias as AWS's ListAliases returns it.",
    "AuditEvent": "One authorization decision of a call, or a call refused before any.",
    "BatchEntry": "One item of a batch: its result, or its error.",
    "BatchError": "Why one item of a batch failed: the AWS exception and message.",
    "AuditEventFilter": "Each field set narrows the events; the time bounds are inclusive.",
    "Caller": "The principal that made this request.",
    "CustomKeyStoresListEntry": "A custom key store, as DescribeCustomKeyStores lists it.",
    "Door": "How a call came in: GRAPHQL, or AWS (AWS's JSON protocol, as AWS SDKs speak it).",
    "GrantConstraints": "AWS's GrantConstraints: encryption context a grant requires.",
    "GrantConstraintsInput": "AWS's GrantConstraints: encryption context a grant requires.",
    "GrantListEntry": "A grant as AWS's ListGrants returns it (never with a token).",
    "Key": "A key in a list, and the way into everything about it.",
    "KeyManagerType": "Who manages a key: AWS, or the customer (every keygraph key).",
    "KeyMetadata": "A key's metadata, as AWS's DescribeKey returns it.",
    "KeyRotationStatus": "Whether and when a key's material rotates automatically.",
    "OperationType": "Whether an action's operation is a Query or a Mutation root field.",
    "PrincipalType": "What kind of IAM identity a principal is.",
    "Privilege": "An IAM action of a service, such as kms:Encrypt.",
    "PrivilegeFilter": "Every given field must match; names compare ignoring case.",
    "PrivilegeResourceType": 'One row of an action\'s resource types; "" means all resources.',
    "RotationsListEntry": "One completed rotation and the key material version it made.",
    "Service": "A service of the catalog and its privileges.",
    "Tag": "A tag as AWS spells it.",
    "TagInput": "A tag as AWS spells it.",
    "VerifyMacResult": "A MAC that does not verify is KMSInvalidMacException.",
    "VerifyResult": "A signature that does not verify is KMSInvalidSignatureException.",
}
