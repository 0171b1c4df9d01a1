"""Errors a user can act on: every problem names its file, line and field.

All input checks in auditdesk collect *every* problem before failing, so a
person fixing a hand-edited file sees the whole list at once instead of one
error per run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class AuditdeskError(Exception):
    """The only exception type auditdesk lets reach a user interface.

    The message is English; `zh` is the same in Chinese where the domain has
    it (the terminal app shows whichever language its user reads).
    """

    def __init__(self, message: str = "", *, zh: str = "") -> None:
        super().__init__(message)
        self.zh = zh

    def text(self, language: str) -> str:
        """The message in `language` ("en" or "zh"), English where no Chinese was given."""
        return self.zh if language == "zh" and self.zh else str(self)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what was expected."""

    source: str
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


class InvalidInput(AuditdeskError):
    """Raised with the full list of problems found in one input."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, source: str, field: str, message: str, line: int | None = None) -> InvalidInput:
        return cls([Problem(source, field, message, line)])
