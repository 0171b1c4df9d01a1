"""The audit file: canonical bytes, exact round trip, located errors for hand edits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import line_of
from support.profiles import scaled

from auditdesk.audit.document import Audit, Member, check_project_no, from_toml, load_audit, new_audit, to_toml
from auditdesk.criteria.catalog import Catalog, Catalogs
from auditdesk.criteria.results import ItemResult
from auditdesk.errors import InvalidInput
from auditdesk.safetext import BIDI_CONTROLS


def test_sample_round_trips_byte_for_byte(sample_bytes: bytes, sample: Audit) -> None:
    assert to_toml(sample) == sample_bytes


def test_sample_holds_every_seed_field(sample: Audit) -> None:
    p = sample.planning
    assert (sample.project_no, p.organisation, p.audit_type, sample.stage) == ("10234-2024-SD", "淄博海源电子科技有限公司", "initial", "conclusion")
    assert p.audit_days == Decimal("1.5")
    assert [m.name for m in p.leaders] == ["韩永师"]
    assert len(sample.items) == 82
    na = {c: r for c, r in sample.items.items() if r.na}
    assert sorted(na) == ["B36", "B37", "B41", "B42", "B45"]
    assert all(r.reason and r.reason_added for r in na.values())
    assert "贸易型企业" in na["B37"].reason
    c = sample.conclusion
    assert (c.recommendation.recommend, c.recommendation.kind, c.recommended_star, c.author, c.date) == (
        True, "initial", "十星级", "韩永师", dt.date(2024, 4, 11))


def test_same_data_same_bytes_regardless_of_insertion_order(sample: Audit) -> None:
    shuffled = dict(reversed(list(sample.items.items())))
    sample.items = shuffled
    assert to_toml(sample).index(b"[items.A1]") < to_toml(sample).index(b"[items.A10]") < to_toml(sample).index(b"[items.B1]")


def test_audit_days_count_half_days() -> None:
    from auditdesk.audit.document import Planning

    p = Planning(audit_from=dt.date(2024, 4, 10), audit_from_half="am", audit_to=dt.date(2024, 4, 11), audit_to_half="am")
    assert p.audit_days == Decimal("1.5")
    p.audit_to_half = "pm"
    assert p.audit_days == 2
    p.audit_from_half, p.audit_to, p.audit_to_half = "pm", dt.date(2024, 4, 10), "pm"
    assert p.audit_days == Decimal("0.5")


def errors(data: bytes, catalog: Catalog | None = None) -> list[str]:
    with pytest.raises(InvalidInput) as info:
        from_toml(data, "a.toml", catalog)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(
    ("old", "new", "at", "expected"),
    [
        (b"[items.B17]\npct = 95", b"[items.B17]\npct = 120", b"pct = 120", "items.B17.pct: percentage must be between 0 and 100, got 120"),
        (b"[items.B17]\npct = 95", b"[items.B17]\npct = 95.125", b"pct = 95.125", "items.B17.pct: percentage has at most two decimals, got 95.125"),
        (b"[items.B17]\npct = 95", b'[items.B17]\npct = "95"', b'pct = "95"', "items.B17.pct: expected a number, got text '95'"),
        (b"[items.B17]\npct = 95", b"[items.B17]\npct = 95\nscore = 3", b"score = 3", "items.B17.score: unknown field (expected one of: pct, na, reason"),
        (b"[items.B17]\npct = 95", b"[items.B17]\nna = true", b"[items.B17]", "items.B17.reason: not applicable needs a reason"),
        (b"[items.B17]\npct = 95", b"[items.Z17]\npct = 95", b"[items.Z17]", "items.Z17: unknown item code Z17 (catalog cts-isc-jsgf-05@2024 has A1–A29, B1–B45, C1–C8)"),
        (b"[items.B17]\npct = 95", b"[items.B17]\npct = 66.67\nsamples = 3\nnonconforming = 4", b"nonconforming = 4", "items.B17.nonconforming: nonconforming must be between 0 and samples (3), got 4"),
        (b"[items.B17]\npct = 95", b"[items.B17]\npct = 70\nsamples = 3\nnonconforming = 1", b"pct = 70", "items.B17.pct: pct 70 does not match 2 of 3 samples conforming (66.67)"),
        (b'stage = "conclusion"', b'stage = "done"', b'stage = "done"', "stage: 'done' is not one of: planning, onsite, conclusion, review, approved"),
        (b"date = 2024-04-11", b'date = "2024-04-11"', b'date = "2024-04-11"', "conclusion.date: expected a date such as 2024-04-11 (no quotes), got text '2024-04-11'"),
        (b'project_no = "10234-2024-SD"', b'project_no = "../x"', b'project_no = "../x"', "project_no: project number '../x' contains characters that cannot be in a file name ('/')"),
        (b'role = "leader"', b'role = "leader"\n\n[[planning.team]]\ncode = "2"\nname = "X"\nrole = "leader"', b"[[planning.team]]", "planning.team: a team has one leader; 2 are marked leader"),
    ],
)
def test_hand_edit_mistakes_name_line_and_field(sample_bytes: bytes, catalog: Catalog, old: bytes, new: bytes, at: bytes, expected: str) -> None:
    assert old in sample_bytes
    data = sample_bytes.replace(old, new, 1)
    found = errors(data, catalog)
    assert [p for p in found if expected in p] == [p for p in found if p.startswith(f"a.toml:{line_of(data, at)}: ") and expected in p] != [], found


def test_every_problem_is_listed_not_only_the_first(sample_bytes: bytes, catalog: Catalog) -> None:
    data = sample_bytes.replace(b"[items.A1]\npct = 100", b"[items.A1]\npct = 101").replace(b"[items.C8]\npct = 98", b"[items.C8]\npct = -1")
    found = errors(data, catalog)
    assert len(found) == 2 and "items.A1.pct" in found[0] and "items.C8.pct" in found[1]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xef\xbb\xbfschema = 1\n", "a.toml:1: file starts with a byte-order mark (BOM)"),
        ("schema = 1\nproject_no = \"中\"\n".encode("gbk"), "a.toml:2: not UTF-8 text"),
        (b'schema = 1\nproject_no = "x\n', "a.toml:2: invalid TOML:"),
        (b"schema = 1\n", "a.toml: project_no: missing (required)"),
        (b'schema = 9\nproject_no = "x"\n', "a.toml:1: schema: written by a newer auditdesk (schema 9"),
    ],
)
def test_broken_files_get_one_clear_message(data: bytes, expected: str) -> None:
    found = errors(data)
    assert found[0].startswith(expected), found


def test_crlf_file_reads_like_lf(sample_bytes: bytes, catalog: Catalog) -> None:
    audit = from_toml(sample_bytes.replace(b"\n", b"\r\n"), "crlf.toml", catalog)
    assert to_toml(audit) == sample_bytes


def test_truncated_file_is_reported_not_crashed(sample_bytes: bytes) -> None:
    for cut in (17, 400, 1777, len(sample_bytes) // 2):
        with pytest.raises(InvalidInput):
            load_audit(sample_bytes[:cut] + b"\n[items.", "cut.toml", Catalogs())


def test_audit_naming_a_missing_catalog_version(sample_bytes: bytes) -> None:
    data = sample_bytes.replace(b'version = "2024"', b'version = "1999"')
    with pytest.raises(InvalidInput) as info:
        load_audit(data, "a.toml", Catalogs())
    assert str(info.value).startswith(f"a.toml:{line_of(data, b'[catalog]')}: catalog: unknown catalog cts-isc-jsgf-05@1999 (known: cts-isc-jsgf-05@2024)")


@pytest.mark.parametrize("bad", ["../x", "a/b", "/etc/passwd", "x\x00y", "a\nb", "\u202eabc", "..", ".hidden", "-rf", "", "a" * 65, "a b"])
def test_hostile_project_numbers_are_rejected(bad: str, catalog: Catalog) -> None:
    assert check_project_no(bad)
    with pytest.raises(InvalidInput):
        new_audit(catalog, bad, "org")


def test_plain_project_numbers_are_fine() -> None:
    for good in ("10234-2024-SD", "A.1_b", "X"):
        assert check_project_no(good) is None


#: Text may hold no control character but newline and tab, and no bidi override (issue 11).
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters=[
    chr(c) for c in (*range(0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))] + sorted(BIDI_CONTROLS)), max_size=40)


@settings(max_examples=scaled(100), deadline=None)
@given(
    org=text, scope=text, overview=text,
    pcts=st.dictionaries(st.sampled_from(["A1", "B9", "C8"]), st.decimals(0, 100, places=2)),
    team=st.lists(st.tuples(text, text), max_size=3),
)
def test_save_load_round_trips_exactly(catalog: Catalog, org: str, scope: str, overview: str, pcts: dict[str, Decimal], team: list[tuple[str, str]]) -> None:
    audit = new_audit(catalog, "P-1", org)
    audit.planning.scope = scope
    audit.conclusion.overview = overview
    audit.planning.team = tuple(Member(code, name) for code, name in team)
    audit.items = {c: ItemResult(pct=p) for c, p in pcts.items()}
    data = to_toml(audit)
    again = from_toml(data, "x", catalog)
    assert again == audit
    assert to_toml(again) == data
