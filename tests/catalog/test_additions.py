"""Actions newer than the seed page that keygraph implements: hand-maintained, merged at load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.catalog import (
    AccessLevel,
    CatalogDataError,
    OperationType,
    import_page,
    load_catalog,
    read_catalog,
)
from tests.catalog.conftest import WIDGET_PAGE

ADDITIONS = {
    "DeriveSharedSecret": AccessLevel.WRITE,
    "GenerateMac": AccessLevel.WRITE,
    "GetKeyLastUsage": AccessLevel.READ,
    "ListKeyRotations": AccessLevel.LIST,
    "RotateKeyOnDemand": AccessLevel.WRITE,
    "VerifyMac": AccessLevel.WRITE,
}


def test_newer_actions_are_in_the_catalog_not_from_the_seed() -> None:
    kms = load_catalog().service("kms")
    assert kms is not None
    newer = {p.name: p for p in kms.privileges if not p.from_seed}
    assert {name: p.access_level for name, p in newer.items()} == ADDITIONS
    assert sum(p.from_seed for p in kms.privileges) == 47
    for privilege in newer.values():
        assert [(r.resource_type, r.required) for r in privilege.resource_types] == [
            ("key", True),
            ("", False),
        ]
        assert {"kms:CallerAccount", "kms:ViaService"} <= set(privilege.condition_keys)


def test_newer_actions_carry_their_own_condition_keys() -> None:
    catalog = load_catalog()
    mac = catalog.privilege("kms:GenerateMac")
    verify = catalog.privilege("kms:VerifyMac")
    derive = catalog.privilege("kms:DeriveSharedSecret")
    rotate = catalog.privilege("kms:RotateKeyOnDemand")
    assert mac is not None and verify is not None and derive is not None and rotate is not None
    assert "kms:MacAlgorithm" in mac.condition_keys
    assert "kms:MacAlgorithm" in verify.condition_keys
    assert "kms:KeyAgreementAlgorithm" in derive.condition_keys
    assert "kms:MacAlgorithm" not in rotate.condition_keys
    assert rotate.condition_keys == (
        "aws:ResourceTag/${TagKey}",
        "kms:CallerAccount",
        "kms:KeyOrigin",
        "kms:KeySpec",
        "kms:KeyUsage",
        "kms:MultiRegion",
        "kms:MultiRegionKeyType",
        "kms:ResourceAliases",
        "kms:ViaService",
    )


def test_newer_actions_follow_the_query_mutation_rule() -> None:
    catalog = load_catalog()
    fields = {
        name: (p.operation, p.operation_type)
        for name in ADDITIONS
        if (p := catalog.privilege(name)) is not None
    }
    assert fields == {
        "DeriveSharedSecret": ("deriveSharedSecret", OperationType.MUTATION),
        "GenerateMac": ("generateMac", OperationType.MUTATION),
        "GetKeyLastUsage": ("getKeyLastUsage", OperationType.QUERY),
        "ListKeyRotations": ("listKeyRotations", OperationType.QUERY),
        "RotateKeyOnDemand": ("rotateKeyOnDemand", OperationType.MUTATION),
        "VerifyMac": ("verifyMac", OperationType.MUTATION),
    }


def test_reimporting_the_seed_keeps_the_additions(seed_text: str, data_dir: Path) -> None:
    import_page(seed_text, data_dir)
    kms = read_catalog(data_dir).service("kms")
    assert kms is not None
    assert len(kms.privileges) == 53
    assert {p.name for p in kms.privileges if not p.from_seed} == set(ADDITIONS)


def _write_additions(data_dir: Path, prefix: str, names: list[str]) -> None:
    document = {
        "prefix": prefix,
        "source": "written by a test",
        "privileges": [
            {"name": n, "description": "", "access_level": "Read", "resource_types": []}
            for n in names
        ],
    }
    (data_dir / f"{prefix}.additions.json").write_text(json.dumps(document))


def test_an_addition_that_the_page_now_lists_is_refused(data_dir: Path) -> None:
    _write_additions(data_dir, "widget", ["ListWidgets", "PaintWidget"])
    with pytest.raises(CatalogDataError, match="ListWidgets now on the widget page"):
        import_page(WIDGET_PAGE, data_dir)
    assert not (data_dir / "widget.json").exists()

    _write_additions(data_dir, "widget", ["PaintWidget"])
    import_page(WIDGET_PAGE, data_dir)
    paint = read_catalog(data_dir).privilege("widget:PaintWidget")
    assert paint is not None
    assert paint.from_seed is False

    _write_additions(data_dir, "widget", ["PolishWidget"])
    with pytest.raises(CatalogDataError, match="PolishWidget now on the widget page"):
        read_catalog(data_dir)


def test_additions_without_their_page_are_refused(data_dir: Path) -> None:
    _write_additions(data_dir, "widget", ["PaintWidget"])
    with pytest.raises(CatalogDataError, match=r"no widget\.json to add to"):
        read_catalog(data_dir)


def test_additions_with_a_bad_access_level_are_refused(data_dir: Path) -> None:
    document = json.loads((data_dir / "kms.additions.json").read_text())
    document["privileges"][0]["access_level"] = "Admin"
    (data_dir / "kms.additions.json").write_text(json.dumps(document))
    with pytest.raises(CatalogDataError, match="unknown access level 'Admin'"):
        read_catalog(data_dir)
