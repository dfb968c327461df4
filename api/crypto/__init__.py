"""Cryptographic operations on keys: every one runs inside the HSM through ``hsm``.

Each module holds an operation family's requests and logic (``encryption``, ``datakeys``,
``signing``, ``macs``, ``agreement``, ``public_keys``, ``randomness``) and the pieces they share
(``encrypters``, ``ciphers``, ``material``, ``envelope``, ``checks``); the registry's handlers in
``api.operations`` call them. Keys come through ``api.authz.access.usable_key``.
"""
