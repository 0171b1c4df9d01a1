"""Project-level promises: README commands, layering, fast imports."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)


def test_readme_opens_with_the_demo_and_test_commands() -> None:
    demo, tests = readme_commands()[:2]
    assert "auditdesk demo --store" in demo and demo.endswith("auditdesk --store demo-store")
    assert "scripts/check.py" in tests and tests.endswith("python -m pytest -n 2")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8").strip().splitlines()
    assert ci[-1] == readme_commands()[1]


def test_domain_core_imports_no_textual_git_or_markdown() -> None:
    code = (
        "import sys; import auditdesk.criteria.scoring, auditdesk.criteria.catalog, auditdesk.audit.document, "
        "auditdesk.audit.stages, auditdesk.audit.diff; "
        "print(sorted(m for m in ('textual', 'git', 'markdown_it') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _gate() -> Any:
    spec = importlib.util.spec_from_file_location("auditdesk_gate", ROOT / "scripts" / "check.py")
    assert spec and spec.loader
    gate = sys.modules.setdefault("auditdesk_gate", importlib.util.module_from_spec(spec))
    spec.loader.exec_module(gate)
    return gate


def test_imports_flow_one_way() -> None:
    """criteria ← audit ← store ← report ← desk ← tui ← cli: no module imports a higher layer."""
    gate = _gate()
    assert [str(f) for f in gate.check_layers()] == []


@pytest.mark.parametrize(("layer", "statement"), [
    ("criteria", "from auditdesk import report"),
    ("criteria", "import auditdesk.store.audits"),
    ("audit", "from auditdesk.store.git import GitRepo"),
    ("store", "from ..report import markdown"),
    ("report", "def f():\n    from auditdesk.tui.app import run"),
    ("audit", "import textual"),
])
def test_the_layer_check_catches_an_upward_import(tmp_path: Path, layer: str, statement: str) -> None:
    gate = _gate()
    found = gate.modules()
    planted = tmp_path / "planted.py"
    planted.write_text(statement + "\n", "utf-8")
    found[f"auditdesk.{layer}.planted"] = planted
    problems = [f for f in gate.check_layers(found) if f.path == planted]
    assert len(problems) == 1, problems
