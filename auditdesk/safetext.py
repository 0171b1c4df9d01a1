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

__all__ = ["BIDI_CONTROLS", "unsafe_characters", "visible"]

#: Embeddings, overrides and isolates (the "Trojan Source" characters), and the marks.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_BIDI = "".join(sorted(BIDI_CONTROLS))
_UNSAFE = re.compile(f"[{_CONTROL}\t\n{_BIDI}]")
_UNSAFE_KEEP_LINES = re.compile(f"[{_CONTROL}{_BIDI}]")


def _escape(match: re.Match[str]) -> str:
    c = match.group()
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def visible(text: str, *, lines: bool = False) -> str:
    """``text`` with every control or bidi character shown as ``\\x1b`` / ``\\u202e``.

    With ``lines``, newlines and tabs stay (multi-line output such as a
    report or a diff); otherwise they are escaped too (one-line output such
    as a table cell or a status message)."""
    return (_UNSAFE_KEEP_LINES if lines else _UNSAFE).sub(_escape, text)


def unsafe_characters(text: str, *, allow: str = "") -> list[str]:
    """The characters of ``text`` a field must refuse, each once, in order of appearance;
    ``allow`` names the ones this field accepts (``"\\n\\t"`` for free text)."""
    found = dict.fromkeys(c for c in _UNSAFE.findall(text) if c not in allow)
    return list(found)
