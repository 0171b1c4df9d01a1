"""A table of records (team members, sub-sites) edited one record at a time.

`a` adds, Enter edits, `d` deletes; the record is edited in a small form,
so the table itself stays a compact read-only view at 80 columns.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from auditdesk.tui.dialogs.form import Field, FormDialog
from auditdesk.tui.i18n import Translator

CHOICES = {"role": "role"}
"""Record attributes chosen from a vocabulary (attribute: vocabulary kind)."""


class RecordList(DataTable[Text]):
    BINDINGS = [
        Binding("a", "add", "table.add", id="records.add"),
        Binding("enter", "edit", "table.edit", id="records.edit"),
        Binding("d", "delete", "table.delete", id="records.delete"),
    ]

    class Changed(Message):
        def __init__(self, records_list: RecordList, records: tuple[Any, ...]) -> None:
            super().__init__()
            self.records_list = records_list
            self.records = records

        @property
        def control(self) -> RecordList:
            return self.records_list

    def __init__(self, path: str, record: type, columns: tuple[str, ...], t: Translator, *, id: str) -> None:
        super().__init__(cursor_type="row", id=id)
        self.path = path
        self.record = record
        self.columns_shown = columns
        self.t = t
        self._records: tuple[Any, ...] = ()

    def _label(self, attribute: str) -> str:
        return self.t(f"{self.path.rpartition('.')[2]}.{attribute}")

    def on_mount(self) -> None:
        for attribute in self.columns_shown:
            self.add_column(self._label(attribute), key=attribute)

    @property
    def records(self) -> tuple[Any, ...]:
        return self._records

    @records.setter
    def records(self, records: tuple[Any, ...]) -> None:
        self._records = tuple(records)
        self.clear()
        for record in self._records:
            self.add_row(*(self._cell(record, attribute) for attribute in self.columns_shown))
        if not self._records:
            self.add_row(Text(self.t("table.empty")), *[Text()] * (len(self.columns_shown) - 1), key="empty")

    def _cell(self, record: Any, attribute: str) -> Text:
        """As typed: Text, so that "ISC[S]0074" is not read as markup."""
        value = getattr(record, attribute)
        return Text(self.t.vocabulary(CHOICES[attribute])[value] if attribute in CHOICES else str(value))

    def _ask(self, index: int | None) -> None:
        old = self._records[index] if index is not None else None
        fields = []
        for f in dataclasses.fields(self.record):
            value = getattr(old, f.name) if old else (f.default if isinstance(f.default, str) else "")
            choices = tuple(self.t.vocabulary(CHOICES[f.name]).items()) if f.name in CHOICES else ()
            fields.append(Field(f.name, self._label(f.name), value, choices))
        first = fields[0].name

        def check(values: dict[str, str]) -> tuple[str, str] | None:
            return None if values[first].strip() else (first, self.t("error.required"))

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return
            record = self.record(**{name: value.strip() for name, value in values.items()})
            records = list(self._records)
            if index is None:
                records.append(record)
            else:
                records[index] = record
            self.post_message(self.Changed(self, tuple(records)))

        title = self.t("table.add") if old is None else f"{self.t('table.edit')}: {getattr(old, first)}"
        self.app.push_screen(FormDialog(title, fields, check), done)

    def action_add(self) -> None:
        self._ask(None)

    def action_edit(self) -> None:
        if self._records:
            self._ask(self.cursor_row)

    def action_delete(self) -> None:
        if self._records:
            self.post_message(self.Changed(self, self._records[:self.cursor_row] + self._records[self.cursor_row + 1:]))
