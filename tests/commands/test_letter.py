"""``bibob-desk letter``, ``export`` and ``approve`` from the outside: exit codes, files, JSON."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bibob_desk.cli import main
from bibob_desk.services.context import AppContext
from tests.conftest import make_training, make_user
from tests.services.letter_helpers import make_letter_case


def run(context: AppContext, *args: str, user: str = "tester") -> int:
    url = context.db.engine.url.render_as_string(hide_password=False)
    make_training(context.db)  # so that --user names the test's users
    try:
        return main(["--db", url, "--user", user, *args])
    except SystemExit as exc:
        return int(exc.code or 0)


def test_letter_writes_a_concept_pdf(
    sqlite_context: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = make_letter_case(sqlite_context)
    out = tmp_path / "brief.pdf"
    assert (
        run(sqlite_context, "letter", "--case", reference, "--type", "besluit", "--out", str(out))
        == 0
    )
    assert out.read_bytes().startswith(b"%PDF")
    assert "Concept" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "brief"], "Onbekend brieftype"),
        (["--type", "besluit", "--case", "BIB-2026-9999"], "bestaat niet"),
        (["--type", "besluit", "--case", "XYZ"], "geen geldig zaaknummer"),
    ],
)
def test_letter_bad_input_exits_2_with_one_dutch_line(
    sqlite_context: AppContext,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    reference = make_letter_case(sqlite_context)
    full = ["letter", "--case", reference, "--out", str(tmp_path / "x.pdf"), *args]
    assert run(sqlite_context, *full) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "x.pdf").exists()


def test_letter_that_does_not_fit_exits_2(
    sqlite_context: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = make_letter_case(
        sqlite_context, conclusion=None, decision=None, phase="eigen_onderzoek"
    )
    code = run(
        sqlite_context,
        "letter",
        "--case",
        reference,
        "--type",
        "besluit",
        "--out",
        str(tmp_path / "b.pdf"),
    )
    assert code == 2
    assert "conclusie" in capsys.readouterr().err


def test_export_writes_pdf_and_sidecar_and_prints_paths(
    sqlite_context: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = make_letter_case(sqlite_context)
    folder = tmp_path / "dms"
    assert (
        run(
            sqlite_context,
            "export",
            "--case",
            reference,
            "--type",
            "vragenformulier",
            "--to",
            str(folder),
        )
        == 0
    )
    printed = capsys.readouterr().out.split()
    pdf = folder / f"{reference}_vragenformulier.pdf"
    sidecar = folder / f"{reference}_vragenformulier.pdf.metadata.json"
    assert printed == [str(pdf), str(sidecar)]
    data = json.loads(sidecar.read_text(encoding="utf-8"))
    assert data["integriteit"]["waarde"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert data["bestandsomvang"] == pdf.stat().st_size
    # The letter command now writes the stored final letter byte for byte.
    out = tmp_path / "final.pdf"
    assert (
        run(
            sqlite_context,
            "letter",
            "--case",
            reference,
            "--type",
            "vragenformulier",
            "--out",
            str(out),
        )
        == 0
    )
    assert out.read_bytes() == pdf.read_bytes()


def test_export_with_mdto_and_json(
    sqlite_context: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = make_letter_case(sqlite_context)
    code = run(
        sqlite_context,
        "export",
        "--case",
        reference,
        "--type",
        "opschorting",
        "--to",
        str(tmp_path / "dms"),
        "--mdto",
        "--json",
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["extra"]) == 2 and all(Path(p).exists() for p in data["extra"])
    assert Path(data["metadata"]).exists()


def test_besluit_export_needs_approval_by_another_team_lead(
    sqlite_context: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_user(sqlite_context.db, "officer", "medewerker")
    make_user(sqlite_context.db, "lead2", "teamleider")
    reference = make_letter_case(sqlite_context, officer="officer")
    folder = str(tmp_path / "dms")
    assert (
        run(sqlite_context, "export", "--case", reference, "--type", "besluit", "--to", folder) == 2
    )
    assert "goedgekeurd" in capsys.readouterr().err
    # The officer drafts (via the letter service), an officer cannot approve, a lead can.
    from bibob_desk.services.letters import LetterService

    officer = LetterService(AppContext(db=sqlite_context.db, user="officer"))
    draft = officer.create_draft(reference, "besluit")
    officer.update_body(draft.id, draft.body_text + "\n\nZin van de behandelaar.")
    # letter prints the officer's concept even before approval.
    out = tmp_path / "concept.pdf"
    args = ["letter", "--case", reference, "--type", "besluit", "--out", str(out)]
    assert run(sqlite_context, *args) == 0
    assert "Concept, wacht op goedkeuring" in capsys.readouterr().out
    assert (
        run(sqlite_context, "approve", "--case", reference, "--type", "besluit", user="officer")
        == 1
    )
    assert "teamleider" in capsys.readouterr().err
    # Without a terminal to ask on, approving needs the fingerprint of the text shown.
    approve = ["approve", "--case", reference, "--type", "besluit"]
    assert run(sqlite_context, *approve, user="lead2") == 2
    shown = capsys.readouterr()
    assert "Zin van de behandelaar." in shown.out and "--fingerprint" in shown.err
    fingerprint = shown.out.split("Vingerafdruk: ")[1].split()[0]
    # Another fingerprint than the letter's own: a conflict (exit 1), nothing approved.
    assert run(sqlite_context, *approve, "--fingerprint", "0" * 64, user="lead2") == 1
    assert "gewijzigd sinds u het voorbeeld" in capsys.readouterr().err
    assert run(sqlite_context, *approve, "--fingerprint", fingerprint, user="lead2") == 0
    assert (
        run(sqlite_context, "export", "--case", reference, "--type", "besluit", "--to", folder) == 0
    )
    assert (tmp_path / "dms" / f"{reference}_besluit.pdf.metadata.json").exists()


def test_export_without_the_organisation_exits_2_naming_the_settings(
    sqlite_context: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.services.letter_helpers import set_organisation

    reference = make_letter_case(sqlite_context)
    set_organisation(sqlite_context, organisation__rsin="", organisation__address_lines=[])
    code = run(
        sqlite_context,
        "export",
        "--case",
        reference,
        "--type",
        "vragenformulier",
        "--to",
        str(tmp_path),
    )
    assert code == 2
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1 and "organisation.rsin" in err and "organisation.address_lines" in err
    )
    assert not list(tmp_path.glob("*.pdf"))


def test_party_by_exact_name_or_number_and_an_ambiguous_name_exits_2(
    sqlite_context: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bibob_desk.services.cases import CaseService, PartyInput
    from bibob_desk.services.letters import LetterService

    reference = make_letter_case(sqlite_context, third_party=False)
    cases = CaseService(sqlite_context)
    for street in ("Kerkstraat", "Brink"):
        cases.add_party(
            reference,
            PartyInput(
                name="Jan Bos",
                kind="natuurlijk_persoon",
                role="financier" if street == "Brink" else "overig",
                street=street,
                house_number="1",
                postcode="9401 AA",
                city="Assen",
            ),
        )
    out = tmp_path / "k.pdf"
    args = ["letter", "--case", reference, "--type", "kennisgeving_derden", "--out", str(out)]
    assert run(sqlite_context, *args, "--party", "Jan Bos") == 2
    err = capsys.readouterr().err
    assert "Meer dan één betrokkene" in err and "Kerkstraat 1" in err and "Brink 1" in err
    assert not out.exists()
    choices = LetterService(sqlite_context).addressee_choices(reference)
    brink = next(pid for pid, label in choices if "Brink" in label)
    LetterService(sqlite_context).create_draft(reference, "kennisgeving_derden", str(brink))
    assert run(sqlite_context, *args, "--party", str(brink)) == 0
    assert "Geadresseerde: Jan Bos; Brink 1" in capsys.readouterr().out
