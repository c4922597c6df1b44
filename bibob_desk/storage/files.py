"""Writing output files so that a crash, a full disk or a wrong path never leaves harm behind.

Every file Bibob Desk writes for a user (letters, reports, exports, back-ups, screenshots,
pre-upgrade copies) goes through this module:

* the target must be a new path, or an existing *regular* file when the caller passes
  ``overwrite=True`` (``--overwrite``); a device, FIFO, folder or symlink to one is refused;
* the bytes go to a temporary file in the target's own folder (``.bibob-tmp-*``, mode 0600),
  are flushed with ``fsync`` and only then linked (new path) or renamed (overwrite) into place,
  so a failure at any moment leaves either the old state or the complete new file;
* a full disk, a read-only folder or a missing folder is one Dutch sentence
  (``OutputFileError``), never a traceback.

Leftover temporary files of a killed process are removed by ``remove_stale_temporaries``.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from bibob_desk.domain.errors import BibobError

TEMP_PREFIX = ".bibob-tmp-"
# A temporary file older than this belongs to a process that is gone (a back-up of a large
# database takes seconds, not hours).
STALE_AFTER_SECONDS = 6 * 3600
MAX_NAME_BYTES = 255


class OutputFileError(BibobError):
    """An output file cannot be written; nothing was left behind (Dutch message)."""


class OutputExistsError(OutputFileError):
    """The target exists and ``--overwrite`` was not given."""


def describe_os_error(exc: OSError, path: Path) -> str:
    """One Dutch sentence for the OS errors a user can do something about."""
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"De schijf is vol: {path} kon niet worden geschreven. Maak ruimte vrij en "
            "probeer het opnieuw."
        )
    if code == errno.EFBIG:
        return f"Het bestand {path} wordt te groot voor deze schijf of dit account."
    if code == errno.EROFS:
        return f"De map {path.parent} is alleen-lezen; kies een andere map."
    if code in (errno.EACCES, errno.EPERM):
        return f"Geen toestemming om {path} te schrijven; kies een andere map."
    if code == errno.ENOENT:
        return f"De map {path.parent} bestaat niet."
    if code == errno.ENAMETOOLONG:
        return f"De bestandsnaam {str(path)[:80]}… is te lang."
    if code == errno.ENOTDIR:
        return f"{path.parent} is geen map."
    if code == errno.EIO:
        return f"Schrijffout op de schijf bij {path} (invoer/uitvoerfout)."
    return f"{path} kon niet worden geschreven: {exc.strerror or exc}."


def check_target(path: Path, *, overwrite: bool = False) -> Path:
    """Refuse a target that is not a new path or (with ``overwrite``) an existing regular file."""
    if "\x00" in str(path):
        raise OutputFileError("De bestandsnaam bevat een NUL-teken.")
    if len(path.name.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
        raise OutputFileError(f"De bestandsnaam {path.name[:60]}… is te lang (meer dan 255 bytes).")
    if not path.name or path.name in (".", ".."):
        raise OutputFileError(f"{path} is geen bestandsnaam.")
    try:
        info = path.stat()  # follows a symlink: what matters is what would be replaced
    except FileNotFoundError:
        if path.is_symlink():
            raise OutputFileError(
                f"{path} is een verwijzing naar een niet-bestaand bestand."
            ) from None
        return path
    except OSError as exc:
        raise OutputFileError(describe_os_error(exc, path)) from exc
    if stat.S_ISDIR(info.st_mode):
        raise OutputFileError(f"{path} is een map; geef een bestandsnaam op.")
    if not stat.S_ISREG(info.st_mode):
        raise OutputFileError(
            f"{path} is geen gewoon bestand (apparaat, pijp of socket); kies een andere naam."
        )
    if path.is_symlink():
        raise OutputFileError(f"{path} is een verwijzing (symlink); geef het bestand zelf op.")
    if not overwrite:
        raise OutputExistsError(
            f"{path} bestaat al. Kies een andere naam of geef --overwrite om het te vervangen."
        )
    return path


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def staged_path(path: Path, *, overwrite: bool = False, suffix: str = "") -> Iterator[Path]:
    """A temporary path beside ``path``; when the block ends without error it is published.

    The caller writes the complete file to the yielded path (e.g. through SQLite or ReportLab);
    on any error the temporary file is removed and the target is untouched.
    """
    check_target(path, overwrite=overwrite)
    folder = path.parent
    if not folder.is_dir():
        raise OutputFileError(f"De map {folder} bestaat niet.")
    remove_stale_temporaries(folder)  # what a killed writer left here
    try:
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=suffix, dir=folder)
    except OSError as exc:
        raise OutputFileError(describe_os_error(exc, path)) from exc
    temp = Path(name)
    _hold_lock(fd)  # held until published: a later start sees that this file is in use
    try:
        yield temp
        _fsync_file(temp)
        _publish(temp, path, overwrite=overwrite)
    except OSError as exc:
        raise OutputFileError(describe_os_error(exc, path)) from exc
    finally:
        for leftover in (temp, Path(f"{temp}-journal"), Path(f"{temp}-wal"), Path(f"{temp}-shm")):
            leftover.unlink(missing_ok=True)
        os.close(fd)
    _fsync_folder(folder)


def _hold_lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: stale files are recognised by their age alone
        return
    with suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _abandoned(entry: Path, age: float) -> bool:
    """True when no living process holds the temporary file (or, without flock, it is old)."""
    try:
        import fcntl
    except ImportError:
        return age > STALE_AFTER_SECONDS
    try:
        fd = os.open(entry, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # a running Bibob Desk is still writing it
    finally:
        os.close(fd)
    return True


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(temp: Path, path: Path, *, overwrite: bool) -> None:
    if overwrite:
        check_target(path, overwrite=True)
        os.replace(temp, path)
        return
    try:
        # link() fails when the name exists: a file that appeared meanwhile is never replaced.
        os.link(temp, path)
    except FileExistsError:
        raise OutputExistsError(
            f"{path} bestaat al. Kies een andere naam of geef --overwrite om het te vervangen."
        ) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        # File systems without hard links (FAT, some network shares): rename, checked just before.
        check_target(path, overwrite=False)
        os.replace(temp, path)


def write_bytes(path: Path, data: bytes, *, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` all-or-nothing (see the module docstring)."""
    return write_with(path, lambda handle: handle.write(data), overwrite=overwrite)


def write_with(
    path: Path, writer: Callable[[BinaryIO], object], *, overwrite: bool = False, suffix: str = ""
) -> Path:
    """Call ``writer(binary_file)`` on a temporary file, then publish it as ``path``."""
    with staged_path(path, overwrite=overwrite, suffix=suffix) as temp, temp.open("wb") as handle:
        writer(handle)
        handle.flush()
    return path


def remove_stale_temporaries(folder: Path, now: float | None = None) -> list[Path]:
    """Remove the temporary files of killed processes in ``folder``.

    A writer holds an ``flock`` on its temporary file until it is published, so a file nobody
    holds belongs to a process that is gone (on Windows: older than STALE_AFTER_SECONDS). Also
    removes the ``.bibob-*.sqlite`` scratch copies earlier versions left behind, with their
    journals.
    """
    removed: list[Path] = []
    moment = time.time() if now is None else now
    try:
        entries = sorted(folder.glob(f"{TEMP_PREFIX}*")) + sorted(folder.glob(".bibob-*.sqlite"))
    except OSError:
        return removed
    for entry in entries:
        if any(entry.name.endswith(s) for s in ("-journal", "-wal", "-shm")):
            continue  # removed together with their database below
        try:
            if not entry.is_file() or not _abandoned(entry, moment - entry.stat().st_mtime):
                continue
            for item in (entry, *(Path(f"{entry}{s}") for s in ("-journal", "-wal", "-shm"))):
                if item.exists():
                    item.unlink()
                    removed.append(item)
        except OSError:
            continue
    return removed
