"""Cryptographic operations on keys: every one runs inside the HSM through ``hsm``."""
