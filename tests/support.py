"""Helpers shared by test folders (on sys.path through pytest's `pythonpath`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from auditdesk.cli import main


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` and return its output; fail the test if git fails."""
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


class Cli:
    """`auditdesk …` in-process, on a default store unless the call names one.

    Every call returns (exit status, stdout, stderr) and checks that no
    traceback reached the user.
    """

    def __init__(self, capsys: pytest.CaptureFixture[str], store: Path) -> None:
        self.capsys = capsys
        self.store = store

    def __call__(self, *args: str) -> tuple[int, str, str]:
        argv = [*args] if "--store" in args else [*args, "--store", str(self.store)]
        code = main(argv)
        captured = self.capsys.readouterr()
        assert "Traceback" not in captured.err
        return code, captured.out, captured.err
