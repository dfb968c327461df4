"""A private PostgreSQL cluster kept in one directory, for the dev server and the test harness.

Layout of the directory: ``data/`` (the cluster), ``superuser.pgpass`` (the random superuser
password in pgpass format, mode 0600), ``port`` (the TCP port chosen on first initialisation, so a
restart finds the server where it was), ``postgres.log`` and the server's unix socket. The DSN names
the pgpass file instead of carrying the password, so the DSN itself can be printed or logged.

A server is this cluster's when the process that ``data/postmaster.pid`` names is alive and works
in ``data/`` (its current directory, which the postmaster sets; a zombie has none). A killed
server's zombie, or an unrelated process that took the pid of a server that died with the machine,
does not count: left-over lock files never block a start and nothing else is ever signalled.

``initdb``, ``pg_ctl`` and the server refuse to run as root; a root process runs them as the
``postgres`` system user and hands the directory to that user. The work is blocking subprocess
calls, which is fine: it happens once, at start-up, before any request.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple, Self
from urllib.parse import quote

from db.errors import (
    ClusterAlreadyRunning,
    ClusterDirectoryUnreachable,
    ClusterInitFailed,
    ClusterNotInitialized,
    ClusterStartFailed,
    ClusterStopFailed,
    PostgresNotInstalled,
    UnprivilegedUserMissing,
)

log = logging.getLogger("keygraph.db")

POSTGRES_LIB = Path("/usr/lib/postgresql")
SERVICE_USER = "postgres"
SUPERUSER = "postgres"
PG_CTL_TIMEOUT_SECONDS = 60
_LOG_TAIL_LINES = 5
_DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Crash safety is pointless for a cluster deleted at the end of a test session, and costly.
_THROWAWAY_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")
# psql quotes the variable (:'name'); \gexec runs the statement that the query yields.
_CREATE_DATABASE = (
    "SELECT format('CREATE DATABASE %I', :'name') "
    "WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name')\\gexec\n"
)


def find_bin_dir(root: Path = POSTGRES_LIB) -> Path:
    """The ``bin`` directory of the highest PostgreSQL version installed the Debian way."""
    versions = [
        path.parent
        for path in root.glob("*/bin")
        if path.parent.name.isdigit() and (path / "initdb").is_file()
    ]
    if not versions:
        raise PostgresNotInstalled(
            f"no PostgreSQL server binaries in {root}/<version>/bin; "
            "install the apt package 'postgresql'"
        )
    return max(versions, key=lambda version: int(version.name)) / "bin"


class _ServiceUser(NamedTuple):
    uid: int
    gid: int


def _service_user() -> _ServiceUser | None:
    """Who runs the server when we are root; ``None`` means the current user runs it."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        raise UnprivilegedUserMissing(
            f"running as root, PostgreSQL must run as the system user '{SERVICE_USER}', "
            "which does not exist; install the apt package 'postgresql'"
        ) from None
    return _ServiceUser(entry.pw_uid, entry.pw_gid)


def free_port() -> int:
    """A loopback TCP port nothing listens on now (public: bench starts its servers on one)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def log_tail(path: Path, lines: int) -> str:
    """The last ``lines`` lines of a server's log on one line, for the error that says why it
    did not start (public: bench reports its servers' logs the same way)."""
    try:
        tail = path.read_text(errors="replace").strip().splitlines()[-lines:]
    except OSError:
        return "(no log)"
    return " | ".join(tail)


class EmbeddedPostgres:
    """One cluster directory; ``start()`` initialises it the first time and reuses it after.

    ``throwaway=True`` turns off fsync and its kin: for test clusters, whose data need not survive a
    crash of the machine.
    """

    def __init__(
        self,
        directory: Path,
        *,
        database: str = "keygraph",
        throwaway: bool = False,
        bin_dir: Path | None = None,
    ) -> None:
        if not _DATABASE_NAME.match(database):
            raise ValueError(f"database name {database!r} is not a plain lower-case identifier")
        self.directory = directory.absolute()
        self.database = database
        self.throwaway = throwaway
        self._bin_dir = bin_dir
        self._owner = _service_user()

    def __repr__(self) -> str:
        return f"EmbeddedPostgres({str(self.directory)!r}, database={self.database!r})"

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    @property
    def password_file(self) -> Path:
        return self.directory / "superuser.pgpass"

    @property
    def log_file(self) -> Path:
        return self.directory / "postgres.log"

    @property
    def port(self) -> int:
        try:
            return int((self.directory / "port").read_text(encoding="ascii"))
        except FileNotFoundError:
            raise ClusterNotInitialized(f"no PostgreSQL cluster in {self.directory} yet") from None

    @property
    def dsn(self) -> str:
        """An asyncpg/libpq URL; the password stays in the pgpass file that the URL names."""
        passfile = quote(str(self.password_file), safe="/")
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{self.database}?passfile={passfile}"

    def is_initialized(self) -> bool:
        return self.password_file.exists()

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "postmaster.pid"

    def is_running(self) -> bool:
        """Whether a live server (started by any process) serves this cluster."""
        return self._server_pid() is not None

    def start(self, *, reclaim: bool = False) -> None:
        """Initialise on first use, then start the server and create the database if absent.

        A server already running on the directory is another process's: refused, touching nothing.
        With ``reclaim`` the caller vouches that no live process uses the cluster (it holds the
        lock of the cluster's only owner), so such a server is one an owner that was killed left
        behind: it is stopped (fast shutdown: nothing committed is lost) and started afresh, with
        this process's settings, rather than needing someone to run ``pg_ctl stop`` by hand.
        """
        with self._start_lock():
            if not self.is_initialized():
                self._initialize()
            left = self._server_pid()
            if left is not None and not reclaim:
                raise ClusterAlreadyRunning(
                    f"PostgreSQL in {self.directory} is already running (pid {left})"
                    "; another process is using this directory"
                )
            if left is not None:
                log.warning(
                    "stopping PostgreSQL (pid %d) in %s: left running by a keygraph that died",
                    left,
                    self.directory,
                )
                self._stop_server()
            # Lock files naming no server of ours (it was killed and is a zombie yet, or died with
            # the machine and its pid is another process's now) would make the new one refuse.
            self.pid_file.unlink(missing_ok=True)
            (self.directory / f".s.PGSQL.{self.port}.lock").unlink(missing_ok=True)
            started = self._pg_ctl("start", "-l", str(self.log_file), "-o", self._server_options())
            if started.returncode != 0:
                raise ClusterStartFailed(
                    f"PostgreSQL in {self.directory} did not start; "
                    f"end of {self.log_file}: {log_tail(self.log_file, _LOG_TAIL_LINES)}"
                )
            self._create_database()

    def stop(self) -> None:
        """Fast shutdown (open sessions are cut, nothing is lost), waiting until it is down."""
        if self.is_running():
            self._stop_server()

    def _stop_server(self) -> None:
        stopped = self._pg_ctl("stop", "-m", "fast")
        if stopped.returncode != 0:
            raise ClusterStopFailed(
                f"PostgreSQL in {self.directory} did not stop: {stopped.stderr.strip()}"
            )

    def _server_options(self) -> str:
        """Command-line settings, so the port and socket follow the files rather than a config."""
        settings = ["listen_addresses=127.0.0.1", *(_THROWAWAY_SETTINGS if self.throwaway else ())]
        options = ["-p", str(self.port), "-k", str(self.directory)]
        for setting in settings:
            options += ["-c", setting]
        return shlex.join(options)

    def _initialize(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            raise ClusterInitFailed(
                f"{self.data_dir} holds a cluster but {self.password_file} is missing; "
                "restore that file or delete the directory to start afresh"
            )
        password = secrets.token_urlsafe(32)
        initial_password = self.directory / "initdb.password"
        self._write_private(initial_password, password + "\n")
        try:
            initdb = self._run(
                self._tool("initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                f"--pwfile={initial_password}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                # Byte-order collation: deterministic, and the same on every machine.
                "--no-locale",
                "--no-instructions",
                *(["--no-sync"] if self.throwaway else []),
            )
        finally:
            initial_password.unlink()
        if initdb.returncode != 0:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            raise ClusterInitFailed(f"initdb failed in {self.directory}: {initdb.stderr.strip()}")
        self._write_private(self.directory / "port", f"{free_port()}\n")
        staged = self.password_file.with_name(self.password_file.name + ".new")
        self._write_private(staged, f"*:*:*:{SUPERUSER}:{password}\n")
        staged.replace(self.password_file)

    def _create_database(self) -> None:
        created = self._run(
            self._tool("psql"),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            str(self.directory),
            "-p",
            str(self.port),
            "-U",
            SUPERUSER,
            "-d",
            "postgres",
            "-v",
            f"name={self.database}",
            stdin=_CREATE_DATABASE,
            env={"PGPASSFILE": str(self.password_file)},
        )
        if created.returncode != 0:
            raise ClusterStartFailed(
                f"could not create database {self.database!r} in {self.directory}: "
                f"{created.stderr.strip()}"
            )

    @contextlib.contextmanager
    def _start_lock(self) -> Iterator[None]:
        """Serialise start-up of one directory, so two starts cannot both run initdb."""
        self._prepare_directory()
        fd = os.open(self.directory / "start.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if self._owner is not None:
                os.fchown(fd, self._owner.uid, self._owner.gid)
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _prepare_directory(self) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self._owner is None:
            return
        os.chown(self.directory, self._owner.uid, self._owner.gid)
        self.directory.chmod(0o700)
        if self._run("test", "-w", str(self.directory)).returncode == 0:
            return
        blocked = next(
            (
                parent
                for parent in reversed(self.directory.parents)
                if self._run("test", "-x", str(parent)).returncode != 0
            ),
            self.directory,
        )
        raise ClusterDirectoryUnreachable(
            f"the '{SERVICE_USER}' user cannot reach {self.directory}: {blocked} is not "
            f"traversable by it (chmod o+x {blocked}, or choose a directory elsewhere)"
        )

    def _write_private(self, path: Path, text: str) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            if self._owner is not None:
                os.fchown(fd, self._owner.uid, self._owner.gid)
            handle.write(text)

    def _pg_ctl(self, action: str, *options: str) -> subprocess.CompletedProcess[str]:
        timeout = ["-w", "-t", str(PG_CTL_TIMEOUT_SECONDS)]
        return self._run(self._tool("pg_ctl"), action, "-D", str(self.data_dir), *timeout, *options)

    def _tool(self, name: str) -> str:
        if self._bin_dir is None:
            self._bin_dir = find_bin_dir()
        return str(self._bin_dir / name)

    def _run(
        self, *argv: str, stdin: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        prefix = [] if self._owner is None else ["runuser", "-u", SERVICE_USER, "--"]
        return subprocess.run(  # noqa: S603 - fixed tools, arguments are paths we built
            [*prefix, *argv],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=self.directory,
            env={**os.environ, **(env or {})},
            check=False,
        )

    def _server_pid(self) -> int | None:
        """The pid of the server running on this cluster, per its pid file and ``/proc``."""
        try:
            first_line = self.pid_file.read_text(encoding="ascii").split("\n", 1)[0]
            pid = int(first_line)
            works_in = os.readlink(f"/proc/{pid}/cwd")
        except (OSError, ValueError, UnicodeDecodeError):
            return None
        return pid if works_in == str(self.data_dir.resolve()) else None
