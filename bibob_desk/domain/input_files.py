"""Reading a small input file a user names (policy, calendar, mapping): bounded, never a hang.

Only a regular file is read (a FIFO would hang, ``/dev/zero`` would never end), opened without
blocking, and at most ``limit`` bytes: a larger file is refused with a Dutch message.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bibob_desk.domain.errors import ValidationError

ONE_MB = 1024 * 1024


def read_limited_text(
    path: Path, what: str, field: str, *, limit: int = ONE_MB, encoding: str = "utf-8"
) -> str:
    """The text of ``path``; a ValidationError naming ``what`` (e.g. "het beleidsbestand")."""
    if "\x00" in str(path):
        raise ValidationError(f"De naam van {what} bevat een NUL-teken.", field)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise ValidationError(
            f"{what.capitalize()} {path} is niet te lezen: {exc.strerror or exc}.", field
        ) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValidationError(
                f"{what.capitalize()} {path} is geen gewoon bestand (map, apparaat of pijp).",
                field,
            )
        if info.st_size > limit:
            raise ValidationError(
                f"{what.capitalize()} {path} is te groot ({info.st_size // 1024} kB; hoogstens "
                f"{limit // 1024} kB).",
                field,
            )
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise ValidationError(
                f"{what.capitalize()} {path} is te groot (hoogstens {limit // 1024} kB).", field
            )
    except OSError as exc:
        raise ValidationError(
            f"{what.capitalize()} {path} is niet te lezen: {exc.strerror or exc}.", field
        ) from exc
    finally:
        os.close(fd)
    try:
        return b"".join(chunks).decode(encoding)
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{what.capitalize()} {path} is geen UTF-8-tekst (byte {exc.start}).", field
        ) from exc
