"""Markdown building blocks the report is written with.

One rule keeps user text inert: tables escape every cell themselves, and
everything else interpolates user or catalog text only through `text`,
`paragraphs` or `escape.inline`.  Labels written here are plain constants.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from auditdesk.report.escape import block, inline

MISSING = "（未填写）"  # a required field left empty
EMPTY = "—"  # an optional field left empty
CHECKED, UNCHECKED = "■", "□"
BREAK = "\\\n"  # a hard line break inside one paragraph


def is_blank(value: str) -> bool:
    """Nothing would print: empty, blanks or control characters only."""
    return not inline(value)


def filled(value: str, empty: str = MISSING) -> str:
    """The plain text to print for a field: its value, or `empty` when blank."""
    return empty if is_blank(value) else value


def text(value: str, empty: str = MISSING) -> str:
    """A one-line field outside tables, escaped, or `empty` when blank."""
    return inline(filled(value, empty))


def paragraphs(value: str) -> str:
    """A multi-paragraph field, escaped, or the missing marker."""
    return block(value) or MISSING


def lines(*items: str) -> str:
    """Markdown lines kept in one paragraph with hard breaks."""
    return BREAK.join(items)


def box(checked: bool) -> str:
    return CHECKED if checked else UNCHECKED


ADDED = "（补录）"  # recorded after the fact: not in the original paper report


def choices(options: Iterable[str], chosen: str | None, sep: str = " ", added: bool = False) -> str:
    """Every option of a paper form with the chosen one marked: ■初次认证 □保持认证;
    `added`: the mark was recorded after the fact (■初次认证（补录）)."""
    return sep.join(box(option == chosen) + option + (ADDED if added and option == chosen else "") for option in options)


def date(value: dt.date | None, empty: str = MISSING) -> str:
    """A date as the seed prints it: 2024年04月11日."""
    return empty if value is None else f"{value.year}年{value.month:02d}月{value.day:02d}日"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], right: Sequence[int] = ()) -> str:
    """A GitHub table of plain-text cells (escaped here); `right` aligns numeric columns."""
    rule = ["---:" if i in right else "---" for i in range(len(headers))]
    out = [_row(headers), "| " + " | ".join(rule) + " |"]
    for row in rows:
        assert len(row) == len(headers), f"row {row!r} does not match {headers!r}"
        out.append(_row(row))
    return "\n".join(out)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(inline(cell) for cell in cells) + " |"
