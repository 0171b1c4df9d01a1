"""The one way text from a store reaches the screen: `shown` (or `shown_text`).

Organisation names, notes, reasons, team members, commit authors and
messages, file names and error messages quoting any of them are someone
else's input.  Every widget that shows such text gets it through here, so an
escape sequence in an audit cannot move the cursor, set the window title,
write the clipboard (OSC 52) or reorder a line: control and bidi characters
are shown as visible escapes (``\\x1b``, ``\\u202e``; `auditdesk.safetext`).
Editable fields show stored text the same way (see `widgets.form`).  As
defence in depth, `guard_output` drops any that still reach the terminal.
"""

from __future__ import annotations

import re

from rich.text import Text

from auditdesk.safetext import BIDI_CONTROLS, visible
from auditdesk.tui.i18n import plain

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS)) + "]")


def shown(value: object, *, lines: bool = False) -> str:
    """Text from the store (or an error quoting it) as the app shows it: control and bidi
    characters escaped visibly, ambiguous-width glyphs spelt in ASCII.  `lines` keeps
    newlines and tabs (multi-line text: a note, a diff, the report)."""
    return plain(visible("" if value is None else str(value), lines=lines))


def shown_text(value: object, style: str = "", *, lines: bool = False) -> Text:
    """`shown` as a Rich Text (never read as markup)."""
    return Text(shown(value, lines=lines), style=style)


def guard_output() -> None:
    """Drop control and bidi characters from the text of every line Textual writes.

    `shown` escapes stored text where widgets get it; this catches anything
    that reaches a widget another way (text typed or pasted into a field).
    Their cells are zero-width, so dropping them keeps the layout.  Patches
    `textual.strip.Strip.render` (checked against Textual 8.2): the terminal
    sequences Textual adds for colours are made after this point.
    """
    from textual.strip import Strip

    if getattr(Strip.render, "_auditdesk_guard", False):
        return
    original = Strip.render

    def render(self: Strip, console: object) -> str:
        if self._render_cache is None and any(_UNSAFE.search(segment.text) for segment in self._segments):
            clean = Strip([segment._replace(text=_UNSAFE.sub("", segment.text)) for segment in self._segments])
            self._render_cache = original(clean, console)  # type: ignore[arg-type]
        return original(self, console)  # type: ignore[arg-type]

    render._auditdesk_guard = True  # type: ignore[attr-defined]
    Strip.render = render  # type: ignore[method-assign]
