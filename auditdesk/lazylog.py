"""A module's logger, with `logging` imported only when there is something to say.

Importing `logging` costs every command several milliseconds (it pulls in
`string`, `threading`, `traceback` …), and auditdesk logs only on rare
paths: a stale lock removed, a cache that could not be written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

__all__ = ["logger"]


def logger(name: str) -> logging.Logger:
    """`logging.getLogger(name)`, importing `logging` on first use."""
    import logging

    return logging.getLogger(name)
