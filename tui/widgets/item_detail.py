"""The highlighted item in full: requirement text, result, samples, evidence note."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from auditdesk.criteria.catalog import Item
from auditdesk.criteria.results import ItemResult
from auditdesk.criteria.scoring import ItemScore, fmt_item, fmt_number
from auditdesk.tui.i18n import Translator
from auditdesk.tui.shown import shown


class ItemDetail(Static):
    def __init__(self, t: Translator) -> None:
        super().__init__(id="item-detail")
        self.t = t

    def show(self, item: Item, result: ItemResult, score: ItemScore, proposal: ItemResult | None = None,
             unsaved: str = "") -> None:
        """`proposal`: last year's result, offered while the item is unscored; `unsaved`: why its save failed."""
        t = self.t
        text = Text()
        if unsaved:
            text.append(t("detail.unsaved", error=shown(unsaved)) + "\n", style="bold reverse")
        text.append(f"{item.code}  {item.clause}  ", style="bold")
        text.append(t("detail.weight", weight=fmt_number(item.weight)) + "  ")
        if score.na:
            text.append(t("detail.na", reason=shown(result.reason)), style="bold")
        elif score.pct is not None:
            text.append(t("detail.score", pct=fmt_number(score.pct), score=fmt_item(score.score)), style="bold")
        elif proposal is not None:
            value = t("na") if proposal.na else fmt_number(proposal.pct) if proposal.pct is not None else ""
            text.append(t("detail.proposal", value=value))
        else:
            text.append(t("detail.unscored"))
        if result.samples is not None:
            text.append("  " + t("detail.samples", n=result.samples, k=result.nonconforming))
        text.append("\n" + shown(item.text) + "\n")
        text.append(t("detail.note", note=shown(result.note, lines=True)) if result.note else t("detail.no_note"), style="italic")
        self.update(text, layout=False)  # five lines, always
