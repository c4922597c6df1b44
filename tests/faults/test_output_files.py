"""Fault class: output files. ``--out`` never replaces what it should not, never leaves half.

Every file these tests write or refuse is made by the test itself inside its own tmp_path.
"""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import time
from pathlib import Path

import pytest

from bibob_desk.cli import main
from bibob_desk.storage import files
from bibob_desk.storage.database import open_database, quick_check
from tests.faults.cli import run
from tests.faults.old_database import make_old_database


@pytest.fixture
def live(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    path = tmp_path / "bibob.sqlite"
    assert run(capsys, path, "demo", "--cases", "3")[0] == 0
    _, out, _ = run(capsys, path, "cases", "list", "--json")
    return path, json.loads(out)[0]["reference"]


def _commands(reference: str, out: Path) -> list[list[str]]:
    return [
        ["backup", "--out", str(out)],
        ["letter", "--case", reference, "--type", "besluit", "--out", str(out)],
        ["report", "--year", "2026", "--out", str(out)],
        ["screenshot", "--view", "overview", "--out", str(out)],
    ]


_SUFFIX = {"backup": ".sqlite", "letter": ".pdf", "report": ".pdf", "screenshot": ".png"}


@pytest.mark.parametrize("index", range(4))
def test_existing_file_is_refused_without_overwrite(
    live: tuple[Path, str], capsys: pytest.CaptureFixture[str], tmp_path: Path, index: int
) -> None:
    db, reference = live
    name = _commands(reference, tmp_path)[index][0]
    mine = tmp_path / f"mijn-bestand{_SUFFIX[name]}"
    mine.write_bytes(b"van de gebruiker")
    command = _commands(reference, mine)[index]
    code, _, err = run(capsys, db, *command)
    assert code == 2 and "bestaat al" in err and "--overwrite" in err
    assert mine.read_bytes() == b"van de gebruiker"
    if name == "screenshot":
        return  # the screenshot's --overwrite needs the GUI: checked in tests/commands
    code, _, err = run(capsys, db, *command, "--overwrite")
    assert code == 0, err
    assert mine.read_bytes() != b"van de gebruiker"
    assert stat.S_IMODE(mine.stat().st_mode) == 0o600


@pytest.mark.parametrize("index", range(4))
def test_fifo_device_and_folder_are_refused_even_with_overwrite(
    live: tuple[Path, str], capsys: pytest.CaptureFixture[str], tmp_path: Path, index: int
) -> None:
    db, reference = live
    fifo = tmp_path / "pijp"
    os.mkfifo(fifo)
    device = tmp_path / "apparaat"
    device.symlink_to("/dev/null")  # a link made here; /dev/null itself is never opened
    folder = tmp_path / "map"
    folder.mkdir()
    for target in (fifo, device, folder):
        command = _commands(reference, target)[index]
        code, _, err = run(capsys, db, *command, "--overwrite")
        assert code == 2, (target, err)
        assert "Traceback" not in err and err.count("\n") == 1
    assert stat.S_ISFIFO(fifo.stat().st_mode) and device.is_symlink() and folder.is_dir()


def test_publishing_never_replaces_a_file_that_appeared_meanwhile(tmp_path: Path) -> None:
    target = tmp_path / "brief.pdf"

    def writer(handle: object) -> None:
        target.write_bytes(b"ander programma")  # appears while we write

    with pytest.raises(files.OutputExistsError):
        files.write_with(target, writer)  # type: ignore[arg-type]
    assert target.read_bytes() == b"ander programma"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.pdf"]


def test_stale_temporaries_are_removed_but_not_one_being_written(tmp_path: Path) -> None:
    db = tmp_path / "bibob.sqlite"
    stale = tmp_path / f"{files.TEMP_PREFIX}abc.sqlite"
    stale.write_bytes(b"x" * 1000)
    old_scratch = tmp_path / ".bibob-k3j4.sqlite"  # what earlier versions left
    old_scratch.write_bytes(b"y")
    Path(f"{old_scratch}-journal").write_bytes(b"z")
    keep = tmp_path / ".bibob-notitie.txt"
    keep.write_bytes(b"niet van ons")
    with files.staged_path(tmp_path / "bezig.pdf") as busy:
        open_database(f"sqlite:///{db}").dispose()  # the next start
        assert busy.exists()  # another writer's file, held with flock: left alone
        busy.write_bytes(b"klaar")
    assert not stale.exists() and not old_scratch.exists()
    assert not Path(f"{old_scratch}-journal").exists()
    assert keep.exists() and (tmp_path / "bezig.pdf").read_bytes() == b"klaar"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork en SIGKILL bestaan alleen op POSIX")
def test_killed_backups_leave_nothing_after_the_next_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bibob.sqlite"
    make_old_database(db, 20_000)
    open_database(f"sqlite:///{db}").dispose()
    assert run(capsys, db, "cases", "list", "--limit", "1")[0] == 0
    out_dir = tmp_path / "uit"
    out_dir.mkdir()
    rng = random.Random(12)
    for n in range(6):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            try:
                main(["--db", str(db), "backup", "--out", str(out_dir / f"b{n}.sqlite")])
            except BaseException:
                os._exit(1)
            os._exit(0)
        time.sleep(rng.uniform(0.05, 1.2))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        for path in out_dir.iterdir():  # a back-up under its final name is complete
            if not path.name.startswith(".") and not path.name.endswith(".anker.json"):
                assert quick_check(path) is None
    finished = len(
        [p for p in out_dir.iterdir() if not p.name.startswith(".") and p.suffix == ".sqlite"]
    )
    # The next write into that folder first removes what killed writers left there.
    assert run(capsys, db, "backup", "--out", str(out_dir / "laatste.sqlite"))[0] == 0
    assert [p.name for p in out_dir.iterdir() if p.name.startswith(".")] == []
    print(f"6 kills tijdens back-up: {finished} back-ups af, geen halve bestanden")
