"""Project-level promises: README commands, layering, fast imports."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from support import profiles
from support.gate import load_gate

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


def imported(modules: str, watched: tuple[str, ...]) -> list[str]:
    """Which of `watched` a fresh Python has imported after importing `modules` (comma-separated)."""
    code = f"import sys; import {modules}; print(repr(sorted(m for m in {watched!r} if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(ast.literal_eval(out.stdout.strip()))


def test_domain_core_imports_no_textual_git_or_markdown() -> None:
    assert imported("auditdesk.criteria.scoring, auditdesk.criteria.catalog, auditdesk.audit.document, "
                    "auditdesk.audit.stages, auditdesk.audit.diff", ("textual", "git", "markdown_it")) == []


def test_a_command_line_save_imports_only_what_it_needs() -> None:
    """What `auditdesk score` imports leaves out the app, the report, and the standard-library
    modules a save never needs (each costs every command milliseconds; BENCHMARKS.md)."""
    watched = ("textual", "rich", "markdown_it", "logging", "platformdirs", "importlib.metadata", "tempfile",
               "socket", "secrets")
    assert imported("auditdesk.cli, auditdesk.cli.commands.audits, auditdesk.store.audits, auditdesk.store.people",
                    watched) == []


def _gate() -> Any:
    return load_gate()


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


def test_helpers_are_imported_one_way() -> None:
    """Helpers come from tests/support/ by absolute import (`from support.tui import make_app`):
    no edits of sys.path, no conftest or test module imported, no file loaded by its path."""
    tests = ROOT / "tests"
    local = {p.stem for p in tests.rglob("*.py") if "support" not in p.relative_to(tests).parts}
    found = []
    for path in sorted(tests.rglob("*.py")):
        rel = path.relative_to(ROOT)
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                found.append(f"{rel}:{node.lineno}: relative import of {'.' * node.level}{node.module or ''}")
            elif isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                found += [f"{rel}:{node.lineno}: imports the test module {n}" for n in names if n.split(".")[0] in local]
            elif isinstance(node, ast.Attribute) and ast.unparse(node) in ("sys.path.insert", "sys.path.append"):
                found.append(f"{rel}:{node.lineno}: changes sys.path")
            elif isinstance(node, ast.Attribute) and node.attr == "spec_from_file_location" and rel.parts[1] != "support":
                found.append(f"{rel}:{node.lineno}: loads a module by its path")
    assert found == [], "import helpers from tests/support/ (see its __init__.py)"


def test_the_size_check_wants_a_reason_at_the_top_of_a_long_module(tmp_path: Path) -> None:
    gate = _gate()
    body = "x = 1\n" * gate.MAX_LINES
    bare, reasoned, mentioned, short = (tmp_path / f"{n}.py" for n in ("bare", "reasoned", "mentioned", "short"))
    bare.write_text('"""A module."""\n' + body)
    reasoned.write_text('"""A module.\n\nWhy this module is long: one table, kept whole.\n"""\n' + body)
    mentioned.write_text('"""A module that says "Why this module is long:" in passing."""\n' + body)
    short.write_text('"""A module."""\n' + body[: -len("x = 1\n")])
    problems, notes = gate.check_size([bare, reasoned, mentioned, short], allowed={})
    assert [p.path for p in problems] == [bare, mentioned]
    assert len(notes) == 1 and "with its reason" in notes[0]


def test_property_tests_are_derandomised_unless_a_thorough_run_is_asked_for() -> None:
    """CI's Hypothesis profile draws the same examples every run (tests/support/profiles.py)."""
    chosen = profiles.profile()
    assert (settings.default.derandomize == (chosen == "ci") and settings.default.database is None) or chosen == "thorough"
    assert profiles.scaled(80) == (800 if chosen == "thorough" else 80)
