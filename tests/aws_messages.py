"""AWS's words for the validation errors the tests expect."""

from __future__ import annotations

# A TagKeys item out of its lengths: AWS names every constraint of an item.
UNTAG_ITEM_CONSTRAINT = (
    "satisfy constraint: [Member must have length less than or equal to 128, Member must have "
    "length greater than or equal to 1]"
)


def validation_message(member: str, constraint: str, value: object = None) -> str:
    """The ValidationException message for one ``member`` that fails its ``constraint`` ("have
    length less than or equal to 64"), naming the value when AWS names it."""
    shown = "Value" if value is None else f"Value '{value}'"
    return (
        f"1 validation error detected: {shown} at '{member}' failed to satisfy constraint: "
        f"Member must {constraint}"
    )
