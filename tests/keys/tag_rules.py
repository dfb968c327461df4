"""Tag sets AWS refuses, with the error code and message each gets: the same rules for
TagResource and CreateKey, over GraphQL and through the pipeline."""

from __future__ import annotations

from tests.aws_messages import validation_message

LONG_KEY, LONG_VALUE = "k" * 129, "v" * 257
RESERVED = "Tags beginning with aws: are reserved"

# (the tags as (key, value) pairs, in order; the error code; its message)
REFUSED_TAGS: list[tuple[list[tuple[str, str]], str, str]] = [
    ([("aws:owner", "x")], "TagException", RESERVED),
    ([("AWS:owner", "x")], "TagException", RESERVED),
    ([("Aws:", "x")], "TagException", RESERVED),
    ([("dup", "1"), ("dup", "2")], "TagException", "Duplicate tag keys"),
    ([(f"k{n:02}", str(n)) for n in range(51)], "TagException", "Too many tags"),
    (
        [("ok", "1"), (LONG_KEY, "x")],
        "ValidationException",
        validation_message(
            "tags.2.member.tagKey", "have length less than or equal to 128", LONG_KEY
        ),
    ),
    (
        [("", "x")],
        "ValidationException",
        validation_message("tags.1.member.tagKey", "have length greater than or equal to 1", ""),
    ),
    (
        [("big", LONG_VALUE)],
        "ValidationException",
        validation_message(
            "tags.1.member.tagValue", "have length less than or equal to 256", LONG_VALUE
        ),
    ),
]
