"""Scrollbars drawn with spaces only.

Textual draws the ends of a scrollbar thumb with eighth-block glyphs, which
are East-Asian ambiguous: in a terminal set to "ambiguous = wide" they take
two cells at the right edge and break the line.  A solid thumb of spaces
keeps every cell one wide.
"""

from __future__ import annotations

from typing import ClassVar

from textual.scrollbar import ScrollBarRender


class PlainScrollBarRender(ScrollBarRender):
    VERTICAL_BARS: ClassVar[list[str]] = [" "] * 8
    HORIZONTAL_BARS: ClassVar[list[str]] = [" "] * 8
