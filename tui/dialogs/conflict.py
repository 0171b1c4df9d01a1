"""Someone else saved the audit meanwhile: what they changed, and a choice for each field both changed.

Their changes to fields this session left alone are taken and named; each
field both sides changed is listed with both values and who set theirs,
with "mine" chosen until the user picks "theirs" (Left/Right).  The answer
is the store's field-by-field merge with those choices (`audit.merge`), or
keeping this version whole (their changes stay in the history), or
deciding later; nothing of theirs is overwritten without being named here.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from auditdesk.tui.dialogs.base import Dialog
from auditdesk.tui.widgets.choice_field import ChoiceField


@dataclass(frozen=True)
class ConflictRow:
    """One field changed on both sides: its path (the answer's key), label and both values, as shown."""

    field: str
    label: str
    mine: str
    theirs: str


class ConflictDialog(Dialog):
    """Dismisses with (action, {field: "ours" | "theirs"}), or None (Esc: decide later)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "dialog.later", id="dialog.cancel")]

    def __init__(self, title: str, text: str, taken: str, rows: list[ConflictRow], actions: list[tuple[str, str]]) -> None:
        """`taken` names what is taken from theirs ("" if nothing); `actions` are (value, label)."""
        super().__init__()
        self.title_text = title
        self.text = text
        self.taken = taken
        self.rows = rows
        self.actions = actions

    def compose(self) -> ComposeResult:
        t = self.t
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title", markup=False)
            yield Label(self.text, id="dialog-text", markup=False)
            if self.taken:
                yield Label(self.taken, id="dialog-taken", markup=False)
            if self.rows:
                yield Label(t("conflict.choose", n=len(self.rows)), id="dialog-choose", markup=False)
                with VerticalScroll(id="conflicts", can_focus=False):
                    for i, row in enumerate(self.rows):
                        with Horizontal(classes="conflict-row"):
                            yield Label(row.label, classes="conflict-field", markup=False)
                            yield Label(t("conflict.values", mine=row.mine, theirs=row.theirs), classes="conflict-values",
                                        markup=False)
                            yield ChoiceField([("ours", t("conflict.keep_mine")), ("theirs", t("conflict.keep_theirs"))], "ours",
                                              id=f"choice-{i}")
            yield OptionList(*(Option(f"{i} {label}", id=value) for i, (value, label) in enumerate(self.actions, 1)),
                             id="conflict-actions")

    def on_mount(self) -> None:
        """The first field to choose for, if any (Left/Right), else the answers."""
        (self.query_one("#choice-0", ChoiceField) if self.rows else self.query_one(OptionList)).focus()

    def choices(self) -> dict[str, str]:
        return {row.field: str(self.query_one(f"#choice-{i}", ChoiceField).value) for i, row in enumerate(self.rows)}

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss((event.option.id, self.choices()))

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit() and 1 <= int(event.character) <= len(self.actions):
            event.stop()
            self.dismiss((self.actions[int(event.character) - 1][0], self.choices()))
