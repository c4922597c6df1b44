"""`bibob-desk --help` and every command's help are Dutch, argparse's own words included."""

from __future__ import annotations

import argparse

import pytest

from bibob_desk.cli import build_parser

ENGLISH = ("usage:", "positional arguments", "options:", "show this help", "optional arguments")


def _all_parsers() -> list[argparse.ArgumentParser]:
    found: list[argparse.ArgumentParser] = []
    todo = [build_parser()]
    while todo:
        parser = todo.pop()
        found.append(parser)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo.extend(action.choices.values())
    return found


PARSERS = _all_parsers()


def test_every_command_is_reached() -> None:
    names = {p.prog for p in PARSERS}
    assert {"bibob-desk", "bibob-desk cases list", "bibob-desk relations"} <= names
    assert len(PARSERS) > 40


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.prog)
def test_help_has_no_english_argparse_words(parser: argparse.ArgumentParser) -> None:
    text = parser.format_help()
    assert text.startswith("gebruik: ")
    assert "deze hulp tonen en stoppen" in text
    for word in ENGLISH:
        assert word not in text, (parser.prog, word)


def test_help_exits_zero_in_dutch(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(["cases", "list", "--help"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith("gebruik: bibob-desk cases list")
