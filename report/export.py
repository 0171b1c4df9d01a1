"""Every audit's results as one table: CSV for spreadsheets, JSON for scripts.

One record per audit — who, what, when, part scores, total, applicable
points, rate and star level — optionally with a row per catalog item and a
row per special deduction (the corrective-action plan).  Numbers are exact
decimal strings formatted as the report prints them, so a spreadsheet and
the report always agree.

CSV is written for Excel, the tool certification bodies open it with:

- UTF-8 *with* a byte-order mark: without it Excel on Chinese Windows reads
  the file as GBK and every organisation name turns to mojibake; LibreOffice,
  pandas and Python's ``utf-8-sig`` codec all accept the mark;
- every cell quoted, and text typed by users that starts with ``= + - @``,
  tab or carriage return prefixed with ``'`` so it is never run as a formula
  (OWASP, "CSV Injection").  Numbers we format ourselves (a special-item total
  of -1) are left as numbers;
- one ``record`` column (audit, item, nonconformity) so a single file holds
  all three kinds of row and a filter separates them; every row repeats the
  audit's identifying fields so it stands on its own after sorting.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditdesk.audit.document import Audit
from auditdesk.criteria.catalog import Catalog
from auditdesk.criteria.results import SPECIAL_KINDS
from auditdesk.criteria.scoring import fmt_2, fmt_number, score_audit
from auditdesk.errors import AuditdeskError
from auditdesk.fileio import write_output
from auditdesk.store.audits import AUDITS, AuditStore

IDENTITY = ("project_no", "organisation", "audit_type", "stage", "audit_from", "audit_to", "leader")
TOTALS = ("special", "total", "max", "applicable", "rate", "star")
ITEM = ("item", "pct", "item_score", "reason", "note")
NONCONFORMITY = ("nc", "kind", "kind_label", "description", "nonconformity", "corrective_action", "owner", "due")
#: What a spreadsheet may take for the start of a formula (OWASP CSV injection), with
#: the full-width forms a Chinese input method types (＝ is a formula to WPS and Excel).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula: one of FORMULA_START first,
    or after leading spaces, newlines and invisible characters (zero-width space, BOM)
    that a spreadsheet skips or a reader cannot see."""
    first = next((c for c in text if not (c.isspace() or unicodedata.category(c) == "Cf")), "")
    return text.startswith(FORMULA_START) or first.startswith(FORMULA_START)


class Formatted(str):
    """A number or date auditdesk formatted, as opposed to text a user typed: never guarded."""


@dataclass
class Export:
    """The records to write, which optional rows they carry, and the audits that could not be read."""

    items: bool
    nonconformities: bool
    records: list[dict[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Audits listed with a stage other than their file says (an approval that does not hold)."""


def audit_record(audit: Audit, catalog: Catalog, *, items: bool, nonconformities: bool) -> dict[str, Any]:
    """One audit's identifying fields and scores (plus item and nonconformity lists if asked)."""
    card = score_audit(catalog, audit.items, audit.special)
    p = audit.planning
    record: dict[str, Any] = {
        "project_no": audit.project_no,
        "organisation": p.organisation,
        "audit_type": p.audit_type,
        "stage": audit.stage,
        "audit_from": _date(p.audit_from),
        "audit_to": _date(p.audit_to),
        "leader": p.leaders[0].name if p.leaders else "",
        "catalog": catalog.label,
        "parts": {part.code: Formatted(fmt_2(part.score)) for part in card.parts},
        "special": Formatted(fmt_number(card.special)),
        "total": Formatted(fmt_2(card.total)),
        "max": Formatted(fmt_number(card.max)),
        "applicable": Formatted(fmt_number(card.applicable)),
        "rate": Formatted(fmt_2(card.rate)) if card.rate is not None else None,
        "star": card.star,
    }
    if items:
        record["items"] = [
            {
                "item": code,
                "pct": "N/A" if score.na else (Formatted(fmt_number(score.pct)) if score.pct is not None else None),
                "item_score": Formatted(fmt_number(score.score)) if score.is_scored else None,
                "reason": result.reason if result else "",
                "note": result.note if result else "",
            }
            for code, score in card.items.items()
            for result in [audit.items.get(code)]
        ]
    if nonconformities:
        record["nonconformities"] = [
            {
                "nc": Formatted(str(n)),
                "kind": d.kind,
                "kind_label": SPECIAL_KINDS[d.kind],
                "description": d.description,
                "nonconformity": d.nonconformity,
                "corrective_action": d.corrective_action,
                "owner": d.owner,
                "due": _date(d.due),
            }
            for n, d in enumerate(audit.onsite.special.deductions, start=1)
        ]
    return record


def _date(value: dt.date | None) -> Formatted | None:
    return None if value is None else Formatted(value.isoformat())


def collect(store: AuditStore, *, items: bool = False, nonconformities: bool = False, stage: str | None = None,
            year: str | None = None) -> Export:
    """Every audit at HEAD (those at `stage`, or whose audit started in `year`), in project order.
    An audit that cannot be read is listed in `failures`; it does not stop the others."""
    export = Export(items, nonconformities)
    for path, blob in sorted(store.repo.blobs(AUDITS).items()):
        if not path.endswith(".toml"):
            continue
        try:
            audit, catalog = store.parse(store.repo.read_blob(blob), str(store.root / path))
        except AuditdeskError as exc:
            export.failures.append(str(exc))
            continue
        started = audit.planning.audit_from
        shown, problem = store.trust.effective_stage(audit.project_no, audit.stage)
        if (stage is None or shown == stage) and (year is None or (started is not None and str(started.year) == year)):
            record = audit_record(audit, catalog, items=items, nonconformities=nonconformities)
            record["stage"] = shown
            export.records.append(record)
            if problem:
                export.warnings.append(f"{audit.project_no}: {problem}")
    return export


def to_json(export: Export) -> bytes:
    return (json.dumps(export.records, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def to_csv(export: Export) -> bytes:
    """UTF-8 with BOM, every cell quoted and guarded (see the module doc)."""
    parts = sorted({code for record in export.records for code in record["parts"]})
    header = ["record", *IDENTITY, "catalog", *(f"score_{code}" for code in parts), *TOTALS]
    header += [*(ITEM if export.items else ()), *(NONCONFORMITY if export.nonconformities else ())]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, header, quoting=csv.QUOTE_ALL, restval="")
    writer.writeheader()
    writer.writerows({k: spreadsheet_cell(v) for k, v in row.items()} for row in _rows(export.records))
    return buffer.getvalue().encode("utf-8-sig")


def _rows(records: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The audit row, then its item rows, then its nonconformity rows, each with the audit's identity."""
    for record in records:
        identity = {key: record[key] for key in IDENTITY}
        scores = {f"score_{code}": score for code, score in record["parts"].items()}
        yield {"record": "audit", **identity, "catalog": record["catalog"], **scores, **{k: record[k] for k in TOTALS}}
        yield from ({"record": "item", **identity, **item} for item in record.get("items", ()))
        yield from ({"record": "nonconformity", **identity, **nc} for nc in record.get("nonconformities", ()))


def spreadsheet_cell(value: Any) -> str:
    """The cell's text; user text a spreadsheet could run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, str) and not isinstance(value, Formatted) and looks_like_formula(value):
        return "'" + value
    return str(value)


def write(export: Export, fmt: str, path: Path | None) -> None:
    """To `path` (replaced atomically) or to standard output."""
    data = to_csv(export) if fmt == "csv" else to_json(export)
    if path is None:
        data = data.removeprefix(b"\xef\xbb\xbf")  # the BOM is for Excel opening a file, not for a pipe
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_output(path, data)  # a FIFO or /dev/stdout is written to, never replaced
