"""What the hostile-store tests share (tests/reliability/test_hostile_*.py): a lab with marker-writing programs, a
demo store with a bare hub and a clone, and every auditdesk command run in turn.

A *marker* is a file a trap writes when git (or anything) runs it; the tests
build the trap, check with plain git that it does fire (so the trap is
real), then run every auditdesk command and assert that no marker appears
and no raw control character reached stdout or stderr.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from support.cli import Run
from support.reliability import AUDIT, LEADER

REVIEWER = "Li Reviewer <li@example.org>"

#: Every hook git knows (githooks(5), git 2.39).
HOOKS = """applypatch-msg pre-applypatch post-applypatch pre-commit pre-merge-commit prepare-commit-msg
commit-msg post-commit pre-rebase post-checkout post-merge pre-push pre-receive update proc-receive
post-receive post-update reference-transaction push-to-checkout pre-auto-gc post-rewrite
sendemail-validate fsmonitor-watchman p4-changelist p4-prepare-changelist p4-post-changelist
p4-pre-submit post-index-change""".split()

#: Raw bytes that must never reach a terminal: C0 but newline and tab, DEL, C1
#: (as characters in decoded text), and the bidi controls.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class Lab:
    """A temp folder with a markers folder, trap programs, a store, a bare hub and a clone."""

    def __init__(self, root: Path, run: Run) -> None:
        self.root = root
        self.run = run
        self.markers_dir = root / "markers"
        self.markers_dir.mkdir()
        self.bin = root / "bin"
        self.bin.mkdir()
        self.store = root / "store"
        self.hub = root / "hub.git"
        self.clone = root / "clone"
        self.outputs: list[str] = []

    # ------------------------------------------------------------ traps
    def sh(self, name: str) -> str:
        """A shell command leaving marker ``name`` (for config values run by a shell)."""
        return f"touch {self.markers_dir}/{name}"

    def script(self, name: str, body: str = "exit 1") -> str:
        """An executable leaving marker ``name`` (for values run without a shell)."""
        path = self.bin / name
        path.write_text(f"#!/bin/sh\ntouch {self.markers_dir}/{name}\n{body}\n")
        path.chmod(0o755)
        return str(path)

    def markers(self) -> list[str]:
        return sorted(p.name for p in self.markers_dir.iterdir())

    def clear(self) -> None:
        for p in self.markers_dir.iterdir():
            p.unlink()

    def config(self, key: str, value: str, repo: Path | None = None) -> None:
        plain(repo or self.store, "config", "--local", "--add", key, value)

    def hooks(self, repo: Path, prefix: str) -> None:
        """Every hook in ``repo``'s ``.git/hooks`` (or a bare repository's hooks/)."""
        folder = repo / "hooks" if (repo / "HEAD").is_file() else repo / ".git" / "hooks"
        folder.mkdir(exist_ok=True)
        for hook in HOOKS:
            (folder / hook).write_text(f"#!/bin/sh\ntouch {self.markers_dir}/{prefix}-{hook}\ncat >/dev/null\nexit 0\n")
            (folder / hook).chmod(0o755)

    # ------------------------------------------------------------ stores
    def build(self) -> None:
        """The demo store, pushed to a bare hub, and a clone of the hub."""
        code, _, err = self.run("demo", "--store", str(self.store), "--user", LEADER)
        assert code == 0, err
        plain(self.root, "init", "-q", "--bare", "-b", "main", str(self.hub))
        plain(self.store, "remote", "add", "origin", str(self.hub))
        code, _, err = self.run("sync", "--store", str(self.store))
        assert code == 0, err
        plain(self.root, "clone", "-q", str(self.hub), str(self.clone))

    def auditdesk(self, *argv: str, store: Path | None = None) -> tuple[int, str, str]:
        """One auditdesk command on ``store`` (default: the lab's store); output kept for the control-byte check."""
        code, out, err = self.run(*argv, "--store", str(store or self.store))
        self.outputs += [out, err]
        return code, out, err

    def every_command(self, store: Path | None = None, *, remote: str | None = "origin") -> dict[str, int]:
        """Every auditdesk command, in an order where each has something to do; exit codes by step."""
        store = store or self.store
        reports = self.root / f"reports-{store.name}"
        reports.mkdir(exist_ok=True)
        audit_file = store / "audits" / f"{AUDIT}.toml"
        codes: dict[str, int] = {}

        def step(name: str, *argv: str) -> None:
            codes[name] = self.auditdesk(*argv, store=store)[0]

        for name, argv in {
            "list": ("list",), "list --json": ("list", "--json"), "show": ("show", AUDIT),
            "show --json": ("show", AUDIT, "--json"), "status": ("status", AUDIT), "validate": ("validate",),
            "catalog list": ("catalog", "list"), "catalog show": ("catalog", "show", "cts-isc-jsgf-05"),
            "score": ("score", AUDIT, "B17=97", "--note", "n"), "log": ("log", AUDIT), "log --json": ("log", AUDIT, "--json"),
            "diff": ("diff", AUDIT), "diff --json": ("diff", AUDIT, "--json"), "blame": ("blame", AUDIT),
            "blame B17": ("blame", AUDIT, "B17"), "show --rev": ("show", AUDIT, "--rev", "HEAD~1"),
            "new": ("new", "--catalog", "cts-isc-jsgf-05", "--project-no", f"N-{len(self.outputs)}", "--org", "o"),
        }.items():
            step(name, *argv)
        if audit_file.is_file():
            audit_file.write_bytes(audit_file.read_bytes().replace(b'sampling = "', b'sampling = "hand edit. ', 1))
        step("commit", "commit", AUDIT)
        step("report", "report", AUDIT)
        step("report -o", "report", AUDIT, "-o", str(reports / "r.md"))
        step("report html", "report", AUDIT, "--format", "html", "-o", str(reports / "r.html"))
        step("report --all", "report", "--all", "--out", str(reports / "all"), "--jobs", "1")
        step("export", "export", "-o", str(reports / "e.csv"))
        step("export json", "export", "--format", "json")
        step("advance", "advance", AUDIT)
        step("return", "return", AUDIT, "--to", "onsite", "--reason", "r", "--user", REVIEWER)
        step("advance 2", "advance", AUDIT)
        step("advance 3", "advance", AUDIT)
        step("approve", "approve", AUDIT, "--comment", "ok", "--user", REVIEWER)
        step("status approved", "status", AUDIT, "--json")
        step("report approved", "report", AUDIT, "-o", str(reports / "approved.md"))
        step("verify", "verify", str(reports / "approved.md"))
        step("reopen", "reopen", AUDIT, "--reason", "r", "--user", REVIEWER)
        if remote is not None:
            step("sync", "sync", remote)
        step("textconv", "textconv", str(audit_file))
        return codes

    def raw_control_output(self) -> list[str]:
        """Output lines holding a raw control or bidi character."""
        return [line for text in self.outputs for line in text.splitlines() if RAW_CONTROL.search(line)]


def plain(repo: Path, *args: str, input: bytes | None = None, check: bool = True,
          env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """Plain git as a person runs it (their config and the store's, hooks and all)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k.startswith("GIT_CONFIG")}
    full.update(GIT_AUTHOR_NAME="Cli", GIT_AUTHOR_EMAIL="cli@example.org",
                GIT_COMMITTER_NAME="Cli", GIT_COMMITTER_EMAIL="cli@example.org")
    full.update(env or {})
    done = subprocess.run(["git", *args], cwd=repo, env=full, capture_output=True, input=input, check=False, timeout=60)
    if check and done.returncode:
        raise AssertionError(f"git {args}: {done.stderr.decode('utf-8', 'replace')}")
    return done
