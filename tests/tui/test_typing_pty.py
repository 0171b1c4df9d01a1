"""Typing faster than the app saves, in a real terminal on a loaded machine, loses nothing.

The app runs as a person runs it (`python -m auditdesk` on a pseudo-terminal
at 80x24) while busy loops load both cores; keys arrive 20-80 ms apart and
in bursts (one write, as an SSH packet or a paste without bracketed paste).
Every stored value must equal the typed one, on its item, in order.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from support.ptyapp import PtyApp, busy_machine
from support.tui import LEADER, PROJECT

from auditdesk.audit.document import Audit, Member
from auditdesk.audit.identity import Identity
from auditdesk.store.audits import AuditStore

pytestmark = pytest.mark.slow  # each drives the real app on a loaded machine: 20-60 s

USER = f"{LEADER.name} <{LEADER.email}>"


def make_store(root: Path, sample: Audit, stage: str) -> Path:
    """The seed audit at `stage`, nothing scored, its leader alone on the team."""
    sample.stage = stage  # type: ignore[assignment]
    sample.items = {}
    sample.planning.team = (Member("L1", LEADER.name, "leader"),)
    with AuditStore.open(root, create=True) as store:
        store.save(sample, base=None, user=Identity("Test", "t@example.org"))
    return root


def stored(root: Path) -> Audit:
    with AuditStore.open(root) as store:
        return store.load(PROJECT).audit


def wait_until(check: object, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.25)


@pytest.fixture
def app_in_pty(tmp_path: Path) -> Iterator[list[PtyApp]]:
    started: list[PtyApp] = []
    yield started
    for app in started:
        app.kill()


def start(started: list[PtyApp], root: Path, home: Path) -> PtyApp:
    app = PtyApp(root, USER, home)
    started.append(app)
    app.wait_for("1 of 1 audits")
    return app


def percentages(rng: random.Random, n: int) -> list[str]:
    """What an auditor types: mostly whole numbers, some with decimals, 0 and 100 among them."""
    out = []
    for i in range(n):
        if i % 13 == 0:
            out.append(rng.choice(["0", "100"]))
        elif i % 7 == 0:
            out.append(f"{rng.randint(0, 99)}.{rng.randint(1, 9)}")
        else:
            out.append(str(rng.randint(0, 100)))
    return out


def test_sixty_scores_typed_ahead_land_on_their_items(tmp_path: Path, sample: Audit, app_in_pty: list[PtyApp]) -> None:
    root = make_store(tmp_path / "store", sample, "onsite")
    with AuditStore.open(root) as store:
        codes = list(store.load(PROJECT).catalog.items)[:60]
    rng = random.Random(10)
    typed = percentages(rng, 60)
    app = start(app_in_pty, root, tmp_path)
    app.type(["enter"], rng)  # open: an audit on site opens on scoring
    app.wait_for("Requirement")
    with busy_machine():
        i = 0
        while i < len(typed):
            if i % 10 == 9 and i + 1 < len(typed):  # a burst: two scores in one write ("50⏎0⏎")
                app.burst([*typed[i], "enter", *typed[i + 1], "enter"])
                i += 2
            else:
                app.type([*typed[i], "enter"], rng)
                i += 1
        wait_until(lambda: len(stored(root).items) >= 60)
    assert app.quit() == 0
    items = stored(root).items
    assert [(code, items[code].pct) for code in codes] == [(code, Decimal(value)) for code, value in zip(codes, typed, strict=True)]
    assert len(items) == 60  # nothing typed landed on a 61st item


def test_three_team_members_added_in_a_row(tmp_path: Path, sample: Audit, app_in_pty: list[PtyApp]) -> None:
    root = make_store(tmp_path / "store", sample, "planning")
    rng = random.Random(11)
    app = start(app_in_pty, root, tmp_path)
    app.type(["enter"], rng)  # opens on planning, the first field focused
    app.wait_for("Certification body")
    with busy_machine():
        app.type(["shift+tab"] * 6, rng)  # back around to the team table
        app.type(["a", *"M1", "tab", *"张三", "ctrl+s"], rng)
        app.burst(["a", *"M2", "tab", *"李四", "ctrl+s"])  # a whole member in one write
        app.type(["a", *"M3", "tab", *"王五", "ctrl+s"], rng, delay=(0.02, 0.03))
        wait_until(lambda: len(stored(root).planning.team) >= 4)
    assert app.quit() == 0
    team = stored(root).planning.team
    assert [(m.code, m.name, m.role) for m in team] == [
        ("L1", LEADER.name, "leader"), ("M1", "张三", "member"), ("M2", "李四", "member"), ("M3", "王五", "member")]


def test_a_pasted_column_of_scores_fills_consecutive_items(tmp_path: Path, sample: Audit, app_in_pty: list[PtyApp]) -> None:
    root = make_store(tmp_path / "store", sample, "onsite")
    rng = random.Random(12)
    app = start(app_in_pty, root, tmp_path)
    app.type(["enter"], rng)
    app.wait_for("Requirement")
    with busy_machine():
        app.type([*"90", "enter"], rng)
        app.paste("95\n87.5\n\n100%\n0\n")  # a spreadsheet column; the empty cell leaves its item
        app.burst([*"77", "enter"])  # typed right after the paste: the item after the column
        wait_until(lambda: len(stored(root).items) >= 6)
    assert app.quit() == 0
    items = stored(root).items
    assert {code: items[code].pct for code in items} == {
        "A1": 90, "A2": 95, "A3": Decimal("87.5"), "A5": 100, "A6": 0, "A7": 77}
