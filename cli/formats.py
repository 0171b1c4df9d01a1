"""Output formats: JSON for scripts, and the format a file's extension names."""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any

from auditdesk.cli.context import out

#: Extensions that name a format, per command; anything else takes the first format listed.
REPORT_FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
EXPORT_FORMATS = {".csv": "csv", ".json": "json"}


def print_json(data: Any) -> None:
    """One JSON document on standard output (UTF-8, no BOM), as every --json prints it."""
    out(json.dumps(data, ensure_ascii=False, indent=2))


def chosen_format(given: str | None, output: str | None, by_extension: dict[str, str]) -> str:
    """--format if given, else the format `-o`'s extension names, else the first one (`report -o x.html` writes HTML)."""
    if given:
        return given
    if output not in (None, "-"):
        found = by_extension.get(PurePath(output).suffix.lower())
        if found:
            return found
    return next(iter(by_extension.values()))
