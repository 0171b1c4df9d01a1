"""One report as text, or written to a file with its charts: the one way reports are written.

The command line, `report --all` and the terminal app's "write" all come here.
"""

from __future__ import annotations

import os
from pathlib import Path

from auditdesk.audit.document import Audit
from auditdesk.criteria.catalog import Catalog
from auditdesk.fileio import write_atomic, write_output

__all__ = ["report_text", "write_report"]


def report_text(audit: Audit, catalog: Catalog, revision: str | None, fmt: str) -> tuple[str, dict[str, bytes]]:
    """The report in `fmt` ("md" or "html") and the files it links to (none for standalone HTML).

    Imported here, not at the top: a run with nothing to render should not pay for them."""
    from auditdesk.report.markdown import render

    rendered = render(audit, catalog, revision=revision)
    if fmt == "html":
        from auditdesk.report.html import to_html

        return to_html(rendered, f"{audit.project_no} {audit.planning.organisation}"), {}
    return rendered.markdown, rendered.assets


def write_report(audit: Audit, catalog: Catalog, revision: str | None, fmt: str, target: Path) -> int:
    """Write one report to `target` (Markdown: its charts beside it); the number of charts.

    A FIFO or a device such as /dev/stdout is written to as a stream, never
    replaced, and gets no charts beside it (see fileio.write_output)."""
    text, assets = report_text(audit, catalog, revision, fmt)
    if not write_output(target, text.encode("utf-8")):
        return 0
    target = Path(os.path.realpath(target))
    for name, data in assets.items():
        write_atomic(target.parent / name, data)
    return len(assets)
