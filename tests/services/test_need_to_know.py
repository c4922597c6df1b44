"""Need-to-know in the services (SQLite and PostgreSQL): one leak test per finding of issue 10.

Officer A handles a case with party "De Hoek B.V." (KvK 31652085); officer B handles another
case. B must never learn from a tip, a party lookup or an error message that A's case exists
or what it holds, and nothing B does may change A's case in B's name.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bibob_desk.domain.errors import NotFoundError, ValidationError
from bibob_desk.services.cases import CaseService, PartyInput
from bibob_desk.services.context import AppContext
from bibob_desk.services.tips import TipInput, TipService
from bibob_desk.storage.database import Database
from bibob_desk.storage.models import Case, Party, TimelineEntry
from tests.conftest import make_user

KVK_A = "31652085"


def as_user(db: Database, name: str) -> AppContext:
    return AppContext(db=db, user=name)


@pytest.fixture
def team(db: Database) -> dict[str, AppContext]:
    make_user(db, "lead", "teamleider")
    make_user(db, "a.dekker", "medewerker")
    make_user(db, "b.jansen", "medewerker")
    make_user(db, "bea", "beheerder")
    return {n: as_user(db, n) for n in ("lead", "a.dekker", "b.jansen", "bea")}


def new_case(context: AppContext, title: str, *parties: PartyInput) -> str:
    return (
        CaseService(context)
        .open_case(
            {
                "title": title,
                "area": "exploitatie_horeca",
                "application_date": "2026-03-02",
                "street": "Markt",
                "house_number": "1",
                "postcode": "9401 AB",
                "city": "Assen",
            },
            list(parties),
        )
        .reference
    )


@pytest.fixture
def cases(team: dict[str, AppContext]) -> dict[str, str]:
    a = new_case(
        team["a.dekker"],
        "Café De Hoek",
        PartyInput(name="De Hoek B.V.", kvk_number=KVK_A, street="Hoekstraat", city="Emmen"),
    )
    b = new_case(team["b.jansen"], "Snackbar Zuid", PartyInput(name="Zuid B.V."))
    return {"a": a, "b": b}


def incoming(**changes: str) -> TipInput:
    base = {
        "direction": "inkomend",
        "received_on": "2026-03-01",
        "counterpart": "Openbaar Ministerie",
        "subject_name": "De Hoek B.V.",
        "subject_kvk": KVK_A,
        "summary": "Signalen over witwassen.",
    }
    base.update(changes)
    return TipInput(**base)  # type: ignore[arg-type]


def snapshot(db: Database, reference: str) -> tuple[Any, ...]:
    """What B could have changed in A's case: version, tip flag, timeline."""
    with db.session() as session:
        case = session.execute(select(Case).where(Case.reference == reference)).scalar_one()
        timeline = session.execute(
            select(TimelineEntry.user, TimelineEntry.kind, TimelineEntry.text)
            .where(TimelineEntry.case_id == case.id)
            .order_by(TimelineEntry.id)
        ).all()
        return case.version, case.tip_flag, tuple(timeline)


def comparable(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k not in ("id",)}


# --- tips -----------------------------------------------------------------------------------


def test_tip_on_another_officers_case_leaves_no_trace_for_the_officer(
    db: Database, team: dict[str, AppContext], cases: dict[str, str]
) -> None:
    before = snapshot(db, cases["a"])
    b = TipService(team["b.jansen"])
    matched = b.add(incoming())
    unmatched = b.add(incoming(subject_name="Niemand B.V.", subject_kvk="11111111"))
    # The same answer whether or not anything matched: no case number, nothing else.
    assert comparable(matched.to_json()) == comparable(
        {**unmatched.to_json(), "subject": "De Hoek B.V.", "kvk": KVK_A}
    )
    assert matched.case_reference is None
    # A's case: no tip flag, no version bump, no timeline entry in B's name.
    assert snapshot(db, cases["a"]) == before
    # B sees the two tips they registered (unlinked), nothing of A's case.
    assert {t.id for t in b.list()} == {matched.id, unmatched.id}
    assert all(t.case_reference is None for t in b.list())
    # The team leads see the match to link.
    lead = TipService(team["lead"])
    pending = lead.pending_links()
    assert [(p.tip_id, p.case_reference) for p in pending] == [(matched.id, cases["a"])]
    linked = lead.link(matched.id, cases["a"])
    assert linked.case_reference == cases["a"]
    _, flag, timeline = snapshot(db, cases["a"])
    assert flag
    assert [(user, kind) for user, kind, text in timeline if f"tip nr. {matched.id}" in text] == [
        ("lead", "tip")
    ]
    assert lead.pending_links() == []
    # Now linked to A's case, the tip is A's to see, no longer B's.
    assert matched.id in {t.id for t in TipService(team["a.dekker"]).list()}
    assert matched.id not in {t.id for t in b.list()}
    with pytest.raises(NotFoundError, match="geen toegang"):
        b.get(matched.id)
    from bibob_desk.services.audit import list_entries

    assert any(e.action == "tip_koppelen" and e.user == "lead" for e in list_entries(team["lead"]))


def test_tips_list_and_count_follow_the_cases(
    team: dict[str, AppContext], cases: dict[str, str]
) -> None:
    lead = TipService(team["lead"])
    on_a = lead.add(incoming(case_reference=cases["a"]))
    on_b = lead.add(incoming(subject_name="Zuid B.V.", subject_kvk="", case_reference=cases["b"]))
    lead_own = lead.add(incoming(subject_name="Los", subject_kvk="22222222"))
    assert {t.id for t in TipService(team["a.dekker"]).list()} == {on_a.id}
    assert {t.id for t in TipService(team["b.jansen"]).list()} == {on_b.id}
    assert TipService(team["b.jansen"]).count() == 1
    assert {t.id for t in lead.list()} == {on_a.id, on_b.id, lead_own.id}
    with pytest.raises(NotFoundError, match="geen toegang"):
        TipService(team["b.jansen"]).get(on_a.id)


def test_tip_case_option_same_answer_for_missing_and_hidden(
    team: dict[str, AppContext], cases: dict[str, str]
) -> None:
    b = TipService(team["b.jansen"])
    with pytest.raises(NotFoundError) as hidden:
        b.add(incoming(case_reference=cases["a"]))
    with pytest.raises(NotFoundError) as missing:
        b.add(incoming(case_reference="BIB-2026-0099"))
    assert str(hidden.value).replace(cases["a"], "REF") == str(missing.value).replace(
        "BIB-2026-0099", "REF"
    )
    assert b.list() == []  # nothing was registered


def test_party_change_matching_a_hidden_tip_goes_to_the_team_leads(
    db: Database, team: dict[str, AppContext], cases: dict[str, str]
) -> None:
    tip = TipService(team["lead"]).add(incoming(case_reference=cases["a"]))
    before = snapshot(db, cases["b"])
    after = CaseService(team["b.jansen"]).add_party(
        cases["b"], PartyInput(name="De Hoek B.V.", kvk_number=KVK_A, role="financier")
    )
    version, flag, timeline = snapshot(db, cases["b"])
    assert not flag  # B may not see the tip: no flag, no "tip" entry
    assert all(kind != "tip" for _, kind, _ in timeline)
    assert after.version == version and version == before[0] + 1  # only B's own party edit
    assert TipService(team["b.jansen"]).list() == []
    pending = TipService(team["lead"]).pending_links()
    assert [(p.tip_id, p.case_reference) for p in pending] == [(tip.id, cases["b"])]


# --- parties --------------------------------------------------------------------------------


def test_party_with_a_known_kvk_keeps_what_the_officer_typed(
    db: Database, team: dict[str, AppContext], cases: dict[str, str]
) -> None:
    before = snapshot(db, cases["a"])
    b = CaseService(team["b.jansen"])
    case = b.add_party(
        cases["b"], PartyInput(name="Hoek Holding", kvk_number=KVK_A, role="aandeelhouder")
    )
    added = next(p for p in case.parties if p.kvk_number == KVK_A)
    assert (added.name, added.street, added.city) == ("Hoek Holding", "", "")
    shown = str(case.to_json())
    assert "De Hoek B.V." not in shown and "Hoekstraat" not in shown and "Emmen" not in shown
    assert b.linkable_parties(cases["b"]) == []  # B may not see A's case
    with db.session() as session:
        a_party = session.execute(select(Party).where(Party.name == "De Hoek B.V.")).scalar_one()
    with pytest.raises(NotFoundError):
        b.link_party(cases["b"], a_party.id, "aandeelhouder")
    assert snapshot(db, cases["a"]) == before
    # The team lead, who sees both, may link the same legal person deliberately.
    lead = CaseService(team["lead"])
    assert [c.case_reference for c in lead.linkable_parties(cases["b"])] == [cases["a"]]
    lead.link_party(cases["b"], a_party.id, "aandeelhouder")


# --- cases: one answer, behandelaar, officers() ---------------------------------------------


def test_case_show_same_answer_for_missing_and_hidden(
    team: dict[str, AppContext], cases: dict[str, str]
) -> None:
    b = CaseService(team["b.jansen"])
    with pytest.raises(NotFoundError) as hidden:
        b.get(cases["a"])
    with pytest.raises(NotFoundError) as missing:
        b.get("BIB-2026-0099")
    assert type(hidden.value) is type(missing.value)
    assert str(hidden.value).replace(cases["a"], "REF") == str(missing.value).replace(
        "BIB-2026-0099", "REF"
    )


def test_officers_lists_active_medewerkers_only_for_those_who_assign(
    db: Database, team: dict[str, AppContext], cases: dict[str, str]
) -> None:
    # A legacy case handed to a name that is no user must not show up for an officer.
    with db.session() as session:
        case = session.execute(select(Case).where(Case.reference == cases["a"])).scalar_one()
        case.officer = "oud.collega"
    assert CaseService(team["b.jansen"]).officers() == ["a.dekker", "b.jansen"]
    assert CaseService(team["b.jansen"]).assignable_officers() == ["a.dekker", "b.jansen"]
    assert CaseService(team["lead"]).officers() == ["a.dekker", "b.jansen", "oud.collega"]
    assert CaseService(team["bea"]).officers() == []
    assert CaseService(team["bea"]).assignable_officers() == []


def test_handover_to_a_colleague_and_registering_on_another_name(
    db: Database, team: dict[str, AppContext], cases: dict[str, str]
) -> None:
    b = CaseService(team["b.jansen"])
    with pytest.raises(ValidationError, match="eigen naam"):
        b.open_case(
            {
                "title": "Voor een ander",
                "area": "alcohol",
                "application_date": "2026-03-02",
                "officer": "a.dekker",
            }
        )
    case = b.get(cases["b"])
    handed = b.update_case(
        cases["b"], {**case.editable_fields(), "officer": "a.dekker"}, case.version
    )
    assert handed.officer == "a.dekker"
    with pytest.raises(NotFoundError):
        b.get(cases["b"])
    seen = CaseService(team["a.dekker"]).get(cases["b"])
    assert seen.timeline[-1].user == "b.jansen"
    assert "Behandelaar gewijzigd: b.jansen → a.dekker" in seen.timeline[-1].text
    # The team lead assigns anyone, and still sees the case after.
    back = CaseService(team["lead"]).assign(cases["b"], "b.jansen")
    assert back.officer == "b.jansen" and back.timeline[-1].user == "lead"


def test_assessment_history_is_need_to_know(
    team: dict[str, AppContext], cases: dict[str, str]
) -> None:
    from bibob_desk.services.assessment import AssessmentService

    assert AssessmentService(team["a.dekker"]).history(cases["a"])
    with pytest.raises(NotFoundError, match="geen toegang"):
        AssessmentService(team["b.jansen"]).history(cases["a"])
