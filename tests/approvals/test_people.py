"""The people registry's rules, without a store: normalised matching, look-alikes, registry checks."""

from __future__ import annotations

import pytest

from auditdesk.audit.identity import Identity
from auditdesk.audit.people import LookAlike, NotRegistered, People, Person, hidden_characters, skeleton
from auditdesk.audit.workflow import NotAllowed, Reviewers, edit_refusal
from auditdesk.store.people import identity_of

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMIAZj3QyoRgK+p8vq6yijHoEOPv3hDmjcsItlzFzJVm han@laptop"
PEOPLE = People((
    Person("han", "韩永师", "han@example.org", ("auditor", "administrator"), (KEY,)),
    Person("li", "Li Reviewer", "li@example.org", ("reviewer",)),
))


def test_exact_normalised_names_ids_and_emails_resolve() -> None:
    assert PEOPLE.identify("韩永师").id == "han"
    assert PEOPLE.identify("li").id == "li"
    assert PEOPLE.identify("li@example.org").id == "li"
    assert PEOPLE.identify("Ｌｉ　Reviewer").id == "li"  # full-width letters and space: NFKC makes them the same text
    assert PEOPLE.identify("Li  Reviewer", "LI@example.org").id == "li"


@pytest.mark.parametrize(("text", "char"), [
    ("韩永师\u200b", "U+200B ZERO WIDTH SPACE"),
    ("韩\u2060永师", "U+2060 WORD JOINER"),
    ("Li Reviewer\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("Li\u00adReviewer", "U+00AD SOFT HYPHEN"),
])
def test_invisible_characters_are_refused_naming_the_person_resembled(text: str, char: str) -> None:
    with pytest.raises(LookAlike) as info:
        PEOPLE.identify(text)
    assert char in str(info.value) and "it looks like" in str(info.value)
    assert info.value.person.id in ("han", "li")


@pytest.mark.parametrize("text", ["Lі Reviewer", "Li Reviеwer", "Lі Rеvіеwеr", "li reviewer", "Li Revíewer", "Li Revieweг"])
def test_homoglyphs_are_refused_naming_the_person_resembled(text: str) -> None:
    with pytest.raises(LookAlike, match=r"it looks like Li Reviewer \(li\) but differs \(character \d+ is"):
        PEOPLE.identify(text)


def test_a_registered_name_with_another_email_is_refused() -> None:
    with pytest.raises(LookAlike, match=r"registered with the e-mail han@example\.org, not evil@example\.com"):
        PEOPLE.identify("韩永师", "evil@example.com")


def test_an_unknown_name_is_not_registered() -> None:
    with pytest.raises(NotRegistered, match="not a registered person"):
        PEOPLE.identify("Zhang San")


def test_registry_problems_are_all_listed() -> None:
    bad = People((
        Person("Han", "韩永师\u200b", "han", ()),
        Person("li", "Li Reviewer", "li@example.org", ("reviewer",), ("ssh-dss AAAA", KEY)),
        Person("li", "Lі Reviewer", "LI@example.org", ("reviewer",), (KEY,)),
    ))
    messages = [message for _, message in bad.problems()]
    assert any("is not an id" in m for m in messages)
    assert any("U+200B ZERO WIDTH SPACE" in m for m in messages)
    assert any("is not an e-mail address" in m for m in messages)
    assert any("give at least one role" in m for m in messages)
    assert any("key type 'ssh-dss' is not one of" in m for m in messages)
    assert any("is already the id of people[1]" in m for m in messages)
    assert any("is already the e-mail of people[1]" in m for m in messages)
    assert any("is too easily taken for 'Li Reviewer'" in m for m in messages)
    assert any("one key, one person" in m for m in messages)


def test_skeletons_and_hidden_characters() -> None:
    assert skeleton("Lі Rеviewer") == skeleton("li reviewer") == skeleton("Li Reviewer")
    assert skeleton("韩永师") != skeleton("韩永帅")
    assert hidden_characters("a\u200bb\u202ec\x07") == ["\u202e", "\x07", "\u200b"]


def test_roles_gate_the_workflow() -> None:
    from copy import deepcopy

    from auditdesk.audit.document import Audit, CatalogRef, Member, Planning

    audit = Audit("X-1", CatalogRef("c", "1"), planning=Planning(team=(Member("1", "韩永师", "leader", person="han"),)))
    han = identity_of(PEOPLE.people[0])
    assert edit_refusal(audit, han) is None
    no_auditor = Identity(han.name, han.email, "han", ("administrator",))
    assert isinstance(edit_refusal(audit, no_auditor), NotAllowed)
    # the same name but another registered id is not the member
    other = Identity("韩永师", "x@example.org", "han2", ("auditor",))
    assert edit_refusal(deepcopy(audit), other) is not None
    li = identity_of(PEOPLE.people[1])
    assert Reviewers().allows(li) and not Reviewers().allows(han) and Reviewers(("li",)).allows(li)


def test_putting_yourself_back_on_the_team_goes_by_person_id() -> None:
    """Issue 10's way back in (no lock-out) with a registry: the creator, or a former leader, is
    matched by person id, not by a name someone else may share."""
    from auditdesk.audit.document import Audit, CatalogRef, Member, Planning
    from auditdesk.audit.workflow import may_rejoin, rejoins

    han = identity_of(PEOPLE.people[0])
    namesake = Identity("韩永师", "x@example.org", "han2", ("auditor",))
    left = Audit("X-1", CatalogRef("c", "1"), planning=Planning(team=(Member("2", "Wu", "leader", person="wu"),)))
    led = Member("1", "韩永师", "leader", person="han")
    assert may_rejoin(left, han, [led]) and not may_rejoin(left, namesake, [led])
    assert not may_rejoin(left, han, [Member("1", "韩永师", "leader", person="han2")])
    back = Audit("X-1", CatalogRef("c", "1"), planning=Planning(team=(*left.planning.team, led)))
    assert rejoins(left, back, han) and not rejoins(left, back, namesake)
    created = Audit("X-1", CatalogRef("c", "1"), created_by="han", planning=left.planning)
    assert may_rejoin(created, han) and not may_rejoin(created, namesake)
