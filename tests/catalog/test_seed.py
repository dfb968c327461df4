"""The committed kms catalog against the seed page it was imported from (plus the amendments)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from api.catalog import (
    DATA_DIR,
    AccessLevel,
    Privilege,
    import_page,
    load_catalog,
    run_catalog_import,
)
from tests.catalog.conftest import privilege

# Deliberately not the product parser: a plain reading of the seed's exact layout, so a parser bug
# cannot hide by agreeing with itself.
_SEED_ACTION = re.compile(
    r"^(?P<name>\w+)\n\n"
    r"  • description: (?P<description>[^\n]*)\n"
    r"  • access level: (?P<level>[^\n]*)\n"
    r"  • resource types\n"
    r"(?P<table>\{.*?^\})$",
    re.M | re.S,
)


def _seed_actions(seed_text: str) -> dict[str, dict[str, object]]:
    return {
        m["name"]: {
            "description": m["description"],
            "access_level": m["level"],
            "resource_types": list(json.loads(m["table"]).values()),
        }
        for m in _SEED_ACTION.finditer(seed_text)
    }


def _amend(seed: dict[str, dict[str, object]]) -> None:
    """The committed amendments applied to ``seed`` by plain reading: keys join the "" row,
    which is appended where the page has none."""
    document = json.loads((DATA_DIR / "kms.additions.json").read_text(encoding="utf-8"))
    for amendment in document["amendments"]:
        rows = seed[amendment["action"]]["resource_types"]
        assert isinstance(rows, list)
        everything = [r for r in rows if r["resource_type"] == ""]
        if not everything:
            everything = [
                {
                    "resource_type": "",
                    "required": False,
                    "condition_keys": [],
                    "dependent_actions": [],
                }
            ]
            rows.append(everything[0])
        everything[0]["condition_keys"] = (
            everything[0]["condition_keys"] + amendment["condition_keys"]
        )


def test_every_seed_action_is_in_the_catalog_field_by_field(seed_text: str) -> None:
    seed = _seed_actions(seed_text)
    assert len(seed) == 47
    _amend(seed)
    kms = load_catalog().service("kms")
    assert kms is not None
    assert kms.name == "Key Management Service"
    from_page = {p.name: p for p in kms.privileges if p.from_seed}
    assert sorted(from_page) == sorted(seed)
    for name, expected in seed.items():
        privilege = from_page[name]
        rows = expected["resource_types"]
        assert isinstance(rows, list)
        assert privilege.action == f"kms:{name}"
        assert privilege.description == expected["description"], name
        assert privilege.access_level.value == expected["access_level"], name
        assert [
            {
                "resource_type": r.resource_type,
                "required": r.required,
                "condition_keys": list(r.condition_keys),
                "dependent_actions": list(r.dependent_actions),
            }
            for r in privilege.resource_types
        ] == rows, name
        assert privilege.condition_keys == tuple(
            sorted({k for row in rows for k in row["condition_keys"]})
        ), name
        assert privilege.dependent_actions == tuple(
            sorted({a for row in rows for a in row["dependent_actions"]})
        ), name


def _from_page(privilege: Privilege) -> tuple[str, ...]:
    return tuple(k for k in privilege.condition_keys if k not in privilege.amended_condition_keys)


def test_known_values_of_the_seed() -> None:
    catalog = load_catalog()
    grant = privilege(catalog, "kms:CreateGrant")
    assert grant.access_level is AccessLevel.PERMISSIONS_MANAGEMENT
    assert _from_page(grant) == (
        "kms:CallerAccount",
        "kms:GrantConstraintType",
        "kms:GrantIsForAWSResource",
        "kms:ViaService",
    )
    assert [(r.resource_type, r.required) for r in grant.resource_types] == [
        ("key", True),
        ("", False),
    ]
    encrypt = privilege(catalog, "Encrypt")
    assert encrypt.access_level is AccessLevel.WRITE
    assert encrypt.description == (
        "Controls permission to use the specified customer master key to encrypt data"
        " and data keys."
    )
    assert _from_page(encrypt) == (
        "kms:CallerAccount",
        "kms:EncryptionAlgorithm",
        "kms:EncryptionContextKeys",
        "kms:ViaService",
    )
    store = privilege(catalog, "CreateCustomKeyStore")
    assert store.dependent_actions == ("cloudhsm:DescribeClusters",)
    assert [r.resource_type for r in store.resource_types] == [""]
    alias = privilege(catalog, "CreateAlias")
    assert [(r.resource_type, r.required) for r in alias.resource_types] == [
        ("alias", True),
        ("key", True),
        ("", False),
    ]
    create = privilege(catalog, "CreateKey")
    # The page's old key names stay: amendments add, they never take away.
    assert _from_page(create) == (
        "kms:BypassPolicyLockoutSafetyCheck",
        "kms:CustomerMasterKeySpec",
        "kms:CustomerMasterKeyUsage",
        "kms:KeyOrigin",
    )
    retirable = privilege(catalog, "ListRetirableGrants")
    assert [r.resource_type for r in retirable.resource_types] == ["key"]
    assert retirable.condition_keys == ()
    # The seed says Read for ListResourceTags (AWS now: List); seed entries keep the seed's word.
    tags = privilege(catalog, "ListResourceTags")
    assert tags.access_level is AccessLevel.READ


def test_access_levels_of_the_seed_page_add_up() -> None:
    kms = load_catalog().service("kms")
    assert kms is not None
    counts: dict[AccessLevel, int] = {}
    for entry in kms.privileges:
        if entry.from_seed:
            counts[entry.access_level] = counts.get(entry.access_level, 0) + 1
    assert counts == {
        AccessLevel.WRITE: 29,
        AccessLevel.READ: 7,
        AccessLevel.LIST: 5,
        AccessLevel.PERMISSIONS_MANAGEMENT: 4,
        AccessLevel.TAGGING: 2,
    }


def test_importing_the_seed_reproduces_the_committed_file(seed_text: str, tmp_path: Path) -> None:
    first = import_page(seed_text, tmp_path)
    written = (tmp_path / "kms.json").read_bytes()
    assert written == (DATA_DIR / "kms.json").read_bytes()
    second = import_page(seed_text, tmp_path)
    assert (tmp_path / "kms.json").read_bytes() == written
    assert first == second
    assert len(first.privileges) == 47


def test_import_command_reports_what_it_imported(data_dir: Path) -> None:
    from tests.catalog.conftest import SEED_PAGE

    summary = run_catalog_import(SEED_PAGE, data_dir)
    assert "\n" not in summary
    assert "47 privileges" in summary
    assert "Key Management Service (kms)" in summary
    assert str(data_dir / "kms.json") in summary
