"""Criteria catalogs: a scheme's weighted checklist, as validated data.

A catalog is one TOML file per scheme version (see `catalogs/`).  Loading it
checks everything the scoring relies on — unique codes and clauses, weights
adding up to sections, sections to parts, parts to the total, star bands that
cover 0–100 — and reports every problem with its line.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from auditdesk.criteria import tomldata
from auditdesk.errors import InvalidInput, Problem

BUILTIN_DIR = Path(__file__).parent / "catalogs"
CODE = re.compile(r"^[A-Z][0-9]{1,3}$")
CLAUSE = re.compile(r"^[0-9]+(\.[0-9]+)*$")


@dataclass(frozen=True)
class Item:
    code: str
    clause: str
    weight: Decimal
    text: str


@dataclass(frozen=True)
class Section:
    clause: str
    title: str
    points: Decimal
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Part:
    code: str
    title: str
    points: Decimal
    sections: tuple[Section, ...]

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(i for s in self.sections for i in s.items)


@dataclass(frozen=True)
class StarBand:
    """Score rates from `min` (inclusive) up to the next band are `level`."""

    min: Decimal
    level: str


@dataclass(frozen=True)
class Catalog:
    id: str
    version: str
    scheme: str
    specification: str
    specification_title: str
    total: Decimal
    stars: tuple[StarBand, ...]
    parts: tuple[Part, ...]
    hash: str = field(default="", compare=False)

    @cached_property
    def items(self) -> dict[str, Item]:
        """Items by code, in catalog order."""
        return {i.code: i for p in self.parts for i in p.items}

    @cached_property
    def part_of(self) -> dict[str, Part]:
        return {i.code: p for p in self.parts for i in p.items}

    def star_for(self, rate: Decimal) -> str:
        """The level of the highest band whose minimum the rate reaches."""
        for band in self.stars:
            if rate >= band.min:
                return band.level
        return self.stars[-1].level

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"


def content_hash(raw: dict[str, Any]) -> str:
    """Hash of the catalog's data, not its bytes: comments and layout don't count."""
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_catalog(data: bytes, source: str) -> Catalog:
    """Parse and validate a catalog file; InvalidInput lists every problem."""
    raw = tomldata.parse(data, source)
    reader = tomldata.Reader(data.decode("utf-8"), source)
    catalog = reader.record(Catalog, raw)
    reader.check()
    assert catalog is not None
    for problem in _check(catalog):
        reader.problem(*problem)
    reader.check()
    object.__setattr__(catalog, "hash", content_hash(raw))
    return catalog


def _check(c: Catalog) -> list[tuple[tuple[str | int, ...], str]]:
    out: list[tuple[tuple[str | int, ...], str]] = []
    seen_codes: dict[str, str] = {}
    seen_clauses: dict[str, str] = {}
    if not c.parts:
        out.append((("parts",), "a catalog needs at least one part"))
    for pi, part in enumerate(c.parts):
        ppath: tuple[str | int, ...] = ("parts", pi)
        if not part.sections:
            out.append((ppath + ("sections",), f"part {part.code} has no sections; a part needs at least one"))
        for si, section in enumerate(part.sections):
            spath = ppath + ("sections", si)
            if not section.items:
                out.append((spath + ("items",), f"section {section.clause} has no items; a section needs at least one"))
            for ii, item in enumerate(section.items):
                ipath = spath + ("items", ii)
                if not CODE.match(item.code):
                    out.append((ipath + ("code",), f"item code {item.code!r} should be a capital letter and a number, such as A1"))
                elif item.code in seen_codes:
                    out.append((ipath + ("code",), f"item code {item.code} is used twice (also at {seen_codes[item.code]})"))
                seen_codes.setdefault(item.code, tomldata.field_name(ipath))
                if not CLAUSE.match(item.clause):
                    out.append((ipath + ("clause",), f"clause {item.clause!r} should look like 5.1.1.1"))
                elif item.clause in seen_clauses:
                    out.append((ipath + ("clause",), f"clause {item.clause} is used twice (also at {seen_clauses[item.clause]})"))
                seen_clauses.setdefault(item.clause, tomldata.field_name(ipath))
                if item.weight <= 0:
                    out.append((ipath + ("weight",), f"weight must be positive, got {item.weight}"))
                if not item.text.strip():
                    out.append((ipath + ("text",), "requirement text is empty"))
            weights = sum((i.weight for i in section.items), Decimal(0))
            if weights != section.points:
                out.append((spath + ("points",), f"section {section.clause} is worth {section.points} but its item weights add up to {weights}"))
        points = sum((s.points for s in part.sections), Decimal(0))
        if points != part.points:
            out.append((ppath + ("points",), f"part {part.code} is worth {part.points} but its sections add up to {points}"))
    total = sum((p.points for p in c.parts), Decimal(0))
    if total != c.total:
        out.append((("total",), f"the catalog total is {c.total} but its parts add up to {total}"))
    out.extend(_check_stars(c.stars))
    return out


def _check_stars(stars: tuple[StarBand, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    out: list[tuple[tuple[str | int, ...], str]] = []
    if not stars:
        return [(("stars",), "at least one star band is needed (with min = 0)")]
    for i, band in enumerate(stars):
        if not Decimal(0) <= band.min <= Decimal(100):
            out.append((("stars", i, "min"), f"a band's minimum rate must be within 0–100, got {band.min}"))
        if i and band.min >= stars[i - 1].min:
            out.append((("stars", i, "min"), f"bands must be listed from the highest minimum down: {band.min} follows {stars[i - 1].min}"))
    if stars[-1].min != 0:
        out.append((("stars", len(stars) - 1, "min"), "the last band must start at 0 so every rate has a level"))
    levels = [b.level for b in stars]
    for i, level in enumerate(levels):
        if levels.index(level) != i:
            out.append((("stars", i, "level"), f"level {level!r} appears twice"))
    return out


def load_catalog(path: Path) -> Catalog:
    try:
        data = tomldata.read_file(path)
    except OSError as exc:
        raise InvalidInput([Problem(str(path), "", f"cannot read catalog: {exc.strerror}")]) from None
    return parse_catalog(data, str(path))


class Catalogs:
    """The catalogs an installation knows: built-in ones plus extra folders."""

    def __init__(self, folders: tuple[Path, ...] = ()) -> None:
        self.folders = folders + (BUILTIN_DIR,)
        self._by_key: dict[tuple[str, str], Catalog] | None = None

    def _load(self) -> dict[tuple[str, str], Catalog]:
        if self._by_key is None:
            found: dict[tuple[str, str], Catalog] = {}
            for folder in self.folders:
                for path in sorted(folder.glob("*.toml")):
                    catalog = load_catalog(path)
                    found.setdefault((catalog.id, catalog.version), catalog)
            self._by_key = found
        return self._by_key

    def all(self) -> list[Catalog]:
        return sorted(self._load().values(), key=lambda c: (c.id, c.version))

    def by_ref(self, ref: str) -> Catalog:
        """The catalog a person names as ``ID`` (the newest version) or ``ID@VERSION``."""
        catalog_id, _, version = ref.partition("@")
        return self.get(catalog_id, version or None)

    def get(self, id: str, version: str | None = None) -> Catalog:
        """The catalog `id` at `version` (the newest when version is None)."""
        matches = [c for c in self.all() if c.id == id and (version is None or c.version == version)]
        if not matches:
            known = ", ".join(c.label for c in self.all()) or "none"
            wanted = id if version is None else f"{id}@{version}"
            raise InvalidInput.single("catalog", "", f"unknown catalog {wanted} (known: {known})")
        return matches[-1]
