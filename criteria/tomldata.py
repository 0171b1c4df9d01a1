"""Typed records to and from TOML, with problems located by line.

`tomllib` parses but keeps no positions, and `tomli_w` writes whatever it is
given.  This module sits between them and the domain dataclasses: it checks
types field by field (collecting every problem), fills defaults, rejects
unknown keys, and writes the same data to the same bytes every time: fields
in declaration order, defaults left out, whole decimals written as integers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import re
import stat
import tomllib
import types
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin, get_type_hints

import tomli_w

from auditdesk.criteria.tomlshape import MAX_BYTES, ShapeError, check_shape
from auditdesk.errors import InvalidInput, Problem
from auditdesk.safetext import refusal

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
        hints, fields = _schema(cls)
        before = len(self.problems)
        for key in data:
            if key not in fields:
                self.problem(path + (key,), f"unknown field (expected one of: {', '.join(fields)})")
        values: dict[str, Any] = {}
        for name, f in fields.items():
            if name in data:
                values[name] = self.value(hints[name], data[name], path + (name,))
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                self.problem(path + (name,), "missing (required)")
        if len(self.problems) > before:
            return None
        return cls(**values)

    def value(self, hint: Any, data: Any, path: Path_) -> Any:
        origin, args = get_origin(hint), get_args(hint)
        if origin in (typing.Union, types.UnionType):
            inner = [a for a in args if a is not type(None)]
            return self.value(inner[0], data, path)
        if origin is Literal:
            if data not in args:
                self.problem(path, f"{data!r} is not one of: {', '.join(map(str, args))}")
            return data
        if origin in (tuple, list):
            if not isinstance(data, list):
                self.problem(path, f"expected a list, got {_kind(data)}")
                return ()
            return tuple(self.value(args[0], v, path + (i,)) for i, v in enumerate(data))
        if origin is dict:
            if not isinstance(data, dict):
                self.problem(path, f"expected a table, got {_kind(data)}")
                return {}
            return {k: self.value(args[1], v, path + (k,)) for k, v in data.items()}
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return self.record(hint, data, path)
        if hint is Decimal:
            if isinstance(data, bool) or not isinstance(data, (int, Decimal)):
                self.problem(path, f"expected a number, got {_kind(data)}")
                return Decimal(0)
            if isinstance(data, Decimal) and not data.is_finite():
                self.problem(path, "expected a finite number")
                return Decimal(0)
            value = Decimal(data)
            return abs(value) if value.is_zero() else value  # -0.0 is 0 (it printed as -0)
        if hint is dt.date:
            if isinstance(data, dt.datetime) or not isinstance(data, dt.date):
                self.problem(path, f"expected a date such as 2024-04-11 (no quotes), got {_kind(data)}")
            return data
        if hint is dt.datetime:
            if not isinstance(data, dt.datetime) or data.tzinfo is None:
                self.problem(path, f"expected a date-time with offset such as 2024-04-11T09:30:00+08:00, got {_kind(data)}")
            return data
        if (hint is int and isinstance(data, bool)) or not isinstance(data, hint):
            self.problem(path, f"expected {_KINDS.get(hint, hint.__name__)}, got {_kind(data)}")
        return data


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


def to_data(obj: Any, defaults: bool = False) -> Any:
    """Dataclass tree → plain TOML data; fields at their default are left out
    unless `defaults` (for comparing two records field by field)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if not f.init or value is None:
                continue
            if not defaults and f.default is not dataclasses.MISSING and value == f.default:
                continue
            if not defaults and f.default_factory is not dataclasses.MISSING and value == f.default_factory():
                continue
            out[f.name] = to_data(value, defaults)
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
    if isinstance(obj, str):
        size = len(obj.encode("utf-8", "surrogatepass"))
        if size > MAX_TEXT_BYTES:
            out.append((path, (f"text of {size:,} bytes; a field holds at most {MAX_TEXT_BYTES:,} bytes "
                              "(about 87,000 Chinese characters)")))
        why = refusal(obj, allow="" if single else "\n\t")
        if why:
            out.append((path, why))
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            out += text_problems(getattr(obj, f.name), one_line, path + (f.name,), f.name in one_line)
    elif isinstance(obj, (tuple, list)):
        for i, value in enumerate(obj):
            out += text_problems(value, one_line, path + (i,), single)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            out += text_problems(value, one_line, path + (key,), single)
    return out
