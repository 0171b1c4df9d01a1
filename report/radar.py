"""Radar charts of section rates, as self-contained SVG.

One axis per section of a part, at the share of its applicable points the
section achieved.  The SVG uses no scripts, external fonts or stylesheets, so
it can be linked from the Markdown or embedded in the HTML page as is; every
coordinate is rounded to two decimals so the same scores give the same bytes.

A polygon needs three axes: a part with fewer sections (part C has two) is
drawn as horizontal bars on the same 0–100 scale instead of a degenerate
radar whose "polygon" would be a line.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from xml.sax.saxutils import escape

from auditdesk.criteria.scoring import PartScore, fmt_2

WIDTH = 560
FONT = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
GRID = (20, 40, 60, 80, 100)
INK, LINE, FILL = "#333333", "#bbbbbb", "#2a6ebb"
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Axis = tuple[str, float, str]  # section title, rate 0–100 for drawing, rate as printed


def radar_svg(part: PartScore, title: str) -> str:
    """The part's section rates as an SVG radar chart (bars below three sections)."""
    axes = [_axis(s.title, s.rate) for s in part.sections]
    height, body = _radar(axes) if len(axes) >= 3 else _bars(axes)
    return "\n".join(
        [
            (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family="{FONT}" font-size="13" fill="{INK}" '
            f'role="img" aria-label="{_x(title)}">'),
            f"<title>{_x(title)}</title>",
            f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
            f'<text x="{WIDTH // 2}" y="30" font-size="17" text-anchor="middle">{_x(title)}</text>',
            *body,
            "</svg>",
            "",
        ]
    )


def _axis(title: str, rate: Decimal | None) -> Axis:
    """A section with nothing applicable sits at 0 and is labelled "—"."""
    if rate is None:
        return title, 0.0, "—"
    return title, min(max(float(rate), 0.0), 100.0), f"{fmt_2(rate)}%"


def _radar(axes: list[Axis]) -> tuple[int, list[str]]:
    cx, cy, radius = WIDTH / 2, 250.0, 150.0
    angles = [-math.pi / 2 + 2 * math.pi * i / len(axes) for i in range(len(axes))]

    def at(angle: float, r: float) -> tuple[float, float]:
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    def points(rs: list[float]) -> str:
        return " ".join(_pt(*at(a, r)) for a, r in zip(angles, rs, strict=True))

    out = []
    for ring in GRID:
        out.append(f'<polygon class="grid" points="{points([radius * ring / 100] * len(axes))}" fill="none" stroke="{LINE}"/>')
        out.append(f'<text x="{_n(cx + 3)}" y="{_n(cy - radius * ring / 100 - 3)}" font-size="10" fill="#888888">{ring}</text>')
    for angle, (title, _, shown) in zip(angles, axes, strict=True):
        x, y = at(angle, radius)
        out.append(f'<line class="axis" x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(x)}" y2="{_n(y)}" stroke="{LINE}"/>')
        lx, ly = at(angle, radius + 16)
        cos, sin = math.cos(angle), math.sin(angle)
        anchor = "middle" if abs(cos) < 0.2 else ("start" if cos > 0 else "end")
        ly += -22 if sin < -0.5 else (12 if sin > 0.5 else -4)
        out.append(
            f'<text class="label" x="{_n(lx)}" y="{_n(ly)}" text-anchor="{anchor}">'
            f'<tspan x="{_n(lx)}">{_x(title)}</tspan><tspan x="{_n(lx)}" dy="1.3em" font-weight="bold">{_x(shown)}</tspan></text>'
        )
    values = [radius * rate / 100 for _, rate, _ in axes]
    out.append(f'<polygon class="value" points="{points(values)}" fill="{FILL}" fill-opacity="0.25" stroke="{FILL}" stroke-width="2"/>')
    out.extend(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3" fill="{FILL}"/>' for x, y in (at(a, v) for a, v in zip(angles, values, strict=True)))
    return 460, out


def _bars(axes: list[Axis]) -> tuple[int, list[str]]:
    left, width, top, step = 170.0, 280.0, 70.0, 56.0
    bottom = top + step * len(axes)
    out = []
    for tick in (0, *GRID):
        x = left + width * tick / 100
        out.append(f'<line class="grid" x1="{_n(x)}" y1="{_n(top - 8)}" x2="{_n(x)}" y2="{_n(bottom)}" stroke="{LINE}"/>')
        out.append(f'<text x="{_n(x)}" y="{_n(bottom + 16)}" font-size="10" fill="#888888" text-anchor="middle">{tick}</text>')
    for i, (title, rate, shown) in enumerate(axes):
        y = top + step * i
        out.append(f'<text class="label" x="{_n(left - 10)}" y="{_n(y + 16)}" text-anchor="end">{_x(title)}</text>')
        out.append(f'<rect class="axis" x="{_n(left)}" y="{_n(y)}" width="{_n(width)}" height="22" fill="#f2f2f2"/>')
        out.append(
            f'<rect class="value" x="{_n(left)}" y="{_n(y)}" width="{_n(width * rate / 100)}" height="22" '
            f'fill="{FILL}" fill-opacity="0.6" stroke="{FILL}"/>'
        )
        out.append(f'<text x="{_n(left + width + 10)}" y="{_n(y + 16)}" font-weight="bold">{_x(shown)}</text>')
    return int(bottom + 40), out


def _n(value: float) -> str:
    """A coordinate with two decimals at most (adding 0.0 turns -0.0 into 0)."""
    return f"{round(value, 2) + 0.0:.2f}".rstrip("0").rstrip(".")


def _pt(x: float, y: float) -> str:
    return f"{_n(x)},{_n(y)}"


def _x(text: str) -> str:
    """Text for XML content and attributes: escaped, characters XML forbids dropped."""
    return escape(_NOT_XML.sub("", text), {'"': "&quot;"})
