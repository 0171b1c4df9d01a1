"""Typed records to and from TOML, with problems located by line.

`tomllib` parses but keeps no positions, and `tomli_w` writes whatever it is
given.  This module sits between them and the domain dataclasses: it checks
types field by field (collecting every problem), fills defaults, rejects
unknown keys, and writes the same data to the same bytes every time: fields
in declaration order, defaults left out, whole decimals written as integers.

Why this module is long: reading (converters built once per type hint, located
problems), the guards every file passes (size, shape, text) and writing are one
round trip; each half is tested against the other.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import re
import stat
import types
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin, get_type_hints

import tomli_w

from auditdesk.criteria.tomlshape import MAX_BYTES, ShapeError, check_shape
from auditdesk.errors import InvalidInput, Problem
from auditdesk.safetext import has_controls, refusal

try:  # tomllib's own code, compiled: the same results three times faster (pyproject says why)
    import tomli as tomllib
except ImportError:  # pragma: no cover - a platform without its wheel gets the standard library's
    import tomllib  # type: ignore[no-redef]

T = TypeVar("T")
Path_ = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+(?:\s*\.\s*(?:"[^"]*"|[A-Za-z0-9_-]+))*)\s*=""")
_PART = re.compile(r"""\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*\.?""")


def _key_parts(text: str) -> tuple[str, ...]:
    return tuple(m.group(1).strip("\"'") for m in _PART.finditer(text) if m.group(1))


def locate(text: str, path: Path_) -> int | None:
    """Best-effort 1-based line of `path` (keys and array indices) in TOML text.

    Falls back to the nearest enclosing table or key, so a problem always
    points somewhere useful in a hand-edited file.
    """
    want = tuple(path)
    prefixed, exact = _line_index(text)
    if want in prefixed:  # a key or table at or inside `path`: the first one
        return prefixed[want]
    for length in range(len(want) - 1, 0, -1):  # else the nearest enclosing key or table
        if want[:length] in exact:
            return exact[want[:length]]
    return None


@functools.lru_cache(maxsize=4)
def _line_index(text: str) -> tuple[dict[Path_, int], dict[Path_, int]]:
    """The first line of each key path in `text`, and of each path prefix: built
    once per text, so locating many problems in a big file stays linear."""
    prefixed: dict[Path_, int] = {}
    exact: dict[Path_, int] = {}
    table: tuple[str | int, ...] = ()
    counters: dict[tuple[str | int, ...], int] = {}
    delim: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if delim is not None:
            if line.count(delim) % 2 == 1:
                delim = None
            continue
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            keys = _key_parts(header.group(2))
            resolved: list[str | int] = []
            for i, key in enumerate(keys):
                prefix = tuple(resolved) + (key,)
                if header.group(1) == "[[" and i == len(keys) - 1:
                    counters[prefix] = counters.get(prefix, -1) + 1
                    for other in [k for k in counters if k[: len(prefix)] == prefix and len(k) > len(prefix)]:
                        del counters[other]
                resolved.append(key)
                if prefix in counters:
                    resolved.append(counters[prefix])
            table = tuple(resolved)
            full = table
        else:
            found = _KEY.match(line)
            if not found:
                continue
            full = table + _key_parts(found.group(1))
            rest = line[found.end():].lstrip()
            for quote in ('"""', "'''"):
                if rest.startswith(quote) and rest.count(quote) % 2 == 1:
                    delim = quote
        exact.setdefault(full, number)
        for length in range(1, len(full) + 1):
            prefixed.setdefault(full[:length], number)
    return prefixed, exact


def read_file(path: Path | str) -> bytes:
    """A TOML file's bytes, as far as the parser may take them: a regular file (a FIFO
    or a device such as /dev/zero behind a symlink would never end) no bigger than
    the shape guard allows.  OSError is left to the caller (it says "cannot read")."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # a FIFO must not block the open
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InvalidInput.single(str(path), "", "not a regular file (a FIFO, a device or a folder); the file was not read")
        if st.st_size > MAX_BYTES:
            raise InvalidInput.single(str(path), "", f"the file is {st.st_size} bytes (at most {MAX_BYTES} bytes); "
                                                     "the file was not read")
        return f.read(MAX_BYTES + 1)


def parse(data: bytes, source: str) -> dict[str, Any]:
    """Parse TOML bytes, turning every failure into a located Problem.

    Every TOML file auditdesk reads comes here: hostile shapes (size, line
    length, key parts, nesting) are refused before tomllib sees them."""
    try:
        check_shape(data, source)
    except ShapeError as exc:
        raise InvalidInput.single(source, "", f"{exc.what} ({exc.limit}); the file was not read", exc.line) from None
    if data.startswith(b"\xef\xbb\xbf"):
        raise InvalidInput.single(source, "", "file starts with a byte-order mark (BOM); save it as UTF-8 without BOM", 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput.single(source, "", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", line) from None
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        at_line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        if match:
            message += f" (column {match.group(2)})"
        raise InvalidInput.single(source, "", f"invalid TOML: {message}", at_line) from None
    except ValueError:  # tomllib lets int() refuse a literal of over 4300 digits
        raise InvalidInput.single(source, "", "invalid TOML: a number has too many digits") from None
    except RecursionError:
        raise InvalidInput.single(source, "", "invalid TOML: arrays or tables nested too deeply") from None


def field_name(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


Schema = tuple[dict[str, Any], dict[str, dataclasses.Field[Any]]]
_schemas: dict[type, Schema] = {}


def _schema(cls: type) -> Schema:
    """Type hints and init fields of a record class, computed once: resolving
    string annotations is by far the slowest part of reading a file."""
    found = _schemas.get(cls)
    if found is None:
        found = _schemas[cls] = (get_type_hints(cls), {f.name: f for f in dataclasses.fields(cls) if f.init})
    return found


Convert = typing.Callable[["Reader", Any, Path_], Any]


@dataclasses.dataclass(frozen=True)
class _Plan:
    """How to read one record class: its fields in order, each with its converter and
    whether it is required, worked out once per class."""

    fields: tuple[tuple[str, Convert, bool], ...]
    names: frozenset[str]
    expected: str


_plans: dict[type, _Plan] = {}


def _plan(cls: type) -> _Plan:
    found = _plans.get(cls)
    if found is None:
        hints, fields = _schema(cls)
        found = _plans[cls] = _Plan(
            tuple((name, _converter(hints[name]), f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
                  for name, f in fields.items()),
            frozenset(fields), ", ".join(fields))
    return found


@functools.cache
def _converter(hint: Any) -> Convert:
    """The function that checks and converts a TOML value for a type hint, built once
    per hint: looking the hint's shape up again for every value of every file was
    most of the cost of reading an audit."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return _converter(next(a for a in args if a is not type(None)))
    if origin is Literal:
        allowed, names = args, ", ".join(map(str, args))

        def literal(r: Reader, data: Any, path: Path_) -> Any:
            if data not in allowed:
                r.problem(path, f"{data!r} is not one of: {names}")
            return data
        return literal
    if origin in (tuple, list):
        item = _converter(args[0])

        def sequence(r: Reader, data: Any, path: Path_) -> Any:
            if not isinstance(data, list):
                r.problem(path, f"expected a list, got {_kind(data)}")
                return ()
            return tuple([item(r, v, path + (i,)) for i, v in enumerate(data)])
        return sequence
    if origin is dict:
        entry = _converter(args[1])

        def table(r: Reader, data: Any, path: Path_) -> Any:
            if not isinstance(data, dict):
                r.problem(path, f"expected a table, got {_kind(data)}")
                return {}
            return {k: entry(r, v, path + (k,)) for k, v in data.items()}
        return table
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        cls = hint
        return lambda r, data, path: r.record(cls, data, path)
    if hint is Decimal:
        def number(r: Reader, data: Any, path: Path_) -> Any:
            if isinstance(data, Decimal):
                if not data.is_finite():
                    r.problem(path, "expected a finite number")
                    return Decimal(0)
                return abs(data) if data.is_zero() else data  # -0.0 is 0 (it printed as -0)
            if isinstance(data, bool) or not isinstance(data, int):
                r.problem(path, f"expected a number, got {_kind(data)}")
                return Decimal(0)
            return Decimal(data)
        return number
    if hint is dt.date:
        def date(r: Reader, data: Any, path: Path_) -> Any:
            if isinstance(data, dt.datetime) or not isinstance(data, dt.date):
                r.problem(path, f"expected a date such as 2024-04-11 (no quotes), got {_kind(data)}")
            return data
        return date
    if hint is dt.datetime:
        def moment(r: Reader, data: Any, path: Path_) -> Any:
            if not isinstance(data, dt.datetime) or data.tzinfo is None:
                r.problem(path, f"expected a date-time with offset such as 2024-04-11T09:30:00+08:00, got {_kind(data)}")
            return data
        return moment
    strict_int = hint is int

    def plain(r: Reader, data: Any, path: Path_) -> Any:
        if (strict_int and isinstance(data, bool)) or not isinstance(data, hint):
            r.problem(path, f"expected {_KINDS.get(hint, hint.__name__)}, got {_kind(data)}")
        return data
    return plain


class Reader:
    """Converts parsed TOML into dataclasses, collecting located problems."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, path: Path_, message: str) -> None:
        self.problems.append(Problem(self.source, field_name(path), message, locate(self.text, path)))

    def check(self) -> None:
        if self.problems:
            raise InvalidInput(self.problems)

    def record(self, cls: type[T], data: Any, path: Path_ = ()) -> T | None:
        """Build dataclass `cls` from a TOML table, or None if it has problems."""
        if not isinstance(data, dict):
            self.problem(path, f"expected a table, got {_kind(data)}")
            return None
        plan = _plan(cls)
        before = len(self.problems)
        for key in data:
            if key not in plan.names:
                self.problem(path + (key,), f"unknown field (expected one of: {plan.expected})")
        values: dict[str, Any] = {}
        for name, convert, required in plan.fields:
            if name in data:
                values[name] = convert(self, data[name], path + (name,))
            elif required:
                self.problem(path + (name,), "missing (required)")
        if len(self.problems) > before:
            return None
        return cls(**values)

    def value(self, hint: Any, data: Any, path: Path_) -> Any:
        """Check and convert one value against a type hint (problems are collected)."""
        return _converter(hint)(self, data, path)


_KINDS = {str: "text", int: "a whole number", bool: "true or false"}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, str):
        return f"text {value[:40]!r}"
    if isinstance(value, (int, Decimal)):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dt.datetime):
        return f"the date-time {value.isoformat()}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    return type(value).__name__


_NO_DEFAULT = object()
_defaults: dict[type, tuple[tuple[str, Any], ...]] = {}
_SCALARS = frozenset({str, int, bool, dt.date, dt.datetime})


def _fields_and_defaults(cls: type) -> tuple[tuple[str, Any], ...]:
    """The init fields of a record class with their default values (a factory's
    made once, to compare with only), worked out once per class."""
    found = _defaults.get(cls)
    if found is None:
        found = _defaults[cls] = tuple(
            (f.name, f.default if f.default is not dataclasses.MISSING
             else f.default_factory() if f.default_factory is not dataclasses.MISSING else _NO_DEFAULT)
            for f in dataclasses.fields(cls) if f.init)
    return found


def to_data(obj: Any, defaults: bool = False) -> Any:
    """Dataclass tree → plain TOML data; fields at their default are left out
    unless `defaults` (for comparing two records field by field)."""
    kind = type(obj)
    if kind in _SCALARS:
        return obj
    fields = _defaults.get(kind)
    if fields is None and dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = _fields_and_defaults(kind)
    if fields is not None:
        out: dict[str, Any] = {}
        for name, default in fields:
            value = getattr(obj, name)
            if value is None or (not defaults and default is not _NO_DEFAULT and value == default):
                continue
            out[name] = to_data(value, defaults)
        return out
    if isinstance(obj, dict):
        return {k: to_data(v, defaults) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_data(v, defaults) for v in obj]
    if isinstance(obj, Decimal):
        return int(obj) if obj == obj.to_integral_value() else obj
    return obj


def dumps(data: dict[str, Any]) -> bytes:
    """Deterministic TOML: multi-line strings for text with newlines.

    Text is kept exactly, carriage returns included: a CR is data like any
    other character (text pasted with Windows line ends, say), and reading a
    file back must give the same text.  A multi-line TOML string cannot hold
    a CRLF (tomli-w writes it as LF, and parsers read a CRLF line end as LF),
    so text containing one is written as a one-line string with escapes
    (``"一\\r\\n二"``).  A lone CR is escaped inside a multi-line string already.
    """
    escaped: dict[str, str] = {}
    nonce = os.urandom(8).hex()

    def mark(value: Any) -> Any:
        if isinstance(value, str):
            if nonce in value:  # vanishingly unlikely; a new nonce keeps the tokens unique
                raise _NonceTaken
            if "\r\n" not in value:
                return value
            token = f"auditdesk-crlf-{nonce}-{len(escaped)}"
            escaped[token] = tomli_w.dumps({"v": value}).removeprefix("v = ").rstrip("\n")
            return token
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [mark(v) for v in value]
        return value

    try:
        marked = mark(data)
    except _NonceTaken:
        return dumps(data)
    text = tomli_w.dumps(marked, multiline_strings=True)
    for token, literal in escaped.items():
        text = text.replace(f'"{token}"', literal, 1)
    return text.encode("utf-8")


class _NonceTaken(Exception):
    """The text written holds the placeholder's nonce: pick another."""


def load_record(cls: type[T], data: bytes, source: str) -> tuple[T, dict[str, Any]]:
    """Parse and convert a whole TOML file; raise InvalidInput with every problem."""
    raw = parse(data, source)
    reader = Reader(data.decode("utf-8"), source)
    result = reader.record(cls, raw)
    reader.check()
    assert result is not None
    for path, message in text_problems(result):
        reader.problem(path, message)
    reader.check()
    return result, raw


#: The most text one field holds, in UTF-8 bytes: about 87,000 Chinese characters,
#: some 60 printed pages.  Bigger fields made the terminal app take a minute to
#: open an audit (15 MB: 77 s); a whole file is bounded by tomlshape.MAX_BYTES.
MAX_TEXT_BYTES = 256 * 1024


def text_problems(obj: Any, one_line: frozenset[str] = frozenset(), path: Path_ = (),
                  single: bool = False) -> list[tuple[Path_, str]]:
    """Every text in a record tree (dataclasses, tuples, dicts) that must be refused:
    control characters and bidirectional overrides (newline and tab only in fields
    not named in ``one_line``), and text longer than MAX_TEXT_BYTES."""
    out: list[tuple[Path_, str]] = []
    _text_problems(obj, one_line, path, single, out)
    return out


def _text_problems(obj: Any, one_line: frozenset[str], path: Path_, single: bool, out: list[tuple[Path_, str]]) -> None:
    # Every record of every audit listed passes through here (some 700 values an audit):
    # numbers, dates and None are passed over without a call, a short text without any
    # control character costs one regex search.
    if isinstance(obj, str):
        _text_problem(obj, path, single, out)
        return
    names = _record_fields(type(obj))
    if names is not None:
        for name in names:
            value = getattr(obj, name)
            if value is None or type(value) in _NOT_TEXT:
                continue
            if type(value) is str:
                _text_problem(value, path + (name,), name in one_line, out)
            else:
                _text_problems(value, one_line, path + (name,), name in one_line, out)
    elif isinstance(obj, (tuple, list)):
        for i, value in enumerate(obj):
            _text_problems(value, one_line, path + (i,), single, out)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            _text_problems(value, one_line, path + (key,), single, out)


_NOT_TEXT = frozenset({bool, int, float, Decimal, dt.date, dt.datetime, dt.time})


def _text_problem(text: str, path: Path_, single: bool, out: list[tuple[Path_, str]]) -> None:
    if len(text) * 4 > MAX_TEXT_BYTES:  # (4: the most bytes a character takes in UTF-8)
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_TEXT_BYTES:
            out.append((path, (f"text of {size:,} bytes; a field holds at most {MAX_TEXT_BYTES:,} bytes "
                              "(about 87,000 Chinese characters)")))
    if has_controls(text):
        why = refusal(text, allow="" if single else "\n\t")
        if why:
            out.append((path, why))


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _record_fields(cls: type) -> tuple[str, ...] | None:
    """The field names of a dataclass type (None for any other type), worked out once per type."""
    if cls not in _FIELDS:
        _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None
    return _FIELDS[cls]
