"""The standalone HTML page: one file with its charts, no scripts."""

from __future__ import annotations

import base64
import re
import subprocess
import sys

from auditdesk.audit.document import Audit
from auditdesk.criteria.catalog import Catalog
from auditdesk.report.html import to_html
from auditdesk.report.markdown import render


def test_page_stands_alone(sample: Audit, catalog: Catalog) -> None:
    rendered = render(sample, catalog)
    page = to_html(rendered, "10234-2024-SD 服务认证审查报告")
    assert page.startswith("<!DOCTYPE html>\n") and '<meta charset="utf-8">' in page
    assert "<title>10234-2024-SD 服务认证审查报告</title>" in page
    images = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert [base64.b64decode(i) for i in images] == list(rendered.assets.values())
    assert page.count("<table>") == 7 and "<h1>服务认证审查报告</h1>" in page
    assert "<script" not in page.lower() and "@import" not in page and "url(" not in page
    assert not re.findall(r'(?:src|href)="(?!data:)', page), "nothing is loaded from elsewhere"


def test_markdown_rendering_does_not_load_markdown_it() -> None:
    """Scripts rendering Markdown in bulk stay fast; only the HTML export needs the parser."""
    code = "import sys, auditdesk.report.markdown; print('markdown_it' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
