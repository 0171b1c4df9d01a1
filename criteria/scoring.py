"""Scores from a catalog and item results, exactly as docs/domain.md, "Scoring", defines.

Everything is `Decimal` and unrounded; rounding (half-up) happens only in the
`fmt_*` display helpers.  Scoring takes the scoring inputs — catalog, item
results, special items — never an audit document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from auditdesk.criteria.catalog import Catalog
from auditdesk.criteria.results import CENT, HUNDRED, NO_SPECIAL_ITEMS, ItemResult, SpecialItems
from auditdesk.errors import InvalidInput, Problem

ZERO = Decimal(0)


@dataclass(frozen=True)
class ItemScore:
    code: str
    weight: Decimal
    pct: Decimal | None
    na: bool
    score: Decimal  # 0 when not applicable or not yet scored

    @property
    def is_scored(self) -> bool:
        return self.na or self.pct is not None


@dataclass(frozen=True)
class Subtotal:
    """A section or a part: score against points, and points that apply."""

    code: str
    title: str
    points: Decimal
    score: Decimal
    applicable: Decimal
    items: tuple[ItemScore, ...]

    @property
    def rate(self) -> Decimal | None:
        """Share of applicable points achieved (for the radar charts)."""
        return self.score / self.applicable * HUNDRED if self.applicable else None


@dataclass(frozen=True)
class PartScore(Subtotal):
    sections: tuple[Subtotal, ...] = ()


@dataclass(frozen=True)
class Scorecard:
    parts: tuple[PartScore, ...]
    special: Decimal
    total: Decimal
    max: Decimal
    applicable: Decimal
    rate: Decimal | None
    star: str | None
    items: dict[str, ItemScore]

    @property
    def unscored(self) -> list[str]:
        return [code for code, s in self.items.items() if not s.is_scored]

    @property
    def complete(self) -> bool:
        return not self.unscored


def item_score(weight: Decimal, result: ItemResult | None, code: str = "") -> ItemScore:
    if result is None or result.na or result.pct is None:
        return ItemScore(code, weight, None, bool(result and result.na), ZERO)
    return ItemScore(code, weight, result.pct, False, weight * result.pct / HUNDRED)


S = TypeVar("S", bound=Subtotal)


def _subtotal(cls: type[S], code: str, title: str, points: Decimal, items: tuple[ItemScore, ...], **extra: object) -> S:
    score = sum((i.score for i in items), ZERO)
    applicable = sum((i.weight for i in items if not i.na), ZERO)
    return cls(code, title, points, score, applicable, items, **extra)


def score_audit(catalog: Catalog, results: Mapping[str, ItemResult], special: SpecialItems = NO_SPECIAL_ITEMS) -> Scorecard:
    """Item, section, part and total scores, applicable points, rate and star.

    Unscored items count 0 and stay applicable, so a draft's rate is a lower
    bound.  The star level is looked up from the rate as displayed (two
    decimals, half-up), so the level always agrees with the printed rate.
    """
    unknown = [code for code in results if code not in catalog.items]
    if unknown:
        raise InvalidInput([Problem(catalog.label, "items", f"item {code} is not in catalog {catalog.label}") for code in unknown])
    items = {code: item_score(item.weight, results.get(code), code) for code, item in catalog.items.items()}
    parts = []
    for part in catalog.parts:
        sections = tuple(
            _subtotal(Subtotal, s.clause, s.title, s.points, tuple(items[i.code] for i in s.items)) for s in part.sections
        )
        parts.append(
            _subtotal(PartScore, part.code, part.title, part.points, tuple(items[i.code] for i in part.items), sections=sections)
        )
    total = sum((p.score for p in parts), ZERO) + special.points
    applicable = sum((p.applicable for p in parts), ZERO)
    rate = total / applicable * HUNDRED if applicable else None
    star = catalog.star_for(round_half_up(rate)) if rate is not None else None
    return Scorecard(tuple(parts), special.points, total, catalog.total, applicable, rate, star, items)


def round_half_up(value: Decimal, places: Decimal = CENT) -> Decimal:
    return value.quantize(places, ROUND_HALF_UP)


def fmt_2(value: Decimal | None) -> str:
    """Part and total scores, rates: two decimals, half-up (54.29)."""
    return "" if value is None else f"{round_half_up(value) + 0:f}"  # + 0: never "-0.00"


def fmt_item(value: Decimal | None) -> str:
    """Item scores as the seed prints them: up to three decimals, no trailing zeros."""
    if value is None:
        return ""
    text = f"{round_half_up(value, Decimal('0.001')) + 0:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_number(value: Decimal) -> str:
    """An exact decimal without exponent or trailing zeros (weights, percentages)."""
    text = f"{abs(value) if value.is_zero() else value:f}"  # never "-0"
    return text.rstrip("0").rstrip(".") if "." in text else text
