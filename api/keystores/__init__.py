"""Custom key stores: PKCS#11 tokens other than keygraph's own, holding keys as token objects.

``operations`` has the six AWS actions; ``keys`` what CreateKey, the cryptographic operations and
the deletion job need (``store_key``, ``key_store_for``, ``destroy_store_key``); ``registry`` the
per-process open tokens (``KeyStores``, reached through ``services.key_stores``).
"""
