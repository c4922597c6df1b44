"""Who the command-line user is: --user and BIBOB_DESK_USER only on a training database; and the
leaks of issue 10 tried from the outside, as a new user would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bibob_desk.cli import main
from bibob_desk.services.cases import CaseService, PartyInput
from bibob_desk.services.context import AppContext
from bibob_desk.storage.database import Database, open_database
from tests.conftest import login_name, make_user


def run(
    capsys: pytest.CaptureFixture[str], db: str, *args: str, user: str | None = None
) -> tuple[int, str, str]:
    as_user = ["--user", user] if user else []
    try:
        code = main(["--db", db, *as_user, *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def real_database(url: str) -> str:
    """A production-like database: real cases of two officers, nobody ran ``demo``."""
    db = open_database(url)
    make_user(db, login_name(), "beheerder")
    make_user(db, "h.teamleider", "teamleider")
    make_user(db, "a.dekker", "medewerker")
    make_user(db, "b.jansen", "medewerker")
    service = CaseService(AppContext(db, "h.teamleider"))
    service.open_case(
        {
            "title": "Café De Hoek",
            "area": "exploitatie_horeca",
            "application_date": "2026-03-02",
            "officer": "b.jansen",
        },
        [PartyInput(name="De Hoek B.V.", kvk_number="31652085")],
    )
    db.dispose()
    return url


@pytest.fixture
def real_db(db: Database) -> str:
    return real_database(db.url)


@pytest.fixture
def demo_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = str(tmp_path / "oefen.sqlite")
    code, _, err = run(capsys, path, "demo", "--cases", "40", "--seed", "5")
    assert code == 0, err
    return path


def test_user_option_is_refused_outside_a_training_database(
    real_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, real_db, "cases", "show", "BIB-2026-0001", user="h.teamleider")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "--user mag alleen op een oefendatabase" in err
    code, out, err = run(
        capsys, real_db, "users", "add", "mallory", "--role", "teamleider", user="h.teamleider"
    )
    assert code == 1 and "oefendatabase" in err


def test_user_environment_is_refused_outside_a_training_database(
    real_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BIBOB_DESK_USER", "h.teamleider")
    code, out, err = run(capsys, real_db, "cases", "show", "BIB-2026-0001")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "BIBOB_DESK_USER mag alleen op een oefendatabase" in err


def test_the_real_login_is_who_the_user_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = real_database(f"sqlite:///{tmp_path / 'echt.sqlite'}")
    # The login itself, also named with --user, is no override.
    for user in (None, login_name()):
        code, out, _ = run(capsys, url, "users", "list", "--json", user=user)
        assert code == 0 and login_name() in {u["username"] for u in json.loads(out)}
    # The beheerder sees no case contents; --user cannot make them a team lead.
    code, out, _ = run(capsys, url, "cases", "list", "--json")
    assert code == 0 and json.loads(out) == []


def test_demo_on_a_database_with_real_cases_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = real_database(f"sqlite:///{tmp_path / 'echt.sqlite'}")
    code, out, err = run(capsys, url, "demo", "--cases", "5")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "echte zaken" in err
    code, out, _ = run(capsys, url, "users", "list", "--json")
    assert code == 0 and "a.dekker" in out and "c.bos" not in out  # nothing was added


def test_user_option_and_environment_work_on_a_training_database(
    demo_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(capsys, demo_db, "cases", "list", "--json", user="a.dekker")
    assert code == 0
    mine = json.loads(out)
    assert mine and {c["officer"] for c in mine} == {"a.dekker"}
    monkeypatch.setenv("BIBOB_DESK_USER", "h.teamleider")
    code, out, _ = run(capsys, demo_db, "cases", "list", "--json")
    assert code == 0 and len(json.loads(out)) == 40


def _first_case_of(capsys: pytest.CaptureFixture[str], db: str, officer: str) -> dict[str, Any]:
    code, out, _ = run(capsys, db, "cases", "list", "--json", user="h.teamleider")
    assert code == 0
    reference = next(c["reference"] for c in json.loads(out) if c["officer"] == officer)
    code, out, _ = run(capsys, db, "cases", "show", reference, "--json", user="h.teamleider")
    shown: dict[str, Any] = json.loads(out)
    return shown


def test_cases_show_same_answer_for_another_officers_case_and_a_missing_one(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    other = _first_case_of(capsys, demo_db, "b.jansen")["reference"]
    hidden = run(capsys, demo_db, "cases", "show", other, user="a.dekker")
    missing = run(capsys, demo_db, "cases", "show", "BIB-2020-0999", user="a.dekker")
    assert hidden[0] == missing[0] == 2
    assert hidden[2].replace(other, "REF") == missing[2].replace("BIB-2020-0999", "REF")


ADD_TIP = ["tips", "add", "--direction", "inkomend", "--date", "2026-01-05",
           "--counterpart", "Openbaar Ministerie", "--json"]  # fmt: skip


def test_tip_on_another_officers_case_answers_as_if_nothing_matched(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    other = _first_case_of(capsys, demo_db, "b.jansen")
    applicant = other["parties"][0]
    code, out, err = run(
        capsys,
        demo_db,
        *ADD_TIP,
        "--subject",
        applicant["name"],
        "--kvk",
        applicant["kvk_number"],
        user="a.dekker",
    )
    assert code == 0, err
    matched = json.loads(out)
    code, out, _ = run(
        capsys, demo_db, *ADD_TIP, "--subject", "Niemand B.V.", "--kvk", "99999990", user="a.dekker"
    )
    unmatched = json.loads(out)
    same_keys = set(matched) - {"id", "subject", "kvk"}
    assert {k: matched[k] for k in same_keys} == {k: unmatched[k] for k in same_keys}
    assert matched["case"] is None
    after = _first_case_of(capsys, demo_db, "b.jansen")
    assert (after["version"], after["timeline"]) == (other["version"], other["timeline"])
    # --case with that case number: the same answer as for a case that does not exist.
    hidden = run(capsys, demo_db, *ADD_TIP, "--subject", "X", "--case", other["reference"],
                 user="a.dekker")  # fmt: skip
    missing = run(capsys, demo_db, *ADD_TIP, "--subject", "X", "--case", "BIB-2020-0999",
                  user="a.dekker")  # fmt: skip
    assert hidden[0] == missing[0] == 2
    assert hidden[2].replace(other["reference"], "R") == missing[2].replace("BIB-2020-0999", "R")
    # The officer's list holds only their own; the team lead links the match.
    code, out, _ = run(capsys, demo_db, "tips", "list", "--json", user="a.dekker")
    assert all(t["case"] is None or t["case"] != other["reference"] for t in json.loads(out))
    code, out, _ = run(capsys, demo_db, "tips", "pending", "--json", user="a.dekker")
    assert code == 1 and out == ""
    code, out, _ = run(capsys, demo_db, "tips", "pending", "--json", user="h.teamleider")
    pending = json.loads(out)
    assert {"tip": matched["id"], "case": other["reference"]}.items() <= next(
        p for p in pending if p["tip"] == matched["id"]
    ).items()
    code, _, err = run(
        capsys, demo_db, "tips", "link", str(matched["id"]), "--case", other["reference"],
        user="h.teamleider",
    )  # fmt: skip
    assert code == 0, err


def test_assign_checks_the_officer_and_asks_for_confirmation(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = _first_case_of(capsys, demo_db, "a.dekker")["reference"]
    code, out, err = run(
        capsys, demo_db, "cases", "assign", reference, "--officer", "x.onbekend", "--yes",
        user="a.dekker",
    )  # fmt: skip
    assert (code, out) == (2, "") and "geen actieve medewerker" in err
    code, _, err = run(
        capsys, demo_db, "cases", "assign", reference, "--officer", "c.bos", user="a.dekker"
    )
    assert code == 2 and "--yes" in err  # no terminal to ask on
    code, out, err = run(
        capsys, demo_db, "cases", "assign", reference, "--officer", "c.bos", "--yes",
        "--json", user="a.dekker",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out) == {"reference": reference, "officer": "c.bos"}
    assert run(capsys, demo_db, "cases", "show", reference, user="a.dekker")[0] == 2
    assert run(capsys, demo_db, "cases", "show", reference, user="c.bos")[0] == 0


def test_users_set_roles(demo_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, demo_db, "users", "set-roles", "a.dekker", "--role", "medewerker,teamleider"
    )
    assert code == 0, err
    assert "Teamleider" in out
    code, out, _ = run(capsys, demo_db, "cases", "list", "--json", user="a.dekker")
    assert len(json.loads(out)) == 40
    code, _, err = run(capsys, demo_db, "users", "set-roles", "a.dekker", "--role", "koning")
    assert code == 2 and "Onbekende rol" in err
    code, _, err = run(
        capsys, demo_db, "users", "set-roles", "b.jansen", "--role", "teamleider", user="a.dekker"
    )
    assert code == 1 and "beheerder" in err
