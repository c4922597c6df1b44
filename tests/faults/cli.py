"""Running the command line against one database file, as the fault tests do."""

from __future__ import annotations

from pathlib import Path

import pytest

from bibob_desk.cli import main


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    """``bibob-desk --db DB ARGS``: exit code, stdout and stderr."""
    try:
        code = main(["--db", str(db), *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
