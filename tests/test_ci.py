"""CI's extra Pythons: found wherever they are, and a missing one fails the run loudly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "ci-pythons.sh"


def test_ci_runs_the_other_pythons_before_the_readme_command() -> None:
    lines = (ROOT / ".ci" / "run").read_text("utf-8").strip().splitlines()
    assert lines[-2] == "scripts/ci-pythons.sh 3.12 3.13"


def test_the_running_python_is_found_and_is_that_version() -> None:
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    done = subprocess.run(["bash", str(SCRIPT), "--which", version], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    found = done.stdout.strip()
    check = subprocess.run([found, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True, check=True)
    assert check.stdout.strip() == str(sys.version_info[:2])


def test_a_missing_python_fails_at_once_saying_what_to_install() -> None:
    done = subprocess.run(["bash", str(SCRIPT), "3.99"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and done.stdout == ""
    assert "ci: FAILED: no Python 3.99 on this machine." in done.stderr and "pyenv install 3.99" in done.stderr


def test_the_other_pythons_run_the_tests_that_start_the_app_with_app_run() -> None:
    """Only `App.run` turns on the eager task factory of 3.12+ (the pilot's `run_test`
    does not), so the extra Pythons run the tests that start the app that way, and
    they must exist: a renamed file would otherwise leave 3.12 and 3.13 untested."""
    script = SCRIPT.read_text("utf-8")
    line = next(line for line in script.splitlines() if line.startswith("TUI_ON_EVERY_PYTHON=("))
    files = line.removeprefix("TUI_ON_EVERY_PYTHON=(").removesuffix(")").split()
    assert files == ["tests/tui/test_start.py", "tests/tui/test_snapshots.py"]
    for name in files:
        assert "app.run(" in (ROOT / name).read_text("utf-8") or "snap_compare" in (ROOT / name).read_text("utf-8"), name
    assert 'failed "the terminal app\'s tests on Python $v' in script
