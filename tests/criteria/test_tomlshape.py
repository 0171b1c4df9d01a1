"""criteria.tomlshape.check_shape: hostile shapes refused fast with a located
message; valid TOML (real files, tricky strings, random tomli_w output)
accepted.  From the research in /work/research/R3 (test_tomlguard.py)."""

from __future__ import annotations

import time
import tomllib

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.profiles import scaled

from auditdesk.criteria import tomldata, tomlshape
from auditdesk.criteria.catalog import BUILTIN_DIR
from auditdesk.criteria.tomlshape import MAX_BYTES, MAX_DEPTH, MAX_ITEMS, MAX_KEY_PARTS, MAX_LINE, ShapeError, check_shape
from auditdesk.errors import InvalidInput

ROOT = BUILTIN_DIR.parents[1]
REAL = [ROOT / "auditdesk/demo/10234-2024-SD.toml", *sorted(BUILTIN_DIR.glob("*.toml"))]
PREFIX = b'schema = 1\nproject_no = "x"\n\n[body]\nname = "n"\n'   # 5 lines of ordinary audit first


def dotted(n: int, part: bytes = b"a") -> bytes:
    return b".".join([part] * n)


HOSTILE = {
    # name: (document, line of the refusal or None for the whole file, words the message must contain)
    "key-24000-parts": (PREFIX + dotted(24000) + b" = 1\n", 6, "16 parts"),
    "key-17-parts": (PREFIX + dotted(17) + b" = 1\n", 6, "16 parts"),
    "key-17-parts-spaced-quoted": (PREFIX + b' . '.join([b'"q.q"'] * 17) + b" = 1\n", 6, "16 parts"),
    "header-17-parts": (PREFIX + b"[" + dotted(17) + b"]\n", 6, "table header"),
    "aot-header-24000-parts": (PREFIX + b"[[" + dotted(24000) + b"]]\n", 6, "table header"),
    "inline-key-17-parts": (PREFIX + b"x = { " + dotted(17) + b" = 1 }\n", 6, "inline table"),
    "arrays-33-deep": (PREFIX + b"x = " + b"[" * 33 + b"]" * 33 + b"\n", 6, f"at most {MAX_DEPTH} levels"),
    "arrays-1e6-deep": (PREFIX + b"x = " + b"[\n" * 1_000_000, 37, "levels"),
    "inline-tables-40-deep": (PREFIX + b"x = " + b"{ a = " * 40 + b"1" + b" }" * 40 + b"\n", 6, "levels"),
    "mixed-deep": (PREFIX + b"x = " + b"[{a=" * 20 + b"1" + b"}]" * 20 + b"\n", 6, "levels"),
    "header-plus-key-too-deep": (PREFIX + b"[" + dotted(16) + b"]\n" + dotted(16) + b" = [1]\n", 7, "33 levels"),
    "header-key-and-arrays-33-deep": (PREFIX + b"[" + dotted(10) + b"]\n" + dotted(10) + b" = " + b"[" * 14 + b"]" * 14 + b"\n",
                                      7, "33 levels"),
    "file-5MB": (b'a = "' + b"x" * 5_000_000 + b'"\n', None, f"at most {MAX_BYTES} bytes"),
    "line-1.1MB-string": (PREFIX + b'note = "' + b"x" * 1_100_000 + b'"\n', 6, f"at most {MAX_LINE} bytes per line"),
    "line-1.1MB-spaces": (PREFIX + b" " * 1_100_000 + b"\n", 6, "per line"),
    "many-tables": (PREFIX + b"".join(b"[t%d]\n" % i for i in range(60_000)), None, f"at most {MAX_ITEMS}"),
    "many-array-tables": (PREFIX + b"[[t]]\n" * 60_000, None, f"at most {MAX_ITEMS}"),
    "many-keys": (PREFIX + b"".join(b"k%d = 1\n" % i for i in range(60_000)), None, "per file"),
    "many-array-items": (PREFIX + b"a = [" + b"1,\n" * 60_000 + b"]\n", None, "per file"),
    "many-empty-inline-tables": (PREFIX + b"a = [" + b"{},\n" * 60_000 + b"]\n", None, "per file"),
    "many-16-part-keys": (PREFIX + b"".join(dotted(15) + b".k%d = 1\n" % i for i in range(4000)), None, "per file"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_refused_fast_with_source_line_and_limit(name):
    doc, line, words = HOSTILE[name]
    source = f"audits/{name}.toml"
    t0 = time.process_time()  # CPU time: the work is fixed, the machine's load is not
    with pytest.raises(ShapeError) as info:
        check_shape(doc, source)
    took = time.process_time() - t0
    assert took < 0.5, f"{name}: {took:.3f} s"
    err = info.value
    message = str(err)
    assert message.startswith(source) and err.source == source
    assert words in message, message
    if line is not None:
        assert err.line == line and f"line {line}:" in message, message
    elif err.line is not None:
        assert f"line {err.line}:" in message
    assert "at most" in err.limit
    # through the one parse function: a located InvalidInput naming the file
    with pytest.raises(InvalidInput) as parsed:
        tomldata.parse(doc, source)
    assert str(parsed.value).startswith(f"{source}:{err.line}: " if err.line else f"{source}: ")
    assert str(parsed.value).endswith("; the file was not read")


@pytest.mark.parametrize("doc", [b"a = 1\x00\n", b'a = "x\x00y"\n', b"# \x1b[31m red\n", b'a = """\n\x7f\n"""\n'])
def test_raw_control_characters_are_left_to_tomllib(doc: bytes) -> None:
    check_shape(doc, "c.toml")
    with pytest.raises(InvalidInput, match=r"^c\.toml:\d+: invalid TOML: "):
        tomldata.parse(doc, "c.toml")


def test_what_tomllib_does_with_them():
    """Why: small versions of the shapes, run through tomllib itself."""
    with pytest.raises(RecursionError):                 # not a TOMLDecodeError
        tomllib.loads("x = " + "[" * 2000 + "]" * 2000)
    def best(n: int) -> float:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            tomllib.loads(".".join(["a"] * n) + " = 1")
            times.append(time.perf_counter() - t0)
        return min(times)
    assert best(8000) > 6 * best(2000)                 # quadratic (~16x), not linear (4x)


# ---------------------------------------------------------------- valid TOML

TRICKY = [
    # dots, brackets, braces, quotes and comment signs inside every kind of string
    b'note = """\na.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z\n' + b"[" * 60 + b"\n" + b"{" * 60 + b"\n"
    b'"quoted" ""two"" \\""" still inside\n# not a comment\n= not a key\n\\\n  continued"""\nafter = 1\n',
    b'x = """a""""\ny = """a"""""\nz = """"a"""\nw = """""a"""\n',
    (b"p = '''C:\\path\\[[[[ a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r ]]]] {{{{ # no'''\n"
    b"q = '''a''b''''\nr = 'C:\\'\ns = 'a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s [[[['\n"),
    b's = "a\\"b\\\\"\nt = "[[[[ {{{{ ]]]] }}}} # a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r"\nu = "\\u005B\\U0000007B"\n',
    (b'"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s" = 1\n\'x.y.z.w.v.u.t.s.r.q.p.o.n.m.l.k.j\' = 2\n'
    b'a."b.c".d = 3\nsite."google.com" = true\n"" = "empty key"\n'),
    dotted(16) + b" = 16\n" + b"[" + dotted(16, b"t") + b"]\n" + b"k = 1\n",
    b'[ a . b . c ]\nk = 1\n[[ fruits ]]\nname = "apple"\n[[fruits]]\nname = "banana"\n[ "x.y" . \'z\' ]\nk = 2\n',
    b"arr = [\n  1, # one [ {\n  2, # ] } {\n  [ \"nested\", [ 'deep' ] ],\n]\nempty = []\nnested_empty = [[], [[]]]\n",
    b"a = {}\nb = { c = { d = [] }, e = 'x' }\nc = { x.y.z = 1, \"q.r\" = { s = [ { t = 1 } ] } }\n",
    (b"d1 = 1979-05-27T07:32:00Z\nd2 = 1979-05-27 07:32:00-08:00\nd3 = 07:32:00\nd4 = 1979-05-27\n"
    b"arr = [1979-05-27 07:32:00, 1979-05-28, 07:32:00.999]\n"),
    b"f = 6.626e-34\nh = 0xDEAD_BEEF\no = 0o755\nb = 0b1101\ni = +inf\nn = -nan\n1.2 = \"float-looking key\"\nt = true\n",
    b'a = 1\r\n[t]\r\nb = """x\r\ny"""\r\nc = [\r\n 1,\r\n]\r\n',
    b"\ta\t=\t'tab'\n[\tt\t]\n\tk = \"\t\"\n",
    "name = \"北京 — [a.b.c] {x}\" # 注释 [[ ]]\n\"键.名\" = 'ü'\n".encode(),
    b'note = "' + b"x" * 200_000 + b'"\n',
    b"x = " + b"[" * (MAX_DEPTH - 1) + b"1" + b"]" * (MAX_DEPTH - 1) + b"\n",
    b"[" + dotted(16) + b"]\n" + dotted(15, b"b") + b" = 1\n" + dotted(16) + b" = 'deepest'\n",
    b"# only a comment with \" and ''' and [[ and \\\n\n\n",
    b"",
    b'# comment "unbalanced\ns = "it\'s"\n[[a.b]]\n[[a.b]]\nc = 1\n',
    b'long = """\n' + b"line with a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r [[ {{\n" * 5000 + b'"""\n',
    b"a = [ { b = 1 }, { c = [ { d = 2 } ] } ]\n[[x]]\ny = { z = [ 1, 2, ] }\n",
]


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_files_accepted(path):
    data = path.read_bytes()
    check_shape(data, str(path))
    tomllib.loads(data.decode())


@pytest.mark.parametrize("doc", TRICKY, ids=range(len(TRICKY)))
def test_tricky_valid_toml_accepted(doc):
    tomllib.loads(doc.decode())        # the case itself is valid TOML
    check_shape(doc, "tricky.toml")


def test_real_file_at_size_limits():
    data = REAL[0].read_bytes()
    filler = b"\n".join(b'note%d = "%s"' % (i, b"x" * 800_000) for i in range(4))
    big = data + b"\n[extra]\n" + filler + b"\n"
    assert len(big) < MAX_BYTES
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        check_shape(big, "big.toml")
        times.append(time.perf_counter() - t0)
    assert min(times) < 0.5
    tomllib.loads(big.decode())


def test_invalid_toml_is_left_to_tomllib():
    for doc in (b'a = "unterminated\nb = 1\n', b"a = 1 2 3\n", b"= 1\n", b"[a\n", b"a = {\nb = 1}\n", b"a = [1 2]\n"):
        check_shape(doc, "bad.toml")
        with pytest.raises(tomllib.TOMLDecodeError):
            tomllib.loads(doc.decode())


# ---------------------------------------------------------------- properties

NASTY = st.sampled_from(list('.[]{}"\'\\#=,\n\t \r') + ["\"\"\"", "'''", "a.b.c", "[[", "]]", "ü", "北", "\u2028"])
TEXT = st.lists(st.one_of(NASTY, st.text(max_size=4)), max_size=6).map("".join)
KEY = st.one_of(st.from_regex(r"[A-Za-z0-9_-]{1,8}", fullmatch=True), TEXT)

VALUES = st.recursive(
    TEXT,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(KEY, inner, max_size=4),
        st.lists(st.dictionaries(KEY, inner, min_size=1, max_size=3), min_size=1, max_size=3),
    ),
    max_leaves=25,
)
DOCS = st.dictionaries(KEY, VALUES, max_size=6)


def depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


def _chain(n: int):
    value: object = "leaf . [[ ]] {"
    for i in range(n):
        value = {f"k{i}.x": value} if i % 3 else [value]
    return value


@settings(max_examples=scaled(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=DOCS, multiline=st.booleans())
def test_tomli_w_documents_within_limits_are_accepted(doc, multiline):
    text = tomli_w.dumps(doc, multiline_strings=multiline)
    loaded = tomllib.loads(text)                       # tomli_w wrote valid TOML
    if not multiline:                                  # (multi-line strings normalise CRLF)
        assert loaded == doc
    d = depth(doc)
    try:
        check_shape(text.encode(), "random.toml")
    except ShapeError as err:
        # every dict level can become one part of a [table.header]: above 16 levels a refusal is fair
        assert d > MAX_KEY_PARTS, (err, text)


@settings(max_examples=scaled(60), deadline=None)
@given(n=st.integers(min_value=1, max_value=40), multiline=st.booleans())
def test_deep_chains(n, multiline):
    doc = {"root": _chain(n)}
    text = tomli_w.dumps(doc, multiline_strings=multiline).encode()
    if depth(doc) <= MAX_KEY_PARTS:
        check_shape(text, "chain.toml")
    elif depth(doc) > MAX_DEPTH + 1:
        with pytest.raises(ShapeError):
            check_shape(text, "chain.toml")


@settings(max_examples=scaled(150), deadline=None)
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash(data):
    try:
        check_shape(data, "noise.toml")
    except ShapeError:
        pass


@settings(max_examples=scaled(40), deadline=None)
@given(doc=DOCS, cut=st.integers(min_value=0, max_value=10_000))
def test_prefixes_of_valid_documents_never_crash(doc, cut):
    data = tomli_w.dumps(doc).encode()
    try:
        check_shape(data[:cut], "cut.toml")
    except ShapeError:
        pass


def test_limits_are_what_the_docs_say():
    assert (MAX_BYTES, MAX_LINE, MAX_KEY_PARTS, MAX_DEPTH, MAX_ITEMS) == (4 << 20, 1 << 20, 16, 32, 50_000)
    assert tomlshape.__all__


def _scan_accepts(data: bytes) -> bool:
    try:
        tomlshape._scan(data, "x.toml", lambda pos: data.count(b"\n", 0, pos) + 1)
    except ShapeError:
        return False
    return True


TOML_NOISE = st.text(alphabet="[]{}.=\"'#\n ,a1-\\", max_size=400).map(str.encode)


@settings(max_examples=scaled(400), deadline=None)
@given(data=st.one_of(TOML_NOISE, DOCS.map(lambda d: tomli_w.dumps(d).encode()), st.binary(max_size=500)))
def test_the_quick_test_passes_only_what_the_scan_accepts(data):
    """`check_shape` skips its scan when counting shows no limit can be reached: never wrongly."""
    if tomlshape._plainly_within_limits(data):
        assert _scan_accepts(data), data


@pytest.mark.parametrize("name", [n for n in HOSTILE if len(HOSTILE[n][0]) * 2 < MAX_ITEMS])
def test_the_quick_test_passes_no_hostile_shape(name):
    assert not tomlshape._plainly_within_limits(HOSTILE[name][0])


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_files_pass_the_quick_test(path):
    """What makes listing a store fast: real audits and catalogs are not scanned token by token."""
    assert tomlshape._plainly_within_limits(path.read_bytes())
