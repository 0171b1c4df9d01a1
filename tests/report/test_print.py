"""The HTML report prints on A4 with 「第 x 页 共 y 页」: the page rule, and (where a
headless Chromium and poppler are installed) the PDF a browser actually prints."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support import Cli

from auditdesk.report.html import STYLE

BROWSER = shutil.which("chromium-headless-shell") or shutil.which("chromium")


def test_the_page_rule_asks_for_a4_and_numbers_the_pages() -> None:
    page = STYLE[STYLE.index("@page"):]
    assert "size: A4;" in page
    assert '@bottom-center { content: "第 " counter(page) " 页 共 " counter(pages) " 页";' in page
    for box in ("top-left", "top-center", "top-right", "bottom-left", "bottom-right"):  # no browser date, title or URL
        assert f'@{box} {{ content: ""; }}' in page


@pytest.mark.skipif(not (BROWSER and shutil.which("pdfinfo") and shutil.which("pdftotext")),
                    reason="needs a headless Chromium and poppler-utils (apt-get install chromium-headless-shell poppler-utils)")
def test_chromium_prints_a4_pages_numbered_x_of_y(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run = Cli(capsys, tmp_path / "store")
    assert run("demo")[0] == 0
    assert run("report", "10234-2024-SD", "-o", str(tmp_path / "report.html"))[0] == 0
    pdf = tmp_path / "report.pdf"
    assert BROWSER is not None
    subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-quic", f"--user-data-dir={tmp_path / 'profile'}",
                    f"--print-to-pdf={pdf}", (tmp_path / "report.html").as_uri()],
                   capture_output=True, timeout=180, check=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert "(A4)" in info and pages > 1
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert re.findall(r"第 (\d+) 页 共 (\d+) 页", text) == [(str(n), str(pages)) for n in range(1, pages + 1)]
    assert "file://" not in text  # the browser's own footer (the address) is not printed
