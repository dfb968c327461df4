"""Configuration, read once from the environment and checked before anything starts.

A setting that is missing or contradicts another stops start-up with one line naming the setting
(``ConfigurationError``), because a service that half-starts with a wrong HSM or database is worse
than one that refuses to start.
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from api.throttling import DEFAULT_RATES, RateConfigError, RateTable, parse_rates
from hsm import HsmConfig

DEFAULT_ACCOUNT_ID = "111122223333"
DEFAULT_REGION = "us-east-1"
DEFAULT_PORT = 8080
DEFAULT_HOME = ".keygraph"

_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")
# A bearer token as RFC 6750 spells one, long enough not to be guessed.
_METRICS_TOKEN = re.compile(r"^[A-Za-z0-9._~+/=-]{16,512}$")


class ConfigurationError(Exception):
    """A setting is missing, malformed or contradicts another; ``str()`` is the line to print."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"{setting}: {problem}")
        self.setting = setting


class Mode(enum.Enum):
    """Production turns off what helps a developer and would help an attacker (GraphiQL)."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


@dataclass(frozen=True)
class Limits:
    """Request limits that protect the server from expensive or oversized GraphQL requests."""

    max_body_bytes: int = 1_048_576
    # UTF-8 bytes of a query's text, refused before it is hashed or parsed: a comment costs no
    # tokens, so only this keeps a padded document from taking memory.
    max_query_bytes: int = 32_768
    # Nesting of the request's JSON (arrays and objects), past which it is refused unread.
    max_json_depth: int = 32
    max_query_depth: int = 10
    max_aliases: int = 100
    # Counted with every fragment expanded where it is spread (schema.rules).
    max_fields: int = 1_000
    max_fragment_spreads: int = 200
    max_tokens: int = 5_000
    document_cache_size: int = 1_024
    # What the cached documents may hold, as schema.documents estimates it.
    document_cache_bytes: int = 33_554_432


@dataclass(frozen=True)
class Connections:
    """How long a client may keep a connection of a worker without sending what it owes, and how
    many connections a worker serves at once (``keygraph.sockets``): a socket that is slow or
    silent is closed, not held forever, whatever stands in front of the service."""

    # Seconds from a connection's start, or from a request's first byte, to its last header.
    header_timeout: float = 10.0
    # Seconds from a request's last header to the last byte of its body.
    body_timeout: float = 30.0
    # Seconds an idle connection is kept between requests; above a load balancer's idle timeout
    # (60 s for AWS's), so that the balancer, not keygraph, closes the connections it pools.
    keep_alive_timeout: int = 75
    # Connections a worker serves at once; a request on any past it is answered 503.
    max_connections: int = 1_000
    # Bytes of a request's target and headers (uvicorn's parser takes any number): past them
    # the connection is aborted, so the header deadline is not a licence to send gigabytes.
    max_header_bytes: int = 65_536


@dataclass(frozen=True)
class Settings:
    """Everything keygraph needs to run. Built by ``from_env``; tests build it directly."""

    database_url: str = field(repr=False)
    hsm: HsmConfig
    home: Path
    account_id: str = DEFAULT_ACCOUNT_ID
    region: str = DEFAULT_REGION
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    mode: Mode = Mode.DEVELOPMENT
    limits: Limits = field(default_factory=Limits)
    connections: Connections = field(default_factory=Connections)
    # The bearer token ``/metrics`` requires; in production, unset means ``/metrics`` answers 403.
    metrics_token: str | None = field(default=None, repr=False)
    # How often each replica looks for due work (deletions, rotations, expired imports).
    job_interval_seconds: float = 60.0
    # How long start-up waits for the database to answer (a pod may start before Postgres).
    database_wait_seconds: float = 60.0
    # kms:ViaService: the request header a trusted front service sets, and the service names it
    # may claim. Unset: the condition key is never present. The ingress must drop the header
    # from outside traffic, since any caller could send it.
    via_service_header: str | None = None
    via_services: frozenset[str] = frozenset()
    # Requests per second per principal and operation class (AWS's quotas unless configured).
    rates: RateTable = DEFAULT_RATES
    # Registered GraphQL documents (file name, text): persisted queries, and in production the
    # only documents that run.
    persisted_queries: tuple[tuple[str, str], ...] = ()
    # Worker processes serving the port; each initialises the HSM after it starts.
    workers: int = 1
    # False only for measuring what authorization costs (the benchmark): every call is allowed
    # without evaluation. Refused in production.
    authorization: bool = True

    def via_service(self, header: Callable[[str], str | None]) -> str | None:
        """``kms:ViaService`` for a request whose headers ``header`` reads: the configured
        header, when it names a configured service; otherwise absent."""
        if self.via_service_header is None:
            return None
        claimed = header(self.via_service_header)
        return claimed if claimed in self.via_services else None

    @property
    def admin_token_path(self) -> Path:
        return self.home / "admin-token"


@dataclass(frozen=True)
class EmbeddedDefaults:
    """What ``keygraph dev`` provides when the environment does not name a database or an HSM."""

    database_url: str | None = field(default=None, repr=False)
    hsm: HsmConfig | None = None


def home_from_env(env: Mapping[str, str] = os.environ) -> Path:
    return Path(env.get("KEYGRAPH_HOME") or DEFAULT_HOME).resolve()


def from_env(
    env: Mapping[str, str] = os.environ, embedded: EmbeddedDefaults | None = None
) -> Settings:
    """Read and check every setting. ``embedded`` fills in what the environment leaves out."""
    embedded = embedded or EmbeddedDefaults()
    database_url = env.get("KEYGRAPH_DATABASE_URL") or embedded.database_url
    if not database_url:
        raise ConfigurationError("KEYGRAPH_DATABASE_URL", "is not set")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise ConfigurationError("KEYGRAPH_DATABASE_URL", "must be a postgresql:// URL")
    return Settings(
        database_url=database_url,
        hsm=_hsm_from_env(env) or _required_embedded_hsm(embedded),
        home=home_from_env(env),
        account_id=_matching(env, "KEYGRAPH_ACCOUNT_ID", DEFAULT_ACCOUNT_ID, _ACCOUNT_ID),
        region=_matching(env, "KEYGRAPH_REGION", DEFAULT_REGION, _REGION),
        host=env.get("KEYGRAPH_HOST") or "127.0.0.1",
        port=_port(env),
        mode=_mode(env),
        connections=_connections(env),
        metrics_token=_metrics_token(env),
        job_interval_seconds=_seconds(env, "KEYGRAPH_JOB_INTERVAL", 60, 86_400),
        database_wait_seconds=_seconds(env, "KEYGRAPH_DATABASE_WAIT_SECONDS", 60, 3_600),
        via_service_header=env.get("KEYGRAPH_VIA_SERVICE_HEADER") or None,
        via_services=_via_services(env),
        rates=_rates(env),
        persisted_queries=_persisted_queries(env),
        workers=_workers(env),
        authorization=_authorization(env),
    )


def _authorization(env: Mapping[str, str]) -> bool:
    raw = (env.get("KEYGRAPH_AUTHORIZATION") or "on").lower()
    if raw not in ("on", "off"):
        raise ConfigurationError("KEYGRAPH_AUTHORIZATION", f"{raw!r} is not on or off")
    if raw == "off" and _mode(env) is Mode.PRODUCTION:
        raise ConfigurationError("KEYGRAPH_AUTHORIZATION", "cannot be off in production")
    return raw == "on"


MAX_WORKERS = 64


def _workers(env: Mapping[str, str]) -> int:
    raw = env.get("KEYGRAPH_WORKERS") or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_WORKERS:
        raise ConfigurationError("KEYGRAPH_WORKERS", f"{raw!r} is not a number from 1 to 64")
    return int(raw)


def _persisted_queries(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Every ``*.graphql`` file of the directory ``KEYGRAPH_PERSISTED_QUERIES`` names."""
    directory = env.get("KEYGRAPH_PERSISTED_QUERIES")
    if not directory:
        return ()
    path = Path(directory)
    if not path.is_dir():
        raise ConfigurationError("KEYGRAPH_PERSISTED_QUERIES", f"no such directory: {directory}")
    files = sorted(path.glob("*.graphql"))
    if not files:
        raise ConfigurationError("KEYGRAPH_PERSISTED_QUERIES", f"no *.graphql file in {directory}")
    return tuple((file.name, file.read_text(encoding="utf-8")) for file in files)


def _rates(env: Mapping[str, str]) -> RateTable:
    try:
        return parse_rates(env.get("KEYGRAPH_RATES", ""))
    except RateConfigError as exc:
        raise ConfigurationError("KEYGRAPH_RATES", str(exc)) from None


def _via_services(env: Mapping[str, str]) -> frozenset[str]:
    names = frozenset(n.strip() for n in env.get("KEYGRAPH_VIA_SERVICES", "").split(",") if n)
    if names and not env.get("KEYGRAPH_VIA_SERVICE_HEADER"):
        raise ConfigurationError("KEYGRAPH_VIA_SERVICES", "needs KEYGRAPH_VIA_SERVICE_HEADER")
    return names


def _required_embedded_hsm(embedded: EmbeddedDefaults) -> HsmConfig:
    if embedded.hsm is None:
        raise ConfigurationError("KEYGRAPH_PKCS11_MODULE", "is not set")
    return embedded.hsm


def _hsm_from_env(env: Mapping[str, str]) -> HsmConfig | None:
    names = ("KEYGRAPH_PKCS11_MODULE", "KEYGRAPH_TOKEN_LABEL", "KEYGRAPH_PIN", "KEYGRAPH_PIN_FILE")
    if not any(env.get(name) for name in names):
        return None
    module_path = env.get("KEYGRAPH_PKCS11_MODULE")
    if not module_path:
        raise ConfigurationError("KEYGRAPH_PKCS11_MODULE", "is not set but other HSM settings are")
    if not Path(module_path).is_file():
        raise ConfigurationError("KEYGRAPH_PKCS11_MODULE", f"no such file: {module_path}")
    token_label = env.get("KEYGRAPH_TOKEN_LABEL")
    if not token_label:
        raise ConfigurationError("KEYGRAPH_TOKEN_LABEL", "is not set")
    return HsmConfig(module_path=module_path, token_label=token_label, pin=_pin(env))


def _pin(env: Mapping[str, str]) -> str:
    pin, pin_file = env.get("KEYGRAPH_PIN"), env.get("KEYGRAPH_PIN_FILE")
    if pin and pin_file:
        raise ConfigurationError("KEYGRAPH_PIN", "and KEYGRAPH_PIN_FILE are both set; set one")
    if pin:
        return pin
    if not pin_file:
        raise ConfigurationError("KEYGRAPH_PIN", "is not set (nor KEYGRAPH_PIN_FILE)")
    try:
        from_file = Path(pin_file).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigurationError("KEYGRAPH_PIN_FILE", f"cannot be read: {exc.strerror}") from None
    if not from_file:
        raise ConfigurationError("KEYGRAPH_PIN_FILE", "is empty")
    return from_file


def _matching(env: Mapping[str, str], name: str, default: str, pattern: re.Pattern[str]) -> str:
    value = env.get(name) or default
    if not pattern.match(value):
        raise ConfigurationError(name, f"{value!r} is not valid")
    return value


def _port(env: Mapping[str, str]) -> int:
    raw = env.get("KEYGRAPH_PORT") or str(DEFAULT_PORT)
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigurationError("KEYGRAPH_PORT", f"{raw!r} is not a port number")
    return int(raw)


def _mode(env: Mapping[str, str]) -> Mode:
    raw = env.get("KEYGRAPH_MODE") or Mode.DEVELOPMENT.value
    try:
        return Mode(raw)
    except ValueError:
        choices = ", ".join(mode.value for mode in Mode)
        raise ConfigurationError("KEYGRAPH_MODE", f"{raw!r} is not one of {choices}") from None


def _seconds(env: Mapping[str, str], name: str, default: float, most: float) -> float:
    """A positive number of seconds, at most ``most``."""
    raw = env.get(name) or str(default)
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= most:
        raise ConfigurationError(name, f"{raw!r} is not a number of seconds")
    return seconds


def _connections(env: Mapping[str, str]) -> Connections:
    defaults = Connections()
    keep_alive = env.get("KEYGRAPH_KEEP_ALIVE_TIMEOUT") or str(defaults.keep_alive_timeout)
    if not keep_alive.isdigit() or not 1 <= int(keep_alive) <= 3_600:
        raise ConfigurationError(
            "KEYGRAPH_KEEP_ALIVE_TIMEOUT", f"{keep_alive!r} is not a whole number of seconds"
        )
    held = env.get("KEYGRAPH_MAX_CONNECTIONS") or str(defaults.max_connections)
    if not held.isdigit() or not 1 <= int(held) <= 1_000_000:
        raise ConfigurationError(
            "KEYGRAPH_MAX_CONNECTIONS", f"{held!r} is not a number from 1 to 1000000"
        )
    return Connections(
        header_timeout=_seconds(env, "KEYGRAPH_HEADER_TIMEOUT", defaults.header_timeout, 3_600),
        body_timeout=_seconds(env, "KEYGRAPH_BODY_TIMEOUT", defaults.body_timeout, 3_600),
        keep_alive_timeout=int(keep_alive),
        max_connections=int(held),
    )


def _metrics_token(env: Mapping[str, str]) -> str | None:
    token = env.get("KEYGRAPH_METRICS_TOKEN")
    if not token:
        return None
    if not _METRICS_TOKEN.match(token):
        raise ConfigurationError(
            "KEYGRAPH_METRICS_TOKEN", "must be 16 to 512 characters of A-Z a-z 0-9 . _ ~ + / = -"
        )
    return token
