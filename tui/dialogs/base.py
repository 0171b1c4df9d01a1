"""What every dialog shares: a modal screen with translated key descriptions."""

from __future__ import annotations

from typing import Any

from textual.screen import ModalScreen

from auditdesk.tui.translated import Translated


class Dialog(Translated, ModalScreen[Any]):
    """A modal dialog with translated key descriptions."""
