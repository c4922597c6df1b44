"""Fault class: several processes write at once, on SQLite and PostgreSQL.

50 parallel registrations get 50 different references; two officers saving the same case or
letter: the loser gets the Dutch conflict message naming who changed what, never a raw
driver error; the search rows kept by triggers survive concurrent refreshes.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

import pytest

from bibob_desk.domain.errors import ConflictError
from bibob_desk.services.cases import CaseFilter, CaseService, PartyInput
from bibob_desk.services.context import AppContext
from bibob_desk.storage.database import Database, open_database
from tests.conftest import make_user

REGISTRATIONS = 50
WORKERS = 10

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork bestaat alleen op POSIX")


def _register(job: tuple[str, int]) -> tuple[str, str]:
    url, n = job
    db = open_database(url)
    try:
        case = CaseService(AppContext(db, "schrijver")).open_case(
            {
                "title": f"Parallel {n}",
                "area": "exploitatie_horeca",
                "application_date": "2026-06-01",
            },
            [PartyInput(name=f"Parallel {n} B.V.")],
        )
        return "ok", case.reference
    except Exception as exc:  # reported to the parent, which fails the test with it
        code = getattr(getattr(exc, "orig", None), "sqlite_errorcode", None)
        return "fout", f"{type(exc).__name__} ({code}): {exc}"
    finally:
        db.dispose()


def test_fifty_parallel_registrations_get_fifty_references(db: Database) -> None:
    make_user(db, "schrijver", "teamleider")
    context = multiprocessing.get_context("fork")
    started = time.monotonic()
    with context.Pool(WORKERS) as pool:
        results = pool.map(_register, [(db.url, n) for n in range(REGISTRATIONS)], chunksize=1)
    elapsed = time.monotonic() - started
    failures = [text for status, text in results if status != "ok"]
    assert failures == []
    references = [text for _, text in results]
    assert len(set(references)) == REGISTRATIONS
    assert CaseService(AppContext(db, "schrijver")).count() == REGISTRATIONS
    print(
        f"{REGISTRATIONS} registraties in {WORKERS} processen ({db.engine.dialect.name}): "
        f"{elapsed:.1f} s, geen dubbel zaaknummer"
    )


@pytest.fixture
def two(db: Database) -> Any:
    make_user(db, "anna", "teamleider")
    make_user(db, "bram", "teamleider")
    other = open_database(db.url)
    yield AppContext(db, "anna"), AppContext(other, "bram")
    other.dispose()


def _edit(job: tuple[str, str, str, int]) -> str:
    url, user, reference, version = job
    db = open_database(url)
    try:
        service = CaseService(AppContext(db, user))
        seen = service.get(reference)
        service.update_case(
            reference, {**seen.editable_fields(), "city": f"Stad van {user}"}, version
        )
        return "ok"
    except ConflictError as exc:
        return f"conflict: {exc}"
    except Exception as exc:
        return f"fout: {type(exc).__name__}: {exc}"
    finally:
        db.dispose()


def test_parallel_edits_of_one_case_end_in_one_save_and_dutch_conflicts(two: Any) -> None:
    anna, _ = two
    created = CaseService(anna).open_case(
        {"title": "Gedeeld", "area": "exploitatie_horeca", "application_date": "2026-06-01"}
    )
    for n in range(3, 9):
        make_user(anna.db, f"collega{n}", "teamleider")
    users = ["anna", "bram", *(f"collega{n}" for n in range(3, 9))]
    context = multiprocessing.get_context("fork")
    with context.Pool(len(users)) as pool:
        outcomes = pool.map(
            _edit, [(anna.db.url, user, created.reference, created.version) for user in users]
        )
    assert outcomes.count("ok") == 1, outcomes
    conflicts = [o for o in outcomes if o.startswith("conflict")]
    assert len(conflicts) == len(users) - 1, outcomes
    final = CaseService(anna).get(created.reference)
    winner = users[outcomes.index("ok")]
    assert final.city == f"Stad van {winner}"
    for text in conflicts:
        assert "niet opgeslagen" in text and "gewijzigd" in text


def test_parallel_party_additions_keep_the_search_index(tmp_path: Path, db: Database) -> None:
    make_user(db, "schrijver", "teamleider")
    case = CaseService(AppContext(db, "schrijver")).open_case(
        {"title": "Zoek", "area": "exploitatie_horeca", "application_date": "2026-06-01"}
    )
    context = multiprocessing.get_context("fork")
    with context.Pool(6) as pool:
        outcomes = pool.map(_add_party, [(db.url, case.reference, n) for n in range(12)])
    assert all(o == "ok" or o.startswith("conflict") for o in outcomes), outcomes
    for outcome in outcomes:  # the loser hears which case and who changed it last
        assert outcome == "ok" or (
            case.reference in outcome and "Laatste wijziging door schrijver" in outcome
        ), outcome
    added = [n for n, outcome in enumerate(outcomes) if outcome == "ok"]
    assert added
    service = CaseService(AppContext(db, "schrijver"))
    for n in added:  # every party that was added is findable: its search row was kept
        found = service.list(CaseFilter(search=f"Zoekpartij {n} B.V."))
        assert [c.reference for c in found] == [case.reference]
    print(f"{len(added)} van 12 toegevoegd, {12 - len(added)} conflictmeldingen")


def _add_party(job: tuple[str, str, int]) -> str:
    url, reference, n = job
    db = open_database(url)
    try:
        service = CaseService(AppContext(db, "schrijver"))
        service.add_party(reference, PartyInput(name=f"Zoekpartij {n} B.V."))
        return "ok"
    except ConflictError as exc:
        return f"conflict: {exc}"
    except Exception as exc:
        return f"fout: {type(exc).__name__}: {exc}"
    finally:
        db.dispose()
