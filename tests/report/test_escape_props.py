"""escape.inline and escape.block: any typed text renders back as itself, never as structure."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable

from hypothesis import example, given, settings
from hypothesis import strategies as st
from support.profiles import scaled

from auditdesk.report.escape import SEPARATOR, block, inline
from auditdesk.report.html import parser

NASTY = [
    "|", "\\|", "\\", "\n", "\n\n", "\r\n", "\r", "\t", "    ", "\u3000", "\u00a0", "\x00", "\x1b", "\u2028",
    "<script>", "</script>", "<", ">", "`", "```", "~~~", "~~", "*", "**", "_", "__", "!", "[", "]",
    "[x](y)", "[x](javascript:alert(1))", "![i](x)", "<http://a.b>", "<javascript:alert(1)>", "<a@b.c>",
    "[a]: http://x", "# ", "#", "###### ", "- ", "+ ", "* ", "1. ", "1) ", "2024.", "123456789)", "> ",
    "---", "***", "___", "===", ":-", "|---|", "&amp;", "&#x41;", "&#65;", "&copy;", "&nbsp",
    "售后服务", "淄博海源电子科技有限公司", "（补录）", "：", "…", " ",
]
CHINESE = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=4)
TEXTS = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=4), CHINESE), max_size=14).map("".join)
NASTY_EXAMPLES = [
    "a|b\n:-", "| a |\n---", "# x\n\n| a |\n---", "- - -", "x\n===", "1. x\n2) y", "[a]: http://x\n\n[a]",
    "```\ncode\n```", "    indented", "a\\\nb", "\\", "A|B<script>alert(1)</script>", "`x` *y* _z_ ~~w~~",
]
MD = parser()


def norm(text: str) -> str:
    return " ".join(text.split())


def as_html(text: str) -> str:
    """What markdown-it prints for plain text."""
    return html.escape(text, quote=False).replace('"', "&quot;")


def typed_lines(text: str) -> list[str]:
    """The text's lines as typed, minus control characters (which the report drops)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc").split("\n")


def expected_inline(text: str) -> str:
    return norm(SEPARATOR.join(line.strip() for line in typed_lines(text) if line.strip()))


def examples(test: Callable[[str], None]) -> Callable[[str], None]:
    """The nasty examples first, then 300 generated texts."""
    for text in NASTY_EXAMPLES:
        test = example(text)(test)
    return settings(max_examples=scaled(300), deadline=None)(test)


@examples
@given(TEXTS)
def test_inline_in_a_paragraph_renders_as_its_own_text(text: str) -> None:
    rendered = MD.render(inline(text))
    want = expected_inline(text)
    if not want:
        assert rendered == ""
        return
    match = re.fullmatch(r"<p>(.*)</p>\n", rendered, re.DOTALL)
    assert match, rendered
    assert norm(match.group(1)) == as_html(want)


@examples
@given(TEXTS)
def test_inline_in_a_table_cell_keeps_the_columns(text: str) -> None:
    source = f"| a | b | c |\n| --- | --- | --- |\n| x | {inline(text)} | y |\n"
    rendered = MD.render(source)
    assert rendered.count("<tr>") == 2 and rendered.count("<th>") == 3
    cells = re.findall(r"<td>(.*?)</td>", rendered, re.DOTALL)
    assert len(cells) == 3, rendered
    assert cells[0] == "x" and cells[2] == "y"
    assert norm(cells[1]) == as_html(expected_inline(text))


@examples
@given(TEXTS)
def test_inline_is_one_line(text: str) -> None:
    assert "\n" not in inline(text) and "\r" not in inline(text)


@examples
@given(TEXTS)
def test_block_makes_only_paragraphs_and_line_breaks(text: str) -> None:
    rendered = MD.render(block(text))
    assert set(re.findall(r"</?([A-Za-z][A-Za-z0-9]*)", rendered)) <= {"p", "br"}, rendered
    assert "<script" not in rendered.lower()
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", "\n".join(line.strip() for line in typed_lines(text))) if p.strip()]
    assert rendered.count("<p>") == len(paragraphs)
    assert rendered.count("<br />") == sum(len([ln for ln in p.split("\n") if ln.strip()]) - 1 for p in paragraphs)
    visible = html.unescape(re.sub(r"<[^>]*>", " ", rendered))
    assert norm(visible) == norm("\n".join(typed_lines(text)))


def test_escapes_only_what_could_act_as_syntax() -> None:
    assert inline("淄博海源电子科技有限公司（补录）：1.5天, a.b (c) 100% #3 - x") == "淄博海源电子科技有限公司（补录）：1.5天, a.b (c) 100% #3 - x"
    assert inline("1. 第一\n- 第二") == "1\\. 第一 / \\- 第二"
    assert inline("a|b `c` *d* [e](f) <g> &amp; & h") == "a\\|b \\`c\\` \\*d\\* \\[e\\](f) \\<g> \\&amp; & h"
    assert block("第一段\n第二行\n\n  第二段  ") == "第一段\\\n第二行\n\n第二段"
