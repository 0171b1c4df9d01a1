"""The catalog loads, validates every rule, and points at the line of each problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import line_of

from auditdesk.criteria.catalog import BUILTIN_DIR, Catalog, Catalogs, parse_catalog
from auditdesk.errors import InvalidInput

SOURCE = (BUILTIN_DIR / "cts-isc-jsgf-05.toml").read_text("utf-8")


def test_builtin_catalog_has_the_seed_scheme(catalog: Catalog) -> None:
    assert (catalog.id, catalog.version, catalog.total) == ("cts-isc-jsgf-05", "2024", 150)
    assert [(p.code, p.points, len(p.sections), len(p.items)) for p in catalog.parts] == [
        ("A", 56, 7, 29), ("B", 69, 6, 45), ("C", 25, 2, 8),
    ]
    assert len(catalog.items) == 82
    assert catalog.items["A3"].clause == "5.1.1.4"  # clause numbers are not contiguous
    assert catalog.items["B38"].clause == "5.2.5.6"  # OCR "5. 2. 5. 6" cleaned
    assert catalog.items["B9"].weight == 1.5
    assert "\n" not in "".join(i.text for i in catalog.items.values())
    assert catalog.items["A9"].text.endswith("c）售后服务活动中涉及的工具、备品备件等。")  # joined across a page break


def test_hash_ignores_comments_and_layout(catalog: Catalog) -> None:
    edited = "# a new comment\n" + SOURCE.replace("total = 150", "total   =   150")
    assert parse_catalog(edited.encode(), "x").hash == catalog.hash
    changed = SOURCE.replace("level = \"十星级\"", "level = \"10星\"")
    assert parse_catalog(changed.encode(), "x").hash != catalog.hash


def problems(text: str) -> list[str]:
    with pytest.raises(InvalidInput) as info:
        parse_catalog(text.encode(), "cat.toml")
    return [str(p) for p in info.value.problems]


def test_weights_not_adding_up_are_reported_with_section_and_line() -> None:
    text = SOURCE.replace('code = "A2"\nclause = "5.1.1.2"\nweight = 3', 'code = "A2"\nclause = "5.1.1.2"\nweight = 4')
    found = problems(text)
    line = line_of(text, 'clause = "5.1.1"') + 2  # the section's `points =` line
    assert f"cat.toml:{line}: parts[0].sections[0].points: section 5.1.1 is worth 5 but its item weights add up to 6" in found


def test_duplicate_code_and_clause_are_both_reported() -> None:
    text = SOURCE.replace('code = "A2"\nclause = "5.1.1.2"', 'code = "A1"\nclause = "5.1.1.1"')
    found = problems(text)
    assert any("item code A1 is used twice (also at parts[0].sections[0].items[0])" in p for p in found)
    assert any("clause 5.1.1.1 is used twice" in p for p in found)
    second = line_of(text, 'code = "A1"', 2)
    assert all(p.startswith(f"cat.toml:{second}:") for p in found if "A1 is used" in p)


def test_star_bands_must_descend_and_reach_zero() -> None:
    text = SOURCE.replace("min = 0\n", "min = 10\n").replace("min = 90\n", "min = 96\n")
    found = problems(text)
    assert any("stars[1].min: bands must be listed from the highest minimum down: 96 follows 95" in p for p in found)
    assert any("the last band must start at 0" in p for p in found)


def test_wrong_types_and_unknown_fields_name_the_field() -> None:
    text = SOURCE.replace("weight = 1.5", 'weight = "1.5"', 1).replace("total = 150", "total = 150\ncolour = 1")
    found = problems(text)
    line = line_of(text, 'weight = "1.5"')
    assert f"cat.toml:{line}: parts[1].sections[1].items[0].weight: expected a number, got text '1.5'" in found
    assert any("colour: unknown field (expected one of: id, version" in p for p in found)


def test_syntax_error_gives_line_and_column() -> None:
    text = SOURCE.replace('scheme = "商品售后绿色服务"', 'scheme = "商品售后绿色服务')
    (problem,) = problems(text)
    assert problem.startswith(f"cat.toml:{line_of(text, 'scheme =')}: invalid TOML:")


def test_catalog_registry_lookup(tmp_path: Path) -> None:
    (tmp_path / "v2.toml").write_text(SOURCE.replace('version = "2024"', 'version = "2025"'), "utf-8")
    catalogs = Catalogs((tmp_path,))
    assert [c.label for c in catalogs.all()] == ["cts-isc-jsgf-05@2024", "cts-isc-jsgf-05@2025"]
    assert catalogs.get("cts-isc-jsgf-05").version == "2025"
    with pytest.raises(InvalidInput, match=r"unknown catalog nope \(known: cts-isc-jsgf-05@2024, cts-isc-jsgf-05@2025\)"):
        catalogs.get("nope")
