"""What can go wrong below the application: the private PostgreSQL cluster and the migrations.

These stop start-up rather than fail a request, so each message is one line that tells the operator
what to fix. None of them ever carries the superuser password.
"""

from __future__ import annotations


class DatabaseError(Exception):
    """Base of every error raised by ``db``."""


class EmbeddedPostgresError(DatabaseError):
    """The private cluster could not be prepared, started or stopped."""


class PostgresNotInstalled(EmbeddedPostgresError):
    """No PostgreSQL server binaries on this machine."""


class UnprivilegedUserMissing(EmbeddedPostgresError):
    """Running as root, but the system user that PostgreSQL must run as does not exist."""


class ClusterDirectoryUnreachable(EmbeddedPostgresError):
    """The user that runs PostgreSQL cannot get into the cluster directory."""


class ClusterInitFailed(EmbeddedPostgresError):
    """``initdb`` failed, or an earlier initialisation left the cluster unusable."""


class ClusterNotInitialized(EmbeddedPostgresError):
    """The cluster was asked for its port or DSN before it was ever initialised."""


class ClusterAlreadyRunning(EmbeddedPostgresError):
    """Another process already runs a server on this cluster directory."""


class ClusterStartFailed(EmbeddedPostgresError):
    """The server did not come up; the message ends with the tail of the server log."""


class ClusterStopFailed(EmbeddedPostgresError):
    """The server did not shut down in time."""


class DatabaseUnreachable(DatabaseError):
    """No database answered within the configured wait (nothing listening, no such host yet, or a
    server still starting up)."""


class DatabaseRefused(DatabaseError):
    """A database answered but refused the connection (wrong password, no such database, not in
    its ``pg_hba.conf``): waiting longer will not help."""


class MigrationError(DatabaseError):
    """The schema cannot be brought up to date; start-up must stop."""


class MigrationFileInvalid(MigrationError):
    """A migration file is misnamed, or the numbers have a gap or a duplicate."""


class MigrationHistoryMismatch(MigrationError):
    """The database records a migration that the files no longer have under that number and name."""


class MigrationChecksumMismatch(MigrationError):
    """An applied migration file has been edited since it ran."""

    def __init__(self, filename: str, recorded: str, actual: str) -> None:
        super().__init__(
            f"migration {filename} was edited after it was applied "
            f"(sha256 recorded {recorded[:12]}..., now {actual[:12]}...); "
            "restore it and put the change in a new migration"
        )
        self.filename = filename


class MigrationFailed(MigrationError):
    """A migration's SQL raised; its transaction was rolled back."""

    def __init__(self, filename: str, cause: Exception) -> None:
        super().__init__(f"migration {filename} failed and was rolled back: {cause}")
        self.filename = filename
