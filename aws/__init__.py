"""The AWS door: AWS KMS's JSON 1.1 protocol and SigV4 on ``POST /``, so AWS SDKs, the AWS CLI and
the AWS Encryption SDK call keygraph unchanged.

It is generated, like the GraphQL door, from the operation registry: ``routes`` pairs each
registry operation that AWS KMS has with botocore's model of it, ``codec`` turns AWS's members into
the operation's request dataclass and its response back, ``sigv4`` names the caller, and ``http``
runs the pipeline (``api.invoke``). Nothing here is written for one operation.
"""
