"""Importing privilege pages: another service's page, determinism, and malformed input."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.catalog import (
    AccessLevel,
    CatalogDataError,
    PageFormatError,
    PageUnreadableError,
    import_page,
    parse_page,
    read_catalog,
    run_catalog_import,
)
from tests.catalog.conftest import WIDGET_PAGE

SMALL_PAGE = """\
Example Service

  • prefix: example

Privileges

DoThing

  • description: Does a thing.
  • access level: Write
  • resource types
{
    "": {
        "resource_type": "",
        "required": false,
        "condition_keys": [],
        "dependent_actions": []
    }
}
"""


def _replace_line(page: str, number: int, text: str) -> str:
    lines = page.splitlines()
    lines[number - 1] = text
    return "\n".join(lines) + "\n"


def _drop_line(page: str, number: int) -> str:
    lines = page.splitlines()
    del lines[number - 1]
    return "\n".join(lines) + "\n"


def test_small_page_parses() -> None:
    service = parse_page(SMALL_PAGE)
    assert (service.name, service.prefix) == ("Example Service", "example")
    [privilege] = service.privileges
    assert privilege.action == "example:DoThing"
    assert privilege.access_level is AccessLevel.WRITE


def test_importing_another_service_adds_it(data_dir: Path) -> None:
    service = import_page(WIDGET_PAGE, data_dir)
    assert (service.name, service.prefix) == ("Example Widget Service", "widget")
    assert (data_dir / "widget.json").is_file()

    catalog = read_catalog(data_dir)
    assert [s.prefix for s in catalog.services] == ["kms", "widget"]
    kms = catalog.service("kms")
    assert kms is not None
    assert len(kms.privileges) == 53
    widget = catalog.service("widget")
    assert widget is not None
    assert [p.name for p in widget.privileges] == ["CreateWidget", "ListWidgets", "PolishWidget"]

    create = catalog.privilege("widget:CreateWidget")
    assert create is not None
    assert create.description == "Controls permission to create a widget in a workshop."
    assert create.access_level is AccessLevel.PERMISSIONS_MANAGEMENT
    assert create.from_seed is True
    assert [(r.resource_type, r.required) for r in create.resource_types] == [("workshop", True)]
    assert create.condition_keys == ("widget:Colour",)

    polish = catalog.privilege("widget:PolishWidget")
    assert polish is not None
    assert [r.resource_type for r in polish.resource_types] == ["widget", ""]
    # The row keeps the page's order; the union is sorted.
    assert polish.resource_types[1].condition_keys == ("widget:Shine", "aws:RequestTag/${TagKey}")
    assert polish.condition_keys == ("aws:RequestTag/${TagKey}", "widget:Shine")
    assert polish.dependent_actions == ("kms:Decrypt", "kms:GenerateDataKey")

    listing = catalog.privilege("widget:ListWidgets")
    assert listing is not None
    assert listing.resource_types == ()
    assert catalog.resource_types("widget") == ("", "widget", "workshop")


def test_reimport_is_byte_identical(data_dir: Path) -> None:
    import_page(WIDGET_PAGE, data_dir)
    first = (data_dir / "widget.json").read_bytes()
    import_page(WIDGET_PAGE, data_dir)
    assert (data_dir / "widget.json").read_bytes() == first
    # Written in name order whatever the page's order, so a reordered page changes nothing.
    assert first.index(b'"CreateWidget"') < first.index(b'"ListWidgets"')
    assert first.index(b'"ListWidgets"') < first.index(b'"PolishWidget"')
    assert first.endswith(b"}\n")


def test_failed_import_leaves_existing_data_alone(data_dir: Path) -> None:
    before = (data_dir / "kms.json").read_bytes()
    broken = SMALL_PAGE.replace("prefix: example", "prefix: kms").replace("Write", "Admin")
    with pytest.raises(PageFormatError):
        import_page(broken, data_dir)
    assert (data_dir / "kms.json").read_bytes() == before


@pytest.mark.parametrize(
    ("page", "line", "fragment"),
    [
        (
            _replace_line(SMALL_PAGE, 10, "  • access level: Admin"),
            10,
            "unknown access level 'Admin'",
        ),
        (_drop_line(SMALL_PAGE, 9), 9, "expected '• description'"),
        (_replace_line(SMALL_PAGE, 15, '        "required": false'), 16, "not valid JSON"),
        (_replace_line(SMALL_PAGE, 15, '        "required": "yes",'), 13, "required must be true"),
        (
            _replace_line(SMALL_PAGE, 14, '        "resource_type": "key",'),
            13,
            "names resource type",
        ),
        (_replace_line(SMALL_PAGE, 16, '        "condition_keys": [1],'), 13, "list of strings"),
        (
            _replace_line(SMALL_PAGE, 17, '        "dependents": []'),
            13,
            "missing ['dependent_actions']",
        ),
        (_replace_line(SMALL_PAGE, 12, "[]"), 12, "expected a JSON object of resource types"),
        (_replace_line(SMALL_PAGE, 19, "} and more"), 19, "unexpected text after"),
        (_replace_line(SMALL_PAGE, 7, "Do Thing"), 7, "expected an action name"),
        (_replace_line(SMALL_PAGE, 3, "  • prefix: Ex Ample"), 3, "service prefix 'Ex Ample'"),
        (_replace_line(SMALL_PAGE, 3, "  prefix kms"), 19, "no '• prefix: <service prefix>'"),
        (_drop_line(SMALL_PAGE, 5), 18, "no 'Privileges' heading"),
        ("\n".join(SMALL_PAGE.splitlines()[:11]) + "\n", 11, "found the end of the page"),
        ("\n".join(SMALL_PAGE.splitlines()[:6]) + "\n", 6, "lists no privileges"),
        (
            SMALL_PAGE + "\n" + "\n".join(SMALL_PAGE.splitlines()[6:]),
            21,
            "already listed on line 7",
        ),
        (SMALL_PAGE.replace("\n{\n", '\n{\n    "": {},\n', 1), 12, "key '' appears twice"),
    ],
    ids=[
        "unknown-access-level",
        "missing-description",
        "json-syntax",
        "required-not-bool",
        "resource-type-mismatch",
        "condition-keys-not-strings",
        "wrong-fields",
        "table-not-object",
        "text-after-json",
        "bad-action-name",
        "bad-prefix",
        "no-prefix",
        "no-privileges-heading",
        "ends-before-json",
        "no-actions",
        "duplicate-action",
        "duplicate-resource-type",
    ],
)
def test_malformed_page_names_the_line(page: str, line: int, fragment: str) -> None:
    with pytest.raises(PageFormatError) as caught:
        parse_page(page)
    assert caught.value.line == line, str(caught.value)
    assert str(caught.value).startswith(f"line {line}: ")
    assert fragment in str(caught.value)


def test_unreadable_page_file_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(PageUnreadableError, match="cannot read"):
        run_catalog_import(tmp_path / "missing.txt", tmp_path)
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(PageUnreadableError):
        run_catalog_import(binary, tmp_path)


def test_damaged_data_file_stops_loading(data_dir: Path) -> None:
    (data_dir / "kms.json").write_text('{"name": "x", "prefix": "other", "privileges": []}\n')
    with pytest.raises(CatalogDataError, match="does not match the file name"):
        read_catalog(data_dir)
