"""What an audit team records per item, and the special items.

These are the scoring inputs: plain values with their own checks, kept apart
from the audit document so scoring never depends on how audits are stored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def sampled_pct(samples: int, nonconforming: int) -> Decimal:
    """(n − k) / n × 100, half-up to two decimals: 2 of 3 conform → 66.67."""
    return (Decimal(samples - nonconforming) * HUNDRED / Decimal(samples)).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class ItemResult:
    """A percentage, or not applicable (删减) with its reason; plus evidence.

    `samples`/`nonconforming` record a sampled check; the percentage is then
    derived from them.  `reason_added` marks an N/A reason written after the
    fact (the seed prints "/" without reasons).
    """

    pct: Decimal | None = None
    na: bool = False
    reason: str = ""
    reason_added: bool = False
    samples: int | None = None
    nonconforming: int | None = None
    note: str = ""

    @property
    def is_scored(self) -> bool:
        return self.na or self.pct is not None

    def problems(self) -> list[tuple[str, str]]:
        """(field, message) for everything wrong with this result."""
        out: list[tuple[str, str]] = []
        if self.na:
            if self.pct is not None:
                out.append(("pct", "an item that is not applicable (na = true) has no percentage; remove pct or na"))
            if not self.reason.strip():
                out.append(("reason", "not applicable needs a reason (删减 with a reason)"))
            if self.samples is not None:
                out.append(("samples", "an item that is not applicable has no samples"))
        elif self.reason:
            out.append(("reason", "a reason is only for items that are not applicable (na = true)"))
        if self.pct is not None:
            if not Decimal(0) <= self.pct <= HUNDRED:
                out.append(("pct", f"percentage must be between 0 and 100, got {self.pct}"))
            elif self.pct != self.pct.quantize(CENT):
                out.append(("pct", f"percentage has at most two decimals, got {self.pct}"))
        if (self.samples is None) != (self.nonconforming is None):
            out.append(("samples", "give both samples (n) and nonconforming (k), or neither"))
        elif self.samples is not None and self.nonconforming is not None:
            if self.samples < 1:
                out.append(("samples", f"samples must be at least 1, got {self.samples}"))
            elif not 0 <= self.nonconforming <= self.samples:
                out.append(("nonconforming", f"nonconforming must be between 0 and samples ({self.samples}), got {self.nonconforming}"))
            elif self.pct is not None and self.pct != sampled_pct(self.samples, self.nonconforming):
                expected = sampled_pct(self.samples, self.nonconforming)
                out.append(("pct", f"pct {self.pct} does not match {self.samples - self.nonconforming} of {self.samples} samples conforming ({expected})"))
        return out


SpecialKind = Literal["law", "own_rules", "industry", "system"]
SPECIAL_KINDS: dict[str, str] = {
    "law": "违反法律法规",
    "own_rules": "违反企业自身服务规定",
    "industry": "违反行业要求",
    "system": "影响服务体系有效性",
}


def sampled_result(samples: int, nonconforming: int, note: str = "") -> ItemResult:
    """A sampled check of `samples` with `nonconforming` failures; its percentage derived
    when the counts are valid (otherwise `problems()` says what is wrong with them)."""
    result = ItemResult(samples=samples, nonconforming=nonconforming, note=note)
    if result.problems():
        return result
    return dataclasses.replace(result, pct=sampled_pct(samples, nonconforming))


@dataclass(frozen=True)
class SpecialDeduction:
    """特别扣分项: one point off, and a nonconformity needing corrective action."""

    kind: SpecialKind
    description: str
    nonconformity: str = ""
    corrective_action: str = ""
    owner: str = ""
    due: dt.date | None = None


@dataclass(frozen=True)
class SpecialBonus:
    """特别加分项: clearly above legal requirements and leading the industry."""

    description: str


@dataclass(frozen=True)
class SpecialItems:
    """The special deductions and the bonus of an audit, for scoring."""

    deductions: tuple[SpecialDeduction, ...] = ()
    bonus: SpecialBonus | None = None

    @property
    def points(self) -> Decimal:
        """At most one bonus point, one point off per deduction."""
        return Decimal(1 if self.bonus else 0) - len(self.deductions)


#: An audit with neither special deductions nor a bonus.
NO_SPECIAL_ITEMS = SpecialItems()
