"""Translated key descriptions for screens and dialogs.

Binding descriptions are message ids; the footer, the help screen and the
command palette all read `active_bindings`, so translating there once keeps
the three in agreement.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, cast

from textual.binding import ActiveBinding

from auditdesk.tui.i18n import Translator

if TYPE_CHECKING:
    from auditdesk.tui.app import AuditdeskApp


class Translated:
    """Mixin for screens: `t` for UI strings, bindings shown in the user's language."""

    app: Any

    @property
    def desk(self) -> AuditdeskApp:
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
