"""What every auditdesk screen shares: translated key descriptions, the status line, the session."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer

from auditdesk.tui.translated import Translated
from auditdesk.tui.widgets.audit_bar import AuditBar
from auditdesk.tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from auditdesk.tui.session import AuditSession


class AuditEdited(Message):
    """A screen changed the open audit; the app saves it (when `save` is true)."""

    def __init__(self, save: bool = True) -> None:
        super().__init__()
        self.save = save


class DeskScreen(Translated, Screen[None]):
    """A full screen with a status line (messages, errors) above the footer."""

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """A view switched to keeps the styles it had.  Textual restyles every widget of a
        screen when it resumes (in case the theme changed meanwhile; the app offers no way
        to change it while running): a third of a view switch on a busy machine.  Runs
        before `Screen._on_screen_resume`, which reads the flag (checked against Textual 8.2)."""
        event.refresh_styles = False

    def status(self, text: str, error: bool = False) -> None:
        self.query_one(StatusLine).show(text, error)


class AuditScreen(DeskScreen):
    """A view of the open audit: the audit bar on top, status and keys below.

    Subclasses fill `compose_body` and `show_audit`; the latter runs on
    every resume and whenever the app replaces the audit (reload, merge).
    """

    MODE = ""
    TYPING: ClassVar[list[tuple[str, str]]] = []
    """(keys, message id) of what typing does here that is not a binding, for F1."""
    EDITS = True
    """Whether this view changes the audit (then it says up front when this user may not)."""

    def __init__(self, session: AuditSession) -> None:
        super().__init__()
        self.session = session
        self._reload = False
        """The audit was replaced since this view last showed it."""

    def compose(self) -> ComposeResult:
        yield AuditBar(self.session, self.MODE, self.t)
        yield from self.compose_body()
        yield StatusLine()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        return iter(())

    def on_mount(self) -> None:
        self.watch(self.desk, "generation", self._generation_changed, init=False)
        self.watch(self.desk, "saves", self._saves_changed, init=False)
        self.desk.audit_screens.append(self)

    def _saves_changed(self) -> None:
        if self.is_current:
            self.query_one(AuditBar).show()
            self.show_saved()

    def show_saved(self) -> None:
        """A save ended: show which of this view's items and fields are not saved (`session.unsaved`)."""

    def half_typed(self) -> list[str]:
        """Input typed here that is not in the audit yet (a percentage without Enter), as the user would name it."""
        return []

    def on_screen_resume(self) -> None:
        """Show the audit as it is now; not when another view took over meanwhile
        (a dialog's answer that switches view resumes this one first)."""
        if self.is_current:
            self.refresh_view()

    def _generation_changed(self) -> None:
        """The audit was replaced: re-read it now if this view is (still) shown, else when it is."""
        self._reload = True
        self.call_later(self._refresh_if_current)

    def _refresh_if_current(self) -> None:
        if self.is_current and self._reload:
            self.refresh_view()

    def refresh_view(self) -> None:
        reloaded, self._reload = self._reload, False
        self.query_one(AuditBar).show()
        self.show_audit(reloaded)
        refusal = self.session.refusal
        if refusal and self.EDITS:
            self.status(self.desk.refusal_text(refusal))
        if self.desk.news:
            self.status(self.desk.news)
            self.desk.news = ""

    def show_audit(self, reloaded: bool = False) -> None:
        """Bring the widgets in line with `self.session.audit`; `reloaded`: it was replaced."""

    def go_to(self, field: str) -> None:
        """Put the cursor where `field` (a dotted audit path) is edited, if this view edits it."""

    def may_edit(self) -> bool:
        """False (and the reason on the status line) when this user may not edit the audit now."""
        refusal = self.session.refusal
        if refusal:
            self.status(self.desk.refusal_text(refusal), error=True)
        return refusal is None

    def edited(self, save: bool = True) -> None:
        """The audit changed here (through the session): tell the app, which saves it in the
        background (now, or when the field is left)."""
        self.query_one(AuditBar).show()
        self.post_message(AuditEdited(save))
