"""Text typed into the UI to typed values and back, strictly.

Dates are ISO (2024-04-10) only: a reader of the TOML and of `git diff` sees
the same form the user typed, and a day/month mix-up cannot pass silently.
"""

from __future__ import annotations

import datetime as dt
import re

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(text: str) -> dt.date | None:
    """None for empty text; ValueError for anything but a real YYYY-MM-DD date."""
    text = text.strip()
    if not text:
        return None
    if not _DATE.fullmatch(text):
        raise ValueError(text)
    return dt.date.fromisoformat(text)


def show_date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""
