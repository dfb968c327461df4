"""A SoftHSM token for development and tests, created on first use and reused after.

SoftHSM reads its configuration from ``SOFTHSM2_CONF`` when the module is initialised, so there is
one configuration (one token directory) per process: provision every token before the first
``open_hsm``. Several tokens with different labels live side by side in one token directory; that
is how tests get a second token for the custom key store.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path

from hsm._module import loaded_module
from hsm.config import HsmConfig
from hsm.errors import HsmConfigurationError

log = logging.getLogger(__name__)

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
_CONF_VARIABLE = "SOFTHSM2_CONF"
_LABEL = re.compile(r"[A-Za-z0-9._-]{1,32}")


def provision_softhsm(directory: Path, label: str, module_path: str = SOFTHSM_MODULE) -> HsmConfig:
    """Make sure a token labelled ``label`` exists under ``directory``; return how to open it.

    Writes ``directory/softhsm2.conf`` (token directory ``directory/tokens``, file object store)
    and points ``SOFTHSM2_CONF`` at it. The user PIN and SO PIN are random, kept in
    ``<label>.pin`` and ``<label>.so-pin`` (mode 0600) and reused on later calls.
    """
    if not _LABEL.fullmatch(label):
        raise ValueError("a token label is 1-32 characters of letters, digits, '.', '_', '-'")
    directory = directory.resolve()
    tokens = directory / "tokens"
    tokens.mkdir(parents=True, exist_ok=True, mode=0o700)
    conf = directory / "softhsm2.conf"
    text = f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
    if not conf.exists() or conf.read_text() != text:
        conf.write_text(text)
    _point_process_at(conf, module_path)

    pin_file, so_pin_file = directory / f"{label}.pin", directory / f"{label}.so-pin"
    if label in _token_labels(conf):
        if not pin_file.exists():
            raise HsmConfigurationError(f"token {label!r} exists but its PIN file is missing")
        return HsmConfig(module_path=module_path, token_label=label, pin=pin_file.read_text())
    pin, so_pin = _new_secret(pin_file), _new_secret(so_pin_file)
    _softhsm_util(
        conf,
        "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", so_pin,
    )  # fmt: skip
    log.info("initialised SoftHSM token %r in %s", label, tokens)
    module = loaded_module(module_path)
    if module is not None:
        # SoftHSM lists tokens as of its initialisation; running backends recover by themselves.
        module.reinitialize(module.generation)
    return HsmConfig(module_path=module_path, token_label=label, pin=pin)


def _point_process_at(conf: Path, module_path: str) -> None:
    current = os.environ.get(_CONF_VARIABLE)
    if current == str(conf):
        return
    if loaded_module(module_path) is not None:
        raise HsmConfigurationError(
            f"the SoftHSM module is already loaded with {_CONF_VARIABLE}={current}; "
            "one SoftHSM configuration per process"
        )
    os.environ[_CONF_VARIABLE] = str(conf)


def _new_secret(path: Path) -> str:
    """A fresh random secret in a new 0600 file (or the one already there, if a previous run
    died between writing it and initialising the token)."""
    if path.exists():
        return path.read_text()
    value = secrets.token_hex(16)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def _token_labels(conf: Path) -> set[str]:
    output = _softhsm_util(conf, "--show-slots")
    return {
        line.split(":", 1)[1].strip()
        for line in output.splitlines()
        if line.strip().startswith("Label:")
    }


def _softhsm_util(conf: Path, *args: str) -> str:
    env = {**os.environ, _CONF_VARIABLE: str(conf)}
    tool = shutil.which("softhsm2-util")
    if tool is None:
        raise HsmConfigurationError("softhsm2-util is not installed (Debian package softhsm2)")
    try:
        done = subprocess.run(  # noqa: S603 (fixed tool, arguments built here, no shell)
            [tool, *args], env=env, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        # the command line carries PINs: name the subcommand only
        raise HsmConfigurationError(f"softhsm2-util {args[0]} failed") from None
    return done.stdout
