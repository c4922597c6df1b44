"""The audit log in Dutch for people (services/audit_text.py), and ``audit list`` using it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bibob_desk.services.audit_text import action_text, detail_text, value_text
from tests.commands.test_audit import run


def test_a_change_reads_as_a_sentence_not_a_python_dict() -> None:
    detail = {"wijzigingen": [{"veld": "officer", "oud": "a.dekker", "nieuw": "b.jansen"}]}
    assert detail_text(detail) == "wijzigingen: behandelaar: a.dekker → b.jansen"


def test_old_and_new_roles_read_as_a_change() -> None:
    detail = {"gebruiker": "k.visser", "rollen": ["medewerker", "medewerker,teamleider"]}
    assert detail_text(detail) == (
        "gebruiker: k.visser, rollen: Medewerker Bibob → Medewerker Bibob, Teamleider"
    )


def test_values_in_words() -> None:
    assert value_text(None) == "(leeg)"
    assert value_text([]) == "(geen)"
    assert value_text([2, 1]) == "2, 1"
    assert value_text(True) == "ja"
    assert value_text("2026-03-02") == "02-03-2026"
    assert value_text("2026-03-02T09:15:00") == "02-03-2026 09:15"
    assert value_text({"omgevingsvergunning_bouw": "het college"}) == (
        "Omgevingsvergunning bouwactiviteit: het college"
    )
    assert action_text("gebruiker_toevoegen") == "gebruiker toevoegen"


def test_audit_list_prints_no_python_notation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bibob.sqlite"
    assert run(capsys, db, "demo", "--cases", "3")[0] == 0
    code, out, _ = run(capsys, db, "audit", "list")
    assert code == 0 and out
    for python in ("{'", "['", "None", "': "):
        assert python not in out, python
    assert "instelling wijzigen" in out
