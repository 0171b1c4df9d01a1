"""planning > on-site > [conclusion] > review > approved, and what the next stage waits for.

The current stage is in brackets (readable without colour) and only ASCII
joins the names, so the line lines up in any terminal.  When the full names
do not fit (80 columns) the short ones are used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from auditdesk.audit.document import STAGE_ORDER, Audit
from auditdesk.audit.stages import GATES, Gap, gaps, next_stage
from auditdesk.criteria.catalog import Catalog
from auditdesk.tui.i18n import Translator

if TYPE_CHECKING:
    from auditdesk.tui.session import AuditSession


def blocking(audit: Audit, catalog: Catalog) -> list[Gap]:
    """What stops the audit leaving its stage, with fields: the gaps `stages.blockers` lists."""
    gate = GATES.get(audit.stage)
    return [] if gate is None else [gap for gap in gaps(audit, catalog) if gate(gap)]


class StageProgress(Widget):
    def __init__(self, session: AuditSession, t: Translator) -> None:
        super().__init__(id="stage-progress")
        self.session = session
        self.t = t
        self.keys: dict[str, str] = {}
        """The keys of stage.blockers and stage.advance as the user has them (set by the audit bar)."""

    def hint(self) -> str:
        """What the next step waits for, naming the key that acts on it."""
        t, audit = self.t, self.session.audit
        target = next_stage(audit.stage)
        if audit.stage == "review":
            return t("progress.review")
        if audit.stage == "approved" or target is None:
            return t("progress.approved")
        label = t.vocabulary("stage")[target]
        count = len(blocking(audit, self.session.catalog))
        if count:
            return t("progress.todo", key=self.keys.get("stage.blockers", "stage.blockers"), n=count, stage=label)
        return t("progress.submit" if target == "review" else "progress.ready", key=self.keys.get("stage.advance", "stage.advance"),
                 stage=label)

    def render(self) -> Text:
        t, stage = self.t, self.session.audit.stage
        hint = "  " + self.hint()
        full = t.vocabulary("stage")
        for names in (full, {code: t(f"stage.short.{code}") for code in full}):
            line = Text()
            for i, code in enumerate(STAGE_ORDER):
                if i:
                    line.append(" > ")
                line.append(f"[{names[code]}]" if code == stage else names[code], style="bold reverse" if code == stage else "")
            if cell_len(line.plain + hint) <= self.size.width:
                break
        line.append(hint)
        return line
