"""A forked worker must initialise the module again (Cryptoki state does not survive fork)."""

from __future__ import annotations

import os

from hsm import HsmConfig, HsmEngine, KeySpec
from hsm._module import loaded_module

_OK, _NOT_REINITIALISED, _WRONG_PLAINTEXT, _RAISED = 0, 3, 4, 5


def _child(config: HsmConfig, engine: HsmEngine) -> int:
    key = engine.generate_key(KeySpec.SYMMETRIC_DEFAULT)
    sealed = engine.encrypt(key, b"made before fork", b"aad")
    module = loaded_module(config.module_path)
    assert module is not None
    inherited = module.generation
    pid = os.fork()
    if pid == 0:  # the child reports through its exit status and never returns into pytest
        status = _RAISED
        try:
            child = HsmEngine(config)
            if module.generation != inherited + 1:
                status = _NOT_REINITIALISED
            elif child.decrypt(key, sealed, b"aad") != b"made before fork":
                status = _WRONG_PLAINTEXT
            else:
                status = _OK
            child.close()
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert engine.decrypt(key, sealed, b"aad") == b"made before fork"  # parent unaffected
    return os.waitstatus_to_exitcode(status)


def test_forked_child_reinitialises_and_uses_the_hsm(
    hsm_config: HsmConfig, hsm_engine: HsmEngine
) -> None:
    assert _child(hsm_config, hsm_engine) == _OK
