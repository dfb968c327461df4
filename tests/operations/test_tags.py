"""TagResource, UntagResource and ListResourceTags (and CreateKey's tags) through the pipeline."""

from __future__ import annotations

from api.errors import InvalidMarkerException, KMSInvalidStateException, TagException
from api.keys.tags import Tag
from api.operations.keys import ScheduleKeyDeletionRequest
from api.operations.structures import KeyPageRequest
from api.operations.tags import TagResourceRequest, UntagResourceRequest
from tests.aws_messages import UNTAG_ITEM_CONSTRAINT, validation_message
from tests.keys.tag_rules import LONG_KEY, REFUSED_TAGS
from tests.operations.conftest import Invoke
from tests.operations.test_keys import SCOPE, new_key, refused


def tags(**pairs: str) -> list[Tag]:
    return [Tag(tag_key=key, tag_value=value) for key, value in pairs.items()]


async def listed(call: Invoke, key_id: str) -> list[Tag]:
    page = await call("ListResourceTags", KeyPageRequest(key_id=key_id))
    assert (page.truncated, page.next_marker) == (False, None)
    found: list[Tag] = page.tags
    return found


async def test_tag_untag_and_list(call: Invoke) -> None:
    key = await new_key(call, tags=tags(team="payments", env="prod"))
    assert await listed(call, key.key_id) == tags(env="prod", team="payments")
    tagged = await call(
        "TagResource",
        TagResourceRequest(key_id=key.arn, tags=tags(env="staging", owner="", cost="42")),
    )
    assert tagged.key_metadata.key_id == key.key_id
    assert await listed(call, key.arn) == tags(cost="42", env="staging", owner="", team="payments")
    untagged = await call(
        "UntagResource",
        UntagResourceRequest(key_id=key.key_id, tag_keys=["team", "never-there", "owner"]),
    )
    assert untagged.key_metadata == tagged.key_metadata
    assert await listed(call, key.key_id) == tags(cost="42", env="staging")


async def test_tags_follow_aws_rules(call: Invoke) -> None:
    key = await new_key(call, tags=tags(kept="yes"))
    for pairs, code, message in REFUSED_TAGS:
        given = [Tag(key, value) for key, value in pairs]
        got = await refused(call("TagResource", TagResourceRequest(key_id=key.arn, tags=given)))
        assert (got.code, got.message) == (code, message), given
        got = await refused(new_key(call, tags=given))
        assert (got.code, got.message) == (code, message), given
    got = await refused(
        call("UntagResource", UntagResourceRequest(key_id=key.arn, tag_keys=["kept", LONG_KEY]))
    )
    # AWS quotes the whole list and every constraint of an item (the form recorded from AWS,
    # tests/aws_protocol/test_validation_messages.py).
    assert got.message == validation_message(
        "tagKeys", UNTAG_ITEM_CONSTRAINT, f"[kept, {LONG_KEY}]"
    )
    assert await listed(call, key.key_id) == tags(kept="yes")


async def test_fifty_tags_at_most(call: Invoke) -> None:
    key = await new_key(call, tags=[Tag(f"k{n:02}", str(n)) for n in range(49)])
    many = [Tag("k00", "changed"), Tag("new", "1")]
    await call("TagResource", TagResourceRequest(key_id=key.key_id, tags=many))
    over = await refused(
        call("TagResource", TagResourceRequest(key_id=key.key_id, tags=tags(extra="1")))
    )
    assert isinstance(over, TagException)
    assert over.message == "Too many tags"
    found = await listed(call, key.key_id)
    assert (len(found), found[0]) == (50, Tag("k00", "changed"))


async def test_list_resource_tags_pages(call: Invoke) -> None:
    key = await new_key(call, tags=[Tag(f"k{n}", str(n)) for n in range(5)])
    seen: list[str] = []
    marker = None
    while True:
        request = KeyPageRequest(key_id=key.key_id, limit=2, marker=marker)
        page = await call("ListResourceTags", request)
        assert len(page.tags) <= 2
        assert page.truncated == (page.next_marker is not None)
        seen += [tag.tag_key for tag in page.tags]
        if not page.truncated:
            break
        marker = page.next_marker
    assert seen == [f"k{n}" for n in range(5)]
    bad = await refused(
        call("ListResourceTags", KeyPageRequest(key_id=key.key_id, marker="m" * 129))
    )
    assert isinstance(bad, InvalidMarkerException)
    empty = await refused(call("ListResourceTags", KeyPageRequest(key_id=key.key_id, marker="")))
    assert empty.message == validation_message(
        "marker", "have length greater than or equal to 1", ""
    )


async def test_a_key_pending_deletion_keeps_its_tags(call: Invoke) -> None:
    key = await new_key(call, tags=tags(before="1"))
    await call("ScheduleKeyDeletion", ScheduleKeyDeletionRequest(key_id=key.key_id))
    for attempt in (
        call("TagResource", TagResourceRequest(key_id=key.key_id, tags=tags(after="1"))),
        call("UntagResource", UntagResourceRequest(key_id=key.key_id, tag_keys=["before"])),
    ):
        got = await refused(attempt)
        assert isinstance(got, KMSInvalidStateException)
        assert got.message == f"{key.arn} is pending deletion."
    assert await listed(call, key.key_id) == tags(before="1")
    missing = "1234abcd-12ab-34cd-56ef-1234567890ab"
    absent = await refused(call("ListResourceTags", KeyPageRequest(key_id=missing)))
    assert absent.message == f"Key '{SCOPE}:key/{missing}' does not exist"
