"""``bibob-desk screenshot``: the real window rendered offscreen to a PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage

from bibob_desk.cli import main
from bibob_desk.services.cases import CaseService, PartyInput
from bibob_desk.services.context import AppContext
from bibob_desk.storage.database import open_database
from tests.conftest import login_name, make_user


@pytest.fixture
def db_with_cases(tmp_path: Path) -> tuple[str, list[str]]:
    url = f"sqlite:///{tmp_path / 'shot.sqlite'}"
    db = open_database(url)
    make_user(db, login_name(), "teamleider,medewerker")  # the command line's user
    service = CaseService(AppContext(db=db, user=login_name()))
    references = [
        service.open_case(
            {"title": title, "area": "alcohol", "application_date": "2026-05-01"},
            [PartyInput(name=f"{title} B.V.", kvk_number=kvk)],
        ).reference
        for title, kvk in (("Café Het Wapen", "10000001"), ("Bar De Brink", "10000002"))
    ]
    db.dispose()
    return url, references


def run(args: list[str]) -> int:
    try:
        return main(args)
    except SystemExit as exc:
        return int(exc.code or 0)


def test_overview_and_case_views_are_written(
    qtbot: Any, tmp_path: Path, db_with_cases: tuple[str, list[str]]
) -> None:
    url, references = db_with_cases
    overview = tmp_path / "overzicht.png"
    assert run(["--db", url, "screenshot", "--view", "overview", "--out", str(overview)]) == 0
    image = QImage(str(overview))
    # 1400 x 850, wider only when a registered overview page needs more room than that.
    assert image.height() == 850 and 1400 <= image.width() <= 1800
    case = tmp_path / "zaak.png"
    assert (
        run(
            [
                "--db",
                url,
                "screenshot",
                "--view",
                "case",
                "--case",
                references[0],
                "--out",
                str(case),
            ]
        )
        == 0
    )
    assert QImage(str(case)).width() == 1400
    assert overview.read_bytes() != case.read_bytes()


def test_unknown_case_exits_2_with_a_dutch_line(
    qtbot: Any, tmp_path: Path, db_with_cases: tuple[str, list[str]], capsys: Any
) -> None:
    url, _ = db_with_cases
    out = tmp_path / "x.png"
    code = run(
        ["--db", url, "screenshot", "--view", "case", "--case", "BIB-2026-9999", "--out", str(out)]
    )
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "BIB-2026-9999 bestaat niet" in err[0]
    assert not out.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--view", "overview", "--out", "/bestaat/niet/x.png"], "bestaat niet"),
        (["--view", "case", "--case", "geen-nummer", "--out", "{tmp}/x.png"], "zaaknummer"),
        (["--view", "grafiek", "--out", "{tmp}/x.png"], "ongeldige keuze"),
        (["--view", "overview", "--out", "{tmp}/x.jpg"], ".png"),
    ],
)
def test_bad_input_exits_2(
    tmp_path: Path,
    db_with_cases: tuple[str, list[str]],
    capsys: Any,
    extra: list[str],
    message: str,
) -> None:
    url, _ = db_with_cases
    args = [a.replace("{tmp}", str(tmp_path)) for a in extra]
    assert run(["--db", url, "screenshot", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
