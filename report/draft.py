"""What a report still lacks, so that an unfinished one is never taken as final.

The report prints every audit, finished or not; the draft banner lists what
is missing here, in report order.  The checks mirror the stage gates of
docs/domain.md, "Stages" (required planning fields, every item scored, the
sampling statement, the whole conclusion).
"""

from __future__ import annotations

from auditdesk.audit.document import STAGE_ORDER, STAGES, Audit
from auditdesk.audit.stages import gaps
from auditdesk.criteria.catalog import Catalog


def missing(audit: Audit, catalog: Catalog) -> list[str]:
    """Everything still open, in report order; the report is a draft unless empty.

    An audit before the conclusion stage is open by definition, so its stage
    heads the list even when every field happens to be filled in.
    """
    # From the conclusion on, the report is what the reviewer checks and approves.
    before_conclusion = STAGE_ORDER.index(audit.stage) < STAGE_ORDER.index("conclusion")
    out = [f"审查阶段：{STAGES[audit.stage]}（尚未进入结论阶段）"] if before_conclusion else []
    return out + [gap.zh for gap in gaps(audit, catalog)]
