"""The TUI's plain-Python parts: strings, settings, merging a conflicting save."""

from __future__ import annotations

import string
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from support.tui import LEADER, PROJECT

from auditdesk.criteria.results import ItemResult
from auditdesk.errors import AuditdeskError, InvalidInput
from auditdesk.store.audits import AuditStore
from auditdesk.store.git import Conflict
from auditdesk.tui import app as app_module
from auditdesk.tui.i18n import ENGLISH_VOCABULARY, MESSAGES, Translator, language_from
from auditdesk.tui.session import AuditSession
from auditdesk.tui.settings import Settings, load_settings


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("msgid", sorted(MESSAGES))
def test_messages_agree_and_avoid_ambiguous_width(msgid: str) -> None:
    english, chinese = MESSAGES[msgid]
    assert fields(english) == fields(chinese)
    assert bool(english) == bool(chinese)
    ambiguous = [c for c in english + chinese if unicodedata.east_asian_width(c) == "A"]
    assert not ambiguous, f"{msgid}: {ambiguous} are ambiguous-width"


def test_vocabulary_has_every_code_in_both_languages() -> None:
    zh = Translator("zh")
    for kind, labels in ENGLISH_VOCABULARY.items():
        assert zh.vocabulary(kind).keys() == labels.keys(), kind


def test_language_from_setting_or_locale() -> None:
    assert language_from("zh", {}) == "zh"
    assert language_from(None, {"LANG": "zh_CN.UTF-8"}) == "zh"
    assert language_from(None, {"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
    assert language_from(None, {}) == "en"


def test_settings(tmp_path: Path) -> None:
    path = tmp_path / "tui.toml"
    assert load_settings(path) == Settings()
    path.write_text('language = "zh"\nmouse = false\n[keymap]\n"scoring.na" = "z"\n', "utf-8")
    assert load_settings(path) == Settings("zh", "textual-dark", False, {"scoring.na": "z"})
    path.write_text('language = "fr"\n', "utf-8")
    with pytest.raises(InvalidInput, match="language"):
        load_settings(path)
    path.write_text("colour = 1\n", "utf-8")
    with pytest.raises(InvalidInput, match="unknown settings colour"):
        load_settings(path)


def test_a_locale_without_utf8_is_refused(monkeypatch: pytest.MonkeyPatch, store: AuditStore) -> None:
    monkeypatch.setattr(app_module.locale, "getpreferredencoding", lambda do_setlocale=True: "ISO-8859-1")
    with pytest.raises(AuditdeskError, match=r"LANG=C\.UTF-8"):
        app_module.run(store.root, None)


def test_merge_keeps_both_sides(store: AuditStore) -> None:
    session = AuditSession(store, store.load(PROJECT), LEADER, None)
    with AuditStore.open(store.root) as other:
        theirs = other.load(PROJECT)
        theirs.audit.items["A1"] = ItemResult(pct=theirs.audit.items["A1"].pct - 1)
        theirs.audit.conclusion.author = "李四"
        other.save(theirs.audit, base=theirs.blob, user=LEADER)
    session.set_item("B17", ItemResult(pct=session.audit.items["B17"].pct + 2))
    session.audit.conclusion.author = "王五"
    with pytest.raises(Conflict):
        session.save()
    session.rebase_on_theirs()
    assert session.save()
    saved = store.load(PROJECT).audit
    assert (saved.items["A1"].pct, saved.items["B17"].pct, saved.conclusion.author) == (99, 97, "王五")


def test_keep_mine_overwrites_theirs(store: AuditStore) -> None:
    session = AuditSession(store, store.load(PROJECT), LEADER, None)
    with AuditStore.open(store.root) as other:
        theirs = other.load(PROJECT)
        theirs.audit.items["A1"] = ItemResult(pct=theirs.audit.items["A1"].pct - 1)
        other.save(theirs.audit, base=theirs.blob, user=LEADER)
    session.set_item("B17", ItemResult(pct=Decimal(97)))
    with pytest.raises(Conflict):
        session.save()
    session.overwrite_theirs()
    session.save()
    saved = store.load(PROJECT).audit
    assert (saved.items["A1"].pct, saved.items["B17"].pct) == (100, 97)
