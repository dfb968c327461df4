"""docs/configuration.md, rendered from the settings' declarations (``api.settings``).

The reference is generated rather than written so that it says what the parser reads: a setting
added, renamed or given another default changes this output, and a test compares it with the
committed file (``make docs`` writes it).
"""

from __future__ import annotations

from api.settings import Section, Setting, declared_settings
from api.throttling import RATE_CLASSES

GENERATED_BY = "make docs"

_INTRODUCTION = """\
keygraph reads its configuration from `KEYGRAPH_*` environment variables, once, when it starts;
an empty variable counts as unset. A setting that is missing, malformed or contradicts another
stops start-up with one line, `keygraph: <SETTING>: <what is wrong>`, and exit code 10 (the
[README](../README.md#configuration) lists every exit code). `keygraph config reference` prints
this page.

A setting marked **Secret** is a credential: give it from a Kubernetes Secret or a mounted file
(see [k8s/README.md](../k8s/README.md)), never from a ConfigMap, a manifest or a command line."""


def configuration_reference() -> str:
    """The whole page, as Markdown."""
    settings = declared_settings()
    parts = [
        f"<!-- Generated from api/settings.py by `{GENERATED_BY}`: edit the settings there. -->",
        "# Configuration",
        _INTRODUCTION,
    ]
    for section in Section:
        listed = [setting for setting in settings if setting.section is section]
        parts.append(f"## {section.value}\n\n{_table(listed)}")
    parts.append(_rate_names())
    return "\n\n".join(parts) + "\n"


def _table(settings: list[Setting]) -> str:
    rows = ["| variable | meaning | default |", "| --- | --- | --- |"]
    for setting in settings:
        meaning = f"**Secret.** {setting.meaning}" if setting.secret else setting.meaning
        default = "unset" if setting.default is None else f"`{setting.default}`"
        rows.append(f"| `{setting.name}` | {_cell(meaning)} | {default} |")
    return "\n".join(rows)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _rate_names() -> str:
    rows = ["| name | AWS's default, requests per second |", "| --- | --- |"]
    rows += [f"| `{rate.name}` | {rate.default_rate:g} |" for rate in RATE_CLASSES]
    return (
        "## Names in `KEYGRAPH_RATES`\n\n"
        "A rate class (`symmetric`, `rsa`, `ecc`, `GenerateDataKeyPair/<pair spec>`) or an "
        "operation with a quota of its own; names ignore case. A rate is any finite number of "
        "requests per second above 0 (`0.5` is one request every two seconds), for example "
        "`symmetric=20000,CreateKey=20`.\n\n" + "\n".join(rows)
    )
