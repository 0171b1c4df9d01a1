"""The seed's figures are the golden test; hypothesis checks the invariants."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.profiles import scaled

from auditdesk.audit.document import Audit
from auditdesk.criteria.catalog import Catalog, Catalogs
from auditdesk.criteria.results import ItemResult, SpecialBonus, SpecialDeduction, SpecialItems, sampled_pct
from auditdesk.criteria.scoring import fmt_2, fmt_item, score_audit
from auditdesk.errors import InvalidInput

CATALOG = Catalogs().get("cts-isc-jsgf-05")


def test_seed_part_scores_total_rate_and_star(sample: Audit, catalog: Catalog) -> None:
    card = score_audit(catalog, sample.items, sample.special)
    assert [(p.code, fmt_2(p.score), p.points) for p in card.parts] == [
        ("A", "54.29", 56), ("B", "59.81", 69), ("C", "24.23", 25),
    ]
    assert fmt_2(card.total) == "138.33"
    assert card.max == 150 and card.applicable == 143
    assert fmt_2(card.rate) == "96.73"
    assert card.star == "十星级"
    assert card.complete


def test_seed_item_scores_follow_the_rule_not_the_misprint(sample: Audit, catalog: Catalog) -> None:
    card = score_audit(catalog, sample.items, sample.special)
    assert card.items["B9"].score == Decimal("1.455")  # unrounded: 1.5 × 97 %
    assert card.items["B38"].score == Decimal("1.96")  # printed 1.98 in the seed
    assert [fmt_item(card.items[c].score) for c in ("A1", "A2", "B9", "B10", "C7")] == ["1", "2.94", "1.455", "1.425", "6.79"]
    na = [code for code, s in card.items.items() if s.na]
    assert na == ["B36", "B37", "B41", "B42", "B45"]
    assert all(card.items[c].score == 0 for c in na)


def test_rate_uses_exact_total_not_the_rounded_one() -> None:
    # 1 item of weight 1.5 at 33.33 % → 0.49995; rounded total 0.50, exact rate 0.49995/150
    results = {"B9": ItemResult(pct=Decimal("33.33"))}
    card = score_audit(CATALOG, results)
    assert card.total == Decimal("0.49995")
    assert card.rate == Decimal("0.49995") / 150 * 100


def test_special_items_move_the_total_outside_item_scores(sample: Audit, catalog: Catalog) -> None:
    special = SpecialItems((SpecialDeduction("law", "x"), SpecialDeduction("system", "y")), SpecialBonus("z"))
    card = score_audit(catalog, sample.items, special)
    assert fmt_2(card.total) == "137.33"
    assert card.applicable == 143


def test_sampled_percentage_rounds_half_up() -> None:
    assert sampled_pct(3, 1) == Decimal("66.67")
    assert sampled_pct(8, 1) == Decimal("87.50")
    assert sampled_pct(7, 0) == 100


def test_unknown_item_code_is_refused() -> None:
    with pytest.raises(InvalidInput, match="item Z9 is not in catalog"):
        score_audit(CATALOG, {"Z9": ItemResult(pct=Decimal(1))})


def test_display_rounds_half_up_only_for_display() -> None:
    assert fmt_2(Decimal("0.125")) == "0.13"
    assert fmt_2(Decimal("2.675")) == "2.68"  # a float would give 2.67
    assert fmt_item(Decimal("1.0005")) == "1.001"
    assert fmt_item(Decimal("2.940")) == "2.94"


pcts = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
results_strategy = st.dictionaries(
    st.sampled_from(list(CATALOG.items)),
    st.one_of(
        pcts.map(lambda p: ItemResult(pct=p)),
        st.just(ItemResult(na=True, reason="不涉及")),
        st.integers(1, 20).flatmap(lambda n: st.integers(0, n).map(lambda k: ItemResult(pct=sampled_pct(n, k), samples=n, nonconforming=k))),
    ),
)


@settings(max_examples=scaled(200), deadline=None)
@given(results_strategy, st.integers(0, 3), st.booleans())
def test_scoring_invariants(results: dict[str, ItemResult], deductions: int, bonus: bool) -> None:
    special = SpecialItems(tuple(SpecialDeduction("law", "x") for _ in range(deductions)), SpecialBonus("b") if bonus else None)
    card = score_audit(CATALOG, results, special)
    # parts are the sums of their sections and items, exactly
    for part in card.parts:
        assert part.score == sum(s.score for s in part.sections) == sum(i.score for i in part.items)
        assert 0 <= part.score <= part.points
    assert card.total == sum(p.score for p in card.parts) + bonus - deductions
    # N/A items score 0 and leave the applicable points
    na_weight = sum(CATALOG.items[c].weight for c, r in results.items() if r.na)
    assert card.applicable == CATALOG.total - na_weight
    for code, result in results.items():
        item = card.items[code]
        expected = Decimal(0) if result.na else CATALOG.items[code].weight * result.pct / 100
        assert item.score == expected  # exact, no rounding
    if card.applicable:
        assert card.rate is not None
        if not deductions and not bonus:
            assert 0 <= card.rate <= 100
        assert card.star in [b.level for b in CATALOG.stars]
