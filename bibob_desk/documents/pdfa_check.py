"""Check a PDF against the PDF/A-2B rules that can be checked in Python (pikepdf).

veraPDF, the reference validator, is a Java program distributed outside the package registries
this project installs from, so it is not part of the build. This module checks the rules of the
veraPDF PDF/A-2B profile (``../shared/reference/pdfa/veraPDF-PDFA-2B-profile.xml``) that concern
what Bibob Desk's PDFs could get wrong, each under the profile's own rule id (``clause-test``),
plus three house rules (``bibob-…``) that the issue asks for on top of PDF/A-2B. Every rule that
ran is listed in the report, so "no problems" always says what was looked at.

Not checked here (ReportLab and pikepdf write these correctly by construction, or they need a
full font or ICC parser): the byte syntax of the file (6.1.4-6.1.9), glyph widths and cmap tables
inside the font programs (6.2.11.5, 6.2.11.6-1/-4), the ICC profile's own conformance (6.2.4.2),
XMP extension schemas (6.6.2.3) and JPEG2000 (6.2.8.3).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pikepdf

# The rules checked, with the profile's wording shortened.
RULES: dict[str, str] = {
    "6.1.2-1": "header %PDF-1.n at byte 0",
    "6.1.3-1": "trailer has an ID (file identifier)",
    "6.1.3-2": "no Encrypt in the trailer (no encryption)",
    "6.1.7.1-3": "no stream dictionary with F, FFilter or FDecodeParms",
    "6.1.7.2-1": "no LZWDecode or Crypt filter",
    "6.2.3-2": "at most one distinct output intent profile",
    "6.2.4.3-2": "DeviceRGB only with an RGB PDF/A output intent",
    "6.2.4.3-3": "DeviceCMYK only with a CMYK PDF/A output intent",
    "6.2.5-1": "no TR in an ExtGState",
    "6.2.5-2": "no TR2 other than Default in an ExtGState",
    "6.2.8-1": "no Alternates in an image",
    "6.2.8-3": "no Interpolate true in an image",
    "6.2.9-1": "no OPI or PostScript in a form XObject",
    "6.2.11.4.1-1": "every font used is embedded",
    "6.2.11.6-2": "non-symbolic TrueType fonts use WinAnsi or MacRoman encoding",
    "6.5.1-1": "no JavaScript, Launch or other forbidden actions",
    "6.5.2-1": "no additional actions (AA) in the Catalog",
    "6.5.2-2": "no additional actions (AA) on a page",
    "6.6.2.1-1": "the Catalog has an XMP metadata stream",
    "6.6.2.1-2": "no bytes attribute in the XMP packet header",
    "6.6.2.1-3": "no encoding attribute in the XMP packet header",
    "6.6.4-2": "pdfaid:part is 2",
    "6.6.4-3": "pdfaid:conformance is B",
    "bibob-output-intent": "a GTS_PDFA1 output intent with an embedded ICC profile",
    "bibob-no-javascript": "no JavaScript name tree or JS entries anywhere",
    "bibob-no-transparency": "no transparency groups, soft masks or constant alpha below 1",
    "bibob-info-matches-xmp": "Title, Author, Producer and CreationDate agree with XMP",
}

FORBIDDEN_ACTIONS = {
    "/Launch",
    "/Sound",
    "/Movie",
    "/ResetForm",
    "/ImportData",
    "/Hide",
    "/SetOCGState",
    "/Rendition",
    "/Trans",
    "/GoTo3DView",
    "/JavaScript",
    "/set-state",
    "/no-op",
}
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
SYMBOLIC = 1 << 2


@dataclass
class PdfaReport:
    checked: tuple[str, ...] = tuple(RULES)
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, rule: str, message: str) -> None:
        assert rule in RULES, rule
        if (rule, message) not in self.problems:
            self.problems.append((rule, message))

    def text(self) -> str:
        lines = [f"{len(self.checked)} regels gecontroleerd (PDF/A-2B, veraPDF-profiel):"]
        failed = {rule for rule, _ in self.problems}
        for rule, label in RULES.items():
            lines.append(f"  {'FOUT' if rule in failed else 'ok  '} {rule}: {label}")
        lines += [f"  {rule}: {message}" for rule, message in self.problems]
        return "\n".join(lines)


def _dicts(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            yield obj


def _get(obj: Any, key: str) -> Any:
    try:
        return obj.get(key)
    except (AttributeError, TypeError, ValueError):
        return None


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, pikepdf.Array):
        return [str(v) for v in value]
    return [str(value)]


def _content_operators(pdf: pikepdf.Pdf) -> set[str]:
    ops: set[str] = set()
    streams: list[Any] = [page for page in pdf.pages]
    streams += [
        obj
        for obj in pdf.objects
        if isinstance(obj, pikepdf.Stream) and _get(obj, "/Subtype") == "/Form"
    ]
    for item in streams:
        try:
            for instruction in pikepdf.parse_content_stream(item):
                ops.add(str(instruction.operator))
        except (pikepdf.PdfError, TypeError):
            continue
    return ops


def check_pdfa2b(data: bytes) -> PdfaReport:
    report = PdfaReport()
    if not re.match(rb"%PDF-1\.[0-7]\r?\n", data[:10]):
        report.add("6.1.2-1", f"header {data[:9]!r}")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        trailer = pdf.trailer
        if "/ID" not in trailer:
            report.add("6.1.3-1", "trailer has no /ID")
        if "/Encrypt" in trailer or pdf.is_encrypted:
            report.add("6.1.3-2", "the file is encrypted")
        _check_catalog(pdf, report)
        _check_output_intents(pdf, report)
        for obj in _dicts(pdf):
            _check_object(obj, report)
        ops = _content_operators(pdf)
        rgb_intent, cmyk_intent = _intent_kinds(pdf)
        if ops & {"rg", "RG"} and not rgb_intent:
            report.add("6.2.4.3-2", "DeviceRGB colour without an RGB output intent")
        if ops & {"k", "K"} and not cmyk_intent:
            report.add("6.2.4.3-3", "DeviceCMYK colour without a CMYK output intent")
        _check_xmp(pdf, data, report)
    return report


def _check_catalog(pdf: pikepdf.Pdf, report: PdfaReport) -> None:
    root = pdf.Root
    if "/AA" in root:
        report.add("6.5.2-1", "the Catalog has /AA")
    names = _get(root, "/Names")
    if names is not None and "/JavaScript" in names:
        report.add("bibob-no-javascript", "the Names dictionary has a JavaScript tree")
    open_action = _get(root, "/OpenAction")
    if isinstance(open_action, pikepdf.Dictionary) and _get(open_action, "/S") in FORBIDDEN_ACTIONS:
        report.add("6.5.1-1", f"OpenAction {_get(open_action, '/S')}")
    for number, page in enumerate(pdf.pages, 1):
        if "/AA" in page.obj:
            report.add("6.5.2-2", f"page {number} has /AA")
        group = _get(page.obj, "/Group")
        if group is not None and _get(group, "/S") == "/Transparency":
            report.add("bibob-no-transparency", f"page {number} has a transparency group")


def _intent_kinds(pdf: pikepdf.Pdf) -> tuple[bool, bool]:
    rgb = cmyk = False
    for intent in _get(pdf.Root, "/OutputIntents") or []:
        if _get(intent, "/S") != "/GTS_PDFA1":
            continue
        profile = _get(intent, "/DestOutputProfile")
        channels = int(_get(profile, "/N") or 0) if profile is not None else 0
        rgb = rgb or channels == 3
        cmyk = cmyk or channels == 4
    return rgb, cmyk


def _check_output_intents(pdf: pikepdf.Pdf, report: PdfaReport) -> None:
    intents = _get(pdf.Root, "/OutputIntents")
    if not intents:
        report.add("bibob-output-intent", "no /OutputIntents in the Catalog")
        return
    pdfa = [i for i in intents if _get(i, "/S") == "/GTS_PDFA1"]
    if not pdfa:
        report.add("bibob-output-intent", "no output intent with /S /GTS_PDFA1")
    profiles = set()
    for intent in intents:
        profile = _get(intent, "/DestOutputProfile")
        if profile is None:
            report.add("bibob-output-intent", "an output intent without DestOutputProfile")
            continue
        profiles.add(bytes(profile.read_bytes()))
    if len(profiles) > 1:
        report.add("6.2.3-2", f"{len(profiles)} different output intent profiles")


def _check_object(obj: Any, report: PdfaReport) -> None:
    kind = _get(obj, "/Type")
    subtype = _get(obj, "/Subtype")
    if isinstance(obj, pikepdf.Stream):
        if any(key in obj for key in ("/F", "/FFilter", "/FDecodeParms")):
            report.add("6.1.7.1-3", "a stream with F, FFilter or FDecodeParms")
        filters = _names(_get(obj, "/Filter"))
        if "/LZWDecode" in filters or "/Crypt" in filters:
            report.add("6.1.7.2-1", f"a stream with filter {filters}")
    # Actions
    action = _get(obj, "/S")
    if (kind == "/Action" or "/Next" in obj or action == "/JavaScript") and (
        action in FORBIDDEN_ACTIONS
    ):
        report.add("6.5.1-1", f"a {action} action")
    if "/JS" in obj:
        report.add("bibob-no-javascript", "an object with a /JS entry")
    # Graphics state
    if kind == "/ExtGState" or any(key in obj for key in ("/TR", "/TR2", "/SMask", "/ca", "/CA")):
        if "/TR" in obj:
            report.add("6.2.5-1", "an ExtGState with TR")
        tr2 = _get(obj, "/TR2")
        if tr2 is not None and str(tr2) != "/Default":
            report.add("6.2.5-2", "an ExtGState with TR2")
        smask = _get(obj, "/SMask")
        if smask is not None and str(smask) != "/None":
            report.add("bibob-no-transparency", "a soft mask (SMask)")
        for key in ("/ca", "/CA"):
            value = _get(obj, key)
            if value is not None and float(value) < 1:
                report.add("bibob-no-transparency", f"constant alpha {key} {float(value)}")
    # Images and forms
    if subtype == "/Image":
        if "/Alternates" in obj:
            report.add("6.2.8-1", "an image with Alternates")
        if bool(_get(obj, "/Interpolate")):
            report.add("6.2.8-3", "an image with Interpolate true")
    if subtype == "/Form" or subtype == "/PS":
        if "/OPI" in obj or "/PS" in obj or _get(obj, "/Subtype2") == "/PS" or subtype == "/PS":
            report.add("6.2.9-1", "a form XObject with OPI or PostScript")
        group = _get(obj, "/Group")
        if group is not None and _get(group, "/S") == "/Transparency":
            report.add("bibob-no-transparency", "a form XObject with a transparency group")
    # Fonts
    if kind == "/Font" and subtype in (
        "/TrueType",
        "/Type1",
        "/MMType1",
        "/CIDFontType2",
        "/CIDFontType0",
    ):
        descriptor = _get(obj, "/FontDescriptor")
        name = str(_get(obj, "/BaseFont"))
        if descriptor is None or not any(key in descriptor for key in FONT_FILES):
            report.add("6.2.11.4.1-1", f"font {name} is not embedded")
        elif subtype == "/TrueType":
            flags = int(_get(descriptor, "/Flags") or 0)
            encoding = _get(obj, "/Encoding")
            base = (
                _get(encoding, "/BaseEncoding")
                if isinstance(encoding, pikepdf.Dictionary)
                else encoding
            )
            if not flags & SYMBOLIC and str(base) not in ("/WinAnsiEncoding", "/MacRomanEncoding"):
                report.add("6.2.11.6-2", f"non-symbolic TrueType font {name} with encoding {base}")


def _check_xmp(pdf: pikepdf.Pdf, data: bytes, report: PdfaReport) -> None:
    stream = _get(pdf.Root, "/Metadata")
    if stream is None or not isinstance(stream, pikepdf.Stream):
        report.add("6.6.2.1-1", "the Catalog has no Metadata stream")
        return
    raw = stream.read_bytes()
    header = re.search(rb"<\?xpacket begin=[^?]*\?>", raw)
    if header is not None:
        if b"bytes=" in header.group(0):
            report.add("6.6.2.1-2", "bytes attribute in the xpacket header")
        if b"encoding=" in header.group(0):
            report.add("6.6.2.1-3", "encoding attribute in the xpacket header")
    meta = pdf.open_metadata()
    if meta.get("pdfaid:part") != "2":
        report.add("6.6.4-2", f"pdfaid:part is {meta.get('pdfaid:part')!r}")
    if meta.get("pdfaid:conformance") != "B":
        report.add("6.6.4-3", f"pdfaid:conformance is {meta.get('pdfaid:conformance')!r}")
    info = pdf.docinfo
    pairs = {
        "/Title": str(meta.get("dc:title", "")),
        "/Producer": str(meta.get("pdf:Producer", "")),
    }
    for key, xmp_value in pairs.items():
        if key in info and str(info[key]) != xmp_value:
            report.add("bibob-info-matches-xmp", f"{key} {str(info[key])!r} ≠ XMP {xmp_value!r}")
    if "/Author" in info and str(info["/Author"]) not in str(meta.get("dc:creator", "")):
        report.add("bibob-info-matches-xmp", "Author differs from dc:creator")
    created = str(meta.get("xmp:CreateDate", ""))
    info_date = str(info.get("/CreationDate", ""))
    if info_date and created:
        digits = re.sub(r"\D", "", created)[:14]
        if not info_date.removeprefix("D:").startswith(digits):
            report.add("bibob-info-matches-xmp", f"CreationDate {info_date} ≠ XMP {created}")
    elif info_date and not created:
        report.add("bibob-info-matches-xmp", "CreationDate without xmp:CreateDate")
