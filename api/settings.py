"""Configuration, read once from the environment and checked before anything starts.

A setting that is missing or contradicts another stops start-up with one line naming the setting
(``ConfigurationError``), because a service that half-starts with a wrong HSM or database is worse
than one that refuses to start.

Every ``KEYGRAPH_*`` variable is declared once below (``Setting``): its name, meaning and default.
The parser reads each through its declaration, and docs/configuration.md is rendered from the
same declarations (``api.settings_reference``), so the reference cannot drift from what is read.
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from api.policy.findings import PolicyCheck
from api.principals import TokenVerifier, parse_verifier
from api.throttling import DEFAULT_RATES, RateConfigError, RateTable, parse_rates
from hsm import HsmConfig

DEFAULT_ACCOUNT_ID = "111122223333"
DEFAULT_REGION = "us-east-1"
DEFAULT_PORT = 8080
DEFAULT_HOME = ".keygraph"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_JOB_INTERVAL_SECONDS = 60.0
DEFAULT_DATABASE_WAIT_SECONDS = 60.0
MAX_WORKERS = 64
_MOST_JOB_INTERVAL_SECONDS = 86_400
_MOST_WAIT_SECONDS = 3_600
_MOST_CONNECTION_SECONDS = 3_600
_MOST_CONNECTIONS = 1_000_000
DEFAULT_SESSION_IDLE_SECONDS = 1_800.0
DEFAULT_SESSION_MAX_SECONDS = 43_200.0
_MOST_SESSION_SECONDS = 2_592_000
# The built dashboard (dashboard/dist of the repository the package runs from).
DEFAULT_DASHBOARD_DIR = Path(__file__).resolve().parent.parent / "dashboard" / "dist"

_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")
# A bearer token as RFC 6750 spells one, long enough not to be guessed.
_METRICS_TOKEN = re.compile(r"^[A-Za-z0-9._~+/=-]{16,512}$")
# An origin as a browser sends it: scheme, host, optional port; no path, no trailing slash.
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


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


class Section(enum.Enum):
    """Where a setting is listed in the reference, in this order."""

    SERVICE = "Service"
    DATABASE = "Database"
    HSM = "HSM"
    ACCESS = "Credentials and authorization"
    REQUESTS = "Requests and connections"


@dataclass(frozen=True)
class Setting:
    """One environment variable: what it means, and the value that stands when it is unset or
    empty (``default``, written as it would be set; ``None``: nothing stands in)."""

    name: str
    section: Section
    meaning: str
    default: str | None = None
    # A credential: give it from a Kubernetes Secret (or a file), never a ConfigMap or a manifest.
    secret: bool = False

    def value(self, env: Mapping[str, str]) -> str | None:
        return env.get(self.name) or self.default

    def refused(self, problem: str) -> ConfigurationError:
        return ConfigurationError(self.name, problem)


_DECLARED: list[Setting] = []


def _declare(
    name: str,
    section: Section,
    meaning: str,
    default: str | float | None = None,
    *,
    secret: bool = False,
) -> Setting:
    """Declare a setting (its meaning as prose, wrapped as the source wraps it) and list it."""
    written = f"{default:g}" if isinstance(default, float) else default
    setting = Setting(
        name, section, " ".join(meaning.split()), None if written is None else str(written), secret
    )
    _DECLARED.append(setting)
    return setting


def declared_settings() -> tuple[Setting, ...]:
    """Every setting keygraph reads, in the reference's order."""
    return tuple(sorted(_DECLARED, key=lambda s: list(Section).index(s.section)))


_CONNECTION_DEFAULTS = Connections()

MODE = _declare(
    "KEYGRAPH_MODE",
    Section.SERVICE,
    """`development` or `production`. Production serves no GraphiQL page, runs only registered
    documents when `KEYGRAPH_PERSISTED_QUERIES` is set, serves `/metrics` only with
    `KEYGRAPH_METRICS_TOKEN`, refuses `KEYGRAPH_AUTHORIZATION=off`, and never mints a root token
    nor writes one to disk (see `KEYGRAPH_ROOT_TOKEN_VERIFIER`).""",
    "development",
)
HOST = _declare(
    "KEYGRAPH_HOST",
    Section.SERVICE,
    "Address to bind; `0.0.0.0` in a container, so that the pod's IP is served.",
    DEFAULT_HOST,
)
PORT = _declare("KEYGRAPH_PORT", Section.SERVICE, "TCP port to serve HTTP on.", DEFAULT_PORT)
WORKERS = _declare(
    "KEYGRAPH_WORKERS",
    Section.SERVICE,
    f"""Worker processes serving the port, 1 to {MAX_WORKERS} (also `--workers N` of `keygraph
    serve` and `keygraph dev`); each opens its own HSM sessions and database pool.""",
    1,
)
HOME = _declare(
    "KEYGRAPH_HOME",
    Section.SERVICE,
    """Directory where `keygraph dev` keeps its own PostgreSQL cluster, SoftHSM token and the
    root's `admin-token` file; commands such as `keygraph principal` use its database when
    `KEYGRAPH_DATABASE_URL` is unset. A relative path is resolved from the working directory.
    `keygraph serve` in production writes nothing there.""",
    DEFAULT_HOME,
)
ACCOUNT_ID = _declare(
    "KEYGRAPH_ACCOUNT_ID",
    Section.SERVICE,
    "The 12-digit account this deployment serves, as ARNs and key policies name it.",
    DEFAULT_ACCOUNT_ID,
)
REGION = _declare(
    "KEYGRAPH_REGION", Section.SERVICE, "The region in ARNs (`eu-west-1`).", DEFAULT_REGION
)
JOB_INTERVAL = _declare(
    "KEYGRAPH_JOB_INTERVAL",
    Section.SERVICE,
    f"""Seconds between each replica's passes of the background jobs (scheduled deletions,
    rotations, expired imported material), above 0 and at most {_MOST_JOB_INTERVAL_SECONDS}.""",
    DEFAULT_JOB_INTERVAL_SECONDS,
)
DATABASE_URL = _declare(
    "KEYGRAPH_DATABASE_URL",
    Section.DATABASE,
    """`postgresql://user:password@host:port/database` of the PostgreSQL server every replica
    shares; required by `keygraph serve`. Unset under `keygraph dev`, which runs its own cluster
    in `KEYGRAPH_HOME`.""",
    secret=True,
)
DATABASE_WAIT = _declare(
    "KEYGRAPH_DATABASE_WAIT_SECONDS",
    Section.DATABASE,
    f"""How long start-up waits for the database to answer, retrying with growing pauses (0.25 s
    doubling to 5 s) and logging each attempt (a pod may start before its PostgreSQL); above 0
    and at most {_MOST_WAIT_SECONDS}.""",
    DEFAULT_DATABASE_WAIT_SECONDS,
)
PKCS11_MODULE = _declare(
    "KEYGRAPH_PKCS11_MODULE",
    Section.HSM,
    """Path of the HSM's PKCS#11 library (`.so`), such as CloudHSM's
    `/opt/cloudhsm/lib/libcloudhsm_pkcs11.so`; required by `keygraph serve`. Unset under
    `keygraph dev`, which makes a SoftHSM token in `KEYGRAPH_HOME`.""",
)
TOKEN_LABEL = _declare(
    "KEYGRAPH_TOKEN_LABEL",
    Section.HSM,
    "Label of the HSM token holding keygraph's keys (found by label: slot numbers change).",
)
PIN = _declare(
    "KEYGRAPH_PIN",
    Section.HSM,
    """The token's user PIN (CloudHSM: `user:password` of a crypto user). Set this or
    `KEYGRAPH_PIN_FILE`, not both.""",
    secret=True,
)
PIN_FILE = _declare(
    "KEYGRAPH_PIN_FILE",
    Section.HSM,
    """A file holding the PIN (surrounding whitespace ignored), such as a mounted Secret; instead
    of `KEYGRAPH_PIN`.""",
)
ROOT_TOKEN_VERIFIER = _declare(
    "KEYGRAPH_ROOT_TOKEN_VERIFIER",
    Section.ACCESS,
    """The verifier of the root principal's token, `kgv1.<token id>.<SHA-256 of the secret in 64
    lowercase hex digits>`, as `keygraph root-token new --verifier FILE` writes it (the token
    itself goes to that command's standard output, for the operator's secret store). On start
    the root principal is created if missing and this token installed for it unless it is
    already; a verifier whose token id is another token's stops start-up, and a revoked one stays
    revoked (start-up logs a warning). Not a secret: it cannot be used to call keygraph. Unset
    in production with no root token: start-up logs how to provide one.""",
)
AUTHORIZATION = _declare(
    "KEYGRAPH_AUTHORIZATION",
    Section.ACCESS,
    """`off` allows every call without evaluating policies, to measure what authorization costs
    (the benchmark); refused in production.""",
    "on",
)
POLICY_CHECK = _declare(
    "KEYGRAPH_POLICY_CHECK",
    Section.ACCESS,
    """`warn` or `strict`: what a key or identity policy gets when keygraph's checker finds
    what AWS stores anyway (an action the catalog does not know, a condition key no action of
    its statement can see, a key policy statement without `Action` or `Resource`). `warn` stores
    the policy as AWS does and answers the findings as `warnings` (GraphQL) and in the call's
    audit events; `strict` refuses it with `MalformedPolicyDocumentException`. Malformed JSON or
    principals and the lockout safety check are refused either way, as at AWS.""",
    PolicyCheck.WARN.value,
)
METRICS_TOKEN = _declare(
    "KEYGRAPH_METRICS_TOKEN",
    Section.ACCESS,
    """The bearer token `GET /metrics` requires, 16 to 512 characters of `A-Z a-z 0-9 . _ ~ + / =
    -`. Unset: `/metrics` is open in development and answers 403 in production.""",
    secret=True,
)
VIA_SERVICE_HEADER = _declare(
    "KEYGRAPH_VIA_SERVICE_HEADER",
    Section.ACCESS,
    """Request header a trusted front service sets to name itself (`kms:ViaService`); the
    ingress must drop it from outside traffic, since any caller could send it. Unset:
    `kms:ViaService` is never present.""",
)
VIA_SERVICES = _declare(
    "KEYGRAPH_VIA_SERVICES",
    Section.ACCESS,
    """Comma-separated service names `KEYGRAPH_VIA_SERVICE_HEADER` may claim; any other value of
    the header is ignored.""",
)
RATES = _declare(
    "KEYGRAPH_RATES",
    Section.ACCESS,
    """Requests per second per principal, overriding AWS's default quotas: comma-separated
    `name=rate` entries (names below), or `off` for no throttling. Counted per process (each
    worker of each replica): divide by their number when the total matters. Unset: AWS's
    quotas.""",
)
PERSISTED_QUERIES = _declare(
    "KEYGRAPH_PERSISTED_QUERIES",
    Section.REQUESTS,
    """A directory of `*.graphql` documents registered as persisted queries; in production they
    are the only documents that run.""",
)
HEADER_TIMEOUT = _declare(
    "KEYGRAPH_HEADER_TIMEOUT",
    Section.REQUESTS,
    f"""Seconds a client has to send a request's headers, from the connection's start (or the
    request's first byte on a kept-alive connection); above 0 and at most
    {_MOST_CONNECTION_SECONDS}.""",
    _CONNECTION_DEFAULTS.header_timeout,
)
BODY_TIMEOUT = _declare(
    "KEYGRAPH_BODY_TIMEOUT",
    Section.REQUESTS,
    f"""Seconds a client has to send a request's body once its headers are in; above 0 and at
    most {_MOST_CONNECTION_SECONDS}.""",
    _CONNECTION_DEFAULTS.body_timeout,
)
KEEP_ALIVE_TIMEOUT = _declare(
    "KEYGRAPH_KEEP_ALIVE_TIMEOUT",
    Section.REQUESTS,
    f"""Whole seconds an idle connection is kept between requests, 1 to
    {_MOST_CONNECTION_SECONDS}; keep it above the load balancer's idle timeout (60 s for
    AWS's).""",
    _CONNECTION_DEFAULTS.keep_alive_timeout,
)
SESSION_IDLE = _declare(
    "KEYGRAPH_SESSION_IDLE_SECONDS",
    Section.ACCESS,
    f"""Seconds a browser session (`POST /session`) lasts without a request before it must sign
    in again; above 0 and at most {_MOST_SESSION_SECONDS}. Its last use is written at most once a
    minute (half this time when shorter), so a session may end up to that much earlier.""",
    DEFAULT_SESSION_IDLE_SECONDS,
)
SESSION_MAX = _declare(
    "KEYGRAPH_SESSION_MAX_SECONDS",
    Section.ACCESS,
    f"""Seconds a browser session lasts from its sign-in however much it is used; above 0 and at
    most {_MOST_SESSION_SECONDS}.""",
    DEFAULT_SESSION_MAX_SECONDS,
)
CORS_ORIGINS = _declare(
    "KEYGRAPH_CORS_ORIGINS",
    Section.ACCESS,
    """Comma-separated origins (`https://dashboard.example.com`) whose pages may call the API
    from a browser (CORS) with `Authorization: Bearer` or SigV4; never with the session cookie.
    Unset: no other origin may; keygraph's own UI at `/ui` needs no entry.""",
)
DASHBOARD_DIR = _declare(
    "KEYGRAPH_DASHBOARD_DIR",
    Section.SERVICE,
    """Directory of the built dashboard (`npm run build` in `dashboard/`), served at `/ui/` and
    as the GraphiQL page. Unset: `dashboard/dist` of the source tree keygraph runs from.""",
)
MAX_CONNECTIONS = _declare(
    "KEYGRAPH_MAX_CONNECTIONS",
    Section.REQUESTS,
    f"""Connections one worker serves at once, 1 to {_MOST_CONNECTIONS}; a request on any past
    them is answered 503.""",
    _CONNECTION_DEFAULTS.max_connections,
)


@dataclass(frozen=True)
class Settings:
    """Everything keygraph needs to run. Built by ``from_env``; tests build it directly."""

    database_url: str = field(repr=False)
    hsm: HsmConfig
    home: Path
    account_id: str = DEFAULT_ACCOUNT_ID
    region: str = DEFAULT_REGION
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    mode: Mode = Mode.DEVELOPMENT
    limits: Limits = field(default_factory=Limits)
    connections: Connections = field(default_factory=Connections)
    # The bearer token ``/metrics`` requires; in production, unset means ``/metrics`` answers 403.
    metrics_token: str | None = field(default=None, repr=False)
    # How often each replica looks for due work (deletions, rotations, expired imports).
    job_interval_seconds: float = DEFAULT_JOB_INTERVAL_SECONDS
    # How long start-up waits for the database to answer (a pod may start before Postgres).
    database_wait_seconds: float = DEFAULT_DATABASE_WAIT_SECONDS
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
    # The root token to install on start, minted offline by the operator (production's only
    # way to a first credential).
    root_token_verifier: TokenVerifier | None = None
    # What a policy gets when the checker finds what AWS would store anyway (api.policy.findings).
    policy_check: PolicyCheck = PolicyCheck.WARN
    # Browser sessions (api.sessions): idle and absolute lifetime.
    session_idle_seconds: float = DEFAULT_SESSION_IDLE_SECONDS
    session_max_seconds: float = DEFAULT_SESSION_MAX_SECONDS
    # Origins whose pages may call the API from a browser (CORS); empty: none.
    cors_origins: frozenset[str] = frozenset()
    # The built dashboard served at /ui/ (and its GraphiQL page on GET /graphql).
    dashboard_dir: Path = DEFAULT_DASHBOARD_DIR

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
    return Path(HOME.value(env) or DEFAULT_HOME).resolve()


def from_env(
    env: Mapping[str, str] = os.environ, embedded: EmbeddedDefaults | None = None
) -> Settings:
    """Read and check every setting. ``embedded`` fills in what the environment leaves out."""
    embedded = embedded or EmbeddedDefaults()
    database_url = DATABASE_URL.value(env) or embedded.database_url
    if not database_url:
        raise DATABASE_URL.refused("is not set")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise DATABASE_URL.refused("must be a postgresql:// URL")
    return Settings(
        database_url=database_url,
        hsm=_hsm_from_env(env) or _required_embedded_hsm(embedded),
        home=home_from_env(env),
        account_id=_matching(env, ACCOUNT_ID, _ACCOUNT_ID),
        region=_matching(env, REGION, _REGION),
        host=HOST.value(env) or DEFAULT_HOST,
        port=_port(env),
        mode=_mode(env),
        connections=_connections(env),
        metrics_token=_metrics_token(env),
        job_interval_seconds=_seconds(env, JOB_INTERVAL, _MOST_JOB_INTERVAL_SECONDS),
        database_wait_seconds=_seconds(env, DATABASE_WAIT, _MOST_WAIT_SECONDS),
        via_service_header=VIA_SERVICE_HEADER.value(env),
        via_services=_via_services(env),
        rates=_rates(env),
        persisted_queries=_persisted_queries(env),
        workers=_workers(env),
        authorization=_authorization(env),
        root_token_verifier=_root_token_verifier(env),
        policy_check=policy_check_from_env(env),
        session_idle_seconds=_seconds(env, SESSION_IDLE, _MOST_SESSION_SECONDS),
        session_max_seconds=_seconds(env, SESSION_MAX, _MOST_SESSION_SECONDS),
        cors_origins=_cors_origins(env),
        dashboard_dir=Path(DASHBOARD_DIR.value(env) or DEFAULT_DASHBOARD_DIR).resolve(),
    )


def _cors_origins(env: Mapping[str, str]) -> frozenset[str]:
    """The allow-list as browsers send an ``Origin`` (lower case). ``*`` is refused: the pages
    a key service trusts are named one by one."""
    listed = [origin.strip().lower() for origin in (CORS_ORIGINS.value(env) or "").split(",")]
    origins = frozenset(origin for origin in listed if origin)
    for origin in sorted(origins):
        if not _ORIGIN.match(origin):
            raise CORS_ORIGINS.refused(
                f"{origin!r} is not an origin (scheme://host[:port], no path or trailing slash)"
            )
    return origins


def _root_token_verifier(env: Mapping[str, str]) -> TokenVerifier | None:
    text = ROOT_TOKEN_VERIFIER.value(env)
    if text is None or not text.strip():
        return None
    try:
        return parse_verifier(text)
    except ValueError as exc:
        raise ROOT_TOKEN_VERIFIER.refused(str(exc)) from None


def _authorization(env: Mapping[str, str]) -> bool:
    raw = _text(AUTHORIZATION, env).lower()
    if raw not in ("on", "off"):
        raise AUTHORIZATION.refused(f"{raw!r} is not on or off")
    if raw == "off" and _mode(env) is Mode.PRODUCTION:
        raise AUTHORIZATION.refused("cannot be off in production")
    return raw == "on"


def policy_check_from_env(env: Mapping[str, str] = os.environ) -> PolicyCheck:
    """``KEYGRAPH_POLICY_CHECK`` alone: the CLI attaches identity policies without serving."""
    raw = _text(POLICY_CHECK, env).lower()
    try:
        return PolicyCheck(raw)
    except ValueError:
        raise POLICY_CHECK.refused(f"{raw!r} is not warn or strict") from None


def _workers(env: Mapping[str, str]) -> int:
    raw = _text(WORKERS, env)
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_WORKERS:
        raise WORKERS.refused(f"{raw!r} is not a number from 1 to {MAX_WORKERS}")
    return int(raw)


def _persisted_queries(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Every ``*.graphql`` file of the directory ``KEYGRAPH_PERSISTED_QUERIES`` names."""
    directory = PERSISTED_QUERIES.value(env)
    if not directory:
        return ()
    path = Path(directory)
    if not path.is_dir():
        raise PERSISTED_QUERIES.refused(f"no such directory: {directory}")
    files = sorted(path.glob("*.graphql"))
    if not files:
        raise PERSISTED_QUERIES.refused(f"no *.graphql file in {directory}")
    return tuple((file.name, file.read_text(encoding="utf-8")) for file in files)


def _rates(env: Mapping[str, str]) -> RateTable:
    try:
        return parse_rates(RATES.value(env) or "")
    except RateConfigError as exc:
        raise RATES.refused(str(exc)) from None


def _via_services(env: Mapping[str, str]) -> frozenset[str]:
    listed = (VIA_SERVICES.value(env) or "").split(",")
    names = frozenset(name.strip() for name in listed if name)
    if names and not VIA_SERVICE_HEADER.value(env):
        raise VIA_SERVICES.refused(f"needs {VIA_SERVICE_HEADER.name}")
    return names


def _required_embedded_hsm(embedded: EmbeddedDefaults) -> HsmConfig:
    if embedded.hsm is None:
        raise PKCS11_MODULE.refused("is not set")
    return embedded.hsm


def _hsm_from_env(env: Mapping[str, str]) -> HsmConfig | None:
    if not any(setting.value(env) for setting in (PKCS11_MODULE, TOKEN_LABEL, PIN, PIN_FILE)):
        return None
    module_path = PKCS11_MODULE.value(env)
    if not module_path:
        raise PKCS11_MODULE.refused("is not set but other HSM settings are")
    if not Path(module_path).is_file():
        raise PKCS11_MODULE.refused(f"no such file: {module_path}")
    token_label = TOKEN_LABEL.value(env)
    if not token_label:
        raise TOKEN_LABEL.refused("is not set")
    return HsmConfig(module_path=module_path, token_label=token_label, pin=_pin(env))


def _pin(env: Mapping[str, str]) -> str:
    pin, pin_file = PIN.value(env), PIN_FILE.value(env)
    if pin and pin_file:
        raise PIN.refused(f"and {PIN_FILE.name} are both set; set one")
    if pin:
        return pin
    if not pin_file:
        raise PIN.refused(f"is not set (nor {PIN_FILE.name})")
    try:
        from_file = Path(pin_file).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise PIN_FILE.refused(f"cannot be read: {exc.strerror}") from None
    if not from_file:
        raise PIN_FILE.refused("is empty")
    return from_file


def _text(setting: Setting, env: Mapping[str, str]) -> str:
    """A setting that has a default: its value is never missing."""
    value = setting.value(env)
    if value is None:
        raise setting.refused("is not set")
    return value


def _matching(env: Mapping[str, str], setting: Setting, pattern: re.Pattern[str]) -> str:
    value = _text(setting, env)
    if not pattern.match(value):
        raise setting.refused(f"{value!r} is not valid")
    return value


def _port(env: Mapping[str, str]) -> int:
    raw = _text(PORT, env)
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise PORT.refused(f"{raw!r} is not a port number")
    return int(raw)


def _mode(env: Mapping[str, str]) -> Mode:
    raw = _text(MODE, env)
    try:
        return Mode(raw)
    except ValueError:
        choices = ", ".join(mode.value for mode in Mode)
        raise MODE.refused(f"{raw!r} is not one of {choices}") from None


def _seconds(env: Mapping[str, str], setting: Setting, most: float) -> float:
    """A positive number of seconds, at most ``most``."""
    raw = _text(setting, env)
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= most:
        raise setting.refused(f"{raw!r} is not a number of seconds")
    return seconds


def _whole(env: Mapping[str, str], setting: Setting, most: int, what: str) -> int:
    raw = _text(setting, env)
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise setting.refused(f"{raw!r} is not {what}")
    return int(raw)


def _connections(env: Mapping[str, str]) -> Connections:
    return Connections(
        header_timeout=_seconds(env, HEADER_TIMEOUT, _MOST_CONNECTION_SECONDS),
        body_timeout=_seconds(env, BODY_TIMEOUT, _MOST_CONNECTION_SECONDS),
        keep_alive_timeout=_whole(
            env, KEEP_ALIVE_TIMEOUT, _MOST_CONNECTION_SECONDS, "a whole number of seconds"
        ),
        max_connections=_whole(
            env, MAX_CONNECTIONS, _MOST_CONNECTIONS, f"a number from 1 to {_MOST_CONNECTIONS}"
        ),
    )


def _metrics_token(env: Mapping[str, str]) -> str | None:
    token = METRICS_TOKEN.value(env)
    if not token:
        return None
    if not _METRICS_TOKEN.match(token):
        raise METRICS_TOKEN.refused("must be 16 to 512 characters of A-Z a-z 0-9 . _ ~ + / = -")
    return token
