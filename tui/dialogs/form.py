"""A small modal form: a few fields, checked before it closes.

Used wherever one action needs a few values (the N/A reason, samples, an
evidence note, a new audit...).  The caller's `check` sees every value and
names the field that is wrong; the message is shown under that field and
the dialog stays open, so nothing typed is lost to a mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Label, TextArea

from auditdesk.tui.dialogs.base import Dialog
from auditdesk.tui.shown import shown
from auditdesk.tui.widgets.choice_field import ChoiceField


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    value: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    """(value, label) pairs: the field is a choice when given."""
    multiline: bool = False


Check = Callable[[dict[str, str]], "tuple[str, str] | None"]
"""Returns (field name, message) for the first problem, or None."""


class FormDialog(Dialog):
    """Dismisses with the values by field name, or None when cancelled."""

    AUTO_FOCUS = "Input, TextArea, ChoiceField"
    BINDINGS = [
        Binding("ctrl+s", "confirm", "dialog.ok", id="dialog.confirm"),
        Binding("enter", "confirm", "dialog.ok", show=False),
        Binding("escape", "cancel", "dialog.cancel", id="dialog.cancel"),
    ]

    def __init__(self, title: str, fields: list[Field], check: Check | None = None, intro: str = "") -> None:
        """`intro` is a line or two under the title saying what confirming does."""
        super().__init__()
        self.title_text = title
        self.intro = intro
        self.fields = fields
        self.check = check
        self._warned = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(shown(self.title_text), id="dialog-title", markup=False)
            if self.intro:
                yield Label(self.intro, id="dialog-intro", markup=False)
            with VerticalScroll(id="dialog-fields"):
                for field in self.fields:
                    yield Label(field.label, classes="field-label", markup=False)
                    yield self._widget(field)
                    error = Label("", id=f"error-{field.name}", classes="field-error", markup=False)
                    error.display = False
                    yield error
            multiline = any(f.multiline for f in self.fields)
            yield Label(self.t("dialog.keys_multiline" if multiline else "dialog.keys"), id="dialog-keys", markup=False)

    def _widget(self, field: Field) -> Widget:
        name = f"field-{field.name}"
        if field.choices:
            return ChoiceField(list(field.choices), field.value, id=name)
        if field.multiline:
            return TextArea(shown(field.value, lines=True), soft_wrap=True, id=name)
        return Input(shown(field.value), compact=True, select_on_focus=True, id=name)

    def values(self) -> dict[str, str]:
        """What each field holds; a field still showing its starting value gives that value
        (control characters in it were shown escaped, not changed)."""
        out = {}
        for field in self.fields:
            widget = self.query_one(f"#field-{field.name}")
            if isinstance(widget, TextArea):
                out[field.name] = field.value if widget.text == shown(field.value, lines=True) else widget.text
            elif isinstance(widget, ChoiceField):
                out[field.name] = str(widget.value)
            else:
                text = widget.value  # type: ignore[attr-defined]
                out[field.name] = field.value if text == shown(field.value) else text
        return out

    def on_input_submitted(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        values = self.values()
        problem = self.check(values) if self.check else None
        for field in self.fields:
            message = problem[1] if problem and problem[0] == field.name else ""
            error = self.query_one(f"#error-{field.name}", Label)
            error.update(f"! {message}")
            error.display = bool(message)
        if problem:
            widget = self.query_one(f"#field-{problem[0]}")
            if isinstance(widget, Input):  # to fix what was typed: the cursor at its end, nothing selected
                widget.select_on_focus = False  # (set before focusing: keys typed next must not replace it all)
                widget.cursor_position = len(widget.value)
            widget.focus()
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        """Esc closes at once only when nothing was typed; otherwise it asks for a second Esc."""
        changed = self.values() != {f.name: f.value for f in self.fields}
        if changed and not self._warned:
            self._warned = True
            self.query_one("#dialog-keys", Label).update(self.t("dialog.discard"))
            return
        self.dismiss(None)
