"""The project's Markdown stands on its own: every relative link, and every Markdown file it
names, is a file of the repository, so a clone of it (all a reader has) holds what the docs
point at. Files are the repository's as git sees them: tracked, or new and not
ignored (a doc being written counts; a file only on this disk, or outside the clone, does not)."""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path, PurePosixPath

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent

FENCED = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
HTML_TARGET = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']+)["']""")
MARKDOWN_NAME = re.compile(r"(?<![\w./-])((?:\.{1,2}/)*[\w.-]+(?:/[\w.-]+)*\.md)\b")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)


@cache
def repository_files() -> frozenset[str]:
    """Paths (POSIX, from the repository's root) of its files and of the folders holding them."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPOSITORY, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert listed.returncode == 0, f"git ls-files failed: {listed.stderr}"
    files = {name for name in listed.stdout.split("\0") if name}
    folders = {str(parent) for name in files for parent in PurePosixPath(name).parents}
    return frozenset(files | folders)


def markdown_files() -> list[str]:
    return sorted(
        name
        for name in repository_files()
        if name.endswith(".md") and "node_modules" not in PurePosixPath(name).parts
    )


def resolve(document: str, target: str) -> str | None:
    """``target`` as written in ``document``, as a path from the repository's root, or None
    when it leaves the repository. ``/x`` is from the root, as GitHub reads it."""
    path = target.split("#", 1)[0].split("?", 1)[0]
    if path.startswith("/"):
        parts = list(PurePosixPath(path.lstrip("/")).parts)
    else:
        parts = [*PurePosixPath(document).parent.parts, *PurePosixPath(path).parts]
    kept: list[str] = []
    for part in parts:
        if part == "..":
            if not kept:
                return None
            kept.pop()
        elif part != ".":
            kept.append(part)
    return "/".join(kept) or "."


def links(text: str) -> list[str]:
    """The targets ``text`` links to, outside code: inline, reference-style and HTML links."""
    prose = CODE_SPAN.sub("", FENCED.sub("", text))
    found = [*INLINE_LINK.findall(prose), *REFERENCE.findall(prose), *HTML_TARGET.findall(prose)]
    return [target for target in found if not EXTERNAL.match(target) and target[0] != "#"]


def named_markdown(text: str) -> list[str]:
    """Markdown files named anywhere, links or not, code or not (``NOTES.md``,
    ``bench/README.md``): a reader told to read one must find it in the clone."""
    return list(MARKDOWN_NAME.findall(text))


def missing(document: str, target: str) -> bool:
    resolved = resolve(document, target)
    return resolved is None or resolved not in repository_files()


def unknown_name(document: str, name: str) -> bool:
    """A bare file name (``README.md``) may be any of the repository's files of that name."""
    if "/" not in name:
        return not any(PurePosixPath(file).name == name for file in repository_files())
    return missing(document, name) and missing("", name)


@pytest.mark.parametrize("document", markdown_files())
def test_relative_links_name_files_of_the_repository(document: str) -> None:
    text = (REPOSITORY / document).read_text(encoding="utf-8")

    broken = [target for target in links(text) if missing(document, target)]

    assert broken == [], f"{document} links to what a clone does not hold: {broken}"


@pytest.mark.parametrize("document", markdown_files())
def test_named_files_are_files_of_the_repository(document: str) -> None:
    text = (REPOSITORY / document).read_text(encoding="utf-8")

    unknown = sorted({name for name in named_markdown(text) if unknown_name(document, name)})

    assert unknown == [], f"{document} names files a clone does not hold: {unknown}"


def test_the_checks_see_what_a_clone_does_not_hold() -> None:
    """The rules themselves, on a document that breaks each of them once."""
    text = (
        "See [notes](../outside/NOTES.md), [ok](README.md#layers), <a href='nowhere/x.md'>x</a>,\n"
        "[web](https://example.com/a.md) and `NOTES.md`.\n\n[ref]: db/missing.sql\n"
        "```sh\ncat [not](a-link.md)\n```\n"
    )

    assert links(text) == [
        "../outside/NOTES.md",
        "README.md#layers",
        "db/missing.sql",
        "nowhere/x.md",
    ]
    assert not missing("k8s/README.md", "../README.md#layers")
    assert missing("k8s/README.md", "../../README.md")
    assert [t for t in links(text) if missing("README.md", t)] == [
        "../outside/NOTES.md",
        "db/missing.sql",
        "nowhere/x.md",
    ]
    assert unknown_name("README.md", "NOTES.md")
    assert not unknown_name("k8s/README.md", "bench/README.md")
    assert "NOTES.md" in named_markdown(text)
