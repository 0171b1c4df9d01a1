"""Refusing TOML shapes that make Python's tomllib slow, memory-hungry or crash,
before tomllib sees them, in one linear pass (see RELIABILITY.md, "Threat model").

An audit file is someone else's input (a colleague's push, a hand edit).
Measured with tomllib (Python 3.11): a dotted key of N parts is quadratic in
time and memory (4k parts 0.4 s / 76 MB, 16k 6 s / 1 GB, 24k about 2 min /
3.4 GB); arrays or inline tables nested a few hundred deep raise
RecursionError; everything else is linear but adds up (a 2 MB file of tiny
tables 2-4 s, long strings about 0.15 s per MB).

:func:`check_shape` tracks only what it needs: strings (basic, literal,
multi-line, with escapes) so that dots and brackets inside them are never
counted, whether a key or a value is being read, and the nesting of arrays
and inline tables.  It does not validate TOML: tomllib still does, on a
document whose shape is now bounded.  Where the input stops being TOML the
scan stops and accepts: tomllib reads no further than that either (it fails
there, saying where), and everything before it was checked.  Raw control
characters are left to tomllib too (it refuses them with their line).

Written with the research of /work/research/R3 (tomlguard.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_ITEMS", "MAX_KEY_PARTS", "MAX_LINE", "ShapeError", "check_shape"]

#: Whole file.  A real audit is ~16 KB, the catalog ~17 KB; every text field
#: at its limit (audit.document.MAX_TEXT_BYTES) would not fit, and a save says so.
MAX_BYTES = 4 * 1024 * 1024
#: One physical line.  tomli_w writes text without a newline as one basic
#: string on one line, escaping quotes and backslashes: twice the longest
#: text field (256 KiB) and its key fit.
MAX_LINE = 1024 * 1024
#: Parts of one dotted key (``a.b.c`` is 3), in a key/value pair, a table
#: header or an inline table.  tomllib is quadratic in this.
MAX_KEY_PARTS = 16
#: Arrays and inline tables open at once inside one value.
MAX_DEPTH = 32
#: Keys (each part of a dotted key), tables and values (each array element
#: and inline table counts).  A real audit has ~1,000, the catalog ~1,500, a
#: hand-edited file listing 4,000 unknown items ~21,000; at 50,000 the worst
#: shapes take this scan ~0.2 s and tomllib ~0.3 s (CPU, measured).
MAX_ITEMS = 50_000


class ShapeError(ValueError):
    """A document refused before parsing; ``line`` is 1-based (None: the whole file)."""

    def __init__(self, source: str, line: int | None, what: str, limit: str) -> None:
        self.source = source
        self.line = line
        self.what = what
        self.limit = limit
        where = f"{source}: line {line}" if line is not None else source
        super().__init__(f"{where}: {what} ({limit}); not parsed")


# Anchored at line starts: unanchored, the engine would rescan each long line
# from every position in it (quadratic).
_LONG_LINE = re.compile(rb"^[^\n]{%d}" % (MAX_LINE + 1), re.MULTILINE)

#: The four kinds of TOML string, in the order a scan tries them (multi-line first).
_STRING = (
    rb'"""(?:[^"\\]++|\\.|"(?!""))*+""""{0,2}+'        # multi-line basic
    rb"|'''(?:[^']++|'(?!''))*+'''(?:'{0,2}+)"         # multi-line literal
    rb'|"(?:[^"\\\n]++|\\.)*+"'                         # basic
    rb"|'[^'\n]*+'"                                       # literal
)

_TOKEN = re.compile(
    rb"(?P<ws>(?:[ \t\r\n]+|#[^\n]*)++)"                 # blanks, newlines and comments
    rb"|(?P<string>" + _STRING + rb")"
    rb"|(?P<bare>[A-Za-z0-9_+\-.:]++)"                     # bare key parts, numbers, booleans, dates
    rb"|(?P<punct>[\[\]{},=])"
    rb"|(?P<other>.)",                                     # not TOML here (or an unterminated string)
    re.DOTALL,
)
#: Strings and comments, for the quick test (`_plainly_within_limits`).
_STRING_OR_COMMENT = re.compile(_STRING + rb"|#[^\n]*", re.DOTALL)
_QUOTE = re.compile(rb"[\"']")
_BRACKET = re.compile(rb"[\[\]{}]")
_DATE = re.compile(rb"[0-9]{4}-[0-9]{2}-[0-9]{2}")

_KEY, _VALUE, _AFTER = 0, 1, 2
_LBRACKET, _RBRACKET, _LBRACE, _RBRACE, _COMMA, _EQUALS = b"[]{},="
_TRIPLE = (b'"""', b"'''")


def _plainly_within_limits(data: bytes) -> bool:
    """True when the limits below cannot be reached, shown by counting, at C speed; False
    means only "scan it" (`check_shape`).  Every audit is checked on every listing, and
    the scan costs more than parsing the file does.

    With strings and comments taken out: every key, table and value takes at least one
    byte, and a dotted key of k parts at most k - 1 bytes more, so a file of fewer than
    MAX_ITEMS / 2 bytes holds fewer than MAX_ITEMS; a key lies on one line, so one of
    more than MAX_KEY_PARTS parts needs a line of MAX_KEY_PARTS dots; and a value's
    depth is the table's parts, plus each enclosing key's parts and bracket: at most
    (B + 2) * (D + 2) for brackets nested B deep and lines of at most D dots."""
    if len(data) * 2 >= MAX_ITEMS:
        return False
    bare = _STRING_OR_COMMENT.sub(b"", data)
    if _QUOTE.search(bare):  # a string left open: the scan says where tomllib will stop
        return False
    depth = deepest = 0
    for m in _BRACKET.finditer(bare):
        depth += 1 if m.group() in b"[{" else -1
        if depth < 0:
            return False
        deepest = max(deepest, depth)
    dots = max(line.count(b".") for line in bare.split(b"\n"))
    return dots < MAX_KEY_PARTS - 1 and (deepest + 2) * (dots + 2) <= MAX_DEPTH


def check_shape(data: bytes, source: str) -> None:
    """Raise :class:`ShapeError` naming ``source``, the line and the limit if
    ``data`` exceeds any limit above; return None otherwise.  Linear time.

    Scanning stops (returning None) where the document stops being TOML:
    tomllib reads no further than that either, and says what is wrong."""
    data = bytes(data)
    size = len(data)
    if size > MAX_BYTES:
        raise ShapeError(source, None, f"the file is {size} bytes", f"at most {MAX_BYTES} bytes")

    def line_of(pos: int) -> int:
        return data.count(b"\n", 0, pos) + 1

    m = _LONG_LINE.search(data)
    if m:
        raise ShapeError(source, line_of(m.start()), f"a line longer than {MAX_LINE} bytes",
                         f"at most {MAX_LINE} bytes per line")
    if not _plainly_within_limits(data):
        _scan(data, source, line_of)


def _scan(data: bytes, source: str, line_of: Callable[[int], int]) -> None:
    """The scan of `check_shape` (whose first tests `data` has passed): token by token."""
    size = len(data)
    stack = bytearray()     # '[' or '{' for each open array / inline table
    depths: list[int] = []  # depth in the data of each open container
    state = _KEY            # key expected (or being read) / value expected / value read
    parts = 0               # parts of the key being read; 0: none yet
    header = 0              # 1 while reading [table], 2 while reading [[array.of.tables]]
    close_aot = False       # the second ']' of [[...]] is due
    date = False            # the value just read was a date: its time may follow after a space
    table_depth = 0         # depth of the current [table]
    value_depth = 0         # depth of the value about to be read
    budget = MAX_ITEMS      # keys (each part), tables and values still allowed

    def refuse_depth(at: int, depth: int) -> None:
        raise ShapeError(source, line_of(at), f"data nested {depth} levels deep (tables, dotted keys, arrays "
                         f"and inline tables together)", f"at most {MAX_DEPTH} levels")

    def refuse_items(at: int) -> None:
        raise ShapeError(source, line_of(at), f"more than {MAX_ITEMS} keys, tables and values",
                         f"at most {MAX_ITEMS} per file, each part of a dotted key counted")

    pos = 0
    match = _TOKEN.match
    while pos < size:
        tok = match(data, pos)
        assert tok is not None  # the last alternative takes any byte
        kind = tok.lastgroup
        at, pos = pos, tok.end()
        if kind == "ws":
            if b"\n" in tok.group():
                if not stack:
                    if state == _KEY and (parts or header):
                        return None                    # a key without '=' or ']'
                    state, parts, header, close_aot = _KEY, 0, 0, False
                elif stack[-1] == _LBRACE:
                    return None                        # TOML 1.0 has no newline in an inline table
            continue
        if kind == "other":
            return None
        c = data[at]

        if state == _KEY:
            if kind == "bare" or kind == "string":
                if kind == "string" and data[at:at + 3] in _TRIPLE:
                    return None
                text = tok.group()
                if kind == "bare":
                    dots = text.count(b".")
                    parts = (parts or 1) + dots
                    budget -= 1 + dots
                else:
                    parts = parts or 1
                    budget -= 1
                if parts > MAX_KEY_PARTS:
                    what = "table header" if header else ("key in an inline table" if stack else "key")
                    raise ShapeError(source, line_of(at), f"a dotted {what} of more than {MAX_KEY_PARTS} parts",
                                     f"at most {MAX_KEY_PARTS} parts per key")
                if budget < 0:
                    refuse_items(at)
                continue
            if c == _LBRACKET and not stack and not parts and header < 2:      # [table] or [[table]]
                header += 1
                continue
            if c == _RBRACKET and header and parts:                            # end of the header
                table_depth = parts + (1 if header == 2 else 0)
                if table_depth > MAX_DEPTH:
                    refuse_depth(at, table_depth)
                budget -= 1                                                    # the table itself
                if budget < 0:
                    refuse_items(at)
                close_aot = header == 2
                state, parts, header = _AFTER, 0, 0
                continue
            if c == _RBRACE and stack and stack[-1] == _LBRACE and not parts:  # {}
                stack.pop()
                depths.pop()
                state = _AFTER
                continue
            if c == _EQUALS and parts and not header:
                value_depth = (depths[-1] if stack else table_depth) + parts
                state, parts = _VALUE, 0
                continue
            return None

        if state == _VALUE:
            if kind == "punct":
                if c == _LBRACKET or c == _LBRACE:
                    if value_depth > MAX_DEPTH:
                        refuse_depth(at, value_depth)
                    budget -= 1
                    if budget < 0:
                        refuse_items(at)
                    stack.append(c)
                    depths.append(value_depth)
                    if c == _LBRACKET:
                        value_depth += 1
                    else:
                        state, parts = _KEY, 0
                    continue
                if c == _RBRACKET and stack and stack[-1] == _LBRACKET:     # [] or [1, ]
                    stack.pop()
                    depths.pop()
                    state = _AFTER
                    continue
                return None
            if value_depth > MAX_DEPTH:
                refuse_depth(at, value_depth)
            budget -= 1
            if budget < 0:
                refuse_items(at)
            date = kind == "bare" and _DATE.fullmatch(tok.group()) is not None
            state = _AFTER
            continue

        # _AFTER: a value (or a header) has been read
        if kind == "bare" and date:           # 1979-05-27 07:32:00
            date = False
            continue
        date = False
        if kind != "punct":
            return None
        if c == _RBRACKET and close_aot:
            close_aot = False
            continue
        if not stack:
            return None
        if c == _COMMA:
            if stack[-1] == _LBRACKET:
                state, value_depth = _VALUE, depths[-1] + 1
            else:
                state, parts = _KEY, 0
            continue
        if (c == _RBRACKET and stack[-1] == _LBRACKET) or (c == _RBRACE and stack[-1] == _LBRACE):
            stack.pop()
            depths.pop()
            continue
        return None
    return None
