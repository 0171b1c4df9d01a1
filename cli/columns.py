"""Text columns that line up in a terminal: widths in screen cells, not characters.

A CJK character takes two cells (淄博海源电子 is 12 cells wide, 6 characters),
so ``f"{text:<8}"`` drifts as soon as a column holds Chinese.  Rich's cell
width (the one the terminal app draws with) measures it; imported on first use.
"""

from __future__ import annotations


def cells(text: str) -> int:
    """How many terminal cells `text` takes."""
    from rich.cells import cell_len

    return cell_len(text)


def pad(text: str, width: int) -> str:
    """`text` followed by spaces up to `width` cells (never cut)."""
    return text + " " * max(0, width - cells(text))


def rpad(text: str, width: int) -> str:
    """`text` after spaces up to `width` cells (right-aligned; never cut)."""
    return " " * max(0, width - cells(text)) + text
