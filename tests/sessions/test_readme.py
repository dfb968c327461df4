"""The README's browser-session snippet, run as written against `keygraph dev` on a home and a
port that are not the defaults (tests/app/test_readme_snippets.py's shell)."""

from __future__ import annotations

import json

import pytest

from tests.app.test_readme_snippets import Shell, readme_block, shell

pytestmark = pytest.mark.slow

__all__ = ["shell"]


def test_sign_in_use_and_sign_out_by_curl(shell: Shell) -> None:
    signed_in, whoami, signed_out, refused = shell.run(readme_block("sh", "$url/session"))
    assert json.loads(signed_in)["principal"] == "arn:aws:iam::111122223333:root"
    assert json.loads(whoami) == {"data": {"whoami": {"arn": "arn:aws:iam::111122223333:root"}}}
    assert (signed_out, refused) == ("204", "401")
