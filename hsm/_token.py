"""One token behind a module: its login, its session pool, and recovery from device failures.

``run`` is the only way operations reach the token. It hands the operation a working session and,
when the device or session fails, drops that session and tries again; a second failure
re-initialises the module (every token on it reconnects lazily) and logs in again. Only when the
third attempt fails does the caller see ``HsmUnavailable``.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pkcs11 import exceptions as p11

from hsm._failures import LOGIN_FAILURES, describe, is_device_failure
from hsm._module import Module, load_module
from hsm._session import SessionPool, WorkingSession
from hsm.capabilities import Capabilities, probe
from hsm.config import HsmConfig
from hsm.errors import (
    HsmError,
    HsmUnavailable,
    LoginFailed,
    MechanismUnsupported,
    TokenNotFound,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

_ATTEMPTS = 3


class ConnectionState(enum.Enum):
    CONNECTED = "CONNECTED"
    DISCONNECTED = "DISCONNECTED"


@dataclass(frozen=True)
class _Connection:
    generation: int
    token: Any


class TokenBackend:
    def __init__(self, config: HsmConfig) -> None:
        self.config = config
        self.module: Module = load_module(config.module_path)
        per_session = max(1, config.handle_cache_size // config.session_pool_size)
        self._pool = SessionPool(config.session_pool_size, per_session, config.domain_key_label)
        self._connect_lock = threading.Lock()
        self._connection: _Connection | None = None
        # The working session a thread holds while it runs several operations together.
        self._held = threading.local()
        self._logged_in = False
        self._capabilities: Capabilities | None = None
        self.state = ConnectionState.DISCONNECTED
        # why ``state`` is DISCONNECTED, when a call failed to reach the token (None after a
        # success, before the first call and after ``close``)
        self.last_error: HsmUnavailable | None = None

    @property
    def capabilities(self) -> Capabilities:
        if self._capabilities is None:
            self.run("probe", lambda working: None)
        assert self._capabilities is not None
        return self._capabilities

    def run(self, what: str, op: Callable[[WorkingSession], T]) -> T:
        """Run ``op`` on a working session of this token, recovering from device failures."""
        held: WorkingSession | None = getattr(self._held, "working", None)
        if held is not None:
            return _on_held(what, held, op)
        failure: p11.PKCS11Error | None = None
        for attempt in range(_ATTEMPTS):
            with self.module.shared():
                generation = self.module.generation
                try:
                    working = self._pool.acquire(self._connected(generation), generation)
                except p11.PKCS11Error as exc:
                    failure = self._connect_failure(what, exc)
                else:
                    try:
                        result = op(working)
                    except p11.PKCS11Error as exc:
                        if not is_device_failure(exc):
                            self._pool.release(working)
                            raise _translate(what, exc) from exc
                        self._pool.discard(working)
                        failure = exc
                    except BaseException:
                        self._pool.release(working)
                        raise
                    else:
                        self._pool.release(working)
                        self.state = ConnectionState.CONNECTED
                        self.last_error = None
                        return result
            log.warning(
                "%s on token %r failed (attempt %d): %s",
                what,
                self.config.token_label,
                attempt + 1,
                describe(failure),
            )
            if attempt == _ATTEMPTS - 2:
                self._reinitialize(generation)
        assert failure is not None
        if isinstance(failure, p11.NoSuchToken):
            error: HsmUnavailable = TokenNotFound(
                f"{what}: no token labelled {self.config.token_label!r}"
            )
        else:
            error = HsmUnavailable(f"{what}: {describe(failure)}")
        raise self._disconnected(error) from failure

    def run_together(self, what: str, work: Callable[[], T]) -> T:
        """Run ``work`` with one working session held by this thread: every ``run`` it makes
        uses that session instead of acquiring one, so several operations cost one acquisition
        (and a key is unwrapped once). A device failure in any of them fails ``work`` as a whole:
        the session is discarded and ``work`` runs again, as a single operation would."""

        def op(working: WorkingSession) -> T:
            self._held.working = working
            try:
                return work()
            finally:
                self._held.working = None

        return self.run(what, op)

    def close(self) -> None:
        """Close idle sessions and give up this backend's share of the login."""
        for working in self._pool.drain():
            working.close()
        with self._connect_lock:
            if self._logged_in:
                self.module.logout(self.config.token_label)
                self._logged_in = False
            self._connection = None
        self.state = ConnectionState.DISCONNECTED
        self.last_error = None

    def _disconnected(self, error: HsmUnavailable) -> HsmUnavailable:
        self.state = ConnectionState.DISCONNECTED
        # kept as a copy that is never raised: it carries no traceback, so no frame of the
        # failed call (with its plaintext or key handles) outlives the call
        self.last_error = type(error)(*error.args)
        return error

    def _connected(self, generation: int) -> Any:
        connection = self._connection
        if connection is not None and connection.generation == generation:
            return connection.token
        with self._connect_lock:
            connection = self._connection
            if connection is not None and connection.generation == generation:
                return connection.token
            token = self.module.lib.get_token(token_label=self.config.token_label)
            self.module.login(token, self.config.pin, generation)
            if self._logged_in:
                self.module.logout(self.config.token_label)
            self._logged_in = True
            if self._capabilities is None:
                session = token.open(rw=True)
                try:
                    self._capabilities = probe(token.slot, session, self.config.iv_mode)
                finally:
                    session.close()
            self._connection = _Connection(generation, token)
            return token

    def _connect_failure(self, what: str, exc: p11.PKCS11Error) -> p11.PKCS11Error:
        if isinstance(exc, LOGIN_FAILURES):
            raise self._disconnected(
                LoginFailed(
                    f"{what}: token {self.config.token_label!r} refused the PIN "
                    f"({type(exc).__name__})"
                )
            ) from exc
        if not is_device_failure(exc):
            raise _translate(what, exc) from exc
        return exc

    def _reinitialize(self, generation: int) -> None:
        try:
            self.module.reinitialize(generation)
        except HsmUnavailable as exc:
            log.warning("%s", exc)


def _on_held(what: str, working: WorkingSession, op: Callable[[WorkingSession], T]) -> T:
    """``op`` on the session a ``run_together`` holds: errors translated as ``run`` translates
    them, except a device failure, which the holding ``run`` recovers from."""
    try:
        return op(working)
    except p11.PKCS11Error as exc:
        if is_device_failure(exc):
            raise
        raise _translate(what, exc) from exc


def _translate(what: str, exc: p11.PKCS11Error) -> HsmError:
    """A non-device PKCS#11 error as the keygraph error that names it."""
    if isinstance(exc, p11.MechanismInvalid | p11.MechanismParamInvalid | p11.FunctionNotSupported):
        return MechanismUnsupported(f"{what}: {describe(exc)}")
    return HsmError(f"{what} failed: {describe(exc)}")
