"""The catalog's package data: reading it at start-up and writing it from an imported page.

``data/<prefix>.json`` is produced by ``keygraph catalog import PAGE`` and never edited by hand; its
privileges are ``from_seed``. ``data/<prefix>.additions.json`` is hand-maintained: under
``privileges``, actions newer than the page that keygraph implements, with AWS's access level and
condition keys, ``from_seed`` false; under the optional ``amendments``, condition keys AWS lists
today for page actions that the page lacks (``api.catalog.amendments``). They live apart so that
re-importing a page can never drop them. Like the page, additions and amendments put condition keys
on the ``""`` resource type (all resources), so every entry of a service has one shape.

Import writes into the package's own ``data`` directory, i.e. the source tree of a checkout; the
result is meant to be committed.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from api.catalog.amendments import Amendment, amend, decode_amendments
from api.catalog.catalog import Catalog
from api.catalog.codec import decode_privilege, encode_service
from api.catalog.errors import CatalogDataError, PageUnreadableError, ShapeError
from api.catalog.model import Privilege, Service
from api.catalog.parser import parse_page

DATA_DIR = Path(__file__).resolve().parent / "data"
_ADDITIONS_SUFFIX = ".additions.json"
_ADDITIONS_FIELDS = frozenset({"prefix", "source", "privileges"})
_OPTIONAL_ADDITIONS_FIELDS = frozenset({"amendments"})


@dataclass(frozen=True, slots=True)
class _Additions:
    privileges: tuple[Privilege, ...]
    amendments: tuple[Amendment, ...]


def load_catalog() -> Catalog:
    """The catalog shipped with keygraph, read once per process."""
    return _load_package_catalog()


@functools.cache
def _load_package_catalog() -> Catalog:
    return read_catalog(DATA_DIR)


def read_catalog(data_dir: Path) -> Catalog:
    services: dict[str, Service] = {}
    for path in sorted(data_dir.glob("*.json")):
        if not path.name.endswith(_ADDITIONS_SUFFIX):
            services[path.stem] = _read_service(path)
    for path in sorted(data_dir.glob(f"*{_ADDITIONS_SUFFIX}")):
        prefix = path.name.removesuffix(_ADDITIONS_SUFFIX)
        base = services.get(prefix)
        if base is None:
            raise CatalogDataError(
                f"{path.name}: no {prefix}.json to add to; import its page first"
            )
        services[prefix] = _merge(base, _read_additions(path), path)
    return Catalog(services=tuple(services.values()))


def import_page(text: str, data_dir: Path) -> Service:
    """Parse a privileges page and (re)write ``<prefix>.json``; same page, same bytes.

    The additions are merged once before writing, so a page that the committed additions no longer
    fit is refused here instead of leaving package data that fails to load.
    """
    service = parse_page(text)
    additions = data_dir / f"{service.prefix}{_ADDITIONS_SUFFIX}"
    if additions.exists():
        _merge(service, _read_additions(additions), additions)
    _write_atomically(data_dir / f"{service.prefix}.json", encode_service(service))
    return service


def run_catalog_import(path: Path, data_dir: Path = DATA_DIR) -> str:
    """``keygraph catalog import FILE``: import (into the package data) and say what happened."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PageUnreadableError(f"cannot read {path}: {exc}") from None
    service = import_page(text, data_dir)
    _load_package_catalog.cache_clear()
    return (
        f"imported {len(service.privileges)} privileges of {service.name} ({service.prefix})"
        f" into {data_dir / (service.prefix + '.json')}"
    )


def _read_service(path: Path) -> Service:
    document = _read_json(path)
    name, prefix = document.get("name"), document.get("prefix")
    if set(document) != {"name", "prefix", "privileges"} or not isinstance(name, str):
        raise CatalogDataError(f"{path.name}: expected an object with name, prefix and privileges")
    if prefix != path.stem:
        raise CatalogDataError(f"{path.name}: prefix {prefix!r} does not match the file name")
    return Service(name=name, prefix=prefix, privileges=_privileges(document, path, from_seed=True))


def _read_additions(path: Path) -> _Additions:
    document = _read_json(path)
    prefix = path.name.removesuffix(_ADDITIONS_SUFFIX)
    fields = set(document)
    if (
        not _ADDITIONS_FIELDS <= fields <= _ADDITIONS_FIELDS | _OPTIONAL_ADDITIONS_FIELDS
        or document["prefix"] != prefix
    ):
        raise CatalogDataError(
            f"{path.name}: expected an object with prefix {prefix!r}, source, privileges"
            " and optionally amendments"
        )
    return _Additions(
        privileges=_privileges(document, path, from_seed=False),
        amendments=decode_amendments(document.get("amendments", []), path.name),
    )


def _merge(page: Service, additions: _Additions, path: Path) -> Service:
    """The page's service amended, then extended by the newer actions."""
    _refuse_overlap(page, additions.privileges, path)
    amended = amend(page, additions.amendments, path.name)
    return Service(
        name=page.name, prefix=page.prefix, privileges=amended.privileges + additions.privileges
    )


def _privileges(
    document: dict[str, object], path: Path, *, from_seed: bool
) -> tuple[Privilege, ...]:
    rows = document["privileges"]
    if not isinstance(rows, list):
        raise CatalogDataError(f"{path.name}: privileges must be a list")
    prefix = str(document["prefix"])
    try:
        return tuple(decode_privilege(row, prefix, from_seed=from_seed) for row in rows)
    except ShapeError as exc:
        raise CatalogDataError(f"{path.name}: {exc}") from None


def _read_json(path: Path) -> dict[str, object]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogDataError(f"{path.name}: {exc}") from None
    if not isinstance(document, dict):
        raise CatalogDataError(f"{path.name}: expected a JSON object")
    return document


def _refuse_overlap(service: Service, additions: tuple[Privilege, ...], path: Path) -> None:
    """An action both on the page and in the additions has two truths; make someone pick one."""
    on_page = {p.name.casefold() for p in service.privileges}
    both = sorted(p.name for p in additions if p.name.casefold() in on_page)
    if both:
        raise CatalogDataError(
            f"{path.name}: {', '.join(both)} now on the {service.prefix} page;"
            " remove them from the additions"
        )


def _write_atomically(target: Path, content: bytes) -> None:
    """A reader (a starting server) sees the old file or the new one, never half of one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
