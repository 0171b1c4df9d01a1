"""The sample audit's report, pinned byte for byte, and its radar charts.

To regenerate the golden file after an intended change, run

    AUDITDESK_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/report/test_report_golden.py

and review the diff of tests/report/golden/10234-2024-SD.md before committing.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from auditdesk.audit.document import Audit
from auditdesk.criteria.catalog import Catalog
from auditdesk.report.markdown import render

GOLDEN = Path(__file__).parent / "golden" / "10234-2024-SD.md"
SVG = "{http://www.w3.org/2000/svg}"


def test_sample_report_matches_golden(sample: Audit, catalog: Catalog) -> None:
    markdown = render(sample, catalog).markdown
    if os.environ.get("AUDITDESK_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(markdown, encoding="utf-8", newline="\n")
    assert markdown == GOLDEN.read_text(encoding="utf-8")


def test_same_audit_gives_same_bytes(sample: Audit, catalog: Catalog) -> None:
    assert render(sample, catalog, revision="abc1234") == render(sample, catalog, revision="abc1234")


def test_one_radar_per_part_with_one_axis_per_section(sample: Audit, catalog: Catalog) -> None:
    assets = render(sample, catalog).assets
    assert list(assets) == ["10234-2024-SD-radar-A.svg", "10234-2024-SD-radar-B.svg", "10234-2024-SD-radar-C.svg"]
    axes = {}
    for name, data in assets.items():
        root = ET.fromstring(data)  # well-formed XML
        assert root.tag == f"{SVG}svg"
        axes[name[-5]] = len([e for e in root.iter() if e.get("class") == "axis"])
        labels = [" ".join(e.itertext()) for e in root.iter() if e.get("class") == "label"]
        assert len(labels) == axes[name[-5]]
    assert axes == {"A": 7, "B": 6, "C": 2}
    a = assets["10234-2024-SD-radar-A.svg"].decode()
    assert "组织架构" in a and "98.00%" in a and "<polygon class=\"value\"" in a
    c = assets["10234-2024-SD-radar-C.svg"].decode()
    assert "顾客关系" in c and "96.67%" in c and "97.30%" in c and "<rect class=\"value\"" in c
    for data in assets.values():
        text = data.decode()
        assert "<script" not in text and "href" not in text and "@import" not in text
        assert not re.search(r"\d\.\d{3}", text), "coordinates are rounded to two decimals"
