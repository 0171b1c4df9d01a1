"""What the app calls a field or a change, in its user's language.

A dotted path of the audit (planning.contact.phone, items.B17.pct) becomes
the label its form shows ("Phone", "B17 %"); a semantic diff (`audit.diff`)
becomes lines in the app's language; values taken from the audit go through
`shown`.
"""

from __future__ import annotations

from typing import Any

from auditdesk.audit.diff import AuditDiff, describe
from auditdesk.criteria.results import ItemResult
from auditdesk.criteria.scoring import fmt_2, fmt_item, fmt_number
from auditdesk.tui.i18n import Translator
from auditdesk.tui.shown import shown

ITEM_FIELDS = {"pct": "col.pct", "na": "na", "reason": "na.reason", "samples": "samples.n", "nonconforming": "samples.k",
               "note": "key.note"}


def _labels(t: Translator) -> dict[str, str]:
    from auditdesk.tui.screens.conclusion import ConclusionScreen
    from auditdesk.tui.screens.planning import SPECS

    return {spec.path: t(spec.label) for spec in [*SPECS, *ConclusionScreen.SPECS] if spec.kind not in ("heading", "info")}


def field_label(path: str, t: Translator) -> str:
    """The label of a dotted audit path, as the views show it (the path itself when no view edits it)."""
    parts = path.split(".")
    if parts[0] == "items" and len(parts) >= 2:
        code = parts[1]
        return f"{code} {t(ITEM_FIELDS[parts[2]])}" if len(parts) > 2 and parts[2] in ITEM_FIELDS else code
    labels = _labels(t)
    for end in range(len(parts), 0, -1):
        head = ".".join(parts[:end])
        if head in labels:
            label = labels[head]
            if head.startswith("body."):
                label = f"{t('p.body')}: {label}"
            rest = ".".join(parts[end:])
            return f"{label} ({rest})" if rest else label
    return path


def value_text(value: Any, t: Translator) -> str:
    """A stored value as a short line (lists joined, nothing as a dash)."""
    if value is None or value == "" or value == () or value == []:
        return t("value.empty")
    if isinstance(value, bool):
        return t("form.yes" if value else "form.no")
    if isinstance(value, ItemResult):
        return describe(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(value_text(v, t) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {value_text(v, t)}" for k, v in value.items())
    text = shown(value)
    return text if len(text) <= 60 else text[:57] + "..."


def diff_text(change: AuditDiff, t: Translator) -> str:
    """Every change, one a line, in the app's language (the review view in Chinese)."""
    lines = [f"{field_label(f.field, t)}: {value_text(f.old, t)} -> {value_text(f.new, t)}" for f in change.fields]
    for c in change.items:
        if describe(c.old) != describe(c.new):
            lines.append(t("diff.item", code=c.code, old=_result(c.old, t), new=_result(c.new, t),
                           old_score=fmt_item(c.old_score), new_score=fmt_item(c.new_score)))
        else:
            old, new = c.old or ItemResult(), c.new or ItemResult()
            for name in ITEM_FIELDS:
                if getattr(old, name) != getattr(new, name):
                    lines.append(f"{c.code} {t(ITEM_FIELDS[name])}: {value_text(getattr(old, name), t)} -> "
                                 f"{value_text(getattr(new, name), t)}")
    before, after = change.before, change.after
    if change.items or before.special != after.special:
        for was, now in zip(before.parts, after.parts, strict=False):
            if was.score != now.score:
                lines.append(t("diff.part", part=now.code, old=fmt_2(was.score), new=fmt_2(now.score)))
        lines.append(t("diff.total", old=fmt_2(before.total), new=fmt_2(after.total)))
        lines.append(t("diff.rate", old=fmt_2(before.rate), new=fmt_2(after.rate)))
        if before.star != after.star:
            lines.append(t("diff.star", old=before.star or "-", new=after.star or "-"))
    return "\n".join(lines)


def _result(result: ItemResult | None, t: Translator) -> str:
    if result is None or not result.is_scored:
        return t("diff.unscored")
    if result.na:
        return t("na")
    return fmt_number(result.pct) if result.pct is not None else ""
