"""Text from a store never reaches the terminal raw in the app.

A revision committed by someone else with plain git carries escape sequences
in its commit metadata: OSC 52 (write the clipboard), a window title, a
screen clear, BEL, a C1 control and a bidi override.  (The same in an audit's
text is refused when the file is read: issue 11, tests/reliability.)  Every
view must show them as visible escapes, both on the screen Textual composes
and in the bytes the real app writes to its terminal.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import time
from pathlib import Path

import pytest
from support.ptyapp import PtyApp
from support.tui import LEADER, PROJECT, make_app, seed_store, started

from auditdesk.audit.document import Audit, to_toml
from auditdesk.criteria.results import ItemResult
from auditdesk.safetext import BIDI_CONTROLS
from auditdesk.store.audits import AuditStore

CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07"  # OSC 52: the clipboard set to "rm -rf ~"
TITLE = "\x1b]0;PWNED\x07"
CLEAR = "\x1b[2J\x1b[H"
C1 = "\x9b31m"
BIDI = "\u202e"
AUTHOR = f"Mal{TITLE}lo{C1}ry"
MESSAGE = f"{PROJECT}: {CLIPBOARD}{BIDI}{CLEAR}"
RAW = (CLIPBOARD, TITLE, CLEAR, "\x07", "\x1b]", C1, BIDI)


def unsafe(text: str) -> list[str]:
    return sorted({hex(ord(c)) for c in text if (ord(c) < 32 and c != "\n") or 0x7f <= ord(c) <= 0x9f or c in BIDI_CONTROLS})


def plant(audit: Audit) -> Audit:
    """A plain change (git metadata is what carries the hostile text: an audit's own text
    with control characters is refused when it is read)."""
    audit.items["A1"] = ItemResult(pct=audit.items["A1"].pct, note="看了记录")
    return audit


def commit_by_hand(root: Path, audit: Audit) -> None:
    """The hostile audit committed the way another tool would (the store's own checks are not asked)."""
    (root / "audits" / f"{PROJECT}.toml").write_bytes(to_toml(audit))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k.startswith("GIT_CONFIG")}
    env.update(GIT_AUTHOR_NAME=AUTHOR, GIT_AUTHOR_EMAIL="m@example.org", GIT_COMMITTER_NAME=AUTHOR,
               GIT_COMMITTER_EMAIL="m@example.org")
    subprocess.run(["git", "-C", str(root), "commit", "-q", "-a", "-m", MESSAGE], env=env, check=True)


@pytest.fixture
def hostile_store(tmp_path: Path, sample: Audit) -> AuditStore:
    with seed_store(tmp_path, sample, "conclusion") as store:
        commit_by_hand(store.root, plant(store.load(PROJECT).audit))
        yield store


def screen_text(app: object) -> str:
    """Every line Textual composed for the screen (what it is about to write)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())  # type: ignore[attr-defined]


VIEWS = [("browser", []), ("scoring", ["enter", "f3", "g", *"A3", "enter"]), ("note", ["up", "up"]),
         ("planning", ["f2"]), ("team", ["shift+tab"] * 6), ("conclusion", ["f4"]), ("report", ["f5"]),
         ("review", ["f6"]), ("blockers", ["f3", "f9"])]


async def test_every_view_shows_stored_control_characters_escaped(hostile_store: AuditStore) -> None:
    app = make_app(hostile_store)
    seen = []
    async with started(app) as pilot:
        for name, keys in VIEWS:
            await pilot.press(*keys)
            await pilot.pause()
            text = screen_text(app)
            assert unsafe(text) == [], f"{name}: {unsafe(text)} in {text!r}"
            seen.append(text)
    everything = "\n".join(seen)
    for escaped in ("\\x1b]52;c;", "\\x1b]0;PWNED\\x07", "\\u202e"):  # (the C1 sits where the author column is cut)
        assert escaped in everything, escaped  # shown, visibly, not dropped
    assert hostile_store.load(PROJECT).audit.items["A1"].note == "看了记录"  # showing it changed nothing


def test_the_real_app_writes_none_of_them_to_its_terminal(hostile_store: AuditStore, tmp_path: Path) -> None:
    rng = random.Random(3)
    app = PtyApp(hostile_store.root, f"{LEADER.name} <{LEADER.email}>", tmp_path)
    try:
        app.wait_for("1 of 1 audits")
        for keys, shown in ((["enter"], "Overview"), (["f3", "g", *"A3", "enter"], "A3"), (["up", "up"], "Evidence"),
                            (["f2"], "Organisation"), (["shift+tab"] * 6, "Team"), (["f5"], "服务认证审查报告"),
                            (["f6"], "Revision")):
            since = app.written
            app.type(keys, rng)
            app.wait_for(shown, since=since)
        time.sleep(1)
        assert app.quit() == 0
    finally:
        app.kill()
    # Textual's own OSC 22 (the pointer shape) ends with BEL; nothing else may.
    written = re.sub(rb"\x1b\]22;[a-z-]*\x07", b"", bytes(app.output))
    for raw in RAW:
        assert raw.encode("utf-8") not in written, repr(raw)
    assert b"\\x1b]52;c;" in written  # the commit message, shown escaped

