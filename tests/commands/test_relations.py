"""``bibob-desk parties list|add|edit`` and ``bibob-desk relations ...`` on a training database
holding the known data set (tests/relations_data.py); officers act with --user."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bibob_desk.cli import main
from bibob_desk.services.identity import mark_training
from bibob_desk.storage.database import open_database
from tests import relations_data


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def setup(tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    path = tmp_path / "relations.sqlite"
    db = open_database(f"sqlite:///{path}")
    refs = relations_data.build(db)
    with db.session() as session:
        mark_training(session)
    db.dispose()
    return ["--db", str(path)], refs


def test_parties_list_add_edit(
    capsys: pytest.CaptureFixture[str], setup: tuple[list[str], dict[str, str]]
) -> None:
    args, refs = setup
    lead = [*args, "--user", "lead"]
    code, out, err = run(capsys, *lead, "parties", "list", "--case", refs["today"], "--json")
    assert code == 0, err
    listed = json.loads(out)["parties"]
    assert [p["name"] for p in listed] == ["Horeca Noord B.V.", "jan de  vries"]
    code, out, err = run(
        capsys, *lead, "parties", "add", "--case", refs["today"], "--name", "Bank B.V.",
        "--role", "financier", "--kvk", "66666666", "--json",
    )  # fmt: skip
    assert code == 0, err
    bank = next(p for p in json.loads(out)["parties"] if p["name"] == "Bank B.V.")
    jan = listed[1]["id"]
    code, out, err = run(
        capsys, *lead, "parties", "edit", str(jan), "--case", refs["today"],
        "--name", "Jan de Vries", "--city", "Assen", "--json",
    )  # fmt: skip
    assert code == 0, err
    edited = next(p for p in json.loads(out)["parties"] if p["id"] == jan)
    assert edited["name"] == "Jan de Vries" and edited["city"] == "Assen"
    assert edited["birth_date"] == "1970-05-01" and edited["role"] == "bestuurder"
    # Bad input: exit 2 with one Dutch line; nothing changed.
    code, _, err = run(
        capsys, *lead, "parties", "edit", str(jan), "--case", refs["today"], "--kvk", "12"
    )
    assert code == 2 and "KvK-nummer" in err and err.count("\n") == 1
    code, _, err = run(
        capsys, *lead, "parties", "edit", str(bank["id"]), "--case", refs["alpha"], "--city", "X"
    )
    assert code == 2 and "hoort niet bij zaak" in err


def test_relations_add_list_and_network_json(
    capsys: pytest.CaptureFixture[str], setup: tuple[list[str], dict[str, str]]
) -> None:
    args, refs = setup
    lead = [*args, "--user", "lead"]
    code, out, err = run(
        capsys, *lead, "relations", "add", "--case", refs["today"], "--from", "jan de  vries",
        "--to", "Horeca Noord B.V.", "--relation", "aandeelhouder", "--share", "50-75",
        "--source", "vragenformulier", "--from-date", "2025-02-01", "--json",
    )  # fmt: skip
    assert code == 0, err
    added = json.loads(out)
    assert added["relation"] == "aandeelhouder" and added["share_band"] == "50-75"
    code, out, err = run(capsys, *lead, "relations", "list", "--case", refs["today"])
    assert code == 0 and "2 relaties" in out and "aandeelhouder van Horeca Noord" in out
    code, _, err = run(
        capsys, *lead, "relations", "add", "--case", refs["today"], "--from", "jan de  vries",
        "--to", "Horeca Noord B.V.", "--relation", "aandeelhouder", "--source", "kvk",
    )  # fmt: skip
    assert code == 2 and "belang" in err
    code, out, err = run(
        capsys, *lead, "relations", "--case", refs["alpha"], "--depth", "2", "--json"
    )
    assert code == 0, err
    network = json.loads(out)
    assert set(network) == {"nodes", "edges"}
    for node in network["nodes"]:
        assert node["kind"] in ("party", "case", "tip") and "id" in node
        if node["kind"] == "case":
            assert "reference" in node
    for edge in network["edges"]:
        assert {"from", "to", "relation", "from_date", "to_date", "source"} <= set(edge)


def test_officer_sees_a_hidden_case_only_as_not_visible(
    capsys: pytest.CaptureFixture[str], setup: tuple[list[str], dict[str, str]]
) -> None:
    args, refs = setup
    officer = [*args, "--user", "a.dekker"]
    code, out, err = run(capsys, *officer, "relations", "--case", refs["alpha"], "--json")
    assert code == 0, err
    network = json.loads(out)
    assert {"kind": "case", "visible": False} in network["nodes"]
    assert "Beta" not in out and refs["beta"] not in out
    code, out, err = run(capsys, *officer, "relations", "known-from", "--case", refs["alpha"])
    assert code == 0, err
    assert "een teamleider kan kijken" in out.lower() and "Beta" not in out
    code, _, err = run(capsys, *officer, "relations", "list", "--case", refs["beta"])
    assert code == 2 and "bestaat niet of u heeft er geen toegang toe" in err
    code, _, err = run(capsys, *officer, "relations")
    assert code == 2 and "--case" in err


def test_relations_edit_changes_only_what_is_given_and_remove(
    capsys: pytest.CaptureFixture[str], setup: tuple[list[str], dict[str, str]]
) -> None:
    args, refs = setup
    lead = [*args, "--user", "lead"]
    code, out, err = run(
        capsys, *lead, "relations", "add", "--case", refs["today"], "--from", "jan de  vries",
        "--to", "Horeca Noord B.V.", "--relation", "aandeelhouder", "--share", "50-75",
        "--source", "vragenformulier", "--from-date", "2025-02-01", "--note", "uit vragenlijst",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    added = json.loads(out)
    rid = str(added["id"])
    code, out, err = run(
        capsys, *lead, "relations", "edit", rid, "--case", refs["today"], "--share", "75-100",
        "--to-date", "2026-01-31", "--note", "", "--json",
    )  # fmt: skip
    assert code == 0, err
    edited = json.loads(out)
    assert edited["share_band"] == "75-100" and edited["to_date"] == "2026-01-31"
    assert edited["note"] == ""
    # What was not given stayed as it was.
    for key in ("relation", "source", "from_date", "from", "to"):
        assert edited[key] == added[key], key
    # A bad value: exit 2, one Dutch line, nothing changed.
    code, _, err = run(
        capsys, *lead, "relations", "edit", rid, "--case", refs["today"],
        "--from-date", "2026-03-01",
    )  # fmt: skip
    assert code == 2 and err.count("\n") == 1
    code, out, _ = run(capsys, *lead, "relations", "list", "--case", refs["today"], "--json")
    assert next(r for r in json.loads(out) if r["id"] == added["id"]) == edited
    # A relation of another case is not this case's to change.
    code, _, err = run(
        capsys, *lead, "relations", "edit", rid, "--case", refs["alpha"], "--note", "x"
    )
    assert code == 2 and "hoort niet bij zaak" in err
    code, out, err = run(capsys, *lead, "relations", "remove", rid, "--case", refs["today"])
    assert code == 0 and "verwijderd" in out, err
    code, out, _ = run(capsys, *lead, "relations", "list", "--case", refs["today"], "--json")
    assert all(r["id"] != added["id"] for r in json.loads(out))
    code, out, _ = run(capsys, *lead, "audit", "list", "--case", refs["today"], "--json")
    actions = [e["action"] for e in json.loads(out)]
    assert "relatie_wijzigen" in actions and "relatie_verwijderen" in actions
