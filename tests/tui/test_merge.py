"""One merge: a conflicting save settled in the app gives what the store's sync merge gives,
and nothing the other person set is lost unless the user chose so.

Random base, ours and theirs audits (scores, N/A, notes, contact, text fields,
the team) go through the app's conflict path (the session's save, `Conflict`,
the per-field choices the dialog returns, `settle`, the next save) in a real
store, and through `store.sync.merge_audit`, which merges two revisions of a
file for `auditdesk sync`.
"""

from __future__ import annotations

import copy
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.tui import LEADER, PROJECT

from auditdesk.audit.diff import flatten
from auditdesk.audit.document import Audit, Member, from_toml, to_toml
from auditdesk.audit.identity import Identity
from auditdesk.audit.merge import merge_audits
from auditdesk.criteria import tomldata
from auditdesk.criteria.catalog import Catalog
from auditdesk.criteria.results import ItemResult
from auditdesk.store.audits import AuditStore
from auditdesk.store.git import Conflict
from auditdesk.store.sync import merge_audit
from auditdesk.tui.session import AuditSession, put_path

OTHER = Identity("李娜", "li.na@example.org")
CODES = ("A1", "A2", "B17", "C2")
TEXT = st.text(alphabet="ab甲乙 ", min_size=0, max_size=4).map(str.strip)
RESULT = st.one_of(
    st.none(),
    st.builds(lambda pct, note: ItemResult(pct=Decimal(pct), note=note), st.sampled_from([0, 50, 80, 95, 100]), TEXT),
    st.builds(lambda reason: ItemResult(na=True, reason=reason), st.sampled_from(["不涉及", "n/a"])),
)
POOL = (Member("M1", "张三"), Member("M2", "李四"), Member("M3", "王五", "expert"))
TEAM = st.lists(st.sampled_from(range(len(POOL))), unique=True, max_size=2).map(
    lambda rest: (Member("L1", LEADER.name, "leader"), Member("L2", OTHER.name), *(POOL[i] for i in rest)))
VALUES: dict[str, Any] = {
    **{f"items.{code}": RESULT for code in CODES},
    **{f"planning.contact.{name}": TEXT for name in ("name", "title", "phone", "email")},
    "conclusion.overview": TEXT, "conclusion.author": TEXT, "onsite.sampling": TEXT, "planning.scope": TEXT,
    "planning.team": TEAM,
}
EDITS = st.lists(st.sampled_from(sorted(VALUES)).flatmap(lambda path: st.tuples(st.just(path), VALUES[path])),
                 max_size=6).map(dict)


def edited(audit: Audit, edits: dict[str, Any]) -> Audit:
    out = copy.deepcopy(audit)
    for path, value in edits.items():
        put_path(out, path, value)
    return out


def leaves(audit: Audit) -> dict[str, Any]:
    return flatten(tomldata.to_data(audit))


def under(leaf: str, field: str) -> bool:
    return leaf == field or leaf.startswith((field + ".", field + "["))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(base_edits=EDITS, our_edits=EDITS, their_edits=EDITS, data=st.data())
def test_the_apps_conflict_path_is_the_stores_merge(sample_bytes: bytes, catalog: Catalog, base_edits: dict[str, Any],
                                                    our_edits: dict[str, Any], their_edits: dict[str, Any], data: st.DataObject) -> None:
    seed = from_toml(sample_bytes, "sample", catalog)
    seed.stage = "conclusion"
    seed.planning.team = (Member("L1", LEADER.name, "leader"), Member("L2", OTHER.name))
    base = edited(seed, base_edits)
    ours, theirs = edited(base, our_edits), edited(base, their_edits)
    with tempfile.TemporaryDirectory() as folder, AuditStore.open(Path(folder) / "store", create=True) as store:
        store.save(base, base=None, user=Identity("Test", "t@example.org"))
        session = AuditSession(store, store.load(PROJECT), LEADER, None)
        for path, value in our_edits.items():
            session.set(path, value)
        with AuditStore.open(store.root) as other:
            loaded = other.load(PROJECT)
            other.save(theirs, base=loaded.blob, user=OTHER)
        try:
            session.save()
        except Conflict:
            pass
        else:  # one side changed nothing the file holds: no conflict, nothing to merge
            assert not session.dirty
            return
        # What the dialog shows, and what the user answers for each field changed on both sides.
        preview = session.merge_with_theirs()
        choices = {c.field: data.draw(st.sampled_from(["ours", "theirs"]), label=c.field) for c in preview.conflicts}
        session.settle(choices)  # type: ignore[arg-type]
        session.save()
        result = store.load(PROJECT).audit

        # The same result as the store's merge, with the same choices.
        expected = merge_audits(base, ours, theirs, choices=choices)  # type: ignore[arg-type]
        assert expected.audit is not None
        assert to_toml(result) == to_toml(expected.audit)
        prefer = set(choices.values())
        if len(prefer) <= 1:  # one answer for all: exactly `auditdesk sync --prefer`
            merged, _ = merge_audit(f"audits/{PROJECT}.toml", to_toml(base), to_toml(ours), to_toml(theirs), store,
                                    prefer.pop() if prefer else "ours")  # type: ignore[arg-type]
            assert to_toml(result) == merged

        # Nothing the other side set is lost, unless the user chose ours for it; nothing of ours either.
        before, mine, other_side, after = leaves(base), leaves(ours), leaves(theirs), leaves(result)
        kept_ours = [field for field, choice in choices.items() if choice == "ours"]
        kept_theirs = [field for field, choice in choices.items() if choice == "theirs"]
        for c in expected.conflicts:  # an item whose attributes could not merge was chosen whole
            if c.field not in choices:
                whole = [choice for field, choice in choices.items() if under(field, c.field)]
                (kept_theirs if whole and whole[0] == "theirs" else kept_ours).append(c.field)
        for leaf in set(before) | set(other_side):
            if other_side.get(leaf) != before.get(leaf) and not any(under(leaf, f) for f in kept_ours):
                assert after.get(leaf) == other_side.get(leaf), leaf
        for leaf in set(before) | set(mine):
            if mine.get(leaf) != before.get(leaf) and not any(under(leaf, f) for f in kept_theirs):
                assert after.get(leaf) == mine.get(leaf), leaf


def test_their_phone_and_my_contact_name_both_stay(sample_bytes: bytes, catalog: Catalog, tmp_path: Path) -> None:
    """The case the old merge got wrong: a table both sides added to, key by key."""
    seed = from_toml(sample_bytes, "sample", catalog)
    seed.planning.contact.name = ""
    seed.planning.contact.phone = ""
    seed.stage = "conclusion"
    with AuditStore.open(tmp_path / "store", create=True) as store:
        store.save(seed, base=None, user=LEADER)
        session = AuditSession(store, store.load(PROJECT), LEADER, None)
        session.set("planning.contact.name", "宁艳玲")
        with AuditStore.open(store.root) as other:
            loaded = other.load(PROJECT)
            loaded.audit.planning.contact.phone = "0533-1234567"
            other.save(loaded.audit, base=loaded.blob, user=LEADER)
        with pytest.raises(Conflict):
            session.save()
        merge = session.settle()
        assert merge.conflicts == [] and merge.taken == ["planning.contact.phone"]
        session.save()
        contact = store.load(PROJECT).audit.planning.contact
    assert (contact.name, contact.phone) == ("宁艳玲", "0533-1234567")
