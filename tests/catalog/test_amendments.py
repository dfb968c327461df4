"""Amendments: condition keys AWS lists today that the seed page lacks, added to page actions."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from api.catalog import CatalogDataError, Privilege, import_page, load_catalog, read_catalog
from tests.catalog.conftest import WIDGET_PAGE, privilege


def _privilege(name: str) -> Privilege:
    return privilege(load_catalog(), name)


@pytest.mark.parametrize(
    ("action", "keys"),
    [
        (
            "CreateKey",
            {"kms:KeySpec", "kms:KeyUsage", "aws:RequestTag/${TagKey}", "aws:TagKeys"},
        ),
        (
            "CreateGrant",
            {"kms:GrantOperations", "kms:GranteePrincipal", "kms:RetiringPrincipal"},
        ),
        ("Encrypt", {"kms:KeySpec", "aws:ResourceTag/${TagKey}", "kms:RequestAlias"}),
        ("ScheduleKeyDeletion", {"kms:ScheduleKeyDeletionPendingWindowInDays"}),
        ("EnableKeyRotation", {"kms:RotationPeriodInDays"}),
        ("TagResource", {"aws:RequestTag/${TagKey}", "aws:TagKeys"}),
        ("UntagResource", {"aws:TagKeys"}),
        ("DescribeKey", {"kms:KeySpec", "kms:ResourceAliases", "kms:MultiRegion"}),
    ],
)
def test_seed_actions_list_the_keys_aws_lists_today(action: str, keys: set[str]) -> None:
    privilege = _privilege(action)
    assert privilege.from_seed is True
    assert keys <= set(privilege.condition_keys)
    assert keys <= set(privilege.amended_condition_keys)


def test_amended_keys_join_the_all_resources_row() -> None:
    encrypt = _privilege("Encrypt")
    assert [(r.resource_type, r.required) for r in encrypt.resource_types] == [
        ("key", True),
        ("", False),
    ]
    assert encrypt.resource_types[0].condition_keys == ()
    assert encrypt.resource_types[1].condition_keys == (
        "kms:CallerAccount",
        "kms:EncryptionAlgorithm",
        "kms:EncryptionContextKeys",
        "kms:ViaService",
        *encrypt.amended_condition_keys,
    )
    # The page gives RetireGrant no "" row; the amendment adds one, as the page does elsewhere.
    retire = _privilege("RetireGrant")
    assert [(r.resource_type, r.required) for r in retire.resource_types] == [
        ("key", True),
        ("", False),
    ]
    assert retire.resource_types[1].condition_keys == retire.amended_condition_keys
    assert "kms:GrantConstraintType" in retire.condition_keys
    # AWS lists no condition key for these; they stay as the page has them.
    for name in ("ListKeys", "ListAliases", "ListRetirableGrants"):
        privilege = _privilege(name)
        assert privilege.condition_keys == ()
        assert privilege.amended_condition_keys == ()


def test_filters_see_amended_keys() -> None:
    catalog = load_catalog()
    names = [p.name for p in catalog.privileges(condition_key="kms:TrailingDaysWithoutKeyUsage")]
    assert names == ["DisableKey", "ScheduleKeyDeletion"]
    assert "kms:GrantOperations" in catalog.condition_keys("kms")


def _write(data_dir: Path, prefix: str, amendments: object) -> None:
    document = {
        "prefix": prefix,
        "source": "written by a test",
        "privileges": [],
        "amendments": amendments,
    }
    (data_dir / f"{prefix}.additions.json").write_text(json.dumps(document))


def test_loader_merges_amendments_of_another_page(data_dir: Path) -> None:
    _write(
        data_dir,
        "widget",
        [
            {"action": "PolishWidget", "condition_keys": ["widget:Gleam", "aws:TagKeys"]},
            {"action": "listwidgets", "condition_keys": ["widget:Count"]},
        ],
    )
    import_page(WIDGET_PAGE, data_dir)
    catalog = read_catalog(data_dir)
    polish = catalog.privilege("widget:PolishWidget")
    listing = catalog.privilege("widget:ListWidgets")
    create = catalog.privilege("widget:CreateWidget")
    assert polish is not None and listing is not None and create is not None
    assert polish.from_seed is True
    assert polish.amended_condition_keys == ("widget:Gleam", "aws:TagKeys")
    assert [(r.resource_type, r.condition_keys) for r in polish.resource_types] == [
        ("widget", ()),
        ("", ("widget:Shine", "aws:RequestTag/${TagKey}", "widget:Gleam", "aws:TagKeys")),
    ]
    assert polish.dependent_actions == ("kms:Decrypt", "kms:GenerateDataKey")
    assert [(r.resource_type, r.required, r.condition_keys) for r in listing.resource_types] == [
        ("", False, ("widget:Count",))
    ]
    assert create.amended_condition_keys == ()
    # The written page data holds the page only: amendments are applied at load, never stored.
    assert "widget:Gleam" not in (data_dir / "widget.json").read_text()


def test_reimporting_the_seed_keeps_the_amendments(seed_text: str, data_dir: Path) -> None:
    import_page(seed_text, data_dir)
    reread = read_catalog(data_dir)
    assert [p.resource_types for p in reread.privileges()] == [
        p.resource_types for p in load_catalog().privileges()
    ]
    create = reread.privilege("CreateKey")
    assert create is not None
    assert "kms:KeySpec" in create.amended_condition_keys


def _amend_kms(data_dir: Path, amendments: object) -> None:
    path = data_dir / "kms.additions.json"
    document = json.loads(path.read_text())
    document["amendments"] = amendments
    path.write_text(json.dumps(document))


@pytest.mark.parametrize(
    ("amendments", "message"),
    [
        (
            [{"action": "Frobnicate", "condition_keys": ["kms:KeySpec"]}],
            r"amendments\[0\] \(Frobnicate\): no such action on the kms page",
        ),
        (
            [{"action": "GenerateMac", "condition_keys": ["kms:Colour"]}],
            r"amendments\[0\] \(GenerateMac\): no such action on the kms page;.*belongs in"
            " privileges",
        ),
        (
            [
                {"action": "ListKeys", "condition_keys": ["kms:CallerAccount"]},
                {"action": "Encrypt", "condition_keys": ["kms:Colour", "KMS:callerAccount"]},
            ],
            r"amendments\[1\] \(Encrypt\): KMS:callerAccount already listed by the kms page",
        ),
        (
            [
                {"action": "ListKeys", "condition_keys": ["kms:CallerAccount"]},
                {"action": "listkeys", "condition_keys": ["kms:ViaService"]},
            ],
            r"amendments\[1\] \(listkeys\): ListKeys is amended twice",
        ),
        (
            [{"action": "ListKeys", "condition_keys": ["kms:Colour", "kms:colour"]}],
            r"amendments\[0\] \(ListKeys\): kms:Colour, kms:colour listed twice",
        ),
        ({"action": "ListKeys"}, "amendments must be a list"),
        (
            [{"action": "ListKeys"}],
            r"amendments\[0\]: must be an object with exactly \['action', 'condition_keys'\]",
        ),
        (
            [{"action": "ListKeys", "condition_keys": ["kms:Colour"], "note": "x"}],
            r"amendments\[0\]: must be an object with exactly",
        ),
        (
            [{"action": 7, "condition_keys": ["kms:Colour"]}],
            r"amendments\[0\]: action must be a non-empty string",
        ),
        (
            [{"action": "ListKeys", "condition_keys": []}],
            r"amendments\[0\] \(ListKeys\): condition_keys must be a non-empty list of strings",
        ),
        (
            [{"action": "ListKeys", "condition_keys": "kms:Colour"}],
            r"amendments\[0\] \(ListKeys\): condition_keys must be a non-empty list of strings",
        ),
        (
            [{"action": "ListKeys", "condition_keys": ["Colour", "kms: Colour"]}],
            r"amendments\[0\] \(ListKeys\): 'Colour', 'kms: Colour' not of the form service:key",
        ),
    ],
)
def test_bad_amendments_are_refused_naming_file_and_entry(
    data_dir: Path, amendments: object, message: str
) -> None:
    _amend_kms(data_dir, amendments)
    with pytest.raises(CatalogDataError, match=r"^kms\.additions\.json: " + message):
        read_catalog(data_dir)


def assert_import_refused(data_dir: Path, action: str, problem: str) -> None:
    """Importing the widget page fails on its first amendment (of ``action``) with ``problem``,
    and writes no widget.json."""
    message = rf"widget\.additions\.json: amendments\[0\] \({action}\): {re.escape(problem)}"
    with pytest.raises(CatalogDataError, match=message):
        import_page(WIDGET_PAGE, data_dir)
    assert not (data_dir / "widget.json").exists()


def test_a_page_that_lists_an_amended_key_is_refused_on_import_and_load(data_dir: Path) -> None:
    _write(data_dir, "widget", [{"action": "PolishWidget", "condition_keys": ["widget:Shine"]}])
    assert_import_refused(
        data_dir, "PolishWidget", "widget:Shine already listed by the widget page"
    )

    _write(data_dir, "widget", [{"action": "PolishWidget", "condition_keys": ["widget:Gleam"]}])
    import_page(WIDGET_PAGE, data_dir)
    _write(data_dir, "widget", [{"action": "PolishWidget", "condition_keys": ["widget:Shine"]}])
    with pytest.raises(CatalogDataError, match="widget:Shine already listed by the widget page"):
        read_catalog(data_dir)


def test_a_page_without_an_amended_action_is_refused_on_import(data_dir: Path) -> None:
    _write(data_dir, "widget", [{"action": "PaintWidget", "condition_keys": ["widget:Hue"]}])
    assert_import_refused(data_dir, "PaintWidget", "no such action on the widget page")


def test_additions_may_leave_out_amendments_but_no_other_field(data_dir: Path) -> None:
    document = {"prefix": "widget", "source": "a test", "privileges": []}
    (data_dir / "widget.additions.json").write_text(json.dumps(document))
    import_page(WIDGET_PAGE, data_dir)
    assert read_catalog(data_dir).privilege("widget:PolishWidget") is not None
    (data_dir / "widget.additions.json").write_text(json.dumps({**document, "amended": []}))
    with pytest.raises(CatalogDataError, match="optionally amendments"):
        read_catalog(data_dir)
