"""The bad-input catalogue: every case is what a user can type or hand-edit, and
each asserts the exact message the user sees from the command line (exit 1,
one message naming file, line and field; never a traceback).

Cases already covered below the command line are not repeated here:
tests/store/test_document.py (hand-edit mistakes through `from_toml`),
tests/cli/test_cli.py::test_bad_scores_give_one_clear_line_and_change_nothing
(a few `score` arguments) and tests/criteria/test_catalog.py (catalog rules).

Why this module is long: it is one catalogue, the cases of RELIABILITY.md's
section 1 in its order, each with the exact message it must give; split by
kind, a reader could no longer check the list against that section.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from support import git, line_of
from support.reliability import AUDIT, LEADER, SAMPLE, Run, consistent

from auditdesk.audit.document import from_toml, to_toml
from auditdesk.criteria.catalog import BUILTIN_DIR
from auditdesk.criteria.tomldata import MAX_TEXT_BYTES

TAIL = "1 of 1 file(s) have problems\n"
CATALOG = (BUILTIN_DIR / "cts-isc-jsgf-05.toml").read_bytes()


def edit(*pairs: tuple[bytes, bytes], data: bytes = SAMPLE) -> bytes:
    for old, new in pairs:
        assert old in data, old
        data = data.replace(old, new, 1)
    return data


def _without_team(data: bytes) -> bytes:
    start, end = data.index(b"[[planning.team]]"), data.index(b"[planning.past_year.accident]")
    return data[:start] + data[end:]


B17 = b"[items.B17]\npct = 95"
PLANNING = b'star_applied = "'

# (case, file bytes, expected message lines with {f} for the file; {L:needle} is the line of needle)
FILE_CASES: list[tuple[str, bytes, list[str]]] = [
    # malformed TOML: hand edits, truncation, encodings
    ("hand edit: string left open", edit((b'scope = "', b'scope = "unclosed\nstar')),
     ["{f}:{L:unclosed}: invalid TOML: Illegal character '\\n' (column 18)"]),
    ("hand edit: '=' deleted", edit((b'star_applied = "', b'star_applied "')),
     ["{f}:{L:star_applied}: invalid TOML: Expected '=' after a key in a key/value pair (column 14)"]),
    ("hand edit: table declared twice", edit((b"[planning.contact]", b'[body]\nname = "x"\n\n[planning.contact]')),
     ["{f}:{L:[body]\nname = \"x\"}: invalid TOML: Cannot declare ('body',) twice (column 6)"]),
    ("truncated file", SAMPLE[: SAMPLE.index(b"[items.B1]") + 9],
     ["{f}: invalid TOML: Expected ']' at the end of a table declaration (at end of document)"]),
    ("truncated inside a string", SAMPLE[: SAMPLE.index(b'overview = "') + 15],
     ["{f}: invalid TOML: Unterminated string (at end of document)"]),
    ("truncated inside a UTF-8 character", SAMPLE[: SAMPLE.index(b'overview = "') + 13],
     ["{f}:{L:overview}: not UTF-8 text (byte {B:overview = \"}); save the file as UTF-8"]),
    ("GBK encoding", SAMPLE.decode("utf-8").encode("gbk"), ["{f}:11: not UTF-8 text (byte 209); save the file as UTF-8"]),
    ("UTF-16 encoding", SAMPLE.decode("utf-8").encode("utf-16"), ["{f}:1: not UTF-8 text (byte 0); save the file as UTF-8"]),
    ("UTF-8 with BOM", b"\xef\xbb\xbf" + SAMPLE,
     ["{f}:1: file starts with a byte-order mark (BOM); save it as UTF-8 without BOM"]),
    ("NUL byte", edit((b"[body]\n", b"[body]\n\x00")), ["{f}:11: invalid TOML: Invalid statement (column 1)"]),
    ("lone CR line ending", edit((b"[body]\n", b"[body]\r")),
     ["{f}:10: invalid TOML: Expected newline or end of document after a statement (column 7)"]),
    ("empty file", b"", ["{f}: project_no: missing (required)", "{f}: catalog: missing (required)"]),
    ("integer of 5000 digits", edit((b"[items.A1]\npct = 100", b"[items.A1]\npct = " + b"1" * 5000)),
     ["{f}: invalid TOML: a number has too many digits"]),
    ("arrays nested 2000 deep", edit((b"[body]\n", b"[body]\nx = " + b"[" * 2000 + b"]" * 2000 + b"\n")),
     [("{f}:{L:x = [[}: data nested 33 levels deep (tables, dotted keys, arrays and inline tables together) "
       "(at most 32 levels); the file was not read")]),  # refused before tomllib (was its RecursionError)
    # wrong types
    ("stage is a number", edit((b'stage = "conclusion"', b"stage = 3")),
     ["{f}:3: stage: 3 is not one of: planning, onsite, conclusion, review, approved"]),
    ("pct is text", edit((B17, b'[items.B17]\npct = "95"')), ["{f}:{L:\"95\"}: items.B17.pct: expected a number, got text '95'"]),
    ("items is a number", edit((b"stage = \"conclusion\"\n", b"stage = \"conclusion\"\nitems = 5\n"), data=SAMPLE[: SAMPLE.index(b"[items.A1]")]),
     ["{f}:4: items: expected a table, got the number 5"]),
    ("team is text", _without_team(edit((b"audit_to_half = \"am\"\n", b"audit_to_half = \"am\"\nteam = \"Han\"\n"))),
     ["{f}:{L:team = }: planning.team: expected a list, got text 'Han'"]),
    ("yes/no written as text", edit((PLANNING, b'multi_site = "no"\n' + PLANNING)),
     ["{f}:{L:multi_site}: planning.multi_site: expected true or false, got text 'no'"]),
    ("yes/no written as 0", edit((b"[planning.risks]\nyes = false", b"[planning.risks]\nyes = 0")),
     ["{f}:{L:yes = 0}: planning.risks.yes: expected true or false, got the number 0"]),
    ("date in quotes", edit((b"date = 2024-04-11", b'date = "2024-04-11"')),
     ["{f}:{L:date = \"}: conclusion.date: expected a date such as 2024-04-11 (no quotes), got text '2024-04-11'"]),
    ("unknown field", edit((B17, B17 + b"\nscore = 3")),
     ["{f}:{L:score = 3}: items.B17.score: unknown field (expected one of: pct, na, reason, reason_added, samples, nonconforming, note)"]),
    # item codes
    ("unknown item code", edit((b"[items.B17]", b"[items.Z17]")),
     ["{f}:{L:[items.Z17]}: items.Z17: unknown item code Z17 (catalog cts-isc-jsgf-05@2024 has A1–A29, B1–B45, C1–C8)"]),
    ("item code in lower case", edit((b"[items.B17]", b"[items.b17]")),
     ["{f}:{L:[items.b17]}: items.b17: unknown item code b17 (catalog cts-isc-jsgf-05@2024 has A1–A29, B1–B45, C1–C8)"]),
    # percentages
    ("pct above 100", edit((B17, b"[items.B17]\npct = 100.5")),
     ["{f}:{L:100.5}: items.B17.pct: percentage must be between 0 and 100, got 100.5"]),
    ("pct below 0", edit((B17, b"[items.B17]\npct = -1")), ["{f}:{L:pct = -1}: items.B17.pct: percentage must be between 0 and 100, got -1"]),
    ("pct with three decimals", edit((B17, b"[items.B17]\npct = 95.125")),
     ["{f}:{L:95.125}: items.B17.pct: percentage has at most two decimals, got 95.125"]),
    ("pct is nan", edit((B17, b"[items.B17]\npct = nan")), ["{f}:{L:nan}: items.B17.pct: expected a finite number"]),
    ("pct is inf", edit((B17, b"[items.B17]\npct = inf")), ["{f}:{L:inf}: items.B17.pct: expected a finite number"]),
    # not applicable and samples
    ("N/A without reason", edit((B17, b"[items.B17]\nna = true")),
     ["{f}:{L:[items.B17]}: items.B17.reason: not applicable needs a reason (删减 with a reason)"]),
    ("N/A with a percentage", edit((B17, B17 + b'\nna = true\nreason = "x"')),
     ["{f}:{L:pct = 95\nna = true}: items.B17.pct: an item that is not applicable (na = true) has no percentage; remove pct or na"]),
    ("samples k > n", edit((B17, b"[items.B17]\npct = 66.67\nsamples = 3\nnonconforming = 4")),
     ["{f}:{L:nonconforming}: items.B17.nonconforming: nonconforming must be between 0 and samples (3), got 4"]),
    ("samples n = 0", edit((B17, b"[items.B17]\nsamples = 0\nnonconforming = 0")),
     ["{f}:{L:samples = 0}: items.B17.samples: samples must be at least 1, got 0"]),
    ("samples without k", edit((B17, B17 + b"\nsamples = 3")),
     ["{f}:{L:samples = 3}: items.B17.samples: give both samples (n) and nonconforming (k), or neither"]),
    ("pct disagrees with samples", edit((B17, b"[items.B17]\npct = 70\nsamples = 3\nnonconforming = 1")),
     ["{f}:{L:pct = 70}: items.B17.pct: pct 70 does not match 2 of 3 samples conforming (66.67)"]),
    # catalog named by the audit
    ("catalog version missing", edit((b'version = "2024"', b'version = "1999"')),
     ["{f}:5: catalog: unknown catalog cts-isc-jsgf-05@1999 (known: cts-isc-jsgf-05@2024)"]),
    ("catalog id missing", edit((b'id = "cts-isc-jsgf-05"', b'id = "gb-t-27922"')),
     ["{f}:5: catalog: unknown catalog gb-t-27922@2024 (known: cts-isc-jsgf-05@2024)"]),
    # project numbers and other whole-audit checks
    ("project number missing", edit((b'project_no = "10234-2024-SD"\n', b"")), ["{f}: project_no: missing (required)"]),
    ("project number with ../", edit((b'project_no = "10234-2024-SD"', b'project_no = "../../etc/passwd"')),
     ["{f}:2: project_no: project number '../../etc/passwd' contains characters that cannot be in a file name ('/')"]),
    ("project number with RTL override", edit((b'project_no = "10234-2024-SD"', 'project_no = "10234\u202eDS-4202"'.encode())),
     ["{f}:2: project_no: project number '10234\\u202eDS-4202' contains characters that cannot be in a file name (U+202E)"]),
    ("project number with a control character", edit((b'project_no = "10234-2024-SD"', b'project_no = "10234\\u0007"')),
     ["{f}:2: project_no: project number '10234\\x07' contains characters that cannot be in a file name (U+0007)"]),
    ("written by a newer auditdesk", edit((b"schema = 1", b"schema = 2")),
     ["{f}:1: schema: written by a newer auditdesk (schema 2; this one reads 1); upgrade auditdesk"]),
    ("two team leaders", edit((b'role = "leader"', b'role = "leader"\n\n[[planning.team]]\ncode = "2"\nname = "X"\nrole = "leader"')),
     ["{f}:{L:[[planning.team]]}: planning.team: a team has one leader; 2 are marked leader (韩永师, X)"]),
    ("audit ends before it starts", edit((b"audit_to = 2024-04-11", b"audit_to = 2024-04-01")),
     ["{f}:{L:audit_to =}: planning.audit_to: the audit ends (2024-04-01 am) before it starts (2024-04-10 am)"]),
]


def _expand(template: str, f: Path, data: bytes) -> str:
    out = template.replace("{f}", str(f))
    while "{L:" in out:
        start = out.index("{L:")
        end = out.index("}", start + 3)
        needle = out[start + 3:end].replace("\\n", "\n").encode("utf-8")
        out = out[:start] + str(line_of(data, needle)) + out[end + 1:]
    while "{B:" in out:
        start = out.index("{B:")
        end = out.index("}", start + 3)
        needle = out[start + 3:end].encode("utf-8")
        out = out[:start] + str(data.index(needle) + len(needle)) + out[end + 1:]
    return out


def assert_validate_says(run: Run, f: Path, data: bytes, expected: list[str]) -> None:
    """`auditdesk validate` on a file holding `data`: exit 1, nothing on stdout, exactly the `expected` lines."""
    f.write_bytes(data)
    code, out, err = run("validate", str(f))
    assert code == 1 and out == ""
    assert err == "".join(_expand(e, f, data) + "\n" for e in expected) + TAIL


@pytest.mark.parametrize(("case", "data", "expected"), FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_hand_edited_file_gets_exact_located_message(run: Run, tmp_path: Path, case: str, data: bytes, expected: list[str]) -> None:
    assert_validate_says(run, tmp_path / "audit.toml", data, expected)


def test_crlf_file_is_accepted_and_committed_canonically(run: Run, demo: Path) -> None:
    target = demo / "audits" / f"{AUDIT}.toml"
    target.write_bytes(SAMPLE.replace(b"\n", b"\r\n"))
    assert run("validate", str(target)) == (0, f"ok {target}\n", "")
    code, out, err = run("commit", AUDIT, "--store", str(demo))
    assert (code, out) == (0, f"{AUDIT}: no changes to commit\n")
    assert err == (f"auditdesk: note: audits/{AUDIT}.toml: differs from the last commit and is not committed; keep it with "
                   f"'auditdesk commit {AUDIT}' or drop it with 'git checkout -- audits/{AUDIT}.toml' in the store\n")
    assert target.read_bytes() == SAMPLE  # the canonical bytes are back; the CRLF copy is kept on a side ref
    kept = git(demo, "for-each-ref", "--format=%(refname)", "refs/auditdesk/discarded").split()
    typed = subprocess.run(["git", "show", f"{kept[0]}:audits/{AUDIT}.toml"], cwd=demo, capture_output=True, check=True).stdout
    assert len(kept) == 1 and typed == SAMPLE.replace(b"\n", b"\r\n")
    assert consistent(demo) == 1


def test_hand_edit_mistake_is_refused_by_commit_and_nothing_changes(run: Run, demo: Path) -> None:
    target = demo / "audits" / f"{AUDIT}.toml"
    data = edit((B17, b"[items.B17]\npct = 120"))
    target.write_bytes(data)
    head = git(demo, "rev-parse", "HEAD")
    code, _, err = run("commit", AUDIT, "--store", str(demo))
    assert code == 1
    assert err.splitlines()[-1] == (f"auditdesk: {target}:{line_of(data, b'pct = 120')}: items.B17.pct: "
                                    "percentage must be between 0 and 100, got 120")
    assert git(demo, "rev-parse", "HEAD") == head and target.read_bytes() == data  # the hand edit is kept to fix


# --------------------------------------------------------------- catalogs


def _catalog(*pairs: tuple[bytes, bytes]) -> bytes:
    return edit(*pairs, data=CATALOG)


CATALOG_CASES: list[tuple[str, bytes, list[str]]] = [
    ("weights do not add up", _catalog((b'code = "A2"\nclause = "5.1.1.2"\nweight = 3', b'code = "A2"\nclause = "5.1.1.2"\nweight = 4')),
     ["{f}:{L:points = 5\n\n[[parts.sections.items]]\ncode = \"A1\"}: parts[0].sections[0].points: section 5.1.1 is worth 5 but its item weights add up to 6"]),
    ("sections do not add up to the part", _catalog((b'clause = "5.1.1"\ntitle = "\xe7\xbb\x84\xe7\xbb\x87\xe6\x9e\xb6\xe6\x9e\x84"\npoints = 5',
                                                     b'clause = "5.1.1"\ntitle = "\xe7\xbb\x84\xe7\xbb\x87\xe6\x9e\xb6\xe6\x9e\x84"\npoints = 6'),
                                                    (b'code = "A2"\nclause = "5.1.1.2"\nweight = 3', b'code = "A2"\nclause = "5.1.1.2"\nweight = 4')),
     ["{f}:{L:points = 56}: parts[0].points: part A is worth 56 but its sections add up to 57"]),
    ("total does not add up", _catalog((b"total = 150", b"total = 151")),
     ["{f}:{L:total = 151}: total: the catalog total is 151 but its parts add up to 150"]),
    ("a part without sections", _catalog((b"[[parts]]\n", b'[[parts]]\ncode = "D"\ntitle = "empty"\npoints = 0\nsections = []\n\n[[parts]]\n')),
     ["{f}:{L:sections = []}: parts[0].sections: part D has no sections; a part needs at least one"]),
]


@pytest.mark.parametrize(("case", "data", "expected"), CATALOG_CASES, ids=[c[0] for c in CATALOG_CASES])
def test_broken_catalog_passed_to_validate(run: Run, tmp_path: Path, case: str, data: bytes, expected: list[str]) -> None:
    assert_validate_says(run, tmp_path / "catalog.toml", data, expected)


def test_a_section_without_items_is_refused_not_crashed(run: Run, tmp_path: Path) -> None:
    """Found here: a section with no items (points 0) passed validation and then
    crashed the first audit naming an unknown code (IndexError)."""
    data = CATALOG.replace(b'points = 5\n\n[[parts.sections.items]]\ncode = "A1"',
                           b'points = 0\nitems = []\n\n[[parts.sections]]\nclause = "5.1.0"\ntitle = "x"\npoints = 5\n\n[[parts.sections.items]]\ncode = "A1"', 1)
    assert data != CATALOG
    f = tmp_path / "catalog.toml"
    f.write_bytes(data)
    code, _, err = run("validate", str(f))
    assert code == 1
    line = line_of(data, b"items = []")
    assert err == f"{f}:{line}: parts[0].sections[0].items: section 5.1.1 has no items; a section needs at least one\n" + TAIL


# ------------------------------------------------------ command arguments


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["B17=-1"], "10234-2024-SD: B17.pct: percentage must be between 0 and 100, got -1"),
        (["B17=99.999"], "10234-2024-SD: B17.pct: percentage has at most two decimals, got 99.999"),
        (["B17=nan"], "10234-2024-SD: pct: 'nan' is not a percentage"),
        (["B17=inf"], "10234-2024-SD: pct: 'inf' is not a percentage"),
        (["B17="], "10234-2024-SD: pct: '' is not a percentage; give a number from 0 to 100 such as 97 or 66.67"),
        (["B17=1e3"], "10234-2024-SD: B17.pct: percentage must be between 0 and 100, got 1E+3"),
        (["B99=50"], "10234-2024-SD: B99: unknown item code 'B99' in catalog cts-isc-jsgf-05@2024"),
        (["B17", "--na", "--reason", "   "], "10234-2024-SD: B17.reason: not applicable needs a reason (删减 with a reason)"),
        (["B17", "--samples", "0", "--nonconforming", "0"], "10234-2024-SD: B17.samples: samples must be at least 1, got 0"),
        (["B17", "--samples", "3", "--nonconforming", "-1"],
         "10234-2024-SD: B17.nonconforming: nonconforming must be between 0 and samples (3), got -1"),
        (["B17=90", "B18", "--na", "--reason", "x"], "--na and --samples apply to one item: auditdesk score AUDIT CODE --na --reason TEXT"),
    ],
)
def test_bad_score_arguments(run: Run, demo: Path, args: list[str], message: str) -> None:
    head = git(demo, "rev-parse", "HEAD")
    code, _, err = run("score", AUDIT, *args, "--store", str(demo))
    assert (code, err) == (1, f"auditdesk: {message}\n")
    assert git(demo, "rev-parse", "HEAD") == head


def test_every_unscored_item_is_listed_at_the_gate(run: Run, demo: Path) -> None:
    """Missing item codes: an audit whose scores lack items cannot go to review."""
    target = demo / "audits" / f"{AUDIT}.toml"
    audit = from_toml(target.read_bytes(), str(target))
    for code in ("A3", "B17", "C8"):
        del audit.items[code]
    target.write_bytes(to_toml(audit))
    assert run("commit", AUDIT, "--store", str(demo))[0] == 0
    code, _, err = run("advance", AUDIT, "--store", str(demo))
    assert code == 1
    assert err == (f"auditdesk: {AUDIT} cannot move from conclusion to review; 2 thing(s) block it:\n"
                   "  - 3 item(s) not scored: A3 B17 C8\n"
                   "  - the recommended star level 十星级 differs from the computed 九星级: write a justification\n")


NEW = ["new", "--catalog", "cts-isc-jsgf-05", "--org", "某公司"]
RULE = ("must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit, "
        "without '..' and not ending in '.' or '.lock'")


@pytest.mark.parametrize(
    ("project_no", "why"),
    [
        ("../x", "contains characters that cannot be in a file name ('/')"),
        ("/etc/passwd", "contains characters that cannot be in a file name ('/')"),
        ("a\\b", "contains characters that cannot be in a file name ('\\\\')"),
        ("a\x00b", "contains characters that cannot be in a file name (U+0000)"),
        ("a\x1b[31mb", "contains characters that cannot be in a file name (U+001B)"),
        ("P\u202e1", "contains characters that cannot be in a file name (U+202E)"),
        ("P\u200b1", "contains characters that cannot be in a file name (U+200B)"),
        ("-rf", RULE),
        ("..", RULE),
        ("a..b", RULE),
        ("x.lock", RULE),
        ("P 1", RULE),
        ("项目1", RULE),
        ("a" * 65, RULE),
    ],
)
def test_hostile_project_numbers_through_new_and_show(run: Run, demo: Path, project_no: str, why: str) -> None:
    before = sorted(p.name for p in (demo / "audits").iterdir())
    head = git(demo, "rev-parse", "HEAD")
    code, _, err = run(*NEW, f"--project-no={project_no}", "--store", str(demo), "--user", LEADER)
    assert (code, err) == (1, f"auditdesk: new audit: project_no: project number {project_no!r} {why}\n")
    if not project_no.startswith("-"):
        code, _, err = run("show", project_no, "--store", str(demo))
        assert (code, err) == (1, f"auditdesk: audit: project_no: project number {project_no!r} {why}\n")
    assert sorted(p.name for p in (demo / "audits").iterdir()) == before
    assert git(demo, "rev-parse", "HEAD") == head


def test_duplicate_project_numbers(run: Run, demo: Path) -> None:
    code, _, err = run(*NEW, "--project-no", AUDIT, "--store", str(demo), "--user", LEADER)
    assert (code, err) == (1, f"auditdesk: an audit {AUDIT} already exists in {demo}; project numbers are unique\n")
    # A copy under another name (made with cp + git commit, or pulled): found, never saved over the original.
    (demo / "audits" / "COPY-1.toml").write_bytes(SAMPLE)
    git(demo, "add", "audits/COPY-1.toml")
    git(demo, "commit", "-qm", "copy")
    head = git(demo, "rev-parse", "HEAD")
    copy = demo / "audits" / "COPY-1.toml"
    for argv in (["show", "COPY-1"], ["score", "COPY-1", "B1=50"]):
        code, _, err = run(*argv, "--store", str(demo))
        assert (code, err) == (1, f"auditdesk: {copy}: project_no: is '{AUDIT}' but the file is audits/COPY-1.toml; they must agree\n")
    code, _, err = run("validate", "--store", str(demo))
    assert code == 1
    assert f"{copy}: project_no: is '{AUDIT}' but the file is COPY-1.toml; they must agree\n" in err
    assert git(demo, "rev-parse", "HEAD") == head and list(git(demo, "for-each-ref", "refs/auditdesk")) == []


def test_missing_audit_and_hostile_revision(run: Run, demo: Path) -> None:
    assert run("show", "NOPE-1", "--store", str(demo))[1:] == (
        "", f"auditdesk: no audit NOPE-1 in the store ({demo / 'audits' / 'NOPE-1.toml'})\n")
    assert run("show", AUDIT, "--rev", "refs/heads/nope", "--store", str(demo))[2] == "auditdesk: unknown revision 'refs/heads/nope'\n"


# ---------------------------------------------------------------- gigantic text


@pytest.mark.slow
def test_largest_text_field_works_and_a_bigger_one_is_refused(run: Run, demo: Path, tmp_path: Path) -> None:
    """A text field holds at most 256 KiB (about 87,000 Chinese characters, some
    60 printed pages).  An overview at that limit (realistic prose, paragraphs) is
    committed, scored, shown and rendered to Markdown and HTML within seconds.
    A bigger one is refused in under a second, naming file, line and field: this
    test used to commit a 5 MB overview, which the terminal app then took a
    minute to open (15 MB: 77 s; issue 11)."""
    target = demo / "audits" / f"{AUDIT}.toml"
    audit = from_toml(target.read_bytes(), str(target))
    paragraph = audit.conclusion.overview
    count = MAX_TEXT_BYTES // (len(paragraph.encode()) + 2)
    audit.conclusion.overview = "\n\n".join([paragraph] * count)
    assert MAX_TEXT_BYTES - 2_000 < len(audit.conclusion.overview.encode()) <= MAX_TEXT_BYTES
    target.write_bytes(to_toml(audit))
    started = time.monotonic()
    code, out, _ = run("commit", AUDIT, "--store", str(demo))
    assert (code, out) == (0, f"{AUDIT}: committed at revision {git(demo, 'rev-parse', 'HEAD')[:7]}\n")
    assert run("score", AUDIT, "B17=97", "--store", str(demo))[0] == 0
    assert run("show", AUDIT, "--json", "--store", str(demo))[0] == 0
    assert run("report", AUDIT, "-o", str(tmp_path / "r.md"), "--store", str(demo))[0] == 0
    assert run("report", AUDIT, "--format", "html", "-o", str(tmp_path / "r.html"), "--store", str(demo))[0] == 0
    assert time.monotonic() - started < 30
    assert (tmp_path / "r.html").stat().st_size > MAX_TEXT_BYTES
    assert consistent(demo) == 1
    for size, expected in ((1_000_000, ("{f}:{L:overview = }: conclusion.overview: text of {n} bytes; a field holds at "
                                        "most 262,144 bytes (about 87,000 Chinese characters)")),
                           (5_000_000, "{f}: the file is {s} bytes (at most 4194304 bytes); the file was not read")):
        audit.conclusion.overview = "\n\n".join([paragraph] * (size // len(paragraph.encode()) + 1))
        data = to_toml(audit)
        target.write_bytes(data)
        started = time.process_time()
        code, out, err = run("validate", str(target))
        assert time.process_time() - started < 1.0
        message = _expand(expected, target, data).replace("{s}", str(len(data)))
        message = message.replace("{n}", f"{len(audit.conclusion.overview.encode()):,}")
        assert (code, out, err) == (1, "", message + "\n" + TAIL)
        head = git(demo, "rev-parse", "HEAD")
        code, _, err = run("commit", AUDIT, "--store", str(demo))
        assert code == 1 and err.endswith(f"\nauditdesk: {message}\n") and git(demo, "rev-parse", "HEAD") == head


def test_many_problems_in_a_big_file_are_listed_quickly(run: Run, tmp_path: Path) -> None:
    """Found here: locating each problem rescanned the whole file, so 4,000
    problems took 145 s (quadratic).  Now every problem still has its line, fast."""
    data = SAMPLE + b"".join(b"\n[items.Z%d]\npct = 1\n" % i for i in range(4000))
    f = tmp_path / "many.toml"
    f.write_bytes(data)
    started = time.monotonic()
    code, _, err = run("validate", str(f))
    assert time.monotonic() - started < 10
    lines = err.splitlines()
    assert code == 1 and len(lines) == 4001
    assert lines[3999] == (f"{f}:{line_of(data, b'[items.Z3999]')}: items.Z3999: unknown item code Z3999 "
                           "(catalog cts-isc-jsgf-05@2024 has A1–A29, B1–B45, C1–C8)")


# -------------------------------------------------------------- the store itself


def test_store_that_cannot_be_used_says_why(run: Run, demo: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "notes.txt").write_text("x")
    bare = tmp_path / "bare.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    cases = {
        plain: f"{plain} exists, is not empty and is not a git repository; choose another --store",
        plain / "notes.txt": f"{plain / 'notes.txt'} is not a folder",
        bare: f"{bare} is a bare repository; auditdesk needs one with a working tree",
        demo / "audits": f"{demo / 'audits'} is inside the git repository {demo}; open {demo} instead",
    }
    for store, message in cases.items():
        assert run("list", "--store", str(store)) == (1, "", f"auditdesk: {message}\n"), store


def test_detached_head_other_branch_rebase_and_merge_are_refused(run: Run, demo: Path) -> None:
    head = git(demo, "rev-parse", "HEAD").strip()
    git(demo, "checkout", "-q", "--detach")
    expected = f"auditdesk: {demo}: HEAD is detached (at {head[:12]}); check out main first\n"
    for argv in (["list"], ["score", AUDIT, "B17=97"]):
        assert run(*argv, "--store", str(demo)) == (1, "", expected)
    git(demo, "checkout", "-q", "-b", "topic", "main")
    assert run("list", "--store", str(demo)) == (1, "", f"auditdesk: {demo}: on branch topic; stores use main\n")

    target = demo / "audits" / f"{AUDIT}.toml"
    target.write_bytes(edit((B17, b"[items.B17]\npct = 91")))
    git(demo, "commit", "-qam", "topic")
    git(demo, "checkout", "-q", "main")
    target.write_bytes(edit((B17, b"[items.B17]\npct = 92")))
    git(demo, "commit", "-qam", "main")
    git(demo, "rebase", "topic", check=False)  # stops on the conflict
    assert (demo / ".git" / "rebase-merge").is_dir()
    expected = f"auditdesk: {demo}: a rebase is in progress; finish or abort it first\n"
    for argv in (["list"], ["score", AUDIT, "B17=97"], ["sync", str(demo)]):
        assert run(*argv, "--store", str(demo)) == (1, "", expected)
    git(demo, "rebase", "--abort")
    git(demo, "merge", "topic", check=False)
    assert run("list", "--store", str(demo)) == (1, "", f"auditdesk: {demo}: a merge is in progress; finish or abort it first\n")
    git(demo, "merge", "--abort")
    assert run("list", "--store", str(demo))[0] == 0
