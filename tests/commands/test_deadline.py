"""``bibob-desk deadline``: the JSON contract, the rule sentence and exit code 2 on bad input."""

from __future__ import annotations

import json

import pytest

from bibob_desk.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# (kind, from, extended, due, shifted)
CONTRACT = [
    ("bezwaar", "2026-11-13", False, "2026-12-28", True),
    ("bezwaar", "2026-09-02", False, "2026-10-14", False),
    ("lbb_advice", "2026-01-12", False, "2026-03-09", False),
    ("lbb_advice", "2026-01-12", True, "2026-04-07", True),  # 6 April is tweede Paasdag
    ("zienswijze", "2026-12-11", False, "2026-12-28", True),
    ("vragenformulier", "2026-04-06", False, "2026-05-04", False),
]


@pytest.mark.parametrize(("kind", "start", "extended", "due", "shifted"), CONTRACT)
def test_json_contract(
    capsys: pytest.CaptureFixture[str],
    kind: str,
    start: str,
    extended: bool,
    due: str,
    shifted: bool,
) -> None:
    argv = ["deadline", "--kind", kind, "--from", start, "--json"]
    if extended:
        argv.append("--extended")
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    data = json.loads(out)
    assert data["kind"] == kind
    assert data["from"] == start
    assert data["due"] == due
    assert data["shifted"] is shifted
    assert isinstance(data["rule"], str) and data["rule"]


def test_plain_output_is_the_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "deadline", "--kind", "bezwaar", "--from", "2026-11-13")
    assert code == 0
    assert out.startswith("6 weken na 13 november 2026 = 25 december 2026, eerste Kerstdag")


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        (["--kind", "verjaring", "--from", "2026-11-13"], "termijnsoort"),
        (["--kind", "bezwaar", "--from", "2026-02-30"], "datum"),
        (["--kind", "bezwaar", "--from", "morgen"], "datum"),
        (["--kind", "bezwaar", "--from", "2026-11-13", "--extended"], "lbb_advice"),
        (["--kind", "bezwaar"], "verplichte"),
    ],
)
def test_bad_input_exits_2_with_one_dutch_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], word: str
) -> None:
    code, out, err = run(capsys, "deadline", *argv, "--json")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and word in err
