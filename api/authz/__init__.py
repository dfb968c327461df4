"""Authorization: who may do what to which key, decided as AWS KMS decides it.

``authorize`` gathers what decides a call (key policy, identity policy, grants, condition
values from ``facts``) and records the decision on the call; ``decide`` states the rules;
``access`` is how operations reach an existing key (resolved, authorized, state table checked);
``lockout`` is the policy lockout safety check; ``identity`` attaches identity policies. It sits
above the packages whose data it reads (keys, grants, policy, the cache) and below the
operations and the cryptographic code that call it.
"""
