"""A one-line choice among a few values, changed with Left/Right or Space.

Used instead of Select and Checkbox: those draw with arrow and block glyphs
that are ambiguous-width, and misalign in terminals set to "ambiguous =
wide" (common with Chinese fonts); this draws only "< label >", as wide as
the chosen label (the layout follows every change).  Each step says
`Changed` (the form keeps the value in the audit at once); Enter says
`Committed`, as does leaving the field, so a form saves once per choice,
not once per arrow key.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from auditdesk.tui.shown import shown

V = TypeVar("V")


class ChoiceField(Widget, Generic[V], can_focus=True):
    BINDINGS = [
        Binding("right,space", "step(1)", "choice.next", id="choice.next", show=False),
        Binding("left", "step(-1)", "choice.previous", id="choice.previous", show=False),
    ]

    index: reactive[int] = reactive(0, layout=True)

    class Changed(Message):
        def __init__(self, field: ChoiceField[object], value: object) -> None:
            super().__init__()
            self.field = field
            self.value = value

        @property
        def control(self) -> ChoiceField[object]:
            return self.field

    class Committed(Message):
        """Enter on the field: the choice is made (the key goes on, so a dialog still confirms)."""

        def __init__(self, field: ChoiceField[object]) -> None:
            super().__init__()
            self.field = field

        @property
        def control(self) -> ChoiceField[object]:
            return self.field

    def __init__(self, options: list[tuple[V, str]], value: V, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.options = options
        self.set_reactive(ChoiceField.index, self._index_of(value))

    def _index_of(self, value: V) -> int:
        values = [v for v, _ in self.options]
        return values.index(value) if value in values else 0

    @property
    def value(self) -> V:
        return self.options[self.index][0]

    @value.setter
    def value(self, value: V) -> None:
        """Set from the model: no Changed message."""
        self.set_reactive(ChoiceField.index, self._index_of(value))
        self.refresh(layout=True)

    def render(self) -> Text:
        return Text(f"< {shown(self.options[self.index][1])} >")

    def action_step(self, step: int) -> None:
        self.index = (self.index + step) % len(self.options)
        self.post_message(self.Changed(self, self.value))  # type: ignore[arg-type]

    def on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            self.post_message(self.Committed(self))  # type: ignore[arg-type]
