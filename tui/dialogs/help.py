"""F1: the keys of the screen you came from, with the ids a keymap can remap, and
what typing does there (the screen's `TYPING`: keys that are not bindings)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static

from auditdesk.tui.dialogs.base import Dialog


class HelpScreen(Dialog):
    BINDINGS = [
        Binding("escape,f1", "dismiss(None)", "help.close", id="help.close"),
    ]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        rows = []
        seen = set()
        for active in self.under.active_bindings.values():
            binding = active.binding
            if binding.id and binding.id not in seen:
                seen.add(binding.id)
                rows.append((self.app.get_key_display(binding), binding.description, binding.id))
        typing = [(keys, self.t(msgid)) for keys, msgid in getattr(self.under, "TYPING", [])]
        width = max((len(key) for key, _, _ in rows), default=0)
        table = Text()
        for key, description, binding_id in rows:
            table.append(f"{key:<{width}}  ", style="bold")
            table.append(description)
            table.append(f"  {binding_id}\n", style="dim")
        if typing:
            table.append(self.t("help.typing") + "\n")
            width = max(len(keys) for keys, _ in typing)
            for keys, description in typing:
                table.append(f"{keys:<{width}}  ", style="bold")
                table.append(description + "\n")
        with Vertical(id="dialog"):
            yield Label(self.t("help.intro"), id="dialog-title", markup=False)
            with VerticalScroll():
                yield Static(table, id="help-keys")
            yield Label(self.t("help.palette"), markup=False)
