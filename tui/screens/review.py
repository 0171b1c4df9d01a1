"""Review: the audit's history, and what changed between two revisions.

The diff is semantic (`diff_audits`): "B17 95 -> 97, total 138.33 -> 138.39",
not TOML lines.  The highlighted revision is compared with the one before
it, or with a revision marked as the base (`m`).
"""

from __future__ import annotations


from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from auditdesk.criteria.problems import AuditdeskError
from auditdesk.store.diff import diff_audits
from auditdesk.store.gitrepo import GitError, Revision
from auditdesk.tui.screens.base import AuditScreen
from auditdesk.tui.session import AuditSession


class ReviewScreen(AuditScreen):
    MODE = "review"
    CSS_PATH = "review.tcss"
    BINDINGS = [Binding("m", "mark", "key.mark", id="review.mark")]

    def __init__(self, session: AuditSession) -> None:
        super().__init__(session)
        self.revisions: list[Revision] = []
        self.base: str | None = None
        """A revision marked to compare against, instead of each one's predecessor."""
        self._listed_edits = -1

    def compose_body(self) -> ComposeResult:
        yield DataTable(cursor_type="row", id="history")
        with VerticalScroll(id="diff-scroll", can_focus=False):
            yield Static(id="diff")

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one("#history", DataTable)
        for column in ("revision", "date", "author", "stage", "total"):
            table.add_column(self.t(f"col.{column}"), key=column)

    def show_audit(self, reloaded: bool = False) -> None:
        """List the history again when the audit was saved since it was last listed."""
        if self._listed_edits == self.session.edits:
            return
        self._listed_edits = self.session.edits
        table = self.query_one("#history", DataTable)
        table.clear()
        stages = self.t.vocabulary("stage")
        history = self.session.store.history(self.session.project_no)
        self.revisions = [revision for revision, _ in history]
        for revision, summary in history:
            table.add_row(revision.commit[:7], f"{revision.date:%Y-%m-%d %H:%M}", revision.author,
                          stages.get(summary.stage, summary.stage), summary.total, key=revision.commit)
        table.focus()
        self._show_diff()

    def on_data_table_row_highlighted(self) -> None:
        self._show_diff()

    def action_mark(self) -> None:
        table = self.query_one("#history", DataTable)
        if self.revisions:
            commit = self.revisions[table.cursor_row].commit
            self.base = None if self.base == commit else commit
            self._show_diff()

    def _show_diff(self) -> None:
        table = self.query_one("#history", DataTable)
        if not self.revisions:
            return
        row = table.cursor_row
        new = self.revisions[row]
        old = self.base or (self.revisions[row + 1].commit if row + 1 < len(self.revisions) else None)
        text = Text()
        text.append(new.message.splitlines()[0] + "\n", style="bold")
        if old is None:
            text.append(self.t("review.first", new=new.commit[:7]))
        else:
            text.append(self.t("review.against_mark" if self.base else "review.against_parent", new=new.commit[:7], old=old[:7]) + "\n")
            try:
                text.append(self._diff(old, new.commit))
            except (AuditdeskError, GitError) as exc:
                text.append(f"! {exc}")
        self.query_one("#diff", Static).update(text)

    def _diff(self, old: str, new: str) -> str:
        store, project_no = self.session.store, self.session.project_no
        before, after = store.load(project_no, rev=old), store.load(project_no, rev=new)
        change = diff_audits(before.audit, after.audit, after.catalog, before.catalog)
        return change.details() if not change.empty else self.t("review.no_changes")
