"""Every command that shows personal data leaves one audit entry per request (issue 11).

A training database made by ``bibob-desk demo`` (there ``--user`` works): an officer and the
demo team lead run the read commands; each leaves its entry, refusals as "geweigerd".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bibob_desk.services import audit
from bibob_desk.services.context import AppContext
from bibob_desk.storage.database import open_database
from tests.commands.test_audit import run

LEAD = "h.teamleider"
OFFICER = "a.dekker"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "bibob.sqlite"
    from bibob_desk.cli import main

    assert main(["--db", str(path), "demo", "--cases", "12"]) == 0
    return path


def last_entry(db: Path, action: str | None = None) -> dict[str, Any]:
    database = open_database(f"sqlite:///{db}")
    try:
        from sqlalchemy import select

        from bibob_desk.storage.models import AuditEntry

        with database.session() as session:
            query = select(AuditEntry).order_by(AuditEntry.id.desc())
            if action:
                query = query.where(AuditEntry.action == action)
            row = session.execute(query.limit(1)).scalar_one()
            return {
                "user": row.user,
                "action": row.action,
                "case": row.case_reference,
                "detail": json.loads(row.detail),
            }
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("args", "shown_key"),
    [
        (["cases", "list"], None),
        (["cases", "list", "--json"], None),
        (["cases", "list", "--search", "B.V."], "search"),
        (["cases", "list", "--phase", "intake", "--limit", "3"], "phases"),
    ],
)
def test_case_lists_and_searches(
    db: Path, capsys: pytest.CaptureFixture[str], args: list[str], shown_key: str | None
) -> None:
    code, out, _ = run(capsys, db, *args, user=OFFICER)
    assert code == 0
    entry = last_entry(db)
    assert (entry["user"], entry["action"]) == (OFFICER, audit.LIST_VIEW)
    assert entry["detail"]["lijst"] == "zaken"
    if "--json" in args:
        assert entry["detail"]["aantal"] == len(json.loads(out))
    if shown_key:
        assert shown_key in entry["detail"]["filter"]


def test_a_refused_case_show_is_logged(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, db, "cases", "list", "--json", user=LEAD)
    others = [c["reference"] for c in json.loads(out) if c["officer"] != OFFICER]
    code, _, err = run(capsys, db, "cases", "show", others[0], user=OFFICER)
    assert code != 0 and "bibob-desk:" in err
    entry = last_entry(db)
    assert (entry["user"], entry["action"], entry["case"]) == (OFFICER, audit.REFUSED, others[0])
    assert entry["detail"]["handeling"] == audit.VIEW


def test_annual_figures_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, db, "report", "--year", "2026", "--json", user=LEAD)[0] == 0
    entry = last_entry(db)
    assert (entry["user"], entry["action"], entry["detail"]) == (
        LEAD,
        audit.REPORT_VIEW,
        {"jaar": 2026},
    )
    assert run(capsys, db, "report", "--year", "2026", "--json", user=OFFICER)[0] != 0
    refused = last_entry(db)
    assert (refused["user"], refused["action"]) == (OFFICER, audit.REFUSED)


def test_retention_list_with_its_override(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, db, "retention", "list", "--json", "--today", "2045-01-01", user=LEAD
    )
    assert code == 0
    entry = last_entry(db)
    assert (entry["user"], entry["action"]) == (LEAD, audit.RETENTION_VIEW)
    assert entry["detail"]["peildatum_opgegeven"] == "2045-01-01"
    assert entry["detail"]["zaken"] == len(json.loads(out))


def test_audit_list_is_itself_logged(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, db, "audit", "list", "--limit", "5", user=LEAD)[0] == 0
    entry = last_entry(db)
    assert (entry["user"], entry["action"]) == (LEAD, audit.AUDIT_VIEW)
    assert entry["detail"] == {"regels": 5, "limiet": 5}
    assert run(capsys, db, "audit", "list", user=OFFICER)[0] != 0
    assert last_entry(db)["action"] == audit.REFUSED


def test_tip_reads(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, db, "tips", "list", "--json", user=LEAD)
    assert code == 0
    if json.loads(out):
        entry = last_entry(db)
        assert (entry["user"], entry["action"]) == (LEAD, audit.TIP_ACCESS)


def test_refused_user_claim_outside_a_training_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "echt.sqlite"
    assert run(capsys, path, "users", "list")[0] == 0  # the OS login registers itself
    code, _, err = run(capsys, path, "cases", "list", user="iemand.anders")
    assert code == 1 and "oefendatabase" in err
    entry = last_entry(path)
    assert entry["action"] == audit.REFUSED
    assert entry["detail"]["gevraagd"] == "iemand.anders"


def test_the_log_of_all_these_reads_verifies(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, db, "cases", "list", user=OFFICER)
    run(capsys, db, "audit", "list", user=OFFICER)
    database = open_database(f"sqlite:///{db}")
    try:
        from bibob_desk.services.audit import verify_log

        assert verify_log(AppContext(database, LEAD)).ok
    finally:
        database.dispose()
