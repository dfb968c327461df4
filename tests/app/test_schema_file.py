"""The committed SDL is what the code serves; regenerate it with `make schema`."""

from __future__ import annotations

from pathlib import Path

from schema.build import schema_sdl

COMMITTED = Path(__file__).parents[2] / "schema" / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == schema_sdl(), (
        "schema/schema.graphql is stale: run `make schema` and commit the result"
    )
