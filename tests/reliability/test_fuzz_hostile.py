"""Fuzzing the doors with hostile text (issue 11): random bytes, control
characters, terminal escape sequences, bidi overrides, shell metacharacters
and long dotted keys, thrown at every text field through the command line
and through hand edits of the audit file.

Three properties, checked on every example:

* nothing executes: the store is armed (every hook, ``core.fsmonitor``, a
  filter driver on every file) and the text tries ``$(touch …)``; no marker
  file may appear;
* no raw ESC, BEL, C1 or bidi character (nor any other control but newline
  and tab) reaches stdout or stderr;
* a hostile file is refused in under a second of CPU with a message naming
  it (and its line where there is one); a hostile argument is refused naming
  the argument.

Example counts are modest (about 40 to 60 per property) so the suite stays
fast; raise them with a hypothesis profile to search longer.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import time
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.hostile import HOOKS, RAW_CONTROL, plain
from support.profiles import scaled
from support.reliability import AUDIT, LEADER, SAMPLE

from auditdesk.audit.document import ONE_LINE_FIELDS, Audit, from_toml, to_toml
from auditdesk.cli import main
from auditdesk.safetext import BIDI_CONTROLS, unsafe_characters

FUZZ = settings(max_examples=scaled(50), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])

ESCAPES = ["\x1b]52;c;cm0gLXJmIH4=\x07", "\x1b]0;title\x1b\\", "\x1b[2J\x1b[H", "\x1b[1A\x1b[2K", "\x1bc", "\x9b31m",
           "\x9d8;;http://evil\x9c", "\x07", "\r", "\x08" * 5, "\x00", "\x7f"]
SHELL = ["$(touch {m}/dollar)", "`touch {m}/backtick`", "; touch {m}/semicolon", "| touch {m}/pipe", "--exec=touch {m}/opt",
         "-c core.pager=touch {m}/pager", "ext::sh -c touch% {m}/ext"]
PIECE = st.one_of(
    st.text(max_size=12),
    st.sampled_from(ESCAPES),
    st.sampled_from(sorted(BIDI_CONTROLS)),
    st.characters(min_codepoint=0, max_codepoint=0x9F),
    st.binary(min_size=1, max_size=8).map(os.fsdecode),  # bytes that are not UTF-8 arrive as surrogates
    st.sampled_from(["中文", "\u200b", "\ufeff", "＝1+1", "'''", '"""', "\\", "[items.A1]", "a.b.c"]),
)

#: Each builds real repositories and runs many commands: over 3 s (see the slow marker).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def armed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A demo store whose every hook, fsmonitor and filter driver leaves a marker."""
    root = tmp_path_factory.mktemp("armed")
    markers = root / "markers"
    markers.mkdir()
    store = root / "store"
    code, _out, err = cli("demo", "--store", str(store), "--user", LEADER)
    assert code == 0, err
    trap = root / "trap"
    trap.write_text(f"#!/bin/sh\ntouch {markers}/trap-$$\ncat >/dev/null\n")
    trap.chmod(0o755)
    for hook in HOOKS:
        (store / ".git" / "hooks" / hook).write_text(f"#!/bin/sh\ntouch {markers}/{hook}\n")
        (store / ".git" / "hooks" / hook).chmod(0o755)
    for key, value in (("core.fsmonitor", str(trap)), ("filter.evil.clean", str(trap)), ("filter.evil.smudge", str(trap)),
                       ("filter.evil.required", "true"), ("diff.evil.textconv", str(trap)), ("gpg.program", str(trap))):
        plain(store, "config", key, value)
    with open(store / ".git" / "info" / "attributes", "a") as f:
        f.write("* filter=evil diff=evil\n")
    yield store, markers


def cli(*argv: str) -> tuple[int, str, str]:
    """``auditdesk`` in-process: (exit code, stdout, stderr); never a traceback."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse usage errors
            code = exc.code if isinstance(exc.code, int) else 2
    assert "Traceback" not in err.getvalue(), err.getvalue()
    return code, out.getvalue(), err.getvalue()


def _clean(code_out_err: tuple[int, str, str]) -> None:
    _code, out, err = code_out_err
    assert RAW_CONTROL.search(out) is None, out
    assert RAW_CONTROL.search(err) is None, err


# ------------------------------------------------------------------ the command line


#: (argv before the text, argv after it, the argument the refusal names, whether newlines are allowed)
ARGUMENTS = [
    (["score", AUDIT, "B17=96", "--note"], [], "--note", True),
    (["new", "--catalog", "cts-isc-jsgf-05", "--project-no", "F-1", "--org"], [], "--org", True),
    (["return", AUDIT, "--to", "onsite", "--reason"], [], "--reason", True),
    (["approve", AUDIT, "--comment"], [], "--comment", True),
    (["--user"], ["score", AUDIT, "B17=96"], "--user", False),
    (["show"], [], "AUDIT", False),
    (["blame", AUDIT], [], "KEY", False),
    (["diff", AUDIT, "--against"], [], "--against", False),
    (["sync"], [], "REMOTE", False),
    (["show", AUDIT, "--rev"], [], "--rev", False),
    (["report", AUDIT, "-o"], [], "--output", False),  # the text becomes a file name in a temp folder
]


@settings(FUZZ, max_examples=scaled(30))
@given(which=st.integers(0, len(ARGUMENTS) - 1), pieces=st.lists(PIECE, min_size=1, max_size=6))
def test_hostile_arguments(armed: tuple[Path, Path], which: int, pieces: list[str]) -> None:
    store, markers = armed
    before, after, name, multiline = ARGUMENTS[which]
    text = "x" + "".join(p.replace("{m}", str(markers)) for p in pieces)  # "x": never read as an option
    if name == "--output":
        text = str(store.parent / "out" / text.replace("/", "_")[:200])
    started = time.process_time()
    result = cli(*before, text, *after, "--store", str(store))
    took = time.process_time() - started
    _clean(result)
    assert list(markers.iterdir()) == []
    code, _out, err = result
    refused = unsafe_characters(text, allow="\n\t" if multiline else "")
    if refused and name not in ("AUDIT", "--against"):  # project numbers have their own check, below
        assert code == 1 and err.startswith(f"auditdesk: {name}: "), (text, err)
        assert took < 1.0
    elif refused:
        assert code == 1 and "project number" in err, (text, err)


# ------------------------------------------------------------------ hand edits


def _text_fields(audit: Audit) -> list[tuple[object, str]]:
    """(record, field name) of every str field in the audit's dataclass tree."""
    found: list[tuple[object, str]] = []

    def walk(obj: object) -> None:
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            hints = typing.get_type_hints(type(obj))
            for f in dataclasses.fields(obj):
                value = getattr(obj, f.name)
                if hints[f.name] is str:
                    found.append((obj, f.name))
                walk(value)
        elif isinstance(obj, (tuple, list)):
            for v in obj:
                walk(v)
        elif isinstance(obj, dict):
            for v in obj.values():
                walk(v)

    walk(audit)
    return found


FIELDS = len(_text_fields(from_toml(SAMPLE, "seed")))


def _toml_string(text: str) -> str:
    """``text`` as a TOML basic string, every character TOML cannot hold raw as an escape."""
    out = []
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F or 0xD800 <= ord(c) <= 0xDFFF:
            out.append(f"\\u{ord(c) if ord(c) < 0xD800 else 0xFFFD:04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


@FUZZ
@given(field=st.integers(0, FIELDS - 1), pieces=st.lists(PIECE, min_size=1, max_size=6))
def test_hostile_text_in_a_hand_edited_field(armed: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory,
                                              field: int, pieces: list[str]) -> None:
    _store, markers = armed
    text = "".join(p.replace("{m}", str(markers)) for p in pieces)
    # the field is given a marker value, the marker then replaced by the hostile text
    audit = from_toml(SAMPLE, "seed")
    record, name = _text_fields(audit)[field]
    object.__setattr__(record, name, "\ufffcMARK\ufffc")  # some records are frozen
    marked = to_toml(audit).decode("utf-8")
    data = marked.replace('"\ufffcMARK\ufffc"', _toml_string(text), 1).encode("utf-8")
    lines = marked.split("\n")
    line = next(i for i, ln in enumerate(lines, 1) if "\ufffcMARK\ufffc" in ln)
    target = tmp_path_factory.mktemp("edit") / "hostile.toml"
    target.write_bytes(data)
    loaded = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)  # as _toml_string wrote it
    refused = unsafe_characters(loaded, allow="" if name in ONE_LINE_FIELDS else "\n\t")
    for argv in (("validate", str(target)), ("show", str(target), "--json"), ("report", str(target))):
        started = time.process_time()
        result = cli(*argv)
        took = time.process_time() - started
        _clean(result)
        code, _out, err = result
        if refused:
            assert code == 1 and took < 1.0, (text, err)
            # the catalog's id and version are checked as a catalog reference first, on its table's line
            where = f"{target}:" if name in ("id", "version") else f"{target}:{line}: "
            assert where in err, (text, err)  # validate prints the problems, show and report "auditdesk: " first
    assert list(markers.iterdir()) == []


@settings(max_examples=scaled(30), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.integers(17, 30_000), where=st.sampled_from(["key", "header", "inline", "array-of-tables"]),
       junk=st.binary(max_size=40))
def test_long_keys_and_junk_are_refused_fast(tmp_path_factory: pytest.TempPathFactory, parts: int, where: str,
                                             junk: bytes) -> None:
    dotted = ".".join(["k"] * parts)
    tail = {"key": f"{dotted} = 1\n", "header": f"[{dotted}]\n", "inline": f"x = {{ {dotted} = 1 }}\n",
            "array-of-tables": f"[[{dotted}]]\n"}[where].encode()
    data = SAMPLE + b"\n" + tail + junk
    target = tmp_path_factory.mktemp("keys") / "long.toml"
    target.write_bytes(data)
    started = time.process_time()
    code, out, err = cli("validate", str(target))
    assert time.process_time() - started < 1.0
    line = SAMPLE.count(b"\n") + 2
    assert code == 1 and out == "" and err.startswith(f"{target}:{line}: a dotted "), err
    _clean((code, out, err))
