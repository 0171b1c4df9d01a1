"""One line above the footer for what just happened or went wrong."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from auditdesk.tui.shown import shown


class StatusLine(Static):
    """Errors are prefixed with "!" so they stand out without colour too.  Its size is
    fixed (one line, the screen's width), so showing a message lays nothing out again.  What is shown
    may quote stored text (a name, a reason), so it goes through `shown`."""

    def __init__(self) -> None:
        super().__init__("", markup=False)

    def show(self, text: str, error: bool = False) -> None:
        self.set_class(error, "-error")
        self.update(Text(shown(f"! {text}" if error else text)), layout=False)  # one line, always: no relayout
