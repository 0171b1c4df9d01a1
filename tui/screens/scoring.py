"""On-site scoring: every item, its result, and the totals, updated on every change.

Each scored item is saved at once (in the background, so typing never waits
for git), so an auditor on site never thinks about saving.  Results are
built as `ItemResult` and checked with its own `problems()`, the same rules
a hand-edited file is checked with; a rejected entry stays on screen with
the reason and nothing is saved.  After a percentage, N/A or samples the
cursor moves to the next item.  A follow-up audit offers last year's
results as proposals ("95?"): Enter takes one, typing another replaces it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label

from auditdesk.audit.document import Special
from auditdesk.criteria.results import ItemResult, sampled_result
from auditdesk.criteria.scoring import Scorecard, fmt_number
from auditdesk.tui.dialogs.form import Check, Field, FormDialog
from auditdesk.tui.dialogs.special import SpecialDialog
from auditdesk.tui.screens.base import AuditScreen
from auditdesk.tui.shown import shown
from auditdesk.tui.widgets.item_detail import ItemDetail
from auditdesk.tui.widgets.score_summary import ScoreSummary
from auditdesk.tui.widgets.score_table import ScoreTable, percentage


class ScoringScreen(AuditScreen):
    MODE = "scoring"
    BINDINGS = [
        Binding("n", "na", "key.na", id="scoring.na"),
        Binding("s", "samples", "key.samples", id="scoring.samples"),
        Binding("e", "note", "key.note", id="scoring.note"),
        Binding("u", "next_unscored", "key.next_unscored", id="scoring.next_unscored"),
        Binding("g", "goto", "key.goto", id="scoring.goto"),
        Binding("f", "fill_section", "key.fill", id="scoring.fill", show=False),
        Binding("x", "special", "key.special", id="scoring.special", show=False),
        Binding("m", "sampling", "key.sampling", id="scoring.sampling", show=False),
        Binding("delete", "clear", "key.clear", id="scoring.clear", show=False),
    ]
    TYPING = [("0-100 Enter", "help.type_pct"), ("Enter", "help.take_proposal"), ("Esc", "help.clear_entry"),
              ("Paste", "help.paste")]
    """Keys that are not bindings (typing), for F1."""

    def compose_body(self) -> ComposeResult:
        yield ScoreSummary(self.t)
        yield ScoreTable(self.session.catalog, self.t)
        yield Label(id="entry", markup=False)
        yield ItemDetail(self.t)

    @property
    def table(self) -> ScoreTable:
        return self.query_one(ScoreTable)

    def show_audit(self, reloaded: bool = False) -> None:
        card = self.session.scorecard()
        table = self.table
        table.read_only = self.session.refusal is not None
        table.proposals = self.session.proposals
        table.unsaved = {target[6:] for target in self.session.unsaved if target.startswith("items.")}
        self.query_one(ScoreSummary).show(card)
        table.show(card, self.session.audit.items)
        self._show_item(card)
        table.focus()

    def show_saved(self) -> None:
        """Flag the items whose save failed (redrawn only when that changes)."""
        unsaved = {target[6:] for target in self.session.unsaved if target.startswith("items.")}
        if unsaved != self.table.unsaved:
            self.show_audit()
        elif self.table.code is not None:
            self._show_item()

    def half_typed(self) -> list[str]:
        table = self.table
        return [self.t("entry.prompt", code=table.code, text=table.entry)] if table.entry and table.code else []

    def _show_item(self, card: Scorecard | None = None) -> None:
        code = self.table.code
        if code is None:
            return
        card = card or self.session.scorecard()
        self.query_one(ItemDetail).show(self.session.catalog.items[code], self._result(code), card.items[code],
                                        self.session.proposals.get(code), self.session.unsaved.get(f"items.{code}", ""))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_item()
        self._entry_hint()

    def _entry_hint(self, text: str = "", error: str = "") -> None:
        entry = self.query_one("#entry", Label)
        code = self.table.code or ""
        proposal = self.session.proposals.get(code)
        if text or error:
            prompt = self.t("entry.prompt", code=code, text=text + "_")
        elif proposal is not None and not self._result(code).is_scored:
            prompt = self.t("entry.proposal", code=code, value=self.t("na") if proposal.na else fmt_number(proposal.pct or Decimal(0)))
        else:
            prompt = self.t("entry.hint")
        entry.update(f"{prompt}  ! {error}" if error else prompt, layout=False)  # one line, always
        entry.set_class(bool(error), "-error")

    def _result(self, code: str) -> ItemResult:
        return self.session.audit.items.get(code, ItemResult())

    def _record(self, code: str, result: ItemResult) -> None:
        """Keep a result: update every figure on screen, then save (in the background)."""
        self.session.set_item(code, result)
        self.show_audit()
        self.edited()

    def go_to(self, field: str) -> None:
        """Unscored items: the first of them; the sampling statement and special items: their dialogs."""
        if field == "onsite.sampling":
            self.action_sampling()
        elif field.startswith("onsite.special"):
            self.action_special()
        else:
            card = self.session.scorecard()
            if card.unscored:
                self.table.go_to(card.unscored[0])

    # --- typed percentage --------------------------------------------------

    def on_score_table_entry_changed(self, message: ScoreTable.EntryChanged) -> None:
        self._entry_hint(message.text, message.error)

    def on_score_table_refused(self) -> None:
        self.may_edit()

    def on_score_table_entered(self, message: ScoreTable.Entered) -> None:
        """The table has already moved on: `message.code` is the item the percentage was typed for."""
        if not self.may_edit():
            return
        old = self._result(message.code)
        if message.proposal is not None:
            result = dataclasses.replace(message.proposal, note=old.note)
        else:
            result = ItemResult(pct=message.pct, note=old.note)
        self._record(message.code, result)
        self._entry_hint()

    # --- dialogs -------------------------------------------------------------

    def _ask(self, title: str, fields: list[Field], check: Check | None, done: Callable[[dict[str, str]], None],
             intro: str = "") -> None:
        def closed(values: dict[str, str] | None) -> None:
            if values is not None:
                done(values)

        self.app.push_screen(FormDialog(title, fields, check, intro), closed)

    def action_na(self) -> None:
        code = self.table.code
        if code is None or not self.may_edit():
            return
        old = self._result(code)

        def result(values: dict[str, str]) -> ItemResult:
            return ItemResult(na=True, reason=values["reason"].strip(), note=old.note)

        def done(values: dict[str, str]) -> None:
            self._record(code, result(values))
            self.table.move_after(code)

        self._ask(self.t("na.title", code=code), [Field("reason", self.t("na.reason"), old.reason)],
                  lambda v: ("reason", self.t("error.reason")) if result(v).problems() else None, done)

    def action_samples(self) -> None:
        code = self.table.code
        if code is None or not self.may_edit():
            return
        old = self._result(code)

        def result(values: dict[str, str]) -> ItemResult | tuple[str, str]:
            counts = {}
            for name in ("n", "k"):
                text = values[name].strip()
                if not text.isdigit():
                    return name, self.t("error.integer", text=text)
                counts[name] = int(text)
            n, k = counts["n"], counts["k"]
            sampled = sampled_result(n, k, old.note)
            for name, _ in sampled.problems():
                return ("n", self.t("error.samples")) if name == "samples" else ("k", self.t("error.nonconforming", n=n))
            return sampled

        fields = [
            Field("n", self.t("samples.n"), "" if old.samples is None else str(old.samples)),
            Field("k", self.t("samples.k"), "" if old.nonconforming is None else str(old.nonconforming)),
        ]

        def check(values: dict[str, str]) -> tuple[str, str] | None:
            outcome = result(values)
            return outcome if isinstance(outcome, tuple) else None

        def done(values: dict[str, str]) -> None:
            outcome = result(values)
            assert isinstance(outcome, ItemResult)
            self._record(code, outcome)
            self.table.move_after(code)

        self._ask(self.t("samples.title", code=code), fields, check, done)

    def action_note(self) -> None:
        code = self.table.code
        if code is None or not self.may_edit():
            return
        old = self._result(code)
        self._ask(self.t("note.title", code=code), [Field("note", self.t("note.label"), old.note, multiline=True)], None,
                  lambda v: self._record(code, dataclasses.replace(self._result(code), note=v["note"].strip())))

    def action_clear(self) -> None:
        code = self.table.code
        if code is not None and code in self.session.audit.items and self.may_edit():
            self._record(code, ItemResult(note=self._result(code).note))

    def action_goto(self) -> None:
        items = self.session.catalog.items
        self._ask(self.t("goto.title"), [Field("code", self.t("goto.code"))],
                  lambda v: None if v["code"].strip().upper() in items else ("code", self.t("goto.unknown", code=shown(v["code"].strip()))),
                  lambda v: self.table.go_to(v["code"].strip().upper()))

    def action_next_unscored(self) -> None:
        """The first unscored item from the cursor on, the cursor's own item included (then around)."""
        card = self.session.scorecard()
        codes = list(self.session.catalog.items)
        here = codes.index(self.table.code) if self.table.code else 0
        unscored = [code for code in codes[here:] + codes[:here] if not card.items[code].is_scored]
        if not unscored:
            self.status(self.t("all_scored"))
            return
        self.table.go_to(unscored[0])
        self.status(self.t("unscored.left", code=unscored[0], n=len(unscored)))

    def action_fill_section(self) -> None:
        """Every unscored item of the cursor's section to one percentage, after saying which."""
        code = self.table.code
        if code is None or not self.may_edit():
            return
        section = next(s for part in self.session.catalog.parts for s in part.sections if code in {i.code for i in s.items})
        card = self.session.scorecard()
        todo = [item.code for item in section.items if not card.items[item.code].is_scored]
        if not todo:
            self.status(self.t("fill.none", section=section.clause))
            return

        def check(values: dict[str, str]) -> tuple[str, str] | None:
            return None if percentage(values["pct"]) is not None else ("pct", self.t("error.pct", text=shown(values["pct"])))

        def done(values: dict[str, str]) -> None:
            pct = percentage(values["pct"])
            assert pct is not None
            self.session.set_many({f"items.{c}": ItemResult(pct=pct, note=self._result(c).note) for c in todo},
                                  label=self.t("fill.undo", section=section.clause))
            self.show_audit()
            self.edited()
            self.status(self.t("fill.done", n=len(todo), pct=fmt_number(pct), section=section.clause))

        intro = self.t("fill.intro", n=len(todo), codes=", ".join(todo), section=section.clause)
        self._ask(self.t("fill.title", section=section.clause), [Field("pct", self.t("fill.pct"))], check, done, intro)

    def action_sampling(self) -> None:
        if not self.may_edit():
            return

        def done(values: dict[str, str]) -> None:
            self.session.set("onsite.sampling", values["sampling"].strip())
            self.edited()

        self._ask(self.t("sampling.title"),
                  [Field("sampling", self.t("sampling.label"), self.session.audit.onsite.sampling, multiline=True)], None, done)

    def action_special(self) -> None:
        if not self.may_edit():
            return

        def done(special: Special | None) -> None:
            if special is not None:
                self.session.set("onsite.special", special, label=self.t("key.special"))
                self.show_audit()
                self.edited()

        self.app.push_screen(SpecialDialog(self.session.audit.onsite.special), done)
