"""Conclusion (结论): overview, suggestions, the recommendation, scope and star level.

The star level computed from the scores is shown beside the recommended one;
recommending a different level asks for a written justification.
"""

from __future__ import annotations

from typing import Any, get_args

from auditdesk.audit.document import Audit, Recommendation, RecommendationKind
from auditdesk.audit.stages import star_differs
from auditdesk.criteria.catalog import Catalog
from auditdesk.criteria.scoring import fmt_2, score_audit
from auditdesk.tui.i18n import Translator
from auditdesk.tui.screens.form_screen import FormScreen
from auditdesk.tui.screens.planning import stars
from auditdesk.tui.widgets.form import Spec


def recommendations(t: Translator, catalog: Catalog) -> list[tuple[Any, str]]:
    """The seed's ten: recommend or not, for each kind of certification."""
    kinds = t.vocabulary("recommendation")
    return [(Recommendation(), t("form.undecided"))] + [
        (Recommendation(recommend, kind), t("c.recommend" if recommend else "c.not_recommend", kind=kinds[kind]))
        for recommend in (True, False) for kind in get_args(RecommendationKind)
    ]


def computed_star(audit: Audit, catalog: Catalog) -> tuple[str | None, str]:
    card = score_audit(catalog, audit.items, audit.special)
    return card.star, fmt_2(card.rate)


def recommended_star_differs(audit: Audit, catalog: Catalog) -> bool:
    return star_differs(audit.conclusion.recommended_star, computed_star(audit, catalog)[0])


def computed(audit: Audit, catalog: Catalog, t: Translator) -> str:
    star, rate = computed_star(audit, catalog)
    return t("c.computed", star=star, rate=rate)


def justification_missing(audit: Audit, catalog: Catalog, t: Translator) -> str | None:
    if recommended_star_differs(audit, catalog) and not audit.conclusion.star_justification.strip():
        return t("c.star_differs", star=computed_star(audit, catalog)[0])
    return None


class ConclusionScreen(FormScreen):
    MODE = "conclusion"
    SPECS = [
        Spec("conclusion.overview", "c.overview", "area"),
        Spec("conclusion.suggestions", "c.suggestions", "area"),
        Spec("conclusion.recommendation", "c.recommendation", "choice", recommendations),
        Spec("conclusion.recommended_scope", "c.scope", "area"),
        Spec("conclusion.recommended_star", "c.star", "choice", stars),
        Spec("computed_star", "c.computed_label", "info", info=computed),
        Spec("conclusion.star_justification", "c.justification", "area", check=justification_missing,
             when=lambda a, c: recommended_star_differs(a, c) or bool(a.conclusion.star_justification)),
        Spec("conclusion.author", "c.author"),
        Spec("conclusion.date", "c.date", "date"),
    ]
