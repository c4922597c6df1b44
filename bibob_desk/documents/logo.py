"""The organisation's logo: checking a PNG or SVG file, and preparing it for the letterhead.

A logo is kept in the database (setting ``organisation.logo``), not as a path, so every
workstation of a shared PostgreSQL database prints the same letterhead. Before it is stored, the
file must really be an image of a sane size:

* PNG: Pillow reads the header and decodes the whole image (a truncated or renamed file fails),
  16 to 4000 pixels wide and high;
* SVG: well-formed XML with an ``<svg>`` root, parsed without entities or network access (no XML
  bombs, no reading of local files through entities), no scripts, no ``foreignObject`` and no
  links to outside files (they would be fetched when the letter is drawn); svglib must be able to
  draw it, and its size must be sane too.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree
from PIL import Image, UnidentifiedImageError
from reportlab.graphics.shapes import Drawing
from reportlab.lib.utils import ImageReader

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.settings_schema import MAX_LOGO_BYTES, image_bytes, image_value

MIN_PIXELS = 16
MAX_PIXELS = 4000
_FIELD = "organisation.logo"
_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_FORBIDDEN = {"script", "foreignObject", "iframe", "object", "embed"}


def _refuse(reason: str) -> ValidationError:
    return ValidationError(f"Instelling {_FIELD} (Logo): {reason}", _FIELD)


def _check_size(width: float, height: float, name: str) -> tuple[int, int]:
    w, h = round(width), round(height)
    if not (MIN_PIXELS <= w <= MAX_PIXELS and MIN_PIXELS <= h <= MAX_PIXELS):
        raise _refuse(
            f"{name} is {w} × {h} pixels; een logo moet {MIN_PIXELS} tot {MAX_PIXELS} pixels "
            "breed en hoog zijn."
        )
    return w, h


def check_png(data: bytes, name: str) -> tuple[int, int]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise _refuse(f"{name} is geen PNG-afbeelding maar {image.format}.")
            width, height = image.size
            _check_size(width, height, name)
            image.load()  # decodes every pixel: a truncated file fails here
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise _refuse(f"{name} is geen leesbare PNG-afbeelding.") from exc
    return width, height


def _svg_root(data: bytes, name: str) -> Any:
    # A DOCTYPE as drawing programs write it is fine (never fetched); declared entities are not.
    if re.search(rb"<!ENTITY", data, re.IGNORECASE):
        raise _refuse(f"{name} declareert XML-entiteiten; die worden niet toegestaan.")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise _refuse(f"{name} is geen geldig SVG-bestand (geen nette XML).") from exc
    if root is None or etree.QName(root).localname != "svg":
        raise _refuse(f"{name} is geen SVG-afbeelding (het hoofdelement is geen <svg>).")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if local in _FORBIDDEN:
            raise _refuse(
                f"{name} bevat <{local}>; een logo mag geen scripts of inhoud van buiten bevatten."
            )
        for attribute in ("href", _XLINK_HREF):
            target = element.get(attribute)
            if target and not (target.startswith("#") or target.startswith("data:image/")):
                raise _refuse(
                    f"{name} verwijst naar een ander bestand ({target[:60]}); neem "
                    "alles op in het SVG-bestand zelf."
                )
        style = element.get("style") or ""
        if re.search(r"url\(\s*['\"]?(?!#)", style):
            raise _refuse(f"{name} verwijst in een stijl naar een ander bestand.")
    return root


def svg_drawing(data: bytes) -> Drawing | None:
    """svglib's drawing of an SVG logo (None when svglib cannot draw it)."""
    from svglib.svglib import svg2rlg

    try:
        drawing = svg2rlg(io.BytesIO(data))
    except Exception:  # svglib raises many kinds on odd input; any of them means "cannot draw"
        return None
    return drawing


def check_svg(data: bytes, name: str) -> tuple[int, int]:
    _svg_root(data, name)
    drawing = svg_drawing(data)
    if drawing is None or not drawing.width or not drawing.height:
        raise _refuse(f"{name} kan niet als afbeelding worden getekend (geen breedte of hoogte).")
    # svglib measures in points (1 CSS pixel = 0.75 pt); report pixels like a PNG.
    return _check_size(float(drawing.width) / 0.75, float(drawing.height) / 0.75, name)


def read_logo(path: str | Path) -> dict[str, Any]:
    """Read and check a PNG or SVG file; returns the stored form of setting organisation.logo."""
    file = Path(path).expanduser()
    name = file.name or str(path)
    if not file.is_file():
        raise _refuse(f"{file} bestaat niet of is geen bestand.")
    try:
        size = file.stat().st_size
        if size > MAX_LOGO_BYTES:
            raise _refuse(
                f"{name} is {size} bytes; een logo mag hoogstens {MAX_LOGO_BYTES} bytes zijn."
            )
        data = file.read_bytes()
    except OSError as exc:
        raise _refuse(f"{file} is niet te lezen ({exc.strerror}).") from exc
    return logo_from_bytes(data, name)


def logo_from_bytes(data: bytes, name: str) -> dict[str, Any]:
    if len(data) > MAX_LOGO_BYTES:
        raise _refuse(f"{name} is groter dan {MAX_LOGO_BYTES} bytes.")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        width, height = check_png(data, name)
        return image_value(data, "png", width, height, name)
    head = data[:1024].lstrip().lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head:
        width, height = check_svg(data, name)
        return image_value(data, "svg", width, height, name)
    raise _refuse(f"{name} is geen PNG- of SVG-afbeelding.")


@dataclass(frozen=True)
class LetterLogo:
    """A logo ready for ReportLab: a flattened raster image, or a vector drawing."""

    sha256: str
    image: ImageReader | None = None
    drawing: Drawing | None = None

    def size(self) -> tuple[float, float]:
        if self.drawing is not None:
            return float(self.drawing.width), float(self.drawing.height)
        assert self.image is not None
        width, height = self.image.getSize()
        return float(width), float(height)


def flatten_png(data: bytes) -> ImageReader | None:
    """RGB without alpha, composited on white (PDF/A-2b allows no soft masks in our profile)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if image.mode in ("RGBA", "LA", "P"):
                rgba = image.convert("RGBA")
                background = Image.new("RGB", rgba.size, (255, 255, 255))
                background.paste(rgba, mask=rgba.getchannel("A"))
                rgb = background
            else:
                rgb = image.convert("RGB")
    except OSError:
        return None
    buffer = io.BytesIO()
    rgb.save(buffer, format="PNG")
    buffer.seek(0)
    return ImageReader(buffer)


@lru_cache(maxsize=8)
def _prepared(sha256: str, fmt: str, data: bytes) -> LetterLogo | None:
    if fmt == "svg":
        drawing = svg_drawing(data)
        return LetterLogo(sha256, drawing=drawing) if drawing is not None else None
    image = flatten_png(data)
    return LetterLogo(sha256, image=image) if image is not None else None


def letter_logo(value: Any) -> LetterLogo | None:
    """The stored setting as a letterhead logo (prepared once per logo and process)."""
    data = image_bytes(value)
    if data is None or not isinstance(value, dict):
        return None
    return _prepared(str(value.get("sha256")), str(value.get("format")), data)
