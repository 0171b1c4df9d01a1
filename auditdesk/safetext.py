"""Text from a store is someone else's input: it must never reach a terminal raw.

Two doors, one rule (see RELIABILITY.md, "Threat model"):

* where text comes in (command-line arguments, ``--user``, hand edits, sync),
  :func:`unsafe_characters` finds what is refused, so the error can name it;
* where text goes out (the command line, the terminal app, git's diff
  driver), :func:`visible` replaces whatever could move the cursor, set the
  window title, write the clipboard or reorder text with a visible escape,
  as defence in depth.

Refused and escaped alike: C0 controls (except newline and tab where a
field allows them), DEL, C1 controls, and the bidirectional overrides and
isolates that can make text read differently from what it is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any, TextIO

__all__ = ["BIDI_CONTROLS", "VisibleStream", "describe", "has_controls", "refusal", "unsafe_characters", "visible"]

#: Embeddings, overrides and isolates (the "Trojan Source" characters), and the marks.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

#: C0 but newline and tab, DEL, C1, and lone surrogates (bytes that were not UTF-8,
#: kept by Python's surrogateescape: they cannot even be printed).
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff"
_BIDI = "".join(sorted(BIDI_CONTROLS))
_UNSAFE = re.compile(f"[{_CONTROL}\t\n{_BIDI}]")
_UNSAFE_KEEP_LINES = re.compile(f"[{_CONTROL}{_BIDI}]")


def _escape(match: re.Match[str]) -> str:
    """``\\x1b`` for C0, ``\\u009d``/``\\u202e`` from DEL up: valid escapes inside JSON
    strings too (json.dumps escapes C0 itself but leaves DEL, C1 and bidi raw)."""
    c = match.group()
    return f"\\x{ord(c):02x}" if ord(c) < 0x7F else f"\\u{ord(c):04x}"


def visible(text: str, *, lines: bool = False) -> str:
    """``text`` with every control or bidi character shown as ``\\x1b`` / ``\\u009d`` / ``\\u202e``.

    With ``lines``, newlines and tabs stay (multi-line output such as a
    report or a diff); otherwise they are escaped too (one-line output such
    as a table cell or a status message)."""
    return (_UNSAFE_KEEP_LINES if lines else _UNSAFE).sub(_escape, text)


def has_controls(text: str) -> bool:
    """Whether ``text`` holds any control or bidi character, newline and tab included: a
    quick test (one regex search) before asking which, if any, a field refuses."""
    return _UNSAFE.search(text) is not None


def unsafe_characters(text: str, *, allow: str = "") -> list[str]:
    """The characters of ``text`` a field must refuse, each once, in order of appearance;
    ``allow`` names the ones this field accepts (``"\\n\\t"`` for free text)."""
    if "\n" in allow:  # a CRLF is a line end where newlines are allowed; a lone CR moves the cursor back
        text = text.replace("\r\n", "\n")
    found = dict.fromkeys(c for c in _UNSAFE.findall(text) if c not in allow)
    return list(found)


_NAMES = {0x00: "NUL", 0x07: "bell", 0x08: "backspace", 0x09: "tab", 0x0A: "newline", 0x0D: "carriage return",
          0x1B: "escape", 0x7F: "delete", 0x9B: "CSI", 0x9D: "OSC"}


def describe(chars: list[str]) -> str:
    """``U+001B (escape), U+202E (right-to-left override)``: characters named so a person can find them."""
    def name(c: str) -> str:
        if 0xD800 <= ord(c) <= 0xDFFF:
            return f"byte {ord(c) - 0xDC00:#04x}, which is not UTF-8" if ord(c) >= 0xDC80 else f"U+{ord(c):04X} (not UTF-8)"
        known = _NAMES.get(ord(c)) or unicodedata.name(c, "").lower() or "control character"
        return f"U+{ord(c):04X} ({known})"

    shown = [name(c) for c in chars[:5]]
    return ", ".join(shown) + (f" and {len(chars) - 5} more" if len(chars) > 5 else "")


def refusal(text: str, *, allow: str = "\n\t") -> str | None:
    """Why ``text`` cannot be accepted as typed text, or None: the message names each
    character refused.  ``allow`` is what the field accepts (``""``: one line, nothing else)."""
    found = unsafe_characters(text, allow=allow)
    if not found:
        return None
    if not allow and all(c in "\n\t" for c in found):
        return f"must be one line (it contains {describe(found)})"
    return (f"contains {describe(found)}: control characters and bidirectional overrides are not "
            "allowed in text (they can rewrite what a terminal shows)")


class VisibleStream:
    """A text stream (stdout, stderr) whose every write goes through :func:`visible`
    (newlines and tabs kept): whatever a command prints, no control or bidi
    character reaches the terminal raw.  ``raw`` is the stream underneath, for
    the few writes that are the program's own control sequences (a progress bar)."""

    def __init__(self, raw: TextIO) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        return self.raw.write(visible(text, lines=True))

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)
