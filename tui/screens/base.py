"""What every auditdesk screen shares: translated key descriptions, the session.

Binding descriptions are message ids; the footer, the help screen and the
command palette all read `active_bindings`, so translating there once keeps
the three in agreement.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.binding import ActiveBinding
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer

from auditdesk.tui.i18n import Translator
from auditdesk.tui.widgets.audit_bar import AuditBar
from auditdesk.tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from auditdesk.tui.app import AuditdeskApp
    from auditdesk.tui.session import AuditSession


class Translated:
    """Mixin for screens: `t` for UI strings, bindings shown in the user's language."""

    app: Any

    @property
    def desk(self) -> "AuditdeskApp":
        return cast("AuditdeskApp", self.app)

    @property
    def t(self) -> Translator:
        return self.desk.t

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        bindings: dict[str, ActiveBinding] = super().active_bindings  # type: ignore[misc]
        t = self.t
        return {
            key: active._replace(binding=dataclasses.replace(active.binding, description=t(active.binding.description)))
            for key, active in bindings.items()
        }


class AuditEdited(Message):
    """A screen changed the open audit; the app saves it (when `save` is true)."""

    def __init__(self, save: bool = True) -> None:
        super().__init__()
        self.save = save


class DeskScreen(Translated, Screen[None]):
    """A full screen with a status line (messages, errors) above the footer."""

    def status(self, text: str, error: bool = False) -> None:
        self.query_one(StatusLine).show(text, error)


class AuditScreen(DeskScreen):
    """A view of the open audit: the audit bar on top, status and keys below.

    Subclasses fill `compose_body` and `show_audit`; the latter runs on
    every resume and whenever the app replaces the audit (reload, merge).
    """

    MODE = ""

    def __init__(self, session: "AuditSession") -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield AuditBar(self.session, self.MODE)
        yield from self.compose_body()
        yield StatusLine()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        return iter(())

    def on_mount(self) -> None:
        self.watch(self.desk, "generation", self._generation_changed, init=False)

    def on_screen_resume(self) -> None:
        self.refresh_view()

    def _generation_changed(self) -> None:
        if self.is_mounted:
            self.refresh_view(reloaded=True)

    def refresh_view(self, reloaded: bool = False) -> None:
        self.query_one(AuditBar).show()
        self.show_audit(reloaded)
        refusal = self.session.refusal
        if refusal:
            self.status(refusal)

    def show_audit(self, reloaded: bool = False) -> None:
        """Bring the widgets in line with `self.session.audit`; `reloaded`: it was replaced."""

    def may_edit(self) -> bool:
        """False (and the reason on the status line) when this user may not edit the audit now."""
        refusal = self.session.refusal
        if refusal:
            self.status(refusal, error=True)
        return refusal is None

    def edited(self, save: bool = True) -> None:
        """The audit changed here: tell the app, which saves it (now, or when the field is left)."""
        self.session.touch()
        self.post_message(AuditEdited(save))


class Dialog(Translated, ModalScreen[Any]):
    """A modal dialog with translated key descriptions."""
