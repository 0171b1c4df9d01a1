"""The audit document: everything the seed report records, as typed data.

One audit is one TOML file.  The dataclasses here define that file: field
order is file order, defaults are left out when writing, and every check of
a hand-edited file reports its line (see `auditdesk.criteria.tomldata`).
The vocabulary (audit types, methods, stages) is stored as short English
codes; the Chinese labels the report prints live beside them.

Why this module is long: the document model and its TOML mapping, read together; the
mapping is the next to move.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from auditdesk.criteria import tomldata
from auditdesk.criteria.catalog import Catalog, Catalogs
from auditdesk.criteria.results import ItemResult, SpecialBonus, SpecialDeduction, SpecialItems
from auditdesk.errors import InvalidInput, Problem

SCHEMA = 1

AuditType = Literal["initial", "surveillance", "recertification"]
AUDIT_TYPES: dict[str, str] = {"initial": "初次认证", "surveillance": "保持认证", "recertification": "再认证"}

Method = Literal["onsite", "remote", "both"]
METHODS: dict[str, str] = {"onsite": "现场审核", "remote": "远程审核", "both": "现场结合远程审核"}

Half = Literal["am", "pm"]
HALVES: dict[str, str] = {"am": "上午", "pm": "下午"}

Role = Literal["leader", "member", "expert", "trainee"]
ROLES: dict[str, str] = {"leader": "组长", "member": "组员", "expert": "技术专家", "trainee": "实习审查员"}

Stage = Literal["planning", "onsite", "conclusion", "review", "approved"]
STAGES: dict[str, str] = {
    "planning": "策划",
    "onsite": "现场评分",
    "conclusion": "结论",
    "review": "复核",
    "approved": "已批准",
}
#: The one order of the stages; everything else derives from it.
STAGE_ORDER: tuple[Stage, ...] = tuple(STAGES)  # type: ignore[arg-type]
#: The stages the team works in; a reviewer may return an audit to any of them.
WORK_STAGES: tuple[Stage, ...] = STAGE_ORDER[:STAGE_ORDER.index("review")]
#: The stages after the team's work: content is frozen there, only the workflow moves it on.
HELD_STAGES: tuple[Stage, ...] = STAGE_ORDER[len(WORK_STAGES):]

#: Report clauses with marks (■) that may be flagged as recorded after the fact
#: ("（补录）"), like an N/A reason's `reason_added`: a paper report transcribed
#: later may leave them unmarked (the seed does), the team infers them.
MARKED_CLAUSES: dict[str, str] = {
    "1.5": "场所说明", "1.7": "审查目的", "1.10": "审查方式", "1.11": "暗访评价方式",
    "1.14": "现场评价前一年内的情况", "1.15": "审查风险", "5": "评价结论",
}

RecommendationKind = Literal["initial", "recertification", "surveillance", "restoration", "scope_change"]
RECOMMENDATIONS: dict[str, str] = {
    "initial": "认证注册资格",
    "recertification": "再认证注册资格",
    "surveillance": "保持认证注册资格",
    "restoration": "恢复认证注册资格",
    "scope_change": "变更认证范围",
}

PROJECT_NO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def check_project_no(value: str) -> str | None:
    """Why `value` cannot be a project number (it names a file), or None."""
    if not value:
        return "project number is empty"
    bad = [c for c in value if unicodedata.category(c).startswith("C") or c in "/\\"]
    if bad:
        shown = ", ".join(repr(c) if c.isprintable() else f"U+{ord(c):04X}" for c in dict.fromkeys(bad))
        return f"project number {value!r} contains characters that cannot be in a file name ({shown})"
    if ".." in value or not PROJECT_NO.match(value) or value.endswith((".", ".lock")):
        return (f"project number {value!r} must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit, "
                "without '..' and not ending in '.' or '.lock'")
    return None


@dataclass
class CatalogRef:
    """Which catalog the audit is scored under, pinned by content hash."""

    id: str
    version: str
    hash: str = ""


@dataclass
class Body:
    """The certification body named in the report header."""

    name: str = ""
    address: str = ""
    phone: str = ""
    postcode: str = ""


@dataclass
class Contact:
    """The organisation's contact person."""

    name: str = ""
    title: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class Site:
    """A sub-site of a multi-site organisation."""

    name: str
    address: str = ""


@dataclass
class Answer:
    """A yes/no question answered with an optional explanation (1.14, 1.15)."""

    yes: bool | None = None  # None: not answered yet
    explanation: str = ""


@dataclass
class PastYear:
    """1.14: the four "in the year before the on-site audit" questions."""

    accident: Answer = field(default_factory=Answer)
    complaints: Answer = field(default_factory=Answer)
    spot_check: Answer = field(default_factory=Answer)
    enforcement: Answer = field(default_factory=Answer)


@dataclass
class MysteryShopping:
    """1.11 暗访评价: not needed, or the on-site / off-site date ranges."""

    needed: bool | None = None  # None: not decided yet
    onsite_from: dt.date | None = None
    onsite_to: dt.date | None = None
    offsite_from: dt.date | None = None
    offsite_to: dt.date | None = None


@dataclass
class Remote:
    """1.16, applicable when the method includes remote auditing."""

    location: str = ""
    scope: str = ""
    ict_tools: str = ""
    security_agreement: bool | None = None
    obstacles: bool | None = None
    obstacles_note: str = ""
    ict_effective: bool | None = None
    onsite_needed: bool | None = None
    onsite_needed_note: str = ""


@dataclass
class Member:
    """A member of the audit team."""

    code: str
    name: str
    role: Role = "member"
    certificate: str = ""
    professional_code: str = ""
    phone: str = ""
    person: str = ""
    """The registered person's id (people.toml); empty in files from before the registry."""


@dataclass
class Planning:
    """Basic information 1.1–1.16 (策划), recorded by the team leader."""

    organisation: str = ""
    audit_type: AuditType = "initial"
    registered_address: str = ""
    audit_address: str = ""
    multi_site: bool = False
    subsites: tuple[Site, ...] = ()
    contact: Contact = field(default_factory=Contact)
    criteria: tuple[str, ...] = ()
    scope: str = ""
    star_applied: str = ""
    method: Method = "onsite"
    mystery_shopping: MysteryShopping = field(default_factory=MysteryShopping)
    period_start: str = "体系实施日"
    audit_from: dt.date | None = None
    audit_from_half: Half = "am"
    audit_to: dt.date | None = None
    audit_to_half: Half = "pm"
    team: tuple[Member, ...] = ()
    past_year: PastYear = field(default_factory=PastYear)
    risks: Answer = field(default_factory=Answer)
    remote: Remote = field(default_factory=Remote)

    @property
    def audit_days(self) -> Decimal | None:
        """Days on site counted in half days: 10 am to 11 am is 1.5 days."""
        if self.audit_from is None or self.audit_to is None:
            return None
        halves = (self.audit_to - self.audit_from).days * 2 + (self.audit_to_half == "pm") - (self.audit_from_half == "pm") + 1
        return Decimal(halves) / 2

    @property
    def leaders(self) -> list[Member]:
        return [m for m in self.team if m.role == "leader"]


@dataclass
class Special:
    """Special deductions and the bonus, recorded on site."""

    deductions: tuple[SpecialDeduction, ...] = ()
    bonus: SpecialBonus | None = None


@dataclass
class Onsite:
    """On-site scoring (现场评分): the sampling statement and special items."""

    sampling: str = ""
    special: Special = field(default_factory=Special)


@dataclass
class Recommendation:
    """Section 5: recommend or not, for which kind of certification."""

    recommend: bool | None = None
    kind: RecommendationKind | None = None


@dataclass
class Conclusion:
    """The conclusion (结论): overview, suggestions, recommendation."""

    overview: str = ""
    suggestions: str = ""
    recommendation: Recommendation = field(default_factory=Recommendation)
    recommended_scope: str = ""
    recommended_star: str = ""
    star_justification: str = ""
    author: str = ""
    date: dt.date | None = None


@dataclass
class Transition:
    """One move between stages, kept in the file so the report can show it."""

    to: Stage
    by: str
    at: dt.datetime
    reason: str = ""
    person: str = ""
    """The registered id of who made the move (`by` is their name, for the report)."""


@dataclass
class Review:
    """The reviewer's record (复核)."""

    reviewer: str = ""
    comments: str = ""
    person: str = ""
    """The reviewer's registered id."""


@dataclass
class Transcription:
    """What was recorded after the fact when a paper report was transcribed (printed （补录）);
    a table at the end of the file, so the head of every audit file keeps its lines.

    `marks_added`: report clauses (`MARKED_CLAUSES`) whose ■ marks the team
    inferred; an N/A reason written later is flagged on its item (`reason_added`).
    """

    marks_added: tuple[str, ...] = ()


@dataclass
class Audit:
    """One audit: the whole file."""

    project_no: str
    catalog: CatalogRef
    schema: int = SCHEMA
    stage: Stage = "planning"
    body: Body = field(default_factory=Body)
    planning: Planning = field(default_factory=Planning)
    onsite: Onsite = field(default_factory=Onsite)
    items: dict[str, ItemResult] = field(default_factory=dict)
    conclusion: Conclusion = field(default_factory=Conclusion)
    review: Review = field(default_factory=Review)
    transitions: tuple[Transition, ...] = ()
    previous: str = ""
    created_by: str = ""
    transcription: Transcription = field(default_factory=Transcription)

    @property
    def special(self) -> SpecialItems:
        return SpecialItems(self.onsite.special.deductions, self.onsite.special.bonus)


def item_order(code: str) -> tuple[str, int]:
    """A1 < A2 < A10 < B1: the natural order of item codes."""
    match = re.match(r"^([A-Za-z]*)(\d*)", code)
    assert match
    return match.group(1), int(match.group(2) or 0)


def to_toml(audit: Audit) -> bytes:
    """The audit as canonical TOML: the same data always gives the same bytes."""
    data = tomldata.to_data(audit)
    if "items" in data:  # in the natural order of their codes
        data["items"] = {code: data["items"][code] for code in sorted(data["items"], key=item_order)}
    ordered = {"schema": data.pop("schema", SCHEMA), **data}
    return tomldata.dumps(ordered)


def from_toml(data: bytes, source: str, catalog: Catalog | None = None) -> Audit:
    """Parse and check an audit file; InvalidInput lists every problem by line.

    With the catalog, item codes are checked against it too.
    """
    return _load(data, source, lambda ref: catalog)[0]


def load_audit(data: bytes, source: str, catalogs: Catalogs) -> tuple[Audit, Catalog]:
    """Parse an audit file and find the catalog it names, checking both together."""
    audit, catalog = _load(data, source, lambda ref: catalogs.get(ref.id, ref.version))
    assert catalog is not None
    return audit, catalog


def _load(data: bytes, source: str, find: Callable[[CatalogRef], Catalog | None]) -> tuple[Audit, Catalog | None]:
    raw = tomldata.parse(data, source)
    reader = tomldata.Reader(data.decode("utf-8"), source)
    if isinstance(raw.get("schema"), int) and raw["schema"] > SCHEMA:
        reader.problem(("schema",), f"written by a newer auditdesk (schema {raw['schema']}; this one reads {SCHEMA}); upgrade auditdesk")
        reader.check()
    audit = reader.record(Audit, raw)
    reader.check()
    assert audit is not None
    try:
        catalog = find(audit.catalog)
    except InvalidInput as exc:
        reader.problem(("catalog",), exc.problems[0].message)
        reader.check()
        raise
    for path, message in audit_problems(audit, catalog):
        reader.problem(path, message)
    reader.check()
    return audit, catalog


#: Text that names something (a file, a catalog, a person who moved the audit) is one line;
#: every other text may hold newlines and tabs.  No text holds another control character.
ONE_LINE_FIELDS = frozenset({"project_no", "id", "version", "hash", "previous", "created_by", "by"})


def audit_problems(audit: Audit, catalog: Catalog | None) -> list[tuple[tuple[str | int, ...], str]]:
    """Consistency checks that hold at every stage (not the stage gates)."""
    # (the project number has its own check below, naming the characters a file name cannot hold)
    out = [(path, why) for path, why in tomldata.text_problems(audit, ONE_LINE_FIELDS) if path != ("project_no",)]
    why = check_project_no(audit.project_no)
    if why:
        out.append((("project_no",), why))
    for code, result in audit.items.items():
        if catalog is not None and code not in catalog.items:
            out.append((("items", code), f"unknown item code {code} (catalog {catalog.label} has {_code_range(catalog)})"))
        for name, message in result.problems():
            out.append((("items", code, name), message))
    p = audit.planning
    if p.audit_from and p.audit_to and (p.audit_to, p.audit_to_half) < (p.audit_from, p.audit_from_half):
        out.append((("planning", "audit_to"), f"the audit ends ({p.audit_to} {p.audit_to_half}) before it starts ({p.audit_from} {p.audit_from_half})"))
    ms = p.mystery_shopping
    for kind in ("onsite", "offsite"):
        start, end = getattr(ms, f"{kind}_from"), getattr(ms, f"{kind}_to")
        if start and end and end < start:
            out.append((("planning", "mystery_shopping", f"{kind}_to"), f"ends ({end}) before it starts ({start})"))
    if len(p.leaders) > 1:
        out.append((("planning", "team"), f"a team has one leader; {len(p.leaders)} are marked leader ({', '.join(m.name for m in p.leaders)})"))
    if p.subsites and not p.multi_site:
        out.append((("planning", "subsites"), "sub-sites are listed but multi_site is false"))
    for n, clause in enumerate(audit.transcription.marks_added):
        if clause not in MARKED_CLAUSES:
            out.append((("transcription", "marks_added", n), f"{clause!r} is not a report clause with marks (one of: {', '.join(MARKED_CLAUSES)})"))
    return out


def _code_range(catalog: Catalog) -> str:
    return ", ".join(f"{p.items[0].code}–{p.items[-1].code}" for p in catalog.parts)


def new_audit(catalog: Catalog, project_no: str, organisation: str, audit_type: str = "initial", created_by: str = "",
              body: Body | None = None) -> Audit:
    """A fresh audit in planning, pinned to `catalog`; its creator is on its team until planning names one."""
    why = check_project_no(project_no)
    if why:
        raise InvalidInput([Problem("new audit", "project_no", why)])
    if audit_type not in AUDIT_TYPES:
        raise InvalidInput([Problem("new audit", "audit_type", f"{audit_type!r} is not one of: {', '.join(AUDIT_TYPES)}")])
    return Audit(
        project_no=project_no,
        catalog=CatalogRef(catalog.id, catalog.version, catalog.hash),
        created_by=created_by,
        body=body or Body(),
        planning=Planning(
            organisation=organisation,
            audit_type=audit_type,  # type: ignore[arg-type]
            criteria=(
                f"{catalog.scheme}（{catalog.specification}《{catalog.specification_title}》）",
                "受审查方管理体系文件",
                "适用的国家、行业及地方有关的法律法规及标准",
            ),
        ),
    )


def follow_up(previous: Audit, catalog: Catalog, project_no: str, audit_type: str, created_by: str = "") -> Audit:
    """The next audit of the same organisation (surveillance or recertification).

    Planning data that stays true carries forward (organisation, addresses,
    contact, scope, team…); what is specific to one audit (dates, the 1.14
    "past year" answers, risks, scores, conclusion) starts empty.
    """
    audit = new_audit(catalog, project_no, previous.planning.organisation, audit_type, created_by)
    old = previous.planning
    audit.body = previous.body
    audit.previous = previous.project_no
    audit.planning = Planning(
        organisation=old.organisation, audit_type=audit.planning.audit_type,
        registered_address=old.registered_address, audit_address=old.audit_address,
        multi_site=old.multi_site, subsites=old.subsites, contact=old.contact,
        criteria=audit.planning.criteria, scope=old.scope, star_applied=old.star_applied,
        method=old.method, period_start=old.period_start, team=old.team,
    )
    return audit
