"""Special items (特别项): deductions of one point each, at most one bonus point.

Edited on a copy: Ctrl+S keeps the changes, Esc drops them (asking first
when something changed).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from auditdesk.audit.document import Special
from auditdesk.criteria.results import SPECIAL_KINDS, SpecialBonus, SpecialDeduction
from auditdesk.tui.dialogs.base import Dialog
from auditdesk.tui.dialogs.form import Field, FormDialog
from auditdesk.tui.shown import shown
from auditdesk.tui.values import parse_date, show_date


class SpecialDialog(Dialog):
    BINDINGS = [
        Binding("a", "add", "special.add", id="special.add"),
        Binding("enter", "edit", "special.edit", id="special.edit"),
        Binding("d", "delete", "special.delete", id="special.delete"),
        Binding("b", "bonus", "special.set_bonus", id="special.bonus"),
        Binding("ctrl+s", "confirm", "dialog.ok", id="dialog.confirm"),
        Binding("escape", "cancel", "dialog.cancel", id="dialog.cancel"),
    ]

    def __init__(self, special: Special) -> None:
        super().__init__()
        self.original = special
        self.deductions = list(special.deductions)
        self.bonus = special.bonus
        self._warned = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.t("special.title"), id="dialog-title", markup=False)
            yield OptionList(id="special-items")
            yield Label(self._keys(), id="dialog-keys", markup=False)

    def _keys(self) -> str:
        shown = ("special.add", "special.edit", "special.delete", "special.bonus", "dialog.confirm", "dialog.cancel")
        return "  ".join(f"{self.app.get_key_display(b)} {self.t(b.description)}"
                         for b in self.BINDINGS if isinstance(b, Binding) and b.id in shown)

    def on_mount(self) -> None:
        self._show()

    def _show(self, highlight: int | None = None) -> None:
        kinds = self.t.vocabulary("special_kind")
        items = self.query_one(OptionList)
        items.clear_options()
        for i, d in enumerate(self.deductions):
            items.add_option(Option(Text(self.t("special.deduction", kind=kinds[d.kind], description=shown(d.description))), id=str(i)))
        if self.bonus:
            items.add_option(Option(Text(self.t("special.bonus", description=shown(self.bonus.description))), id="bonus"))
        if not items.option_count:
            items.add_option(Option(self.t("special.none"), id="none", disabled=True))
        items.highlighted = highlight if highlight is not None and highlight < items.option_count else 0
        items.focus()

    def _selected(self) -> str | None:
        items = self.query_one(OptionList)
        if items.highlighted is None:
            return None
        return items.get_option_at_index(items.highlighted).id

    def _ask_deduction(self, index: int | None) -> None:
        old = self.deductions[index] if index is not None else SpecialDeduction("law", "")
        kinds = self.t.vocabulary("special_kind")
        fields = [
            Field("kind", self.t("special.kind"), old.kind, tuple((k, kinds[k]) for k in SPECIAL_KINDS)),
            Field("description", self.t("special.description"), old.description),
            Field("nonconformity", self.t("special.nonconformity"), old.nonconformity),
            Field("corrective_action", self.t("special.corrective"), old.corrective_action),
            Field("owner", self.t("special.owner"), old.owner),
            Field("due", self.t("special.due"), show_date(old.due)),
        ]

        def check(values: dict[str, str]) -> tuple[str, str] | None:
            if not values["description"].strip():
                return "description", self.t("error.required")
            try:
                parse_date(values["due"])
            except ValueError:
                return "due", self.t("error.date", text=values["due"])
            return None

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return
            deduction = SpecialDeduction(
                values["kind"], values["description"].strip(), values["nonconformity"].strip(),  # type: ignore[arg-type]
                values["corrective_action"].strip(), values["owner"].strip(), parse_date(values["due"]),
            )
            if index is None:
                self.deductions.append(deduction)
            else:
                self.deductions[index] = deduction
            self._show(len(self.deductions) - 1 if index is None else index)

        self.app.push_screen(FormDialog(self.t("special.deduction_title"), fields, check), done)

    def on_option_list_option_selected(self) -> None:
        self.action_edit()

    def action_add(self) -> None:
        self._ask_deduction(None)

    def action_edit(self) -> None:
        selected = self._selected()
        if selected == "bonus":
            self.action_bonus()
        elif selected and selected.isdigit():
            self._ask_deduction(int(selected))

    def action_delete(self) -> None:
        selected = self._selected()
        if selected == "bonus":
            self.bonus = None
        elif selected and selected.isdigit():
            del self.deductions[int(selected)]
        self._show()

    def action_bonus(self) -> None:
        def done(values: dict[str, str] | None) -> None:
            if values is not None:
                text = values["description"].strip()
                self.bonus = SpecialBonus(text) if text else None
                self._show()

        field = Field("description", self.t("special.description"), self.bonus.description if self.bonus else "")
        self.app.push_screen(FormDialog(self.t("special.bonus_title"), [field]), done)

    def _result(self) -> Special:
        return Special(tuple(self.deductions), self.bonus)

    def action_confirm(self) -> None:
        self.dismiss(self._result())

    def action_cancel(self) -> None:
        if self._result() != self.original and not self._warned:
            self._warned = True
            self.query_one("#dialog-keys", Label).update(self.t("dialog.discard"))
            return
        self.dismiss(None)
