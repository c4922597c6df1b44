"""The overview query against a brute-force Python filter over the same data, on both backends."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import selectinload

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.overview import NOT_ASSESSED, DeadlineState, deadline_state
from bibob_desk.services.cases import CaseFilter, CaseService
from bibob_desk.services.context import AppContext
from bibob_desk.services.demo import generate_demo_cases
from bibob_desk.services.overview import OverviewFilter, OverviewService
from bibob_desk.storage.models import Case, CaseParty, Document, Party, User
from tests.conftest import make_user

TODAY = date(2026, 11, 25)
OUTCOMES = ("mandatory", "optional", "not_applicable", None)


@dataclass(frozen=True)
class Truth:
    """What the brute-force filter knows of one case."""

    id: int
    reference: str
    phase: str
    area: str
    officer: str
    outcome: str | None
    nearest_deadline: date | None
    fields: tuple[str, ...]


def _fields(case: Case) -> tuple[str, ...]:
    def address(street: str, number: str, postcode: str | None, city: str) -> list[str]:
        pc = postcode or ""
        return [f"{street} {number}".strip(), pc, pc.replace(" ", ""), city]

    values = [case.reference, case.title]
    values += address(case.street, case.house_number, case.postcode, case.city)
    for link in case.parties:
        p = link.party
        values += [p.name, p.kvk_number or ""]
        values += address(p.street, p.house_number, p.postcode, p.city)
    return tuple(v.lower() for v in values)


def brute_search(truth: Truth, text: str) -> bool:
    needle = " ".join(text.lower().split())
    needles = {needle, needle.replace(" ", "")}
    return any(n in f for f in truth.fields for n in needles)


def _seed(context: AppContext, count: int = 300) -> list[Truth]:
    generate_demo_cases(context, count, seed=7)
    rnd = random.Random(3)
    with context.db.session() as session:
        for case_id in session.execute(select(Case.id)).scalars().all():
            roll = rnd.random()
            due = None if roll < 0.25 else TODAY + timedelta(days=rnd.randint(-20, 30))
            session.execute(
                update(Case)
                .where(Case.id == case_id)
                .values(
                    outcome=rnd.choice(OUTCOMES),
                    nearest_deadline=due,
                    nearest_deadline_kind="beslistermijn" if due else None,
                )
            )
    with context.db.session() as session:
        cases = session.execute(
            select(Case).options(selectinload(Case.parties).selectinload(CaseParty.party))
        ).scalars()
        return [
            Truth(
                c.id,
                c.reference,
                c.phase,
                c.area,
                c.officer,
                c.outcome,
                c.nearest_deadline,
                _fields(c),
            )
            for c in cases
        ]


@pytest.fixture
def seeded(context: AppContext) -> tuple[OverviewService, list[Truth]]:
    truths = _seed(context)
    return OverviewService(context, today=lambda: TODAY), truths


def _all_refs(service: OverviewService, f: OverviewFilter) -> set[str]:
    rows = service.rows(f, limit=100_000)
    assert service.count(f) == len(rows)
    return {r.reference for r in rows}


def _search_strings(truths: list[Truth]) -> list[str]:
    sample = truths[17]
    kvk = next(f for f in sample.fields if f.isdigit() and len(f) == 8)
    postcode = sample.fields[3]  # "9401 ab" as stored, lowercased
    assert " " in postcode
    return [
        kvk,  # a full KvK number
        kvk[2:6],  # partial KvK digits
        f"{kvk[:4]} {kvk[4:]}",  # KvK typed with a space
        postcode.upper(),  # "9401 AB"
        postcode.replace(" ", "").upper(),  # "9401AB"
        postcode.replace(" ", ""),  # "9401ab"
        "bakk",  # part of a surname
        "DE VRIES",  # case-insensitive
        "van   den berg",  # extra spaces
        sample.reference,
        sample.reference[:9],  # "BIB-2026-" prefix
        "hoofdstraat 1",
        "assen",
        "b.v.",
        "ab",  # two characters: below the trigram length, still answered
        "e",
        "%",
        "_",
        "horeca",
        "geen-zaak-heet-zo",
    ]


def test_search_matches_brute_force(seeded: tuple[OverviewService, list[Truth]]) -> None:
    service, truths = seeded
    for text in _search_strings(truths):
        expected = {t.reference for t in truths if brute_search(t, text)}
        assert _all_refs(service, OverviewFilter(search=text)) == expected, text
        # The count and first window of one query agree with the separate ones.
        f = OverviewFilter(search=text)
        total, first = service.first_window(f, limit=25, order_by="officer")
        assert total == len(expected)
        assert first == service.rows(f, limit=25, order_by="officer")
    # Sanity: the strings are not all trivially empty or all-matching.
    sizes = [len(_all_refs(service, OverviewFilter(search=s))) for s in _search_strings(truths)]
    assert 0 in sizes and len(truths) not in sizes[:4] and max(sizes) > 50


def test_case_service_uses_the_same_search(seeded: tuple[OverviewService, list[Truth]]) -> None:
    service, truths = seeded
    cases = CaseService(service.context)
    for text in ("bakk", truths[5].reference, "9401"):
        found = {c.reference for c in cases.list(CaseFilter(search=text))}
        assert found == _all_refs(service, OverviewFilter(search=text))


def test_every_filter_matches_brute_force(seeded: tuple[OverviewService, list[Truth]]) -> None:
    service, truths = seeded
    phases = sorted({t.phase for t in truths})
    areas = sorted({t.area for t in truths})
    officers = sorted({t.officer for t in truths})
    filters: list[OverviewFilter] = [OverviewFilter()]
    filters += [OverviewFilter(phases=[p]) for p in phases]
    filters += [OverviewFilter(areas=[a]) for a in areas[:5]]
    filters += [OverviewFilter(areas=areas[:3])]
    filters += [OverviewFilter(officers=[o]) for o in officers]
    filters += [OverviewFilter(outcomes=[o or NOT_ASSESSED]) for o in OUTCOMES]
    filters += [OverviewFilter(outcomes=["mandatory", NOT_ASSESSED])]
    filters += [OverviewFilter(deadline_states=[s]) for s in DeadlineState]
    filters += [
        OverviewFilter(deadline_states=[DeadlineState.OVERDUE, DeadlineState.THIS_WEEK]),
        OverviewFilter(open_only=True),
        OverviewFilter(
            phases=["gesloten"], officers=[officers[0]], search="b.v.", outcomes=["optional"]
        ),
        OverviewFilter(areas=[areas[0]], deadline_states=[DeadlineState.FINE], search="ee"),
    ]

    def matches(t: Truth, f: OverviewFilter) -> bool:
        return (
            (not f.phases or t.phase in f.phases)
            and (not f.open_only or t.phase not in ("gesloten", "ingetrokken"))
            and (not f.areas or t.area in f.areas)
            and (not f.officers or t.officer in f.officers)
            and (not f.outcomes or (t.outcome or NOT_ASSESSED) in f.outcomes)
            and (
                not f.deadline_states
                or deadline_state(t.nearest_deadline, TODAY) in f.deadline_states
            )
            and (not f.search or brute_search(t, f.search))
        )

    for f in filters:
        expected = {t.reference for t in truths if matches(t, f)}
        assert _all_refs(service, f) == expected, f
        # The count and the first window in one statement agree with the separate queries.
        total, first = service.first_window(f, limit=20, order_by="applicant")
        assert total == len(expected), f
        assert first == service.rows(f, limit=20, order_by="applicant"), f


def test_a_filter_change_is_one_statement_after_the_first(
    seeded: tuple[OverviewService, list[Truth]],
) -> None:
    """Over a network every statement is a round trip. The first request looks the user up;
    from then on the count, the rows and the user's current roles come in one statement."""
    from sqlalchemy import event

    service, _ = seeded
    seen: list[str] = []
    event.listen(service.context.db.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    for number, f in enumerate(
        (OverviewFilter(phases=["intake"]), OverviewFilter(search="bakk"), OverviewFilter())
    ):
        seen.clear()
        total, _ = service.first_window(f, order_by="nearest_deadline")
        # Then the read's audit entry (issue 11): statements on the log only.
        reads = [q for q in seen if "audit_" not in q]
        assert len(reads) == (2 if number == 0 else 1), seen
        assert "FROM users" in reads[-1] and "shown" in reads[-1]
        assert total == len(service.rows(f, limit=100_000))


def test_a_change_of_roles_counts_from_the_next_request(
    seeded: tuple[OverviewService, list[Truth]],
) -> None:
    """The roles are read in the window's own statement: demoted, deactivated or promoted
    between two filter changes, the next one already follows the new rules."""
    from bibob_desk.domain.errors import PermissionDenied

    service, truths = seeded
    db = service.context.db
    make_user(db, "wissel", "teamleider")
    lead = OverviewService(AppContext(db=db, user="wissel"), today=lambda: TODAY)
    assert lead.first_window(OverviewFilter())[0] == len(truths)

    def set_user(**values: object) -> None:
        with db.session() as session:
            session.execute(update(User).where(User.username == "wissel").values(**values))

    set_user(role="medewerker")  # no case of its own: sees nothing now
    assert lead.first_window(OverviewFilter()) == (0, [])
    assert lead.first_window(OverviewFilter(search="bakk")) == (0, [])
    set_user(role="teamleider", active=False)
    for f in (OverviewFilter(), OverviewFilter(search="zzz-niets")):
        with pytest.raises(PermissionDenied):
            lead.first_window(f)
    set_user(active=True)
    assert lead.first_window(OverviewFilter(search="bakk"))[0] == sum(
        1 for t in truths if brute_search(t, "bakk")
    )
    with db.session() as session:
        session.execute(delete(User).where(User.username == "wissel"))
    with pytest.raises(PermissionDenied):
        lead.first_window(OverviewFilter())


def test_windows_are_stable_and_sorting_works_on_every_column(
    seeded: tuple[OverviewService, list[Truth]],
) -> None:
    service, truths = seeded
    whole = service.rows(OverviewFilter(), limit=1000)
    pages = [r for offset in range(0, 300, 70) for r in service.rows(offset=offset, limit=70)]
    assert [r.reference for r in pages] == [r.reference for r in whole]
    assert [r.reference for r in whole] == sorted(t.reference for t in truths)
    for key in ("officer", "phase", "area", "outcome", "nearest_deadline", "reference"):
        for descending in (False, True):
            rows = service.rows(order_by=key, descending=descending, limit=1000)
            values = [getattr(r, key) for r in rows]
            present = [v for v in values if v is not None]
            assert present == sorted(present, reverse=descending), key
            # Empty values come last in both directions.
            assert values == present + [None] * (len(values) - len(present))
    by_applicant = service.rows(order_by="applicant", limit=1000)
    assert all(r.applicant for r in by_applicant)
    assert len({r.reference for r in by_applicant}) == len(truths)
    with pytest.raises(ValidationError):
        service.rows(order_by="wachtwoord")


def test_rows_carry_the_traffic_light(seeded: tuple[OverviewService, list[Truth]]) -> None:
    service, truths = seeded
    by_ref = {t.reference: t for t in truths}
    for row in service.rows(limit=1000):
        assert row.deadline_state == deadline_state(by_ref[row.reference].nearest_deadline, TODAY)
        assert row.applicant  # every demo case has an applicant


def test_summary_counts_match_brute_force(seeded: tuple[OverviewService, list[Truth]]) -> None:
    service, truths = seeded
    open_cases = [t for t in truths if t.phase not in ("gesloten", "ingetrokken")]
    summary = service.summary()
    assert summary.open_cases == len(open_cases)
    for load in summary.workload:
        mine = [t for t in open_cases if t.officer == load.officer]
        assert load.open_cases == len(mine)
        states = [deadline_state(t.nearest_deadline, TODAY) for t in mine]
        assert load.overdue == states.count(DeadlineState.OVERDUE)
        assert load.due_this_week == states.count(DeadlineState.THIS_WEEK)
    assert sum(n for _, n in summary.per_area) == len(open_cases)
    assert dict(summary.per_area) == {
        a: sum(1 for t in open_cases if t.area == a) for a in {t.area for t in open_cases}
    }
    assert dict(summary.per_outcome) == {
        o or NOT_ASSESSED: sum(1 for t in open_cases if t.outcome == o)
        for o in {t.outcome for t in open_cases}
    }
    states = [deadline_state(t.nearest_deadline, TODAY) for t in open_cases]
    assert dict(summary.per_deadline_state) == {s: states.count(s) for s in DeadlineState}


def test_awaiting_approval_lists_only_unapproved_drafts(
    seeded: tuple[OverviewService, list[Truth]],
) -> None:
    service, truths = seeded
    case_id = truths[0].id
    rows = [
        ("intern_advies", "concept", None, True),
        ("besluit", "concept", None, True),
        ("besluit", "concept", "h.teamleider", False),  # approved already
        ("besluit", "definitief", None, False),
        ("vragenformulier", "concept", None, False),  # needs no approval
    ]
    with service.context.db.session() as session:
        for doc_type, status, approved_by, _ in rows:
            session.add(
                Document(
                    case_id=case_id,
                    doc_type=doc_type,
                    title=f"{doc_type} {status}",
                    status=status,
                    approved_by=approved_by,
                    author="a.dekker",
                )
            )
    items = service.awaiting_approval()
    assert [(i.doc_type, i.case_reference) for i in items] == [
        ("intern_advies", truths[0].reference),
        ("besluit", truths[0].reference),
    ]
    assert service.summary().awaiting_approval == 2


def test_an_officer_sees_only_own_cases(seeded: tuple[OverviewService, list[Truth]]) -> None:
    service, truths = seeded
    db = service.context.db
    with db.session() as session:
        known = session.execute(select(User).where(User.username == "c.bos")).scalar_one_or_none()
    if known is None:  # the demo generator may already have registered its officers
        make_user(db, "c.bos", "medewerker")
    mine = OverviewService(AppContext(db=db, user="c.bos"), today=lambda: TODAY)
    expected = {t.reference for t in truths if t.officer == "c.bos"}
    assert expected
    assert _all_refs(mine, OverviewFilter()) == expected
    assert mine.officers() == ["c.bos"]
    assert mine.summary().open_cases == sum(
        1 for t in truths if t.officer == "c.bos" and t.phase not in ("gesloten", "ingetrokken")
    )


def test_search_index_follows_edits(context: AppContext) -> None:
    """Triggers keep the index current: renamed parties, new links, edited addresses."""
    from bibob_desk.services.cases import PartyInput

    cases = CaseService(context)
    overview = OverviewService(context, today=lambda: TODAY)
    case = cases.open_case(
        {
            "title": "Café De Kroon",
            "area": "exploitatie_horeca",
            "application_date": "2026-10-01",
            "postcode": "9401 AB",
            "city": "Assen",
        },
        [PartyInput(name="Kroon Horeca B.V.", kvk_number="12345678")],
    )

    def found(text: str) -> bool:
        return case.reference in _all_refs(overview, OverviewFilter(search=text))

    assert found("kroon horeca") and found("9401ab") and found("12345678")
    cases.add_party(
        case.reference,
        PartyInput(name="Zwanenburg", role="financier", kind="natuurlijk_persoon"),
    )
    assert found("zwanenburg")
    with context.db.session() as session:
        party = session.execute(select(Party).where(Party.name == "Zwanenburg")).scalar_one()
        party.name = "Ravensburg"
    assert found("ravensburg") and not found("zwanenburg")
    fresh = cases.get(case.reference)
    link = next(p for p in fresh.parties if p.name == "Ravensburg")
    cases.remove_party(case.reference, link.link_id)
    assert not found("ravensburg")
    fields = {**fresh.editable_fields(), "postcode": "7811 XY", "city": "Emmen"}
    cases.update_case(case.reference, fields, cases.get(case.reference).version)
    assert found("7811xy") and not found("9401 ab")
