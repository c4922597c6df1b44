"""Atomic export of a letter to the document system's folder, with its metadata sidecar.

The document system (DMS) picks files up from a folder. Nothing half-written may ever appear there:
- every file is first written to a hidden temporary name in the same folder (``.<name>.….tmp``,
  which DMS import jobs ignore), flushed and fsync'ed;
- it then gets its final name with a hard link, which fails instead of overwriting when the name
  is taken (falling back to an existence check plus ``os.replace`` where links are not supported);
- the PDF lands first, optional MDTO records next, and the ``<name>.pdf.metadata.json`` sidecar
  LAST: its appearance signals that the export is complete;
- a second export of the same letter never overwrites: it gets the next free name
  ("BIB-2026-0001_besluit-2.pdf").
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bibob_desk.domain.errors import BibobError, ValidationError

SIDECAR_SUFFIX = ".metadata.json"
MDTO_SUFFIX = ".mdto.xml"


class ExportError(BibobError):
    """The export folder cannot be written (Dutch message)."""


@dataclass(frozen=True)
class ExportedFiles:
    pdf: Path
    sidecar: Path
    extra: tuple[Path, ...] = ()


def base_name(reference: str, doc_type: str) -> str:
    return f"{reference}_{doc_type}"


def _taken(folder: Path, stem: str) -> bool:
    pdf = folder / f"{stem}.pdf"
    return pdf.exists() or Path(f"{pdf}{SIDECAR_SUFFIX}").exists()


def free_stem(folder: Path, stem: str) -> str:
    """``stem`` or ``stem-2``, ``stem-3``...: the first whose PDF and sidecar are both free."""
    if not _taken(folder, stem):
        return stem
    number = 2
    while _taken(folder, f"{stem}-{number}"):
        number += 1
    return f"{stem}-{number}"


def _fsync_directory(folder: Path) -> None:
    if os.name != "posix":
        return  # directories cannot be opened for fsync on Windows
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(temp: Path, final: Path) -> None:
    """Give ``temp`` its final name without ever replacing an existing file."""
    try:
        os.link(temp, final)
    except FileExistsError as exc:
        raise ExportError(f"Het bestand {final.name} bestaat al in de exportmap.") from exc
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        # File systems without hard links (some network shares): check, then rename.
        if final.exists():
            raise ExportError(f"Het bestand {final.name} bestaat al in de exportmap.") from exc
        os.replace(temp, final)


def write_atomic(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as ``folder/name`` so it appears complete or not at all."""
    final = folder / name
    # Unique per attempt, so a temporary file left by a crash never blocks the next export.
    temp = folder / f".{name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    try:
        with open(temp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _publish(temp, final)
        _fsync_directory(folder)
    finally:
        # After a hard link the final name has its own link; after a rename temp is gone.
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    return final


def prepare_folder(folder: str | Path | None) -> Path:
    if folder is None or not str(folder).strip():
        raise ValidationError(
            "Er is geen exportmap ingesteld. Stel export.folder in of geef --to MAP op.", "to"
        )
    path = Path(folder).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"De exportmap {path} kan niet worden aangemaakt: {exc}") from exc
    if not os.access(path, os.W_OK):
        raise ExportError(f"In de exportmap {path} kan niet worden geschreven.")
    return path


def export_files(
    folder: Path,
    stem: str,
    pdf_bytes: bytes,
    sidecar_for: Callable[[str], Mapping[str, Any]],
    extra_for: Callable[[str], Sequence[tuple[str, bytes]]] = lambda _name: (),
    unrecorded: Callable[[Path], bool] | None = None,
) -> ExportedFiles:
    """Write ``<stem>.pdf``, extra files and finally ``<stem>.pdf.metadata.json``.

    ``sidecar_for`` and ``extra_for`` get the PDF's final file name (which may have a suffix).
    ``unrecorded`` names PDFs already in the folder that are this very letter but that no
    export in the database records (a crash came between publishing and the commit): the first
    one found is completed (missing extras and sidecar written) instead of adding a duplicate.
    """
    adopted = _adoptable_stem(folder, stem, pdf_bytes, unrecorded)
    stem = adopted if adopted is not None else free_stem(folder, stem)
    pdf_name = f"{stem}.pdf"
    if adopted is not None:
        pdf_path = folder / pdf_name
    else:
        pdf_path = write_atomic(folder, pdf_name, pdf_bytes)
    extra_paths = [
        _write_or_keep(folder, name, data, adopted is not None)
        for name, data in extra_for(pdf_name)
    ]
    sidecar = json.dumps(sidecar_for(pdf_name), ensure_ascii=False, indent=2) + "\n"
    sidecar_path = _write_or_keep(
        folder, f"{pdf_name}{SIDECAR_SUFFIX}", sidecar.encode("utf-8"), adopted is not None
    )
    return ExportedFiles(pdf=pdf_path, sidecar=sidecar_path, extra=tuple(extra_paths))


def _write_or_keep(folder: Path, name: str, data: bytes, adopting: bool) -> Path:
    """Write a companion file; when completing an adopted export, keep one already there."""
    path = folder / name
    if adopting and path.is_file():
        return path
    return write_atomic(folder, name, data)


def _adoptable_stem(
    folder: Path, stem: str, pdf_bytes: bytes, unrecorded: Callable[[Path], bool] | None
) -> str | None:
    if unrecorded is None:
        return None
    wanted = hashlib.sha256(pdf_bytes).hexdigest()
    candidate, number = stem, 1
    while _taken(folder, candidate):
        pdf = folder / f"{candidate}.pdf"
        try:
            same = pdf.is_file() and hashlib.sha256(pdf.read_bytes()).hexdigest() == wanted
        except OSError:
            same = False
        if same and unrecorded(pdf):
            return candidate
        number += 1
        candidate = f"{stem}-{number}"
    return None
