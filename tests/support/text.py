"""Where something is in a file, as the messages the tests expect count it."""

from __future__ import annotations

from typing import AnyStr


def line_of(data: AnyStr, needle: AnyStr, occurrence: int = 1) -> int:
    """The 1-based line number of the ``occurrence``-th ``needle`` in ``data`` (text or bytes)."""
    start = -1
    for _ in range(occurrence):
        start = data.index(needle, start + 1)
    head = data[:start]
    return (head if isinstance(head, str) else head.decode("utf-8", "replace")).count("\n") + 1
