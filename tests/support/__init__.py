"""Helpers shared by the tests: one package, imported one way, by absolute name.

``tests/`` is on ``sys.path`` (pyproject's ``pythonpath``), so every test takes
its helpers from this package:

    from support import Cli, fsck_clean, git, line_of  # git as a person runs it, the CLI in-process
    from support.seed import LEADER, PROJECT_NO, SAMPLE  # the seed audit
    from support.reliability import consistent          # the checks every fault test ends with
    from support.markdown import blocks, tables         # a rendered report read back as a browser would
    from support.tui import make_app, started           # the terminal app under a pilot (imports Textual)
    from support.crash import crash_content             # the crash test's self-checking files
    from support.profiles import scaled                 # a property test's example count (Hypothesis profiles)
    from support.gate import load_gate                  # scripts/check.py, to test the gate itself
    from support.approvals import Team, git_as          # a hub, clones and registered people (issue 14)
    from support.sshd import start_sshd                 # a real sshd for the SSH access tests

Fixtures stay in the ``conftest.py`` of their folder; no test imports a
conftest or another test module (tests/test_project.py checks that).
"""

from support.cli import Cli, Run, run_cli
from support.git import child_env, fsck_clean, git, session_alive, with_umask
from support.text import line_of

__all__ = ["Cli", "Run", "child_env", "fsck_clean", "git", "line_of", "run_cli", "session_alive", "with_umask"]
