"""One loaded PKCS#11 module per path and process, initialised for OS locking.

A module is shared by every token opened through it (the main token and custom key stores on the
same library). ``generation`` counts re-initialisations: sessions and handles from an older
generation are dead and are dropped by whoever notices.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import pkcs11
from pkcs11.exceptions import PinIncorrect, PKCS11Error, UserAlreadyLoggedIn

from hsm._cryptoki import CryptokiError, FunctionList
from hsm._rwlock import ReadWriteLock
from hsm.errors import HsmConfigurationError, HsmUnavailable

log = logging.getLogger(__name__)


class Module:
    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self.lib = pkcs11.lib(path)
            self._functions = FunctionList(path)
            self._functions.reinitialize_os_locking()
        except (PKCS11Error, OSError, CryptokiError) as exc:
            raise HsmConfigurationError(
                f"cannot load PKCS#11 module {path}: {type(exc).__name__}"
            ) from exc
        self._lock = ReadWriteLock()
        self._pid = os.getpid()
        self.generation = 0
        self._logins: dict[str, _Login] = {}
        self._logins_lock = threading.Lock()

    def shared(self) -> AbstractContextManager[None]:
        """Hold off re-initialisation for the duration of a call (read ``generation`` inside)."""
        return self._lock.shared()

    def reinitialize(self, seen_generation: int) -> None:
        """Finalise and initialise again, unless another thread already did since
        ``seen_generation`` was read."""
        with self._lock.exclusive():
            if self.generation != seen_generation:
                return
            try:
                self._functions.reinitialize_os_locking()
            except CryptokiError as exc:
                raise HsmUnavailable(f"re-initialising {self.path} failed: {exc}") from exc
            finally:
                self.generation += 1
            log.warning(
                "PKCS#11 module %s re-initialised (generation %d)", self.path, self.generation
            )

    def login(self, token: Any, pin: str, generation: int) -> None:
        """Keep one logged-in session per token label for this module generation.

        Login state belongs to the application, not the session: every backend on the same token
        shares it, so it is counted, and only the last ``logout`` closes the session (which logs
        every session of the token out). A second backend with a different PIN would ride on the
        first one's login unchecked, so the PIN is compared (as a digest) and refused instead.
        """
        digest = hashlib.sha256(pin.encode()).digest()
        with self._logins_lock:
            current = self._logins.get(token.label)
            if current is not None and not hmac.compare_digest(current.pin_digest, digest):
                raise PinIncorrect()
            if current is not None and current.generation == generation:
                current.users += 1
                return
            users = current.users + 1 if current is not None else 1
            session = _open_logged_in(token, pin)
            self._logins[token.label] = _Login(session, generation, users, digest)

    def logout(self, label: str) -> None:
        with self._logins_lock:
            current = self._logins.get(label)
            if current is None:
                return
            current.users -= 1
            if current.users > 0:
                return
            del self._logins[label]
            if current.generation == self.generation:
                try:
                    current.session.close()
                except PKCS11Error as exc:
                    log.debug("closing the login session failed: %s", type(exc).__name__)

    def _check_fork(self) -> None:
        """A forked child inherits the parent's module state, which Cryptoki forbids using."""
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self.reinitialize(self.generation)


@dataclass
class _Login:
    session: Any
    generation: int
    users: int
    pin_digest: bytes


def _open_logged_in(token: Any, pin: str) -> Any:
    try:
        return token.open(rw=True, user_pin=pin)
    except UserAlreadyLoggedIn:
        # logged in by code outside this registry; the login holds as long as it does
        return token.open(rw=True)


_modules: dict[str, Module] = {}
_registry_lock = threading.Lock()


def load_module(path: str) -> Module:
    with _registry_lock:
        module = _modules.get(path)
        if module is None:
            module = _modules[path] = Module(path)
        else:
            module._check_fork()
        return module


def loaded_module(path: str) -> Module | None:
    """The module for ``path`` if this process has loaded it, without loading it."""
    with _registry_lock:
        return _modules.get(path)
