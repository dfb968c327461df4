"""The Containerfile's invariants, checked by reading it (building needs root tools and minutes:
that is `make image`, docs/image.md).

A reviewer of the image asks: does it run as a non-root numeric user, is its base pinned, is
there no HEALTHCHECK (Kubernetes probes the pod), no secret in an ENV or ARG (they stay in the
image's history), is the entry point keygraph, does the default target carry no PKCS#11 module
and no build tools, does the `softhsm` target exist, is the dashboard built in a stage of its own
from its lockfile and only its static files copied into the images keygraph runs in (no Node.js,
npm or node_modules there), and does the build context leave out local state (a dev home holds a
SoftHSM token and its PIN; a local dashboard build). Each check is a function returning its
problems, shown to find them in a Containerfile that breaks the rule, so none passes vacuously.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTAINERFILE = ROOT / "Containerfile"
CONTAINERIGNORE = ROOT / ".containerignore"
SERVICE_UID = 10001
# The one placeholder a base may carry instead of a digest, when the ARG's comment says how to pin.
DIGEST_PLACEHOLDER = "<digest>"
_DIGEST = re.compile(r"^[^@\s]+@sha256:(?:[0-9a-f]{64}|" + re.escape(DIGEST_PLACEHOLDER) + r")$")
# Words of an ENV or ARG name that mean it would hold a secret (split on '_': KEYGRAPH is fine).
_SECRET_WORDS = frozenset(
    {"SECRET", "PASSWORD", "PASSWD", "TOKEN", "PIN", "KEY", "CREDENTIAL", "CREDENTIALS", "VERIFIER"}
)
# Settings that hold a secret under a name that does not say so (the URL carries a password).
_SECRET_NAMES = frozenset({"KEYGRAPH_DATABASE_URL", "DATABASE_URL", "PGPASSWORD"})
_SECRET_VALUES = (
    re.compile(r"://[^/\s:@]+:[^/\s@]+@"),  # a URL with a password in it
    re.compile(r"AKIA[0-9A-Z]{16}"),  # an AWS access key id
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
)
_BUILD_TOOLS = re.compile(
    r"\b(gcc|g\+\+|clang|make|build-essential|python3-dev|python3-pip|libpq-dev)\b"
)


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    line: int
    # The comment lines directly above the instruction (no blank line between).
    comments: tuple[str, ...]


@dataclass(frozen=True)
class Stage:
    name: str
    base: str
    instructions: tuple[Instruction, ...]


@dataclass(frozen=True)
class Containerfile:
    global_args: dict[str, str | None]
    global_comments: dict[str, tuple[str, ...]]
    stages: tuple[Stage, ...]

    def stage(self, name: str) -> Stage:
        return next(stage for stage in self.stages if stage.name == name)

    def lineage(self, name: str) -> list[Stage]:
        """The stage and the stages it is built FROM, base first: what its image holds."""
        names = {stage.name for stage in self.stages}
        chain = [self.stage(name)]
        while chain[0].base in names:
            chain.insert(0, self.stage(chain[0].base))
        return chain

    def effective(self, name: str, keyword: str) -> Instruction | None:
        """The last ``keyword`` instruction in force for the image of stage ``name``."""
        found = None
        for stage in self.lineage(name):
            for instruction in stage.instructions:
                if instruction.keyword == keyword:
                    found = instruction
        return found


def parse_instructions(text: str) -> list[Instruction]:
    """Instructions with their continuation lines joined, as the Dockerfile syntax reads them:
    a trailing backslash continues the line, and comment lines inside a continuation are
    dropped."""
    instructions: list[Instruction] = []
    comments: list[str] = []
    parts: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not parts:
            if not stripped:
                comments = []
                continue
            if stripped.startswith("#"):
                comments.append(stripped[1:].strip())
                continue
            start = number
        elif not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            parts.append(stripped[:-1].strip())
            continue
        parts.append(stripped)
        keyword, _, arguments = " ".join(parts).partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip(), start, tuple(comments)))
        comments, parts = [], []
    if parts:
        raise ValueError(f"line {start}: the file ends inside a continued instruction")
    return instructions


def parse(text: str) -> Containerfile:
    global_args: dict[str, str | None] = {}
    global_comments: dict[str, tuple[str, ...]] = {}
    stages: list[Stage] = []
    current: tuple[str, str, list[Instruction]] | None = None
    for instruction in parse_instructions(text):
        if instruction.keyword == "FROM":
            if current is not None:
                stages.append(Stage(current[0], current[1], tuple(current[2])))
            words = [w for w in instruction.arguments.split() if not w.startswith("--")]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else str(len(stages))
            current = (name, words[0], [])
        elif current is None:
            if instruction.keyword != "ARG":
                raise ValueError(f"line {instruction.line}: only ARG may come before FROM")
            arg_name, equals, default = instruction.arguments.partition("=")
            global_args[arg_name] = default if equals else None
            global_comments[arg_name] = instruction.comments
        else:
            current[2].append(instruction)
    if current is None:
        raise ValueError("no FROM")
    stages.append(Stage(current[0], current[1], tuple(current[2])))
    return Containerfile(global_args, global_comments, tuple(stages))


def assignments(instruction: Instruction) -> list[tuple[str, str]]:
    """The names and values an ENV or ARG sets (``NAME=value`` pairs, or ENV's ``NAME value``)."""
    words = shlex.split(instruction.arguments)
    if instruction.keyword == "ENV" and words and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]
    return [(word.partition("=")[0], word.partition("=")[2]) for word in words]


def exec_form(instruction: Instruction | None) -> list[str] | None:
    if instruction is None or not instruction.arguments.startswith("["):
        return None
    parsed = json.loads(instruction.arguments)
    return [str(word) for word in parsed]


def environment(containerfile: Containerfile, target: str) -> dict[str, str]:
    """The ENV in force in the image of stage ``target``."""
    return dict(
        pair
        for stage in containerfile.lineage(target)
        for instruction in stage.instructions
        if instruction.keyword == "ENV"
        for pair in assignments(instruction)
    )


def runs(containerfile: Containerfile, target: str) -> list[str]:
    return [
        instruction.arguments
        for stage in containerfile.lineage(target)
        for instruction in stage.instructions
        if instruction.keyword == "RUN"
    ]


# --- the checks: each returns what is wrong, empty when nothing is ---------------------------


def user_problems(containerfile: Containerfile, target: str) -> list[str]:
    user = containerfile.effective(target, "USER")
    if user is None:
        return [f"{target}: no USER, so it runs as root"]
    uid, _, gid = user.arguments.partition(":")
    if not uid.isdigit() or (gid and not gid.isdigit()):
        return [f"{target}: USER {user.arguments} is not numeric (runAsNonRoot cannot verify it)"]
    if int(uid) != SERVICE_UID:
        return [f"{target}: USER {uid} is not the service's uid {SERVICE_UID}"]
    return []


def base_problems(containerfile: Containerfile) -> list[str]:
    problems = []
    names = {stage.name for stage in containerfile.stages}
    for stage in containerfile.stages:
        if stage.base in names:
            continue
        variable = re.fullmatch(r"\$\{?(\w+)\}?", stage.base)
        if variable is None:
            reference = stage.base
            if DIGEST_PLACEHOLDER in reference:
                problems.append(f"stage {stage.name}: a placeholder outside a documented ARG")
        else:
            arg = variable.group(1)
            if arg not in containerfile.global_args:
                problems.append(f"stage {stage.name}: FROM ${arg} without a global ARG {arg}")
                continue
            reference = containerfile.global_args[arg] or ""
            documented = " ".join(containerfile.global_comments.get(arg, ()))
            if DIGEST_PLACEHOLDER in reference and not (
                "digest" in documented and f"--build-arg {arg}=" in documented
            ):
                problems.append(f"ARG {arg}: its placeholder digest is not explained above it")
        if not _DIGEST.fullmatch(reference):
            problems.append(f"stage {stage.name}: base {reference!r} is not pinned by digest")
    return problems


def healthcheck_problems(containerfile: Containerfile) -> list[str]:
    return [
        f"line {instruction.line}: HEALTHCHECK (Kubernetes probes the pod)"
        for stage in containerfile.stages
        for instruction in stage.instructions
        if instruction.keyword == "HEALTHCHECK"
    ]


def secret_problems(containerfile: Containerfile) -> list[str]:
    settings = [(name, value or "") for name, value in containerfile.global_args.items()]
    for stage in containerfile.stages:
        for instruction in stage.instructions:
            if instruction.keyword in ("ENV", "ARG"):
                settings.extend(assignments(instruction))
    problems = []
    for name, value in settings:
        if name.upper() in _SECRET_NAMES or _SECRET_WORDS & set(name.upper().split("_")):
            problems.append(f"{name}: a secret's name in the image's configuration")
        if any(pattern.search(value) for pattern in _SECRET_VALUES):
            problems.append(f"{name}: a secret-looking value in the image's configuration")
    return problems


def entrypoint_problems(containerfile: Containerfile, target: str) -> list[str]:
    problems = []
    if exec_form(containerfile.effective(target, "ENTRYPOINT")) != ["keygraph"]:
        problems.append(f'{target}: ENTRYPOINT is not ["keygraph"] in exec form')
    if exec_form(containerfile.effective(target, "CMD")) != ["serve"]:
        problems.append(f'{target}: CMD is not ["serve"] in exec form')
    return problems


def runtime_content_problems(containerfile: Containerfile) -> list[str]:
    """The default target: the last stage, named runtime, with no PKCS#11 module, no compilers
    and no package installer of its own."""
    problems = []
    last = containerfile.stages[-1]
    if last.name != "runtime":
        problems.append(f"the default (last) target is {last.name!r}, not 'runtime'")
    for command in runs(containerfile, last.name):
        if re.search(r"softhsm|pkcs11|cloudhsm", command, re.IGNORECASE):
            problems.append(f"the default target installs a PKCS#11 module: {command[:60]}")
        if _BUILD_TOOLS.search(command) or "pip install" in command:
            problems.append(f"the default target installs build tools: {command[:60]}")
    return problems


# Node.js's tools: a RUN naming one installs or runs them in the image it builds.
_NODE_TOOLS = re.compile(r"\b(nodejs|node|npm|npx)\b")


def node_problems(containerfile: Containerfile, target: str) -> list[str]:
    """An image keygraph runs in serves the dashboard's built files only: it neither installs
    nor runs Node.js or npm, and copies no node_modules."""
    problems = [
        f"{target} installs or runs Node.js: {command[:60]}"
        for command in runs(containerfile, target)
        if _NODE_TOOLS.search(command)
    ]
    problems += [
        f"{target} copies node_modules: {instruction.arguments[:60]}"
        for stage in containerfile.lineage(target)
        for instruction in stage.instructions
        if instruction.keyword == "COPY" and "node_modules" in instruction.arguments
    ]
    return problems


def dashboard_problems(containerfile: Containerfile) -> list[str]:
    """The dashboard is built in the image's own build, in a stage apart (npm ci from the
    lockfile, then npm run build), and the default target holds what that stage built where
    KEYGRAPH_DASHBOARD_DIR says: an installed keygraph has no source tree to find it in."""
    target = containerfile.stages[-1].name
    copies = [
        instruction.arguments.split()
        for stage in containerfile.lineage(target)
        for instruction in stage.instructions
        if instruction.keyword == "COPY" and "/dashboard/dist" in instruction.arguments
    ]
    if not copies:
        return ["the default target copies no dashboard/dist"]
    names = {stage.name for stage in containerfile.stages}
    served = environment(containerfile, target).get("KEYGRAPH_DASHBOARD_DIR")
    problems = []
    for words in copies:
        source = next((w.removeprefix("--from=") for w in words if w.startswith("--from=")), "")
        if source not in names:
            problems.append(f"dashboard/dist comes from {source!r}, not a stage of this file")
            continue
        commands = runs(containerfile, source)
        if not any("npm ci" in command for command in commands):
            problems.append(f"stage {source} does not install by the lockfile (npm ci)")
        if not any("npm run build" in command for command in commands):
            problems.append(f"stage {source} does not build the dashboard (npm run build)")
        if served != words[-1].rstrip("/"):
            problems.append(f"KEYGRAPH_DASHBOARD_DIR is {served!r}, not {words[-1]!r}")
    return problems


def softhsm_problems(containerfile: Containerfile) -> list[str]:
    if "softhsm" not in {stage.name for stage in containerfile.stages}:
        return ["no softhsm target"]
    if not any(
        re.search(r"apt-get install.*\bsofthsm2\b", c) for c in runs(containerfile, "softhsm")
    ):
        return ["the softhsm target does not install Debian's softhsm2"]
    return []


def _pattern(pattern: str) -> re.Pattern[str]:
    """A .containerignore pattern as a regular expression over slash-separated relative paths:
    ``*`` and ``?`` within one segment, ``**`` across any number."""
    expression = ""
    rest = pattern.strip("/")
    while rest:
        if rest.startswith("**/"):
            expression, rest = expression + "(?:.*/)?", rest[3:]
        elif rest.startswith("**"):
            expression, rest = expression + ".*", rest[2:]
        elif rest[0] == "*":
            expression, rest = expression + "[^/]*", rest[1:]
        elif rest[0] == "?":
            expression, rest = expression + "[^/]", rest[1:]
        else:
            expression, rest = expression + re.escape(rest[0]), rest[1:]
    return re.compile(expression)


def ignored(path: str, ignore_text: str) -> bool:
    """Whether a build context leaves ``path`` out: the last pattern matching the path or one of
    its parent directories decides, ``!`` letting it back in."""
    verdict = False
    parents = [path] + ["/".join(path.split("/")[:i]) for i in range(1, path.count("/") + 1)]
    for line in ignore_text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = _pattern(line.removeprefix("!"))
        if any(pattern.fullmatch(candidate) for candidate in parents):
            verdict = not negated
    return verdict


LOCAL_STATE = (
    ".venv/bin/python",
    ".git/config",
    ".keygraph/softhsm/keygraph.pin",
    "node_modules/x/index.js",
    "tests/aws/js/node_modules/x/index.js",
    "api/__pycache__/settings.cpython-311.pyc",
    "dashboard/node_modules/react/index.js",
    "dashboard/dist/index.html",
)


def context_problems(ignore_text: str, copied: list[str]) -> list[str]:
    problems = [
        f"{path} is in the build context" for path in LOCAL_STATE if not ignored(path, ignore_text)
    ]
    problems += [
        f"{path}, which the build copies, is left out"
        for path in copied
        if ignored(path, ignore_text)
    ]
    return problems


def context_sources(containerfile: Containerfile) -> list[str]:
    """What COPY takes from the build context (not from another stage)."""
    sources = []
    for stage in containerfile.stages:
        for instruction in stage.instructions:
            words = instruction.arguments.split()
            if instruction.keyword == "COPY" and not any(w.startswith("--from") for w in words):
                sources += [w.rstrip("/") for w in words[:-1] if not w.startswith("--")]
    return sources


# --- the project's Containerfile -------------------------------------------------------------


@pytest.fixture(scope="module")
def project() -> Containerfile:
    return parse(CONTAINERFILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("target", ["runtime", "softhsm"])
def test_every_target_runs_as_the_service_uid(project: Containerfile, target: str) -> None:
    assert user_problems(project, target) == []


@pytest.mark.parametrize("target", ["runtime", "softhsm"])
def test_every_target_starts_keygraph_serve(project: Containerfile, target: str) -> None:
    assert entrypoint_problems(project, target) == []


def test_the_base_is_pinned_by_digest(project: Containerfile) -> None:
    assert base_problems(project) == []


def test_there_is_no_healthcheck(project: Containerfile) -> None:
    assert healthcheck_problems(project) == []


def test_no_secret_is_in_the_image_configuration(project: Containerfile) -> None:
    assert secret_problems(project) == []


def test_the_default_target_carries_no_pkcs11_module_and_no_build_tools(
    project: Containerfile,
) -> None:
    assert runtime_content_problems(project) == []


def test_the_softhsm_target_adds_debians_softhsm2(project: Containerfile) -> None:
    assert softhsm_problems(project) == []


def test_the_dashboard_is_built_in_a_stage_of_its_own(project: Containerfile) -> None:
    assert dashboard_problems(project) == []


@pytest.mark.parametrize("target", ["runtime", "softhsm"])
def test_no_target_holds_node_or_npm(project: Containerfile, target: str) -> None:
    assert node_problems(project, target) == []


def test_keygraph_home_is_the_writable_path(project: Containerfile) -> None:
    env = environment(project, "runtime")
    assert env["KEYGRAPH_HOME"] == "/var/lib/keygraph"
    assert any(
        "install -d -o 10001 -g 10001" in command and "/var/lib/keygraph" in command
        for command in runs(project, "runtime")
    )


def test_the_build_context_leaves_out_local_state(project: Containerfile) -> None:
    copied = context_sources(project)
    assert "pyproject.toml" in copied
    assert context_problems(CONTAINERIGNORE.read_text(encoding="utf-8"), copied) == []


# --- the checks find what they look for ------------------------------------------------------

_GOOD = """\
# Pin: skopeo inspect prints the digest; pass it with --build-arg BASE=debian@sha256:...
ARG BASE=debian:12-slim@sha256:<digest>
FROM ${BASE} AS dashboard
RUN apt-get install -y nodejs npm && cd dashboard && npm ci && npm run build
FROM ${BASE} AS system
COPY --from=dashboard /src/dashboard/dist /opt/keygraph/dashboard
ENV KEYGRAPH_DASHBOARD_DIR=/opt/keygraph/dashboard
USER 10001:10001
ENTRYPOINT ["keygraph"]
CMD ["serve"]
FROM system AS softhsm
RUN apt-get update \\
    # a comment inside a continuation is dropped
    && apt-get install -y softhsm2
FROM system AS runtime
"""


def test_the_checks_pass_a_minimal_good_containerfile() -> None:
    good = parse(_GOOD)
    assert [stage.name for stage in good.stages] == ["dashboard", "system", "softhsm", "runtime"]
    assert runs(good, "softhsm") == ["apt-get update && apt-get install -y softhsm2"]
    problems = (
        user_problems(good, "runtime")
        + base_problems(good)
        + healthcheck_problems(good)
        + secret_problems(good)
        + entrypoint_problems(good, "softhsm")
        + runtime_content_problems(good)
        + softhsm_problems(good)
        + dashboard_problems(good)
        + node_problems(good, "runtime")
        + node_problems(good, "softhsm")
    )
    assert problems == []


Check = Callable[[Containerfile], list[str]]
_USER = "USER 10001:10001"
_PIN_COMMENT = _GOOD.splitlines()[0] + "\n"


def _runtime_user(containerfile: Containerfile) -> list[str]:
    return user_problems(containerfile, "runtime")


def _runtime_entrypoint(containerfile: Containerfile) -> list[str]:
    return entrypoint_problems(containerfile, "runtime")


def _runtime_node(containerfile: Containerfile) -> list[str]:
    return node_problems(containerfile, "runtime")


def _before_user(line: str) -> tuple[str, str]:
    return (_USER, f"{line}\n{_USER}")


BROKEN: list[tuple[tuple[str, str], Check]] = [
    ((_USER, "USER keygraph"), _runtime_user),
    ((_USER, "USER 0"), _runtime_user),
    ((_USER + "\n", ""), _runtime_user),
    (("@sha256:<digest>", ""), base_problems),
    (("FROM ${BASE} AS system", "FROM debian:12 AS system"), base_problems),
    ((_PIN_COMMENT, ""), base_problems),
    (_before_user("HEALTHCHECK CMD curl -f localhost:8080/healthz"), healthcheck_problems),
    (_before_user("ENV KEYGRAPH_PIN=1234"), secret_problems),
    (_before_user("ARG GITHUB_TOKEN"), secret_problems),
    (_before_user("ENV KEYGRAPH_DATABASE_URL=postgresql://kg@db/kg"), secret_problems),
    (_before_user("ENV DSN=postgresql://kg:hunter2@db/kg"), secret_problems),
    (('ENTRYPOINT ["keygraph"]', "ENTRYPOINT keygraph"), _runtime_entrypoint),
    (('CMD ["serve"]', 'CMD ["dev"]'), _runtime_entrypoint),
    (("FROM system AS runtime\n", ""), runtime_content_problems),
    (("AS runtime\n", "AS runtime\nRUN apt-get install -y gcc\n"), runtime_content_problems),
    (_before_user("RUN apt-get install -y softhsm2"), runtime_content_problems),
    (("AS softhsm", "AS demo"), softhsm_problems),
    (("softhsm2\n", "opensc\n"), softhsm_problems),
    (("COPY --from=dashboard", "COPY --from=elsewhere"), dashboard_problems),
    (
        ("COPY --from=dashboard /src/dashboard/dist /opt/keygraph/dashboard\n", ""),
        dashboard_problems,
    ),
    (("npm ci", "npm install"), dashboard_problems),
    (("&& npm run build", ""), dashboard_problems),
    (("DASHBOARD_DIR=/opt/keygraph/dashboard", "DASHBOARD_DIR=/srv/ui"), dashboard_problems),
    (_before_user("RUN apt-get install -y nodejs"), _runtime_node),
    (_before_user("RUN npm ci"), _runtime_node),
    (_before_user("COPY --from=dashboard /src/dashboard/node_modules /opt/n"), _runtime_node),
]


@pytest.mark.parametrize(("change", "check"), BROKEN)
def test_each_check_finds_what_it_looks_for(change: tuple[str, str], check: Check) -> None:
    old, new = change
    assert old in _GOOD
    assert check(parse(_GOOD.replace(old, new, 1))) != []


def test_the_parser_refuses_a_file_ending_inside_a_continuation() -> None:
    with pytest.raises(ValueError, match="continued instruction"):
        parse_instructions("FROM scratch\nRUN true \\\n")


@pytest.mark.parametrize(
    ("ignore_text", "copied"),
    [
        ("", []),  # an empty .containerignore sends everything
        ("*\n!.venv\n", []),  # a line letting local state back in
        ("*\n!api\n", []),  # api/__pycache__ comes back with api
        ("*\n.git\n.venv\n.keygraph\n**/node_modules\n**/__pycache__\n", ["api"]),  # api is out
    ],
)
def test_the_context_check_finds_what_it_looks_for(ignore_text: str, copied: list[str]) -> None:
    assert context_problems(ignore_text, copied) != []
