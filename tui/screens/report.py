"""Report preview: the Markdown report as the store would render it, and writing it out.

The preview names the saved revision it shows; with unsaved edits it is the
same report marked as not from a revision.  Its check boxes (■ □) show as
[x] and [ ]: they are ambiguous-width glyphs; the written file keeps them.  It is rendered only when the
audit changed since the last time this view was shown.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll

from auditdesk.errors import AuditdeskError
from auditdesk.report.markdown import Rendered, render
from auditdesk.report.output import write_report
from auditdesk.tui.dialogs.form import Field, FormDialog
from auditdesk.tui.screens.base import AuditScreen
from auditdesk.tui.session import AuditSession
from auditdesk.tui.shown import shown
from auditdesk.tui.widgets.report_view import ReportMarkdown


class ReportScreen(AuditScreen):
    MODE = "report"
    BINDINGS = [Binding("w", "write", "key.write", id="report.write")]

    def __init__(self, session: AuditSession) -> None:
        super().__init__(session)
        self._rendered_edits = -1
        self._rendered_dirty = False

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="report-scroll"):
            yield ReportMarkdown(id="report")

    def _report(self) -> Rendered:
        session = self.session
        return render(session.audit, session.catalog, revision=None if session.dirty else session.commit)

    def show_saved(self) -> None:
        """A preview drawn while a save was on its way names no revision: draw it again once saved."""
        if self._rendered_dirty and not self.session.dirty:
            self._rendered_edits = -1
            self.show_audit()

    def show_audit(self, reloaded: bool = False) -> None:
        if self._rendered_edits == self.session.edits:
            return
        self._rendered_edits = self.session.edits
        self._rendered_dirty = self.session.dirty
        try:
            markdown = self._report().markdown
        except AuditdeskError as exc:
            markdown = self.t("report.unavailable", error=self.desk.error_text(exc))
        self.query_one(ReportMarkdown).update(shown(markdown, lines=True))
        self.query_one("#report-scroll").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Over SSH a report is not written to the server's files (`ssh … report AUDIT > file` instead)."""
        if action == "write" and getattr(self.app, "remote", False):
            return False
        return True

    def action_write(self) -> None:
        fields = [
            Field("path", self.t("report.path"), f"{self.session.project_no}.md"),
            Field("format", self.t("report.format"), "md", (("md", "Markdown"), ("html", "HTML"))),
        ]

        def check(values: dict[str, str]) -> tuple[str, str] | None:
            return None if values["path"].strip() else ("path", self.t("error.required"))

        def write(values: dict[str, str] | None) -> None:
            if values is None:
                return
            target = Path(values["path"].strip()).expanduser()
            session = self.session
            try:
                write_report(session.audit, session.catalog, None if session.dirty else session.commit, values["format"], target)
            except AuditdeskError as exc:
                self.status(self.desk.error_text(exc), error=True)
                return
            self.status(self.t("report.written", path=shown(target)))

        self.app.push_screen(FormDialog(self.t("report.write_title"), fields, check), write)
