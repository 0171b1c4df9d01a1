"""A view of the audit that is one long form (planning, conclusion).

Choices and table edits save at once; typed text saves when you leave the
field (or switch view, or quit), so each save is one meaningful commit
rather than one per keystroke.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.widgets import Input, TextArea

from auditdesk.tui.screens.base import AuditScreen
from auditdesk.tui.widgets.form import Form, Spec


class FormScreen(AuditScreen):
    SPECS: ClassVar[list[Spec]] = []

    def compose_body(self) -> ComposeResult:
        yield Form(self.SPECS, lambda: self.session.audit, self.session.catalog, self.t, self.session.rejected)

    def show_audit(self, reloaded: bool = False) -> None:
        form = self.query_one(Form)
        if reloaded:
            form.load()
        else:
            form.show_state()
        read_only = self.session.refusal is not None
        for widget in form.query("Input, TextArea, ChoiceField, RecordList"):
            widget.disabled = read_only
        form.can_focus = read_only
        if not read_only:
            self.status(self.t("form.hint"))

    def go_to(self, field: str) -> None:
        """Focus the first field at or under `field` (planning.contact for its name)."""
        for spec in self.SPECS:
            if spec.kind not in ("info", "heading") and (spec.path == field or spec.path.startswith(field + ".")):
                widget = self.query_one(f"#{spec.id}")
                widget.focus()
                widget.scroll_visible()
                return

    def on_form_changed(self, message: Form.Changed) -> None:
        self.edited(save=message.save)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if isinstance(event.widget, (Input, TextArea)) and self.session.dirty:
            self.edited(save=True)
