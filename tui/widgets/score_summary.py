"""Part totals, total, applicable points, rate and star: always in view while scoring."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from auditdesk.criteria.scoring import Scorecard, fmt_2, fmt_number
from auditdesk.tui.i18n import Translator


def signed(value: object) -> str:
    text = fmt_number(value)  # type: ignore[arg-type]
    return text if text.startswith("-") or text == "0" else f"+{text}"


class ScoreSummary(Static):
    def __init__(self, t: Translator) -> None:
        super().__init__(id="score-summary")
        self.t = t

    def show(self, card: Scorecard) -> None:
        t = self.t
        line = Text()
        for part in card.parts:
            line.append(f"{part.code} {fmt_2(part.score)}/{fmt_number(part.points)}  ")
        line.append(t("summary.special", points=signed(card.special)))
        line.append("\n")
        line.append(t("summary.total", total=fmt_2(card.total), max=fmt_number(card.max)), style="bold")
        line.append("  " + t("summary.applicable", points=fmt_number(card.applicable)))
        line.append("  " + t("summary.rate", rate=fmt_2(card.rate)))
        line.append("  " + t("summary.star", star=card.star or ""), style="bold")
        unscored = len(card.unscored)
        line.append("  " + (t("summary.unscored", n=unscored) if unscored else t("summary.complete")))
        self.update(line, layout=False)  # two lines, always
