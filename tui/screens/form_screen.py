"""A view of the audit that is one long form (planning, conclusion).

Table edits save at once; typed text and choices save when you leave the
field (or press Enter on a choice, switch view, or quit), so each save is
one meaningful commit rather than one per keystroke or arrow.  A change of
the team that would leave the acting user off it asks first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.widgets import Input, TextArea

from auditdesk.tui.dialogs.choice import ChoiceDialog
from auditdesk.tui.dialogs.form import Field, FormDialog
from auditdesk.tui.screens.base import AuditScreen
from auditdesk.tui.shown import shown
from auditdesk.tui.widgets.choice_field import ChoiceField
from auditdesk.tui.widgets.form import Form, Spec, get
from auditdesk.tui.widgets.record_list import CHOICES, RecordList


class FormScreen(AuditScreen):
    SPECS: ClassVar[list[Spec]] = []
    TYPING = [("Tab", "help.next_field"), ("Shift+Tab", "help.previous_field"), ("Left/Right", "help.choice")]

    def compose_body(self) -> ComposeResult:
        yield Form(self.SPECS, lambda: self.session.audit, self.session.catalog, self.t, self.session.rejected,
                   self.session.unsaved)

    @property
    def form(self) -> Form:
        return self.query_one(Form)

    def show_audit(self, reloaded: bool = False) -> None:
        form = self.form
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

    def show_saved(self) -> None:
        self.form.show_state()

    def go_to(self, field: str) -> None:
        """Focus the first field at or under `field` (planning.contact for its name)."""
        for spec in self.SPECS:
            if spec.kind not in ("info", "heading") and (spec.path == field or spec.path.startswith(field + ".")):
                widget = self.query_one(f"#{spec.id}")
                widget.focus()
                widget.scroll_visible()
                return

    def on_form_changed(self, message: Form.Changed) -> None:
        """A field's new value: into the audit at once (a team change that locks you out asks first)."""
        if not self.may_edit():
            return
        self._set(message.path, message.value, message.save)

    def _set(self, path: str, value: Any, save: bool) -> None:
        def apply() -> None:
            refused_before = self.session.refusal is not None
            self.session.set(path, value)
            if isinstance(value, tuple):
                self.form.load({path})  # a table shows the audit's rows, never a copy
            else:
                self.form.show_state()
            self.edited(save=save)
            if not refused_before and self.session.refusal is not None:  # the user chose to leave the team
                self.refresh_view()

        if self.desk.would_lock_out(path, value):
            self._ask_lock_out(path, value, apply)
        else:
            apply()

    def _ask_lock_out(self, path: str, value: Any, apply: Callable[[], None]) -> None:
        """Saving this would leave the acting user off the team: say what follows, and ask."""
        t, session, user = self.t, self.session, self.desk.user
        back = t("lockout.back", key=self.desk.key_of("team.rejoin")) if self._could_rejoin() else t("lockout.no_way_back")
        text = t("lockout.text", user=shown(user.name), project_no=session.project_no, back=back)
        choices = [("keep", t("lockout.keep")), ("save", t("lockout.save")), ("cancel", t("lockout.cancel"))]

        def chosen(choice: str | None) -> None:
            if choice == "save":
                apply()
            elif choice == "keep":
                self._set(path, self._with_me(value), True)
            else:
                self.form.load({path})

        self.app.push_screen(ChoiceDialog(t("lockout.title"), text, choices), chosen)

    def _could_rejoin(self) -> bool:
        audit, user = self.session.audit, self.desk.user
        return audit.created_by == user.name or any(m.name == user.name and m.role == "leader" for m in audit.planning.team)

    def _with_me(self, value: Any) -> Any:
        """`value` (a team) with the acting user's record on it, where it was before."""
        team = list(self.session.audit.planning.team)
        names = [m.name for m in team]
        if not isinstance(value, tuple) or self.desk.user.name not in names:
            return value
        at = names.index(self.desk.user.name)
        out = list(value)
        out.insert(min(at, len(out)), team[at])
        return tuple(out)

    # --- records (team members, sub-sites) ------------------------------------

    def on_record_list_edit(self, message: RecordList.Edit) -> None:
        if not self.may_edit():
            return
        table, old = message.records_list, message.record
        t = self.t
        fields = []
        for f in dataclasses.fields(table.record):
            value = getattr(old, f.name) if old is not None else (f.default if isinstance(f.default, str) else "")
            choices = tuple(t.vocabulary(CHOICES[f.name]).items()) if f.name in CHOICES else ()
            fields.append(Field(f.name, table.label(f.name), value, choices))
        first = fields[0].name

        def check(values: dict[str, str]) -> tuple[str, str] | None:
            return None if values[first].strip() else (first, t("error.required"))

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return
            record = table.record(**{name: value.strip() for name, value in values.items()})
            records = list(get(self.session.audit, table.path))  # the audit's rows now, not a copy from before
            if old is not None and old in records:
                records[records.index(old)] = record
            else:
                records.append(record)
            self._set(table.path, tuple(records), True)

        title = t("table.add") if old is None else f"{t('table.edit')}: {shown(getattr(old, first))}"
        self.app.push_screen(FormDialog(title, fields, check), done)

    def on_record_list_delete(self, message: RecordList.Delete) -> None:
        if not self.may_edit():
            return
        table = message.records_list
        records = list(get(self.session.audit, table.path))
        if message.record in records:
            records.remove(message.record)
            self._set(table.path, tuple(records), True)

    # --- saving when a field is left -----------------------------------------

    def on_choice_field_committed(self, message: ChoiceField.Committed) -> None:
        if self.session.dirty:
            self.edited(save=True)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if isinstance(event.widget, (Input, TextArea, ChoiceField)) and self.session.dirty:
            self.edited(save=True)
