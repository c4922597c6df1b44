"""The hash-chained audit log: what is logged, and that every kind of tampering is found."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from bibob_desk.domain.errors import PermissionDenied
from bibob_desk.services import audit
from bibob_desk.services.audit import entry_hash, list_entries, record, verify_log
from bibob_desk.services.cases import CaseService, PartyInput
from bibob_desk.services.context import AppContext
from tests.conftest import make_user

BASE = {
    "title": "Exploitatievergunning Snackbar Noord",
    "area": "omgevingsvergunning_bouw",
    "officer": "tester",
    "application_date": "2026-09-14",
    "bouwsom": "1.200.000",
}


def fill_log(context: AppContext, n: int = 5) -> None:
    with context.db.session() as session:
        for i in range(n):
            record(session, "tester", "bekijken", f"BIB-2026-{i + 1:04d}", {"i": i})


def test_case_views_changes_and_parties_are_logged(context: AppContext) -> None:
    service = CaseService(context)
    case = service.open_case(BASE)
    service.get(case.reference)
    fields = {**case.editable_fields(), "title": "Nieuwe titel", "city": "Emmen"}
    service.update_case(case.reference, fields, case.version)
    with_party = service.add_party(
        case.reference, PartyInput(name="Jan Jansen", kind="natuurlijk_persoon")
    )
    service.remove_party(case.reference, with_party.parties[0].link_id)
    entries = list_entries(context, case.reference)
    assert [e.action for e in entries] == [
        audit.CASE_OPENED,
        audit.VIEW,
        audit.CHANGE,
        audit.PARTY_ADDED,
        audit.PARTY_REMOVED,
    ]
    assert all(e.user == "tester" and e.case_reference == case.reference for e in entries)
    changes = {c["veld"]: (c["oud"], c["nieuw"]) for c in entries[2].detail["wijzigingen"]}
    assert changes == {"title": (BASE["title"], "Nieuwe titel"), "city": ("", "Emmen")}
    assert entries[3].detail == {"naam": "Jan Jansen", "rol": "aanvrager"}
    assert verify_log(context).ok


def test_only_team_leads_and_administrators_read_the_log(context: AppContext) -> None:
    make_user(context.db, "officer", "medewerker")
    with pytest.raises(PermissionDenied):
        list_entries(AppContext(context.db, "officer"))
    make_user(context.db, "admin", "beheerder")
    # The refused attempt is the log's only entry ("geweigerd"), and reading is logged after.
    (refused,) = list_entries(AppContext(context.db, "admin"))
    assert (refused.user, refused.action) == ("officer", audit.REFUSED)
    assert refused.detail["handeling"] == audit.AUDIT_VIEW
    assert [e.action for e in list_entries(AppContext(context.db, "admin"))][-1] == (
        audit.AUDIT_VIEW
    )


def test_intact_log_verifies(context: AppContext) -> None:
    # A database with a user (made behind the services' back here) but no entry at all: the
    # log was emptied, even without an anchor.
    empty = verify_log(context)
    assert not empty.ok and empty.problem is not None
    assert "leeg" in empty.problem.message
    fill_log(context, 6)
    result = verify_log(context)
    assert result.ok and result.entries == 6


def _ids(session: Session) -> list[int]:
    return list(session.execute(text("SELECT id FROM audit_log ORDER BY id")).scalars())


def edit_detail(session: Session) -> int:
    target = _ids(session)[2]
    session.execute(
        text("UPDATE audit_log SET detail = '{\"i\": 99}' WHERE id = :i"), {"i": target}
    )
    return target


def edit_user(session: Session) -> int:
    target = _ids(session)[1]
    session.execute(text("UPDATE audit_log SET \"user\" = 'mallory' WHERE id = :i"), {"i": target})
    return target


def delete_middle(session: Session) -> int:
    ids = _ids(session)
    session.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": ids[2]})
    return ids[3]  # the entry whose back-link no longer fits


def delete_first(session: Session) -> int:
    ids = _ids(session)
    session.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": ids[0]})
    return ids[1]


def delete_last(session: Session) -> int:
    ids = _ids(session)
    session.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": ids[-1]})
    return ids[-1]


def swap_rows(session: Session) -> int:
    ids = _ids(session)
    a, b = ids[1], ids[2]
    session.execute(text("UPDATE audit_log SET id = -1 WHERE id = :a"), {"a": a})
    session.execute(text("UPDATE audit_log SET id = :a WHERE id = :b"), {"a": a, "b": b})
    session.execute(text("UPDATE audit_log SET id = :b WHERE id = -1"), {"b": b})
    return a


def forged_append(session: Session) -> int:
    """A well-formed entry added behind the writer's back (hash recomputed correctly)."""
    last = session.execute(text("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")).one()
    at = datetime(2026, 1, 1, 12, 0, 0)
    forged = entry_hash(last[1], at, "mallory", "bekijken", None, "{}")
    session.execute(
        text(
            'INSERT INTO audit_log (id, at, "user", action, case_reference, detail, prev_hash, '
            "hash) VALUES (:id, :at, 'mallory', 'bekijken', NULL, '{}', :prev, :hash)"
        ),
        {"id": last[0] + 1, "at": at, "prev": last[1], "hash": forged},
    )
    return int(last[0]) + 1


@pytest.mark.parametrize(
    "tamper",
    [edit_detail, edit_user, delete_middle, delete_first, delete_last, swap_rows, forged_append],
)
def test_tampering_is_found_and_the_first_broken_entry_named(
    context: AppContext, tamper: Callable[[Session], int]
) -> None:
    fill_log(context, 6)
    with context.db.session() as session:
        broken = tamper(session)
    result = verify_log(context)
    assert not result.ok
    assert result.problem is not None
    assert result.problem.entry_id == broken
    assert f"Regel {broken}" in result.problem.message or f"{broken}" in result.problem.message


def test_log_goes_on_after_tampering_and_still_reports_it(context: AppContext) -> None:
    fill_log(context, 4)
    with context.db.session() as session:
        broken = edit_detail(session)
    fill_log(context, 2)
    result = verify_log(context)
    assert result.problem is not None and result.problem.entry_id == broken


@pytest.mark.parametrize(
    "text_value",
    ["", "gewoon", 'aan"hal\\ing', "regel\neinde\t\x01\x1f", "café € 𝄞 \u2028", '{"a": [1, 2]}'],
)
def test_entry_hash_is_the_documented_json_payload(text_value: str) -> None:
    """The fast payload equals json.dumps([...], ensure_ascii=False, separators=(",", ":")),
    the formula PostgreSQL's bibob_audit_append computes too (tests/storage/test_pg_audit.py)."""
    import hashlib
    import json

    at = datetime(2026, 12, 2, 8, 0, 0, 120)
    for case in (None, text_value):
        expected = json.dumps(
            ["0" * 64, at.isoformat(timespec="microseconds"), text_value, "x", case, text_value],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        assert entry_hash("0" * 64, at, text_value, "x", case, text_value) == (
            hashlib.sha256(expected.encode("utf-8")).hexdigest()
        )
