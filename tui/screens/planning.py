"""Planning (策划): the certification body the report's header names, then the
basic information 1.1-1.16, as the seed report lays it out."""

from __future__ import annotations

from typing import Any

from auditdesk.audit.document import Audit, Member, Site
from auditdesk.criteria.catalog import Catalog
from auditdesk.criteria.scoring import fmt_number
from auditdesk.tui.i18n import Translator
from auditdesk.tui.screens.form_screen import FormScreen
from auditdesk.tui.widgets.form import Options, Spec, get


def vocabulary(kind: str) -> Options:
    return lambda t, catalog: list(t.vocabulary(kind).items())


def yes_no(t: Translator, catalog: Catalog) -> list[tuple[Any, str]]:
    return [(None, t("form.unanswered")), (False, t("form.no")), (True, t("form.yes"))]


def stars(t: Translator, catalog: Catalog) -> list[tuple[Any, str]]:
    return [("", t("form.undecided"))] + [(band.level, band.level) for band in catalog.stars]


def remote(audit: Audit, catalog: Catalog) -> bool:
    return audit.planning.method in ("remote", "both")


def answer(path: str, label: str, when: Any = None) -> list[Spec]:
    """A yes/no question with its explanation, shown once the answer is yes."""
    def said_yes(audit: Audit, catalog: Catalog) -> bool:
        return (when is None or when(audit, catalog)) and bool(get(audit, f"{path}.yes"))

    return [
        Spec(f"{path}.yes", label, "choice", yes_no, when=when),
        Spec(f"{path}.explanation", "form.explanation", when=said_yes),
    ]


def purpose(audit: Audit, catalog: Catalog, t: Translator) -> str:
    return t("p.purpose", kind=t.vocabulary("audit_type")[audit.planning.audit_type])


def days(audit: Audit, catalog: Catalog, t: Translator) -> str:
    total = audit.planning.audit_days
    return "" if total is None else t("form.days", days=fmt_number(total))


def mystery(audit: Audit, catalog: Catalog) -> bool:
    return audit.planning.mystery_shopping.needed is True


SPECS = [
    Spec("body", "p.body", "heading"),
    *(Spec(f"body.{name}", f"p.body_{name}") for name in ("name", "address", "phone", "postcode")),
    Spec("basic", "p.basic", "heading"),
    Spec("planning.organisation", "p.organisation"),
    Spec("project_no", "p.project_no", "info", info=lambda a, c, t: f"{a.project_no}  {t('form.read_only')}"),
    Spec("planning.audit_type", "p.audit_type", "choice", vocabulary("audit_type")),
    Spec("planning.registered_address", "p.registered_address"),
    Spec("planning.audit_address", "p.audit_address"),
    Spec("planning.multi_site", "p.multi_site", "choice", lambda t, c: [(False, t("p.single")), (True, t("p.multi"))]),
    Spec("planning.subsites", "p.subsites", "records", record=Site, columns=("name", "address"),
         when=lambda a, c: a.planning.multi_site),
    Spec("planning.contact.name", "p.contact_name"),
    Spec("planning.contact.title", "p.contact_title"),
    Spec("planning.contact.phone", "p.contact_phone"),
    Spec("planning.contact.email", "p.contact_email"),
    Spec("purpose", "p.purpose_label", "info", info=purpose),
    Spec("planning.criteria", "p.criteria", "lines"),
    Spec("planning.scope", "p.scope", "area"),
    Spec("planning.star_applied", "p.star_applied", "choice", stars),
    Spec("planning.method", "p.method", "choice", vocabulary("method")),
    Spec("planning.mystery_shopping.needed", "p.mystery", "choice",
         lambda t, c: [(None, t("form.undecided")), (True, t("form.needed")), (False, t("form.not_needed"))]),
    *(Spec(f"planning.mystery_shopping.{name}", f"p.ms_{name}", "date", when=mystery)
      for name in ("onsite_from", "onsite_to", "offsite_from", "offsite_to")),
    Spec("planning.period_start", "p.period_start"),
    Spec("planning.audit_from", "p.audit_from", "date"),
    Spec("planning.audit_from_half", "p.audit_from_half", "choice", vocabulary("half")),
    Spec("planning.audit_to", "p.audit_to", "date"),
    Spec("planning.audit_to_half", "p.audit_to_half", "choice", vocabulary("half")),
    Spec("days", "p.days", "info", info=days),
    Spec("planning.team", "p.team", "records", record=Member,
         columns=("code", "name", "role", "certificate", "professional_code", "phone")),
    Spec("past_year", "p.past_year", "heading"),
    *answer("planning.past_year.accident", "p.accident"),
    *answer("planning.past_year.complaints", "p.complaints"),
    *answer("planning.past_year.spot_check", "p.spot_check"),
    *answer("planning.past_year.enforcement", "p.enforcement"),
    *answer("planning.risks", "p.risks"),
    Spec("remote", "p.remote", "heading", when=remote),
    Spec("planning.remote.location", "p.remote_location", when=remote),
    Spec("planning.remote.scope", "p.remote_scope", when=remote),
    Spec("planning.remote.ict_tools", "p.ict_tools", when=remote),
    Spec("planning.remote.security_agreement", "p.security_agreement", "choice", yes_no, when=remote),
    Spec("planning.remote.obstacles", "p.obstacles", "choice", yes_no, when=remote),
    Spec("planning.remote.obstacles_note", "form.explanation", when=lambda a, c: remote(a, c) and a.planning.remote.obstacles is True),
    Spec("planning.remote.ict_effective", "p.ict_effective", "choice", yes_no, when=remote),
    Spec("planning.remote.onsite_needed", "p.onsite_needed", "choice", yes_no, when=remote),
    Spec("planning.remote.onsite_needed_note", "form.explanation",
         when=lambda a, c: remote(a, c) and a.planning.remote.onsite_needed is True),
]


class PlanningScreen(FormScreen):
    MODE = "planning"
    SPECS = SPECS
