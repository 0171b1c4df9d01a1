"""Criteria catalogs: a scheme's weighted checklist, as validated data.

A catalog is one TOML file per scheme version (see `catalogs/`).  Loading it
checks everything the scoring relies on — unique codes and clauses, weights
adding up to sections, sections to parts, parts to the total, star bands that
cover 0–100 — and reports every problem with its line.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import pickle
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

from auditdesk.criteria import tomldata
from auditdesk.errors import AuditdeskError, InvalidInput, Problem
from auditdesk.fileio import write_atomic

BUILTIN_DIR = Path(__file__).parent / "catalogs"
CODE = re.compile(r"^[A-Z][0-9]{1,3}$")
CLAUSE = re.compile(r"^[0-9]+(\.[0-9]+)*$")


@dataclass(frozen=True)
class Item:
    """One scored requirement: its code, clause, weight and text."""

    code: str
    clause: str
    weight: Decimal
    text: str


@dataclass(frozen=True)
class Section:
    """A clause's items, worth `points` together."""

    clause: str
    title: str
    points: Decimal
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Part:
    """A part of the catalog (A, B, C…), worth `points`."""

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
    """One scheme version's checklist: parts, star bands, total."""

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
    """A catalog file, parsed and checked — or, for the same bytes, taken from the user's
    cache of catalogs parsed before (see :func:`_cached`)."""
    try:
        data = tomldata.read_file(path)
    except OSError as exc:
        raise InvalidInput([Problem(str(path), "", f"cannot read catalog: {exc.strerror}")]) from None
    return _cached(data, str(path))


class _CatalogUnpickler(pickle.Unpickler):
    """Builds nothing but a catalog's own records and decimals, whatever the file says."""

    ALLOWED: ClassVar[dict[tuple[str, str], Any]] = {}

    def find_class(self, module: str, name: str) -> Any:
        found = self.ALLOWED.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a catalog")
        return found


def _code_key() -> bytes:
    """What a cached catalog depends on besides its file: the code that parses and
    checks it (this module and tomldata) and the Python that pickled it."""
    digest = hashlib.sha256(sys.version.encode())
    for module in (__file__, tomldata.__file__):
        digest.update(Path(module).read_bytes())
    return digest.digest()


def _cached(data: bytes, source: str) -> Catalog:
    """``parse_catalog``, kept in the user's private cache keyed by the file's bytes and
    the code's: parsing and checking the catalog is a quarter of a short command.

    The cache never comes from a store, only from a folder the user alone can write;
    it is read with an unpickler that can build catalog records and decimals only,
    and anything unexpected in it means parsing the file again."""
    from auditdesk.paths import owned_file, private_cache

    folder = private_cache("catalogs")
    if folder is None:
        return parse_catalog(data, source)
    try:
        key = hashlib.sha256(_code_key() + hashlib.sha256(data).digest()).hexdigest()
    except OSError:  # the code's own files cannot be read (a zip): no cache
        return parse_catalog(data, source)
    entry = folder / f"{key}.pickle"
    if owned_file(entry):
        try:
            with open(entry, "rb") as f:
                found = _CatalogUnpickler(f).load()
            if isinstance(found, Catalog) and found.hash.startswith("sha256:"):
                return found
        except Exception:  # noqa: BLE001 - a damaged cache entry of any kind: parse the file instead
            pass
    catalog = parse_catalog(data, source)
    with contextlib.suppress(AuditdeskError):  # a cache that cannot be written is only slower
        write_atomic(entry, pickle.dumps(catalog, protocol=pickle.HIGHEST_PROTOCOL), mode=0o600, durable=False)
    return catalog


_CatalogUnpickler.ALLOWED.update({(c.__module__, c.__qualname__): c for c in (Catalog, Part, Section, Item, StarBand, Decimal)})


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
