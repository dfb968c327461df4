"""docs/configuration.md says what the settings code reads: it is regenerated and compared, every
``KEYGRAPH_*`` name the code or the deployment files use is declared, and every declared default
is the value that stands when the variable is unset."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

from api.settings import declared_settings, from_env
from api.settings_reference import configuration_reference
from tests.app.test_dev_server import keygraph

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "configuration.md"
# Where keygraph's settings are read, and where a deployment sets them.
READERS = ("api", "aws", "db", "hsm", "keygraph", "schema")
DEPLOYMENT = ("k8s", "Containerfile")
NAME = re.compile(r"\bKEYGRAPH_[A-Z0-9_]*[A-Z0-9]\b")
BASE = {
    "KEYGRAPH_DATABASE_URL": "postgresql://kg@127.0.0.1:5432/keygraph",
    "KEYGRAPH_PKCS11_MODULE": "/usr/lib/softhsm/libsofthsm2.so",
    "KEYGRAPH_TOKEN_LABEL": "prod",
    "KEYGRAPH_PIN": "user:secret-pin",
}


def test_the_committed_reference_is_the_generated_one() -> None:
    """If this fails, run `make docs` and commit docs/configuration.md."""
    assert REFERENCE.read_text(encoding="utf-8") == configuration_reference()


def test_keygraph_config_reference_prints_it() -> None:
    printed = subprocess.run(
        keygraph("config", "reference"), capture_output=True, text=True, timeout=60, check=True
    )

    assert printed.stdout == REFERENCE.read_text(encoding="utf-8")


def names_in(*places: str) -> dict[str, set[str]]:
    """Every KEYGRAPH_* name in the text files under ``places``, with the files naming it."""
    found: dict[str, set[str]] = {}
    for place in places:
        top = ROOT / place
        for path in [top] if top.is_file() else sorted(top.rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            for name in NAME.findall(text):
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_setting_the_code_names_is_declared() -> None:
    declared = {setting.name for setting in declared_settings()}

    undeclared = {
        name: sorted(files) for name, files in names_in(*READERS).items() if name not in declared
    }

    assert undeclared == {}


def test_every_setting_a_deployment_sets_is_declared() -> None:
    declared = {setting.name for setting in declared_settings()}

    undeclared = {
        name: sorted(files) for name, files in names_in(*DEPLOYMENT).items() if name not in declared
    }

    assert undeclared == {}


def test_every_declared_setting_is_read_by_the_parser() -> None:
    """A declaration the parser never reads would document a setting that does nothing."""
    module = ast.parse((ROOT / "api" / "settings.py").read_text(encoding="utf-8"))
    declarations = {
        node.targets[0].id
        for node in module.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "_declare"
        and isinstance(node.targets[0], ast.Name)
    }
    read = {
        node.id
        for node in ast.walk(module)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }

    assert len(declarations) == len(declared_settings())
    assert declarations - read == set()


def test_each_documented_default_is_what_an_unset_variable_means() -> None:
    defaults = {s.name: s.default for s in declared_settings() if s.default is not None}

    assert from_env({**BASE, **defaults}) == from_env(BASE)


def test_secrets_are_marked_so_a_deployment_keeps_them_in_secrets() -> None:
    secret = {setting.name for setting in declared_settings() if setting.secret}

    assert secret == {"KEYGRAPH_DATABASE_URL", "KEYGRAPH_PIN", "KEYGRAPH_METRICS_TOKEN"}
