"""``auditdesk …`` in-process: exit status, stdout and stderr, and never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from auditdesk.cli import main

#: The reliability tests' `run` fixture: ``run(*argv)`` → (exit code, stdout, stderr).
Run = Callable[..., tuple[int, str, str]]


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``auditdesk.cli.main(argv)`` → (exit code, stdout, stderr); a usage error is exit 2."""
    try:
        code = main([*argv])
    except SystemExit as exc:  # argparse usage errors
        code = exc.code if isinstance(exc.code, int) else 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err, captured.err
    return code, captured.out, captured.err


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
        return run_cli(self.capsys, *argv)
