"""An older database whose cases have no registration entry (written before every case got one)
stays verifiable after the upgrade; a case registered afterwards is checked again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from bibob_desk.services import audit
from bibob_desk.services.audit import verify_log
from bibob_desk.services.context import AppContext
from bibob_desk.storage.database import open_database
from tests.conftest import make_user
from tests.faults.old_database import make_old_database


def test_upgraded_legacy_cases_are_exempt_but_new_ones_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "oud.sqlite"
    make_old_database(path, 30)
    db = open_database(f"sqlite:///{path}")  # upgrades to the newest revision
    try:
        context = AppContext(db, "beheer")
        make_user(db, "beheer", "teamleider,medewerker,beheerder")
        with db.session() as session:  # an older log has entries, only not one per case
            audit.record(session, "beheer", audit.USER_ADDED, None, {"gebruiker": "beheer"})
        with db.session() as session:
            start = session.execute(
                text("SELECT value FROM database_info WHERE key = 'audit_history_from_case'")
            ).scalar_one()
            assert int(start) >= 30
        assert verify_log(context).ok
        # A case registered after the upgrade whose registration entry was removed (and the
        # chain recomputed to hide it) is found again.
        from bibob_desk.services.cases import CaseService
        from tests.services.test_audit_anchor import recompute

        case = CaseService(context).open_case(
            {"title": "Snackbar", "area": "exploitatie_horeca", "application_date": "2026-03-02"}
        )
        assert verify_log(context).ok
        with db.session() as session:
            session.execute(
                text("DELETE FROM audit_log WHERE case_reference = :r AND action = 'registreren'"),
                {"r": case.reference},
            )
            recompute(session)
        problem = verify_log(context).problem
        assert problem is not None and case.reference in problem.message
    finally:
        db.dispose()
