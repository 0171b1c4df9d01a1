"""A table of records (team members, sub-sites) edited one record at a time.

`a` adds, Enter edits, `d` deletes: the table says which (`Edit`, `Delete`,
with the row the cursor was on when the key was pressed) and the screen
asks for the record and changes the audit; the screen then sets `records`,
so the table always shows the audit as it is, never a copy of its own.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from auditdesk.tui.i18n import Translator
from auditdesk.tui.shown import shown

CHOICES = {"role": "role"}
"""Record attributes chosen from a vocabulary (attribute: vocabulary kind)."""


class RecordList(DataTable[Text]):
    BINDINGS = [
        Binding("a", "add", "table.add", id="records.add"),
        Binding("enter", "edit", "table.edit", id="records.edit"),
        Binding("d", "delete", "table.delete", id="records.delete"),
    ]

    class _RecordMessage(Message):
        """A change asked for on one record (`record` as shown then)."""

        def __init__(self, records_list: RecordList, index: int | None, record: Any) -> None:
            super().__init__()
            self.records_list = records_list
            self.index = index
            self.record = record

        @property
        def control(self) -> RecordList:
            return self.records_list

    class Edit(_RecordMessage):
        """Add a record (`index` None) or edit the one at `index`."""

    class Delete(_RecordMessage):
        """Delete the record at `index`."""

        index: int

    def __init__(self, path: str, record: type, columns: tuple[str, ...], t: Translator, *, id: str) -> None:
        super().__init__(cursor_type="row", id=id)
        self.path = path
        self.record = record
        self.columns_shown = columns
        self.t = t
        self._records: tuple[Any, ...] = ()

    def label(self, attribute: str) -> str:
        return self.t(f"{self.path.rpartition('.')[2]}.{attribute}")

    def on_mount(self) -> None:
        for attribute in self.columns_shown:
            self.add_column(self.label(attribute), key=attribute)
        self._show(None)

    @property
    def records(self) -> tuple[Any, ...]:
        return self._records

    @records.setter
    def records(self, records: tuple[Any, ...]) -> None:
        """Show these records (set by the screen from the audit); the cursor stays on its record."""
        keep = self._records[self.cursor_row] if self._records and self.cursor_row < len(self._records) else None
        self._records = tuple(records)
        if self.is_mounted:
            self._show(keep)

    def _show(self, keep: Any) -> None:
        self.clear()
        for record in self._records:
            self.add_row(*(self._cell(record, attribute) for attribute in self.columns_shown))
        if not self._records:
            self.add_row(Text(self.t("table.empty")), *[Text()] * (len(self.columns_shown) - 1), key="empty")
        elif keep in self._records:
            self.move_cursor(row=self._records.index(keep))

    def _cell(self, record: Any, attribute: str) -> Text:
        """As typed, escaped: Text, so that "ISC[S]0074" is not read as markup."""
        value = getattr(record, attribute)
        return Text(self.t.vocabulary(CHOICES[attribute]).get(value, shown(value)) if attribute in CHOICES else shown(value))

    def action_add(self) -> None:
        self.post_message(self.Edit(self, None, None))

    def action_edit(self) -> None:
        if self._records:
            self.post_message(self.Edit(self, self.cursor_row, self._records[self.cursor_row]))

    def action_delete(self) -> None:
        if self._records:
            self.post_message(self.Delete(self, self.cursor_row, self._records[self.cursor_row]))
