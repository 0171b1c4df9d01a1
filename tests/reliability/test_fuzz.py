"""Fuzzing with hypothesis: generated audits and catalogs, valid and broken.

- valid audits (every table and field of the file, not only a few as in
  tests/store/test_document.py::test_save_load_round_trips_exactly) save and
  load back exactly, byte for byte, and score by the rules of docs/domain.md, "Scoring";
- broken audits — random byte flips, truncation and insertion in the TOML,
  random type swaps in the parsed data — are refused with AuditdeskError and
  nothing else;
- valid catalogs of random shape load and score consistently; catalogs broken
  by one wrong number, a duplicate code or random bytes are refused, naming
  what is wrong.

Example counts are bounded and `deadline=None` (the first examples import and
warm caches).  Counts actually run are in RELIABILITY.md; tests/support/profiles.py
multiplies them for a long random run.

Why this module is long: one set of strategies (a whole valid audit, table by
table and field by field, and catalogs of random shape) feeds every property
here, and they stay beside the properties that use them.
"""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from decimal import Decimal
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support.profiles import scaled
from support.reliability import SAMPLE

from auditdesk.audit import document
from auditdesk.audit.document import (
    AUDIT_TYPES,
    HALVES,
    METHODS,
    RECOMMENDATIONS,
    ROLES,
    STAGES,
    Answer,
    Audit,
    Body,
    CatalogRef,
    Conclusion,
    Contact,
    Member,
    MysteryShopping,
    Onsite,
    PastYear,
    Planning,
    Recommendation,
    Remote,
    Review,
    Site,
    Special,
    Transition,
    from_toml,
    load_audit,
    to_toml,
)
from auditdesk.criteria import tomldata
from auditdesk.criteria.catalog import BUILTIN_DIR, Catalog, Catalogs, parse_catalog
from auditdesk.criteria.results import SPECIAL_KINDS, ItemResult, SpecialBonus, SpecialDeduction, SpecialItems, sampled_pct
from auditdesk.criteria.scoring import HUNDRED, round_half_up, score_audit
from auditdesk.errors import AuditdeskError, InvalidInput
from auditdesk.report.html import to_html
from auditdesk.report.markdown import render
from auditdesk.safetext import BIDI_CONTROLS

CATALOGS = Catalogs()
CATALOG = CATALOGS.get("cts-isc-jsgf-05")
CODES = list(CATALOG.items)
CATALOG_BYTES = (BUILTIN_DIR / "cts-isc-jsgf-05.toml").read_bytes()
FUZZ = settings(max_examples=scaled(80), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ------------------------------------------------------------------ strategies

#: What no text may hold (issue 11; tests/reliability/test_hostile_content.py checks the refusals):
#: C0 controls but newline and tab, DEL, C1 controls, bidirectional overrides.
REFUSED = [chr(c) for c in (*range(0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))] + sorted(BIDI_CONTROLS)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters=REFUSED), max_size=24)
NASTY = st.sampled_from(["", " ", "\n", "a\nb", "a\r\nb", '"""', "'''", "\\", "\t", "\u2028", "\ufeff", "\u200b",
                         "# x", "[items.A1]", "key = 1", "| a |", "<script>", "中文", "a" * 300])
FREE = st.one_of(TEXT, NASTY)
#: Text naming someone or something (document.ONE_LINE_FIELDS): one line.
ONE_LINE = FREE.filter(lambda t: not any(c in t for c in "\n\r\t"))
DATES = st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31))
TZ = st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=-5, minutes=-30))])
PCT = st.decimals(0, 100, places=2, allow_nan=False, allow_infinity=False)


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _ordered(a: dt.date | None, b: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    return (min(a, b), max(a, b)) if a and b else (a, b)


@st.composite
def item_results(draw: st.DrawFn) -> ItemResult:
    kind = draw(st.sampled_from(["pct", "na", "samples", "empty"]))
    note = draw(FREE)
    if kind == "pct":
        return ItemResult(pct=draw(PCT), note=note)
    if kind == "na":
        reason = draw(FREE.filter(lambda t: t.strip()))
        return ItemResult(na=True, reason=reason, reason_added=draw(st.booleans()), note=note)
    if kind == "samples":
        n = draw(st.integers(1, 60))
        k = draw(st.integers(0, n))
        return ItemResult(pct=draw(st.sampled_from([None, sampled_pct(n, k)])), samples=n, nonconforming=k, note=note)
    return ItemResult(note=note)


@st.composite
def audits(draw: st.DrawFn) -> Audit:
    """Any audit the file format allows for the built-in catalog (valid at every stage)."""
    start, end = _ordered(draw(_opt(DATES)), draw(_opt(DATES)))
    halves = (draw(st.sampled_from(list(HALVES))), draw(st.sampled_from(list(HALVES))))
    if start and end and start == end and halves == ("pm", "am"):
        halves = ("am", "pm")
    ms = [_ordered(draw(_opt(DATES)), draw(_opt(DATES))) for _ in range(2)]
    team = draw(st.lists(st.builds(Member, FREE, FREE, st.sampled_from([r for r in ROLES if r != "leader"]), FREE, FREE, FREE), max_size=4))
    if team and draw(st.booleans()):
        team[0].role = "leader"
    multi = draw(st.booleans())
    answers = st.builds(Answer, _opt(st.booleans()), FREE)
    planning = Planning(
        organisation=draw(FREE), audit_type=draw(st.sampled_from(list(AUDIT_TYPES))), registered_address=draw(FREE),
        audit_address=draw(FREE), multi_site=multi,
        subsites=tuple(draw(st.lists(st.builds(Site, FREE, FREE), max_size=3))) if multi else (),
        contact=draw(st.builds(Contact, FREE, FREE, FREE, FREE)), criteria=tuple(draw(st.lists(FREE, max_size=4))),
        scope=draw(FREE), star_applied=draw(FREE), method=draw(st.sampled_from(list(METHODS))),
        mystery_shopping=MysteryShopping(draw(_opt(st.booleans())), *ms[0], *ms[1]),
        period_start=draw(FREE), audit_from=start, audit_from_half=halves[0], audit_to=end, audit_to_half=halves[1],
        team=tuple(team), past_year=PastYear(*(draw(answers) for _ in range(4))), risks=draw(answers),
        remote=draw(st.builds(Remote, FREE, FREE, FREE, _opt(st.booleans()), _opt(st.booleans()), FREE,
                              _opt(st.booleans()), _opt(st.booleans()), FREE)),
    )
    deductions = draw(st.lists(st.builds(SpecialDeduction, st.sampled_from(list(SPECIAL_KINDS)), FREE, FREE, FREE, FREE,
                                         _opt(DATES)), max_size=3))
    special = Special(tuple(deductions), draw(_opt(st.builds(SpecialBonus, FREE))))
    return Audit(
        project_no=draw(st.from_regex(document.PROJECT_NO, fullmatch=True).filter(lambda p: document.check_project_no(p) is None)),
        catalog=CatalogRef(CATALOG.id, CATALOG.version, CATALOG.hash),
        stage=draw(st.sampled_from(list(STAGES))),
        body=draw(st.builds(Body, FREE, FREE, FREE, FREE)),
        planning=planning,
        onsite=Onsite(draw(FREE), special),
        items=draw(st.dictionaries(st.sampled_from(CODES), item_results(), max_size=len(CODES))),
        conclusion=Conclusion(draw(FREE), draw(FREE),
                              Recommendation(draw(_opt(st.booleans())), draw(_opt(st.sampled_from(list(RECOMMENDATIONS))))),
                              draw(FREE), draw(FREE), draw(FREE), draw(FREE), draw(_opt(DATES))),
        review=draw(st.builds(Review, FREE, FREE)),
        transitions=tuple(draw(st.lists(st.builds(Transition, st.sampled_from(list(STAGES)), ONE_LINE,
                                                  st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2100, 1, 1), timezones=TZ),
                                                  FREE), max_size=3))),
        previous=draw(st.sampled_from(["", "10000-2023-SD"])),
        created_by=draw(ONE_LINE),
    )


# ------------------------------------------------------------ valid audits


@pytest.mark.slow
@FUZZ
@given(audits())
def test_valid_audit_round_trips_exactly(audit: Audit) -> None:
    data = to_toml(audit)
    again = from_toml(data, "fuzz.toml", CATALOG)
    assert tomldata.to_data(again, defaults=True) == tomldata.to_data(audit, defaults=True)  # CRs included
    assert to_toml(again) == data  # the same data, the same bytes
    loaded, catalog = load_audit(data, "fuzz.toml", CATALOGS)
    assert loaded == again and catalog is CATALOG


def test_crlf_in_free_text_is_kept_exactly_and_a_lone_cr_is_refused() -> None:
    """Found by the round trip above: text is data, a CRLF included. A multi-line
    TOML string reads CRLF back as LF, so text holding a CRLF is written as one
    escaped line. A lone CR is refused like every control character (issue 11: it
    moves a terminal's cursor back over what was printed)."""
    audit = from_toml(SAMPLE, "seed", CATALOG)
    audit.conclusion.overview, audit.conclusion.suggestions = "一\r\n二", "a\r\nb\nc"
    audit.planning.criteria = ("x\r\ny", "z")
    data = to_toml(audit)
    assert 'overview = "一\\r\\n二"\n' in data.decode() and '"x\\r\\ny",' in data.decode()
    again = from_toml(data, "x", CATALOG)
    assert (again.conclusion.overview, again.conclusion.suggestions) == ("一\r\n二", "a\r\nb\nc")
    assert again.planning.criteria == ("x\r\ny", "z") and to_toml(again) == data
    audit.conclusion.suggestions = "a\rb"
    data = to_toml(audit)
    with pytest.raises(InvalidInput) as refused:
        from_toml(data, "x", CATALOG)
    line = data[:data.index(b"suggestions = ")].count(b"\n") + 1
    assert str(refused.value) == (f"x:{line}: conclusion.suggestions: contains "
                                  "U+000D (carriage return): control characters and bidirectional overrides are not "
                                  "allowed in text (they can rewrite what a terminal shows)")


@pytest.mark.slow
@FUZZ
@given(audits())
def test_scoring_invariants(audit: Audit) -> None:
    card = score_audit(CATALOG, audit.items, audit.special)
    for part, score in zip(CATALOG.parts, card.parts, strict=True):
        na = sum((i.weight for i in part.items if (r := audit.items.get(i.code)) and r.na), Decimal(0))
        assert score.applicable == part.points - na
        assert 0 <= score.score <= score.applicable <= score.points == part.points
        expected = sum((i.weight * r.pct / HUNDRED for i in part.items
                        if (r := audit.items.get(i.code)) and not r.na and r.pct is not None), Decimal(0))
        assert score.score == expected
        for section in score.sections:
            assert 0 <= section.score <= section.applicable <= section.points
        assert sum((s.score for s in score.sections), Decimal(0)) == score.score
    special = Decimal(1 if audit.special.bonus else 0) - len(audit.special.deductions)
    assert card.special == special and card.total == sum((p.score for p in card.parts), Decimal(0)) + special
    assert card.applicable == sum((p.applicable for p in card.parts), Decimal(0)) and card.max == CATALOG.total
    if card.applicable == 0:
        assert card.rate is None and card.star is None
    else:
        assert card.rate == card.total / card.applicable * 100
        if special == 0:
            assert 0 <= card.rate <= 100
        assert card.star == CATALOG.star_for(round_half_up(card.rate)) and card.star in {b.level for b in CATALOG.stars}
    assert set(card.unscored) == {c for c in CODES if not (audit.items.get(c) and audit.items[c].is_scored)}


@pytest.mark.slow
@settings(max_examples=scaled(60), deadline=None)
@given(audits(), st.sampled_from(CODES), PCT, PCT)
def test_a_higher_percentage_never_lowers_a_score(audit: Audit, code: str, a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    cards = [score_audit(CATALOG, {**audit.items, code: ItemResult(pct=p)}, audit.special) for p in (low, high)]
    assert cards[0].total <= cards[1].total and cards[0].applicable == cards[1].applicable
    part = CATALOG.part_of[code].code
    assert next(p.score for p in cards[0].parts if p.code == part) <= next(p.score for p in cards[1].parts if p.code == part)


@settings(max_examples=scaled(25), deadline=None)
@given(audits())
def test_any_valid_audit_renders_to_markdown_and_html(audit: Audit) -> None:
    rendered = render(audit, CATALOG, revision="0" * 40)
    page = to_html(rendered, audit.project_no)
    assert "<script" not in page.lower() and rendered.markdown.count("\n## ") == 5


# ------------------------------------------------------------ broken audits

TOKENS = [b'"', b"'", b"[", b"]", b"[[", b"=", b"\n", b"\r", b"\x00", b'"""', b"\\", b"\\u", b"#", b".", b",", b"{", b"}",
          b"1e999", b"-", b"true", b"nan", b"2024-13-40", b"\xef\xbb\xbf", b"\xff", b"\xe4\xb8", b"[items.A1]", b"pct = 1",
          b"x = " + b"9" * 4400 + b"\n", b"x = " + b"[" * 1200]  # found here: int() past 4300 digits, RecursionError


@st.composite
def mutated(draw: st.DrawFn, source: bytes) -> bytes:
    data = bytearray(source)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "token"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del data[at:]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        else:
            data[at:at] = draw(st.sampled_from(TOKENS))
    return bytes(data)


def _loads_or_refuses(data: bytes) -> None:
    try:
        audit, catalog = load_audit(data, "fuzz.toml", CATALOGS)
    except AuditdeskError as exc:
        assert str(exc).strip() and "Traceback" not in str(exc)
        if isinstance(exc, InvalidInput):
            assert all(p.source == "fuzz.toml" and p.message for p in exc.problems)
        return
    again = to_toml(audit)  # whatever loads also saves and loads again, identically
    assert from_toml(again, "again.toml", catalog) == from_toml(again, "again.toml", catalog)
    score_audit(catalog, audit.items, audit.special)


@settings(max_examples=scaled(300), deadline=None)
@given(mutated(SAMPLE))
def test_byte_mutations_of_an_audit_are_refused_or_loaded(data: bytes) -> None:
    _loads_or_refuses(data)


@pytest.mark.slow
@FUZZ
@given(st.data())
def test_byte_mutations_of_generated_audits(data: st.DataObject) -> None:
    _loads_or_refuses(data.draw(mutated(to_toml(data.draw(audits())))))


VALUES = st.one_of(
    st.integers(-10**6, 10**6), st.integers(10**30, 10**40), st.booleans(), TEXT, st.just(""),
    st.decimals(allow_nan=False, allow_infinity=False, places=3), st.sampled_from([float("nan"), float("inf"), float("-inf")]),
    DATES, st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2100, 1, 1)), st.times(),
    st.lists(st.integers(), max_size=2), st.just([{}]), st.dictionaries(TEXT, st.integers(), max_size=2), st.just({}),
)


def _paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [at] if at else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, at + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, at + (i,))
    return out


SAMPLE_DATA = tomllib.loads(SAMPLE.decode("utf-8"))
SAMPLE_PATHS = _paths(SAMPLE_DATA)


@settings(max_examples=scaled(150), deadline=None)
@given(st.lists(st.tuples(st.sampled_from(SAMPLE_PATHS), VALUES, st.booleans()), min_size=1, max_size=4))
def test_type_swaps_in_the_parsed_data_are_refused_with_auditdesk_errors(swaps: list[tuple[tuple[Any, ...], Any, bool]]) -> None:
    raw = copy.deepcopy(SAMPLE_DATA)
    for path, value, delete in swaps:
        parent: Any = raw
        try:
            for key in path[:-1]:
                parent = parent[key]
            if delete:
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    try:
        data = tomli_w.dumps(raw).encode("utf-8")
    except (TypeError, ValueError):
        data = None
    if data is not None:
        _loads_or_refuses(data)
    reader = tomldata.Reader("", "swapped")  # and straight from the data, as a merge does
    try:
        audit = reader.record(Audit, raw)
        reader.check()
    except AuditdeskError:
        return
    assert audit is not None


# ---------------------------------------------------------------- catalogs


@st.composite
def catalogs(draw: st.DrawFn) -> dict[str, Any]:
    """A valid catalog of random shape, as TOML data."""
    letters = "ABCDEFGH"
    clause = 0
    parts = []
    for p in range(draw(st.integers(1, 4))):
        sections = []
        for s in range(draw(st.integers(1, 4))):
            items = []
            for _ in range(draw(st.integers(1, 5))):
                clause += 1
                weight = Decimal(draw(st.integers(1, 40))) / 2
                items.append({"code": f"{letters[p]}{len(items) + sum(len(x['items']) for x in sections) + 1}",
                              "clause": f"{p + 5}.{s + 1}.{clause}", "weight": weight, "text": draw(TEXT.filter(str.strip))})
            sections.append({"clause": f"{p + 5}.{s + 1}", "title": draw(TEXT), "points": sum(i["weight"] for i in items),
                             "items": items})
        parts.append({"code": letters[p], "title": draw(TEXT), "points": sum(s["points"] for s in sections), "sections": sections})
    mins = sorted(draw(st.sets(st.integers(1, 100), max_size=5)), reverse=True) + [0]
    return {"id": "fuzz", "version": "1", "scheme": draw(TEXT), "specification": "X", "specification_title": draw(TEXT),
            "total": sum(p["points"] for p in parts), "stars": [{"min": m, "level": f"L{m}"} for m in mins], "parts": parts}


def _dump(raw: dict[str, Any]) -> bytes:
    return tomli_w.dumps(tomldata.to_data(raw)).encode("utf-8")


@settings(max_examples=scaled(80), deadline=None)
@given(catalogs(), st.data())
def test_valid_catalog_loads_and_scores(raw: dict[str, Any], data: st.DataObject) -> None:
    catalog = parse_catalog(_dump(raw), "fuzz-catalog.toml")
    assert catalog.total == sum(p.points for p in catalog.parts) and len(catalog.items) == sum(
        len(s["items"]) for p in raw["parts"] for s in p["sections"])
    results = data.draw(st.dictionaries(st.sampled_from(list(catalog.items)), item_results()))
    card = score_audit(catalog, results, SpecialItems())
    assert 0 <= card.total <= card.applicable <= card.max == catalog.total
    if card.rate is not None:
        assert 0 <= card.rate <= 100 and card.star == catalog.star_for(round_half_up(card.rate))


@settings(max_examples=scaled(80), deadline=None)
@given(catalogs(), st.sampled_from(["weight", "points", "part", "total", "duplicate", "empty", "star"]), st.data())
def test_broken_catalog_is_refused_naming_the_problem(raw: dict[str, Any], how: str, data: st.DataObject) -> None:
    part = data.draw(st.sampled_from(raw["parts"]))
    section = data.draw(st.sampled_from(part["sections"]))
    item = data.draw(st.sampled_from(section["items"]))
    expect = {
        "weight": f"section {section['clause']} is worth", "points": f"section {section['clause']} is worth",
        "part": f"part {part['code']} is worth", "total": "the catalog total is", "duplicate": "is used twice",
        "empty": f"section {section['clause']} has no items", "star": "the last band must start at 0",
    }[how]
    if how == "weight":
        item["weight"] += Decimal("0.5")
    elif how == "points":
        section["points"] -= Decimal("0.5")
    elif how == "part":
        part["points"] += 1
    elif how == "total":
        raw["total"] += 1
    elif how == "duplicate":
        other = data.draw(st.sampled_from([i for p in raw["parts"] for s in p["sections"] for i in s["items"]]))
        assume(other is not item)
        other["code"] = item["code"]
    elif how == "empty":
        section["items"] = []
    else:
        raw["stars"][-1]["min"] = 1 if raw["stars"][0]["min"] != 1 else 2
        assume(len(raw["stars"]) == 1 or raw["stars"][-2]["min"] > raw["stars"][-1]["min"])
    try:
        parse_catalog(_dump(raw), "fuzz-catalog.toml")
    except InvalidInput as exc:
        assert any(expect in p.message for p in exc.problems), [str(p) for p in exc.problems]
        assert all(p.source == "fuzz-catalog.toml" for p in exc.problems)
    else:
        raise AssertionError(f"a catalog broken by {how} was accepted")


@settings(max_examples=scaled(150), deadline=None)
@given(st.data())
def test_byte_mutations_of_catalogs_are_refused_or_loaded(data: st.DataObject) -> None:
    source = _dump(data.draw(catalogs())) if data.draw(st.booleans()) else CATALOG_BYTES
    broken = data.draw(mutated(source))
    try:
        catalog = parse_catalog(broken, "fuzz-catalog.toml")
    except AuditdeskError:
        return
    card = score_audit(catalog, {}, SpecialItems())  # whatever loads, scores
    assert card.total == 0 and isinstance(catalog, Catalog)
