"""The top of every audit screen: which audit, save state, its stage, the views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Label

from auditdesk.tui.i18n import Translator
from auditdesk.tui.shown import shown
from auditdesk.tui.widgets.stage_progress import StageProgress

if TYPE_CHECKING:
    from auditdesk.tui.session import AuditSession


class AuditBar(Vertical):
    """Line 1: project, organisation, save state.  Line 2: the stages, what the
    next one waits for.  Line 3: the views and their keys, the current one in
    brackets (readable without colour)."""

    def __init__(self, session: AuditSession, view: str, t: Translator) -> None:
        """`view` is the mode of the screen the bar sits on (scoring, planning...)."""
        super().__init__()
        self.session = session
        self.view = view
        self.t = t

    def compose(self) -> ComposeResult:
        with Horizontal(id="audit-line"):
            yield Label(id="audit-title", markup=False)
            yield Label(id="save-state", markup=False)
        yield StageProgress(self.session, self.t)
        yield Label(id="audit-tabs", markup=False)

    def on_mount(self) -> None:
        self.watch(self.app, "save_state", self._show_save_state)
        self.show()

    def _show_save_state(self, state: str) -> None:
        label = self.query_one("#save-state", Label)
        old = str(label.content)
        if old != state:
            label.update(state, layout=cell_len(old) != cell_len(state))  # "saved abc1234" after "saved 1234abc": no relayout
        label.set_class(state.startswith("!"), "-error")

    def show(self) -> None:
        app = self.app
        audit = self.session.audit
        self._update("#audit-title", shown(f"{audit.project_no}  {audit.planning.organisation}"))
        views: dict[str, str] = {}
        keys: dict[str, str] = {}
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if binding.id:
                keys.setdefault(binding.id, app.get_key_display(binding))
            if binding.id and binding.id.startswith("view."):
                views[binding.id] = f"{app.get_key_display(binding)} {binding.description}"
        progress = self.query_one(StageProgress)
        progress.keys = keys
        progress.refresh()
        tabs = Text()
        for declared in type(app).BINDINGS:
            if not isinstance(declared, Binding):
                continue
            label = views.get(declared.id or "")
            if label:
                current = declared.id == f"view.{self.view}"
                tabs.append(f"[{label}]" if current else f" {label} ", style="bold reverse" if current else "")
        self._update("#audit-tabs", tabs)

    def _update(self, selector: str, content: str | Text) -> None:
        """Change a label only when its text changes: an update lays out the whole screen."""
        label = self.query_one(selector, Label)
        if str(label.content) != str(content):
            label.update(content)
