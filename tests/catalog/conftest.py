"""Shared pieces of the catalog tests: the seed page, a made-up page, scratch package data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from api.catalog import DATA_DIR, Catalog, Privilege

REPO_ROOT = Path(__file__).resolve().parents[2]
# The service authorization page the committed kms catalog was imported from, kept in the
# repository beside the data it produced (a copy of the project's shared seed page).
SEED_PAGE = REPO_ROOT / "api" / "catalog" / "pages" / "kms-privileges.txt"

# A made-up service page in the seed page's format: unsorted actions, a capitalised access level,
# a wrapped description, "-" bullets, dependent actions, and an action with no resource types.
WIDGET_PAGE = """\
Link Search Menu Expand Document

Example Widget Service

  • prefix: widget

Table of Contents

Privileges

PolishWidget

  • description: Controls permission to polish a widget.
  • access level: Write
  • resource types
{
    "widget": {
        "resource_type": "widget",
        "required": true,
        "condition_keys": [],
        "dependent_actions": []
    },
    "": {
        "resource_type": "",
        "required": false,
        "condition_keys": [
            "widget:Shine",
            "aws:RequestTag/${TagKey}"
        ],
        "dependent_actions": [
            "kms:Decrypt",
            "kms:GenerateDataKey"
        ]
    }
}

CreateWidget

  - description: Controls permission to create a widget
    in a workshop.
  - access level: Permissions Management
  - resource types
{
    "workshop": {
        "resource_type": "workshop",
        "required": true,
        "condition_keys": ["widget:Colour"],
        "dependent_actions": ["kms:Decrypt"]
    }
}

ListWidgets

  • description: Controls permission to list widgets.
  • access level: List
  • resource types
{}
"""


def privilege(catalog: Catalog, name: str) -> Privilege:
    """The catalog's privilege ``name``, which must be there."""
    found = catalog.privilege(name)
    assert found is not None, name
    return found


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED_PAGE.is_file():
        pytest.fail(f"the seed page is missing: expected {SEED_PAGE}")
    return SEED_PAGE.read_text(encoding="utf-8")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A scratch copy of the committed package data, so imports never touch the source tree."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target
