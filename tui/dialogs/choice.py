"""A question with a few answers: Enter or the answer's number picks it."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from auditdesk.tui.dialogs.base import Dialog
from auditdesk.tui.shown import shown


class ChoiceDialog(Dialog):
    """Dismisses with the chosen answer's value, or None on Esc (never a destructive answer)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "dialog.cancel", id="dialog.cancel")]

    def __init__(self, title: str, text: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(shown(self.title_text), id="dialog-title", markup=False)
            yield Label(shown(self.text, lines=True), id="dialog-text", markup=False)
            yield OptionList(*(Option(Text(f"{i} {shown(label)}"), id=value) for i, (value, label) in enumerate(self.choices, 1)))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit() and 1 <= int(event.character) <= len(self.choices):
            event.stop()
            self.dismiss(self.choices[int(event.character) - 1][0])
