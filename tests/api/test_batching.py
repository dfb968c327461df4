"""How ``HsmGroups`` decides when parked HSM calls go out: once every unfinished item is parked,
or after ``GROUP_WAIT_SECONDS`` for an item that is still on its way; and how the outcome of a
group reaches each of its items."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, cast

from api.batching import HsmGroups
from hsm import Hsm, HsmUnavailable, KeySpec, WrappedKey

FIRST = WrappedKey(KeySpec.SYMMETRIC_DEFAULT, b"first")
SECOND = WrappedKey(KeySpec.SYMMETRIC_DEFAULT, b"second")


class FakeHsm:
    """Runs each group's calls at once and remembers the groups; fails every group while
    ``down``."""

    def __init__(self) -> None:
        self.groups: list[list[Any]] = []
        self.down = False

    async def together(self, calls: Sequence[Callable[[], Any]]) -> list[Any]:
        if self.down:
            raise HsmUnavailable("unplugged")
        outcomes = [call() for call in calls]
        self.groups.append(outcomes)
        return outcomes


def groups_of(fake: FakeHsm, items: int) -> HsmGroups:
    return HsmGroups(cast(Hsm, fake), items)


async def test_calls_go_out_by_key_once_every_item_is_parked_or_finished() -> None:
    fake = FakeHsm()
    groups = groups_of(fake, 4)
    first = asyncio.ensure_future(groups.call(FIRST, lambda: "a"))
    second = asyncio.ensure_future(groups.call(SECOND, lambda: "b"))
    third = asyncio.ensure_future(groups.call(FIRST, lambda: "c"))
    await asyncio.sleep(0)
    assert fake.groups == []  # the fourth item may still call
    groups.finished()
    assert list(await asyncio.gather(first, second, third)) == ["a", "b", "c"]
    assert sorted(fake.groups) == [["a", "c"], ["b"]]


async def test_an_item_on_its_way_holds_the_others_back_only_so_long() -> None:
    fake = FakeHsm()
    groups = groups_of(fake, 2)
    # The other item never calls nor finishes: the parked call goes out all the same.
    assert await groups.call(FIRST, lambda: "alone") == "alone"
    assert fake.groups == [["alone"]]


async def test_an_item_may_call_again_after_its_group_answered() -> None:
    fake = FakeHsm()
    groups = groups_of(fake, 2)

    async def twice(label: str) -> list[str]:
        first = await groups.call(None, lambda: f"{label} random")
        second = await groups.call(FIRST, lambda: f"{label} sealed")
        return [first, second]

    assert list(await asyncio.gather(twice("x"), twice("y"))) == [
        ["x random", "x sealed"],
        ["y random", "y sealed"],
    ]
    assert fake.groups == [["x random", "y random"], ["x sealed", "y sealed"]]


async def test_each_item_gets_its_own_error_and_all_get_the_hsms() -> None:
    fake = FakeHsm()
    groups = groups_of(fake, 2)
    # What an HSM operation raised comes back in its place (``Hsm.together``).
    refused = ValueError("refused")
    outcomes = await asyncio.gather(
        groups.call(FIRST, lambda: refused),
        groups.call(FIRST, lambda: "fine"),
        return_exceptions=True,
    )
    assert list(outcomes) == [refused, "fine"]

    fake.down = True
    groups = groups_of(fake, 2)
    outcomes = await asyncio.gather(
        groups.call(FIRST, lambda: "a"),
        groups.call(SECOND, lambda: "b"),
        return_exceptions=True,
    )
    assert [type(outcome) for outcome in outcomes] == [HsmUnavailable, HsmUnavailable]
