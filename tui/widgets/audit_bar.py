"""The top of every audit screen: which audit, its stage, the views, save state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label

if TYPE_CHECKING:
    from auditdesk.tui.session import AuditSession


class AuditBar(Vertical):
    """Line 1: project, organisation, stage, save state.  Line 2: the views and
    their keys, the current one in brackets (readable without colour)."""

    def __init__(self, session: "AuditSession", view: str) -> None:
        """`view` is the mode of the screen the bar sits on (scoring, planning...)."""
        super().__init__()
        self.session = session
        self.view = view

    def compose(self) -> ComposeResult:
        with Horizontal(id="audit-line"):
            yield Label(id="audit-title", markup=False)
            yield Label(id="save-state", markup=False)
        yield Label(id="audit-tabs", markup=False)

    def on_mount(self) -> None:
        self.watch(self.app, "save_state", self._show_save_state)
        self.show()

    def _show_save_state(self, state: str) -> None:
        label = self.query_one("#save-state", Label)
        label.update(state)
        label.set_class(state.startswith("!"), "-error")

    def show(self) -> None:
        app = self.app
        audit = self.session.audit
        stage = app.t.vocabulary("stage")[audit.stage]  # type: ignore[attr-defined]
        self.query_one("#audit-title", Label).update(f"{audit.project_no}  {audit.planning.organisation}  [{stage}]")
        views = {}
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if binding.id and binding.id.startswith("view."):
                views[binding.id] = f"{app.get_key_display(binding)} {binding.description}"
        tabs = Text()
        for binding in type(app).BINDINGS:
            label = views.get(getattr(binding, "id", None) or "")
            if label:
                current = binding.id == f"view.{self.view}"  # type: ignore[union-attr]
                tabs.append(f"[{label}]" if current else f" {label} ", style="bold reverse" if current else "")
        self.query_one("#audit-tabs", Label).update(tabs)
