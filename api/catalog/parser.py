"""Reads a service's privileges page (the scraped IAM reference format of the seed page).

The format, line by line: navigation text, the service name, ``• prefix: <prefix>``, a table of
contents, a ``Privileges`` heading, then per action its name on a line of its own,
``• description:``, ``• access level:``, ``• resource types`` and a JSON object of resource types.
Blank lines between the parts do not matter, nor does bullet style or the capitalisation of labels;
anything else that departs from the format is a ``PageFormatError`` naming the line, because a
silently skipped action would become a permission nobody can grant.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from api.catalog.codec import decode_resource_type
from api.catalog.errors import PageFormatError, ShapeError
from api.catalog.levels import AccessLevel
from api.catalog.model import Privilege, ResourceType, Service

_BULLET = re.compile(r"^\s*[•*-]\s*(?P<label>[^:]+?)\s*(?::\s*(?P<value>.*?))?\s*$")
_ACTION_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_PREFIX = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_LEVELS = ", ".join(level.value for level in AccessLevel)


@dataclass(frozen=True, slots=True)
class _Bullet:
    label: str
    value: str | None


def parse_page(text: str) -> Service:
    return _Page(text.removeprefix("\ufeff").splitlines()).parse()


def _bullet(line: str) -> _Bullet | None:
    match = _BULLET.match(line)
    if match is None:
        return None
    return _Bullet(" ".join(match["label"].split()).casefold(), match["value"])


def _shown(line: str) -> str:
    text = line.strip()
    return repr(text if len(text) <= 60 else text[:57] + "...")


class _Page:
    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = lines
        self.text = "\n".join(lines)
        self.offsets: list[int] = []
        position = 0
        for line in lines:
            self.offsets.append(position)
            position += len(line) + 1

    def parse(self) -> Service:
        name, prefix, index = self._header()
        index = self._privileges_heading(index)
        privileges: list[Privilege] = []
        seen: dict[str, int] = {}
        index = self._skip_blank(index)
        if index == len(self.lines):
            raise PageFormatError(len(self.lines), "the page lists no privileges")
        while index < len(self.lines):
            privilege, next_index = self._action(index, prefix)
            if privilege.name in seen:
                raise PageFormatError(
                    index + 1,
                    f"action {privilege.name} already listed on line {seen[privilege.name]}",
                )
            seen[privilege.name] = index + 1
            privileges.append(privilege)
            index = self._skip_blank(next_index)
        return Service(name=name, prefix=prefix, privileges=tuple(privileges))

    def _header(self) -> tuple[str, str, int]:
        name_line: int | None = None
        for index, line in enumerate(self.lines):
            bullet = _bullet(line)
            if bullet is not None and bullet.label == "prefix":
                prefix = (bullet.value or "").strip()
                if not _PREFIX.match(prefix):
                    raise PageFormatError(index + 1, f"service prefix {prefix!r} is not valid")
                if name_line is None or _bullet(self.lines[name_line]) is not None:
                    raise PageFormatError(index + 1, "no service name line before the prefix")
                return self.lines[name_line].strip(), prefix, index + 1
            if line.strip():
                name_line = index
        raise PageFormatError(max(len(self.lines), 1), "no '• prefix: <service prefix>' line found")

    def _privileges_heading(self, index: int) -> int:
        for at in range(index, len(self.lines)):
            if self.lines[at].strip().casefold() == "privileges":
                return at + 1
        raise PageFormatError(
            max(len(self.lines), 1), "no 'Privileges' heading after the prefix line"
        )

    def _action(self, index: int, prefix: str) -> tuple[Privilege, int]:
        name = self.lines[index].strip()
        if not _ACTION_NAME.match(name):
            raise PageFormatError(index + 1, f"expected an action name, found {_shown(name)}")
        description, index = self._labelled(index + 1, name, "description")
        while index < len(self.lines) and self.lines[index].strip():
            if _bullet(self.lines[index]) is not None:
                break
            description = f"{description} {self.lines[index].strip()}".strip()
            index += 1
        label, index = self._labelled(index, name, "access level")
        level = AccessLevel.from_label(label)
        if level is None:
            raise PageFormatError(
                index, f"{name}: unknown access level {label!r} (expected one of {_LEVELS})"
            )
        rest, index = self._labelled(index, name, "resource types")
        if rest:
            raise PageFormatError(index, f"{name}: unexpected text after '• resource types'")
        resource_types, index = self._resource_types(index, name)
        privilege = Privilege(
            prefix=prefix,
            name=name,
            description=description,
            access_level=level,
            resource_types=resource_types,
            from_seed=True,
        )
        return privilege, index

    def _labelled(self, index: int, name: str, label: str) -> tuple[str, int]:
        """The value of the bullet ``label`` at the next non-blank line, and the line after it."""
        index = self._skip_blank(index)
        if index == len(self.lines):
            raise PageFormatError(len(self.lines), f"{name}: page ends before '• {label}'")
        bullet = _bullet(self.lines[index])
        if bullet is None or bullet.label != label:
            raise PageFormatError(
                index + 1, f"{name}: expected '• {label}', found {_shown(self.lines[index])}"
            )
        return (bullet.value or "").strip(), index + 1

    def _resource_types(self, index: int, name: str) -> tuple[tuple[ResourceType, ...], int]:
        index = self._skip_blank(index)
        if index == len(self.lines) or not self.lines[index].lstrip().startswith("{"):
            found = _shown(self.lines[index]) if index < len(self.lines) else "the end of the page"
            raise PageFormatError(
                min(index + 1, len(self.lines)),
                f"{name}: expected a JSON object of resource types, found {found}",
            )
        start = self.offsets[index] + len(self.lines[index]) - len(self.lines[index].lstrip())
        decoder = json.JSONDecoder(object_pairs_hook=_no_duplicate_keys)
        try:
            table, end = decoder.raw_decode(self.text, start)
        except json.JSONDecodeError as exc:
            raise PageFormatError(
                exc.lineno, f"{name}: resource types are not valid JSON: {exc.msg}"
            ) from None
        except ShapeError as exc:
            raise PageFormatError(index + 1, f"{name}: {exc}") from None
        last = self.text.count("\n", 0, end)
        if self.text[end : self.offsets[last] + len(self.lines[last])].strip():
            raise PageFormatError(last + 1, f"{name}: unexpected text after the resource types")
        rows: list[ResourceType] = []
        for key, value in table.items():
            at = self._line_of_key(index, last, key)
            try:
                row = decode_resource_type(value)
            except ShapeError as exc:
                raise PageFormatError(at, f"{name}: {exc}") from None
            if row.resource_type != key:
                raise PageFormatError(
                    at, f"{name}: entry {key!r} names resource type {row.resource_type!r}"
                )
            rows.append(row)
        return tuple(rows), last + 1

    def _line_of_key(self, first: int, last: int, key: str) -> int:
        needle = json.dumps(key) + ":"
        for at in range(first, last + 1):
            if self.lines[at].lstrip().startswith(needle):
                return at + 1
        return first + 1

    def _skip_blank(self, index: int) -> int:
        while index < len(self.lines) and not self.lines[index].strip():
            index += 1
        return index


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise ShapeError(f"key {key!r} appears twice in the resource types")
        result[key] = value
    return result
