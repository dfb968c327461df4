"""Servers under test as child processes: started in their own session, logged to a file, waited
for until they answer, and stopped by their process id only."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Self

import httpx

from bench.errors import TargetDidNotStart
from db.embedded import log_tail

REPOSITORY = Path(__file__).resolve().parent.parent
STOP_SECONDS = 30
LOG_TAIL_LINES = 15


class Server:
    """One server process. ``stop_signal`` is what a user would press (SIGINT for Ctrl-C), so the
    server runs its own shutdown; SIGKILL to its process group follows if it does not exit."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log: Path,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        stop_signal: signal.Signals = signal.SIGINT,
    ) -> None:
        self.name = name
        self.log = log
        self._stop_signal = stop_signal
        with open(log, "ab") as sink:
            self.process = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None,
                cwd=cwd,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> None:
        """Poll ``ready`` until it is true; raise with the log's tail if the process exits or
        the time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise TargetDidNotStart(
                    f"{self.name} exited with {self.process.returncode}: {self.log_tail()}"
                )
            if ready():
                return
            time.sleep(0.25)
        raise TargetDidNotStart(f"{self.name} not ready after {timeout:.0f} s: {self.log_tail()}")

    def wait_for_http(self, url: str, timeout: float) -> None:
        self.wait_until(lambda: _answers(url), timeout)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(self._stop_signal)
        try:
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_SECONDS)

    def log_tail(self) -> str:
        return log_tail(self.log, LOG_TAIL_LINES) or "(empty log)"


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
