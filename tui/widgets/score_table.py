"""The 82 items, grouped by part and section, scored by typing a percentage.

Short columns come first and the requirement text is cut to the width that
is left, so at 80 columns nothing is pushed off screen; the full text is in
the detail panel.  Typing digits collects a percentage that Enter submits;
the cursor only ever rests on items, never on the group rows.

Every typed percentage is bound to its item when Enter is handled, here:
the table checks it, moves the cursor to the next item at once and only
then says which item got which percentage (`Entered`), so keys typed ahead
of the screen (or of a save) land on the item that had the cursor when
they were typed.  Pasting a column of percentages scores consecutive items
the same way.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable

from auditdesk.criteria.catalog import Catalog
from auditdesk.criteria.results import ItemResult
from auditdesk.criteria.scoring import ItemScore, Scorecard, fmt_2, fmt_item, fmt_number
from auditdesk.tui.i18n import Translator

COLUMNS = ("code", "clause", "weight", "pct", "score", "flags", "requirement")
WIDTHS = {"code": 4, "clause": 8, "weight": 4, "pct": 5, "score": 6, "flags": 2}
"""Cells per column; the requirement gets what is left."""
ENTRY_CHARACTERS = set("0123456789.")
NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")


def right(text: str, column: str) -> str:
    """Numbers right-aligned in their column, so decimals line up (删减 is two cells a character)."""
    return " " * max(0, WIDTHS[column] - cell_len(text)) + text


def clip(text: str, width: int) -> str:
    """The longest prefix of `text` that fits in `width` terminal cells."""
    out, used = [], 0
    for char in text:
        used += cell_len(char)
        if used > width:
            break
        out.append(char)
    return "".join(out)


def percentage(text: str) -> Decimal | None:
    """A typed percentage (0 to 100, at most two decimals; "95%" too), or None."""
    text = text.strip().removesuffix("%").strip()
    if not NUMBER.fullmatch(text):
        return None
    try:
        pct = Decimal(text)
    except InvalidOperation:
        return None
    return None if ItemResult(pct=pct).problems() else pct


class ScoreTable(DataTable[Text | str]):
    class EntryChanged(Message):
        """The typed percentage changed (empty when cleared); `error` says why Enter did not take it."""

        def __init__(self, code: str, text: str, error: str = "") -> None:
            super().__init__()
            self.code = code
            self.text = text
            self.error = error

    class Entered(Message):
        """A valid percentage for `code` (the cursor has already moved on); or the item's
        proposal taken (Enter without typing)."""

        def __init__(self, code: str, pct: Decimal | None, proposal: ItemResult | None = None) -> None:
            super().__init__()
            self.code = code
            self.pct = pct
            self.proposal = proposal

    class Refused(Message):
        """A percentage was typed while the audit may not be edited."""

    def __init__(self, catalog: Catalog, t: Translator) -> None:
        super().__init__(cursor_type="row", id="items")
        self.catalog = catalog
        self.t = t
        self.entry = ""
        self.read_only = False
        """Set by the screen: typed percentages are refused (Refused) instead of collected."""
        self.proposals: dict[str, ItemResult] = {}
        """Last year's results offered for unscored items (Enter takes one); set by the screen."""
        self.unsaved: set[str] = set()
        """Items whose save failed (flagged "!"); set by the screen."""
        self.row_codes: list[str | None] = []
        """Item code of each row; None for part and section rows."""
        self._text_width = 0
        self._shown: tuple[Scorecard, dict[str, ItemResult]] | None = None

    @property
    def code(self) -> str | None:
        """The highlighted item."""
        return self.row_codes[self.cursor_row] if self.row_codes else None

    def go_to(self, code: str) -> None:
        self.move_cursor(row=self.row_codes.index(code))

    def next_code(self, code: str) -> str | None:
        """The item after `code`, or None at the last."""
        codes = [c for c in self.row_codes if c is not None]
        i = codes.index(code) + 1
        return codes[i] if i < len(codes) else None

    def move_after(self, code: str) -> None:
        """Put the cursor on the item after `code` (it stays on the last item)."""
        after = self.next_code(code) if code in self.row_codes else None
        if after is not None:
            self.go_to(after)

    def show(self, card: Scorecard, results: dict[str, ItemResult]) -> None:
        """Show the scores; only changed cells are updated."""
        self._shown = (card, results)
        if not self.row_codes:
            return
        for code, score in card.items.items():
            for column, value in zip(COLUMNS[3:6], self._result_cells(code, score, results.get(code, ItemResult())), strict=True):
                if self.get_cell(code, column) != value:
                    self.update_cell(code, column, value)
        for part in card.parts:
            self.update_cell(f"part:{part.code}", "score", Text(right(fmt_2(part.score), "score"), "bold"))
            for section in part.sections:
                self.update_cell(f"section:{section.code}", "score", Text(right(fmt_2(section.score), "score"), "bold"))

    def _result_cells(self, code: str, score: ItemScore, result: ItemResult) -> tuple[str | Text, str, str]:
        proposal = self.proposals.get(code) if not score.is_scored else None
        flags = ("!" if code in self.unsaved else "") + ("S" if result.samples is not None else "") + ("E" if result.note else "")
        if proposal is not None:
            shown = self.t("na") if proposal.na else fmt_number(proposal.pct) if proposal.pct is not None else ""
            return Text(right(f"{shown}?", "pct"), "italic"), "", (flags + "P")[:2]
        pct = self.t("na") if score.na else fmt_number(score.pct) if score.pct is not None else ""
        return right(pct, "pct"), right(fmt_item(score.score) if score.is_scored else "", "score"), flags[:2]

    def on_resize(self) -> None:
        """Rebuild with the requirement text cut to the width the short columns leave."""
        fixed = sum(WIDTHS.values()) + 2 * self.cell_padding * len(COLUMNS)
        width = max(8, self.size.width - self.styles.scrollbar_size_vertical - fixed)
        if width != self._text_width:
            self._text_width = width
            self._build()

    def _build(self) -> None:
        keep = self.code
        self.clear(columns=True)
        self.row_codes = []
        for column in COLUMNS:
            self.add_column(self.t(f"col.{column}"), key=column, width=WIDTHS.get(column, self._text_width))
        for part in self.catalog.parts:
            self._add_group(f"part:{part.code}", part.code, "", part.points, part.title)
            for section in part.sections:
                self._add_group(f"section:{section.clause}", "", section.clause, section.points, section.title)
                for item in section.items:
                    self.add_row(item.code, item.clause, right(fmt_number(item.weight), "weight"), "", "", "",
                                 clip(item.text, self._text_width), key=item.code)
                    self.row_codes.append(item.code)
        self.go_to(keep or next(iter(self.catalog.items)))
        if self._shown:
            self.show(*self._shown)

    def _add_group(self, key: str, code: str, clause: str, points: Decimal, title: str) -> None:
        cells = (code, clause, right(fmt_number(points), "weight"), "", "", "", clip(title, self._text_width))
        self.add_row(*(Text(cell, "bold") for cell in cells), key=key)
        self.row_codes.append(None)

    def validate_cursor_coordinate(self, value: Coordinate) -> Coordinate:
        """Step over group rows in the direction the cursor moves."""
        value = super().validate_cursor_coordinate(value)
        if not self.row_codes or self.row_codes[value.row] is not None:
            return value
        step = 1 if value.row >= self.cursor_row else -1
        for direction in (step, -step):
            row = value.row
            while 0 <= row < len(self.row_codes) and self.row_codes[row] is None:
                row += direction
            if 0 <= row < len(self.row_codes):
                return Coordinate(row, value.column)
        return value

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        if old.row != new.row:
            self.clear_entry()

    def clear_entry(self) -> None:
        if self.entry:
            self.entry = ""
            self.post_message(self.EntryChanged(self.code or "", ""))

    def _enter(self, code: str, text: str) -> bool:
        """Score `code` with typed `text` and move on; False (the text kept, the error shown) if it is not valid."""
        pct = percentage(text)
        if pct is None:
            self.entry = text
            self.post_message(self.EntryChanged(code, text, self.t("error.pct", text=text)))
            return False
        self.entry = ""
        self.post_message(self.Entered(code, pct))
        self.move_after(code)
        return True

    def on_key(self, event: events.Key) -> None:
        """Collect a typed percentage.  While one is being typed every printable
        key goes into it, so a slip shows as an error instead of running a command."""
        code = self.code
        if code is None:
            return
        char = event.character.strip() if event.is_printable and event.character else ""
        if char and (self.entry or char in ENTRY_CHARACTERS or event.key not in self.screen.active_bindings):
            if self.read_only:
                event.stop()
                self.post_message(self.Refused())
                return
            self.entry += char
        elif self.entry and event.key == "backspace":
            self.entry = self.entry[:-1]
        elif self.entry and event.key == "escape":
            self.entry = ""
        elif self.entry and event.key == "enter":
            event.stop()
            self._enter(code, self.entry)
            return
        elif event.key == "enter" and code in self.proposals and not self._scored(code) and not self.read_only:
            event.stop()
            self.post_message(self.Entered(code, None, self.proposals[code]))
            self.move_after(code)
            return
        else:
            return
        event.stop()
        self.post_message(self.EntryChanged(code, self.entry))

    def _scored(self, code: str) -> bool:
        return self._shown is not None and self._shown[1].get(code, ItemResult()).is_scored

    def on_paste(self, event: events.Paste) -> None:
        """A column of percentages (one a line, from a spreadsheet): consecutive items from the cursor.
        An empty line leaves its item as it is; the first value that is not a percentage stops
        there, kept in the entry with the error."""
        event.stop()
        if self.read_only:
            self.post_message(self.Refused())
            return
        values = event.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        while values and not values[-1].strip():
            values.pop()
        code = self.code
        for i, value in enumerate(values):
            if code is None:
                return
            text = value.strip()
            if text and not self._enter(code, text):
                return
            if not text:
                self.move_after(code)
            after = self.next_code(code)
            if after is None and i + 1 < len(values):
                self.post_message(self.EntryChanged(code, "", self.t("paste.too_many", n=len(values) - i - 1)))
                return
            code = after
