"""Radar charts: well-formed, deterministic SVG for any number of sections."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from auditdesk.audit.document import Audit
from auditdesk.criteria.catalog import Catalog
from auditdesk.criteria.results import ItemResult
from auditdesk.criteria.scoring import PartScore, Subtotal, score_audit
from auditdesk.report.radar import radar_svg


def part(n: int, *, title: str = "节") -> PartScore:
    """A part of n sections, section i at rate 100 − 10·i."""
    sections = tuple(Subtotal(f"9.{i}", f"{title}{i}", Decimal(10), Decimal(10 - i), Decimal(10), ()) for i in range(n))
    return PartScore("Z", "测试", Decimal(10 * n), Decimal(0), Decimal(10 * n), (), sections=sections)


def classes(svg: str, name: str) -> list[ET.Element]:
    return [e for e in ET.fromstring(svg).iter() if e.get("class") == name]


def test_three_or_more_sections_make_a_polygon_two_or_fewer_make_bars() -> None:
    for n in (1, 2, 3, 8):
        svg = radar_svg(part(n), "标题")
        assert len(classes(svg, "axis")) == n and len(classes(svg, "label")) == n
        value = classes(svg, "value")
        assert [e.tag.split("}")[1] for e in value] == (["polygon"] if n >= 3 else ["rect"] * n)


def test_section_with_nothing_applicable_sits_at_zero_and_says_dash(sample: Audit, catalog: Catalog) -> None:
    for code in ("C6", "C7", "C8"):
        sample.items[code] = ItemResult(na=True, reason="不涉及")
    c = score_audit(catalog, sample.items, sample.special).parts[2]
    svg = radar_svg(c, "顾客服务（C）")
    assert [e.get("width") for e in classes(svg, "value")] == ["270.67", "0"]  # 96.67 % of 280, then 0
    assert "—" in svg and "96.67%" in svg
    for code in ("B33", "B34", "B35", "B38", "B39", "B40"):
        sample.items[code] = ItemResult(na=True, reason="不涉及")
    b = score_audit(catalog, sample.items, sample.special).parts[1]
    [polygon] = classes(radar_svg(b, "商品服务（B）"), "value")
    assert polygon.get("points", "").split()[4] == "280,250"  # the 5th axis (质量保证) at the centre


def test_titles_are_escaped_for_xml() -> None:
    svg = radar_svg(part(3, title='<&"\'\x01'), 'a<b>&"c"\x02')
    root = ET.fromstring(svg)
    assert root.find("{http://www.w3.org/2000/svg}title").text == 'a<b>&"c"'  # type: ignore[union-attr]
    assert next(e.find("{http://www.w3.org/2000/svg}tspan").text for e in classes(svg, "label")) == '<&"\'0'  # type: ignore[union-attr]


def test_same_input_same_bytes_and_two_decimals() -> None:
    assert radar_svg(part(7), "t") == radar_svg(part(7), "t")
    numbers = re.findall(r"-?\d+\.\d+", radar_svg(part(7), "t"))
    assert numbers and all(len(n.split(".")[1]) <= 2 for n in numbers)
