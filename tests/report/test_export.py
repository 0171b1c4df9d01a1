"""`auditdesk export`: one row per audit for spreadsheets (CSV) and scripts (JSON).

The values are the seed's (total 138.33, rate 96.73, 十星级); text typed by
users must never run as a spreadsheet formula; the nonconformity rows are
the corrective-action plan.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from support import Cli, git

from auditdesk.audit.document import Audit
from auditdesk.audit.identity import Identity
from auditdesk.criteria.results import SpecialDeduction
from auditdesk.report.export import FORMULA_START, spreadsheet_cell
from auditdesk.store.audits import AuditStore

LEADER = Identity("韩永师", "leader@example.org")
DEDUCTION = SpecialDeduction(
    kind="law", description="=HYPERLINK(\"http://evil.example\",\"点击\")", nonconformity="未按规定公示保修期限",
    corrective_action="+在门店公示保修政策", owner="@王经理", due=dt.date(2025, 6, 30),
)


@pytest.fixture
def store(tmp_path: Path, sample: Audit) -> Path:
    """The sample, and an audit of 2025 with one special deduction and formula-like text."""
    with AuditStore.open(tmp_path / "store", create=True) as store:
        store.save(sample, base=None, user=LEADER)
        other = copy.deepcopy(sample)
        other.project_no, other.stage = "20001-2025-SD", "onsite"
        other.planning.organisation = "-2+3 某某公司"
        other.planning.audit_from, other.planning.audit_to = dt.date(2025, 3, 3), dt.date(2025, 3, 4)
        other.onsite.special.deductions = (DEDUCTION,)
        store.save(other, base=None, user=LEADER)
    return tmp_path / "store"


def export(capsys: pytest.CaptureFixture[str], store: Path, *args: str) -> tuple[int, bytes]:
    """`auditdesk export … --out FILE`: exit status and the file's bytes."""
    out = store.parent / "export.out"
    code, _, _ = Cli(capsys, store)("export", "--out", str(out), *args)
    return code, out.read_bytes()


def csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_one_row_per_audit_with_the_seed_scores(capsys: pytest.CaptureFixture[str], store: Path) -> None:
    code, data = export(capsys, store)
    assert code == 0
    rows = csv_rows(data)
    assert list(rows[0]) == ["record", "project_no", "organisation", "audit_type", "stage", "audit_from", "audit_to",
                             "leader", "catalog", "score_A", "score_B", "score_C", "special", "total", "max",
                             "applicable", "rate", "star"]
    seed = rows[0]
    assert seed == {
        "record": "audit", "project_no": "10234-2024-SD", "organisation": "淄博海源电子科技有限公司",
        "audit_type": "initial", "stage": "conclusion", "audit_from": "2024-04-10", "audit_to": "2024-04-11",
        "leader": "韩永师", "catalog": "cts-isc-jsgf-05@2024", "score_A": "54.29", "score_B": "59.81",
        "score_C": "24.23", "special": "0", "total": "138.33", "max": "150", "applicable": "143", "rate": "96.73",
        "star": "十星级",
    }
    assert (rows[1]["total"], rows[1]["special"]) == ("137.33", "-1")  # our own negative number is not guarded
    assert data.count("\ufeff".encode()) == 1 and data.endswith(b'"\r\n')  # one BOM, CRLF rows, quoted cells


def test_csv_guards_formula_like_text(capsys: pytest.CaptureFixture[str], store: Path) -> None:
    _, data = export(capsys, store, "--nonconformities")
    rows = [r for r in csv_rows(data) if r["project_no"] == "20001-2025-SD"]
    assert {r["organisation"] for r in rows} == {"'-2+3 某某公司"}
    nc = next(r for r in rows if r["record"] == "nonconformity")
    assert nc["description"] == "'=HYPERLINK(\"http://evil.example\",\"点击\")"
    assert (nc["corrective_action"], nc["owner"]) == ("'+在门店公示保修政策", "'@王经理")
    for row in csv_rows(data):
        for column, value in row.items():
            if column not in ("special", "total", "score_A", "score_B", "score_C", "rate"):
                assert not value.startswith(FORMULA_START), (column, value)
    assert [spreadsheet_cell(v) for v in ("\tx", "\rx", "a=b", None)] == ["'\tx", "'\rx", "a=b", ""]


def test_csv_items_and_nonconformities_rows(capsys: pytest.CaptureFixture[str], store: Path) -> None:
    _, data = export(capsys, store, "--items", "--nonconformities")
    rows = csv_rows(data)
    assert list(rows[0])[-13:] == ["item", "pct", "item_score", "reason", "note", "nc", "kind", "kind_label",
                                   "description", "nonconformity", "corrective_action", "owner", "due"]
    seed = [r for r in rows if r["project_no"] == "10234-2024-SD"]
    assert [r["record"] for r in seed] == ["audit"] + ["item"] * 82  # the seed has no special items
    items = {r["item"]: r for r in seed[1:]}
    assert (items["B9"]["pct"], items["B9"]["item_score"]) == ("97", "1.455")
    assert (items["B38"]["pct"], items["B38"]["item_score"]) == ("98", "1.96")
    assert (items["B36"]["pct"], items["B36"]["item_score"]) == ("N/A", "0")
    assert items["B36"]["reason"].startswith("审查覆盖期内受审查方商品未出现缺陷")
    assert items["B9"]["total"] == "" and items["B9"]["leader"] == "韩永师"
    plan = [r for r in rows if r["record"] == "nonconformity"]
    assert [(r["project_no"], r["nc"], r["kind"], r["kind_label"], r["nonconformity"], r["due"]) for r in plan] == [
        ("20001-2025-SD", "1", "law", "违反法律法规", "未按规定公示保修期限", "2025-06-30")]


def test_json_records(capsys: pytest.CaptureFixture[str], store: Path) -> None:
    code, data = export(capsys, store, "--format", "json", "--items", "--nonconformities")
    assert code == 0 and not data.startswith("\ufeff".encode())
    seed, other = json.loads(data)
    assert seed["parts"] == {"A": "54.29", "B": "59.81", "C": "24.23"}
    assert (seed["total"], seed["applicable"], seed["rate"], seed["star"]) == ("138.33", "143", "96.73", "十星级")
    assert seed["nonconformities"] == [] and len(seed["items"]) == 82
    assert seed["items"][0] == {"item": "A1", "pct": "100", "item_score": "1", "reason": "", "note": ""}
    assert other["organisation"] == "-2+3 某某公司"  # JSON is for scripts: text exactly as typed
    assert other["nonconformities"] == [{
        "nc": "1", "kind": "law", "kind_label": "违反法律法规", "description": DEDUCTION.description,
        "nonconformity": "未按规定公示保修期限", "corrective_action": "+在门店公示保修政策", "owner": "@王经理",
        "due": "2025-06-30"}]


def test_stage_and_year_filters(capsys: pytest.CaptureFixture[str], store: Path) -> None:
    def numbers(*args: str) -> list[str]:
        return [r["project_no"] for r in json.loads(export(capsys, store, "--format", "json", *args)[1])]

    assert numbers("--year", "2025") == ["20001-2025-SD"]
    assert numbers("--stage", "conclusion") == ["10234-2024-SD"]
    assert numbers("--stage", "conclusion", "--year", "2025") == []


def test_unreadable_audit_is_named_and_the_rest_exported(capsys: pytest.CaptureFixture[str], store: Path) -> None:
    (store / "audits" / "20009-2024-SD.toml").write_text("project_no = \n")
    git(store, "add", "audits")
    git(store, "-c", "user.name=Hand", "-c", "user.email=h@example.org", "commit", "-q", "-m", "hand edit")
    code, stdout, stderr = Cli(capsys, store)("export", "--format", "json")
    assert code == 1
    assert [r["project_no"] for r in json.loads(stdout)] == ["10234-2024-SD", "20001-2025-SD"]
    assert "20009-2024-SD.toml:1: invalid TOML" in stderr
