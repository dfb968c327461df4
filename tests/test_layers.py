"""No two packages of api/ import each other: dependencies point one way (README, "Layers").

Every import counts, at module level or inside a function, ``typing.TYPE_CHECKING`` ones too.
A package is a folder of api/ (``api.keys``); a top-level module of api/ is a unit of its own."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

API = Path(__file__).resolve().parent.parent / "api"


def _unit(module: str) -> str | None:
    """The package or top-level module of api/ that ``module`` names, or None outside api/."""
    parts = module.split(".")
    if parts[0] != "api" or len(parts) < 2:
        return None
    return f"api.{parts[1]}"


def _imports() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for path in API.rglob("*.py"):
        source = _unit(".".join(path.relative_to(API.parent).with_suffix("").parts))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module]
                if node.module == "api":
                    targets = [f"api.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in targets:
                unit = _unit(target)
                if unit is not None and source is not None and unit != source:
                    edges[source].add(unit)
    return edges


def test_no_two_packages_of_api_import_each_other() -> None:
    edges = _imports()
    mutual = sorted(
        f"{a} <-> {b}" for a in edges for b in edges[a] if a < b and a in edges.get(b, set())
    )
    assert mutual == []


def test_only_the_doors_and_the_pipeline_import_the_registry() -> None:
    edges = _imports()
    importers = sorted(unit for unit, targets in edges.items() if "api.operations" in targets)
    assert importers == []


def _top_level_imports(package: str) -> set[str]:
    """The top-level packages that the modules of ``package`` import."""
    found = set()
    for path in (API.parent / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
    return found


def test_the_doors_know_nothing_of_each_other_and_api_of_neither() -> None:
    assert "aws" not in _top_level_imports("schema")
    assert "schema" not in _top_level_imports("aws")
    assert not {"aws", "schema", "keygraph"} & _top_level_imports("api")
