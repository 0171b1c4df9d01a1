"""Project-level promises: README commands, layering, fast imports."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)


def test_readme_opens_with_the_demo_and_test_commands() -> None:
    demo, tests = readme_commands()[:2]
    assert "auditdesk demo --store" in demo and demo.endswith("auditdesk --store demo-store")
    assert tests.endswith("python -m pytest")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8").strip().splitlines()
    assert ci[-1] == readme_commands()[1]


def test_domain_core_imports_no_textual_git_or_markdown() -> None:
    code = (
        "import sys; import auditdesk.criteria.scoring, auditdesk.criteria.catalog, auditdesk.store.document, "
        "auditdesk.store.stages, auditdesk.store.diff; "
        "print(sorted(m for m in ('textual', 'git', 'markdown_it') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_imports_flow_one_way() -> None:
    """criteria ← store ← report ← tui / cli: no folder imports a later layer."""
    layers = ["criteria", "store", "report", "tui"]
    for i, layer in enumerate(layers):
        later = layers[i + 1:]
        for path in (ROOT / layer).rglob("*.py"):
            text = path.read_text("utf-8")
            for name in later:
                assert f"auditdesk.{name}" not in text and f"from ..{name}" not in text, f"{path} imports auditdesk.{name}"
