"""One table of messages (``api.messages``): each entry says where its words come from, the words
this issue checked are AWS's, and the modules converted to the table raise no message of their
own."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from api import messages

ROOT = Path(__file__).resolve().parent.parent.parent

# Every module that answers callers: none gives an exception words of its own. (``bench`` is
# the lead's measuring code, ``tests`` the checks themselves.)
MODULES = sorted(
    str(path.relative_to(ROOT))
    for package in ("api", "aws", "schema", "keygraph", "hsm", "db")
    for path in (ROOT / package).rglob("*.py")
)


@pytest.mark.parametrize("name, entry", sorted(messages.table().items()))
def test_every_message_says_where_its_words_come_from(
    name: str, entry: messages.Message[Any]
) -> None:
    source = entry.source
    if isinstance(source, messages.Recorded):
        assert source.response.strip(), name
    elif isinstance(source, messages.Documented):
        assert source.page.startswith("https://docs.aws.amazon.com/"), name
    else:
        assert isinstance(source, messages.Own) and source.why.strip(), name


def test_the_words_checked_against_aws_are_aws_words() -> None:
    # Recorded against AWS (issue 15's conformance run): no trailing period.
    assert messages.KEY_USAGE_NOT_COMPATIBLE(usage="KEY_AGREEMENT", spec="RSA_2048").message == (
        "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048"
    )
    assert isinstance(messages.KEY_USAGE_NOT_COMPATIBLE.source, messages.Recorded)
    # Recorded against AWS: DeriveSharedSecret's refusal of a public key has no message.
    assert messages.PUBLIC_KEY_UNUSABLE().message == ""


def _module_texts(tree: ast.Module) -> set[str]:
    """Names the module binds to text at its top level (``NOT_ROTATABLE = "..."``)."""
    texts = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        value = getattr(node, "value", None)
        if isinstance(value, ast.JoinedStr) or (
            isinstance(value, ast.Constant) and isinstance(value.value, str)
        ):
            texts.update(target.id for target in targets if isinstance(target, ast.Name))
    return texts


def _literal_messages(path: Path, root: Path = ROOT) -> list[str]:
    """``SomethingException("words")`` calls: an exception given its message in place, or in a
    text the module keeps for it (``SomethingException(WORDS)``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    texts = _module_texts(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        function = node.func
        name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
        first = node.args[0]
        literal = isinstance(first, (ast.Constant, ast.JoinedStr))
        kept = isinstance(first, ast.Name) and first.id in texts
        if name.endswith("Exception") and (literal or kept):
            found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


@pytest.mark.parametrize("module", MODULES)
def test_modules_raise_only_the_table_words(module: str) -> None:
    assert _literal_messages(ROOT / module) == []


def test_the_scan_finds_words_given_in_place_and_kept_in_a_constant(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        'WORDS = "kept"\n'
        "def f(x):\n"
        '    raise ValidationException("in place")\n'
        "def g(x):\n"
        "    raise ValidationException(WORDS)\n"
        "def h(x):\n"
        '    raise ValidationException(f"{x} formatted")\n',
        encoding="utf-8",
    )
    assert _literal_messages(module, tmp_path) == ["module.py:3", "module.py:5", "module.py:7"]
