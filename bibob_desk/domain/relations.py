"""Relations between parties (betrokkenen) and what they mean for a Bibob screening.

Wet Bibob art. 3 lid 4 counts, besides the betrokkene itself, those who lead it
(leidinggevenden), have or had control over it (zeggenschap), provide or provided its capital
(vermogen verschaffen), or are in a business relationship with it (zakelijk
samenwerkingsverband), and the legal persons it leads, controls or finances in turn. Verified
with the search tool: ijzermanbibob.com, "Usual suspects: welke partijen staan centraal in het
Bibob-onderzoek?" (the four relations: vermogensverschaffers, bestuurders, aandeelhouders,
zakelijk samenwerkingsverband), and /work/shared/domain/research-notes.md §2 (art. 3 lid 4,
read from the older consolidation of wetten.overheid.nl). The relation kinds below follow those
four, plus the UBO and the group structure (moeder/dochter) a KvK-uittreksel shows.

A relation is directed: ``from`` is the one who leads, holds, finances or is the parent;
``to`` is the company (always a rechtspersoon). Nothing here knows Qt or SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.parties import PartyKind

# Danger conclusions may be reused for five years (Bibob-register, since 1 October 2022):
# "Bekend uit" looks back this far.
KNOWN_FROM_YEARS = 5


class RelationKind(StrEnum):
    BESTUURDER = "bestuurder"
    AANDEELHOUDER = "aandeelhouder"
    FINANCIER = "financier"
    ZAKELIJK_BETROKKENE = "zakelijk_betrokkene"
    UBO = "ubo"
    MOEDER = "moeder"  # from = moedermaatschappij, to = dochter


RELATION_LABELS = {
    RelationKind.BESTUURDER: "Bestuurder van",
    RelationKind.AANDEELHOUDER: "Aandeelhouder van",
    RelationKind.FINANCIER: "Financier van",
    RelationKind.ZAKELIJK_BETROKKENE: "Zakelijk betrokken bij",
    RelationKind.UBO: "UBO van",
    RelationKind.MOEDER: "Moedermaatschappij van",
}

# The art. 3 lid 4 relation each kind stands for (shown in "Bekend uit" and the exports).
RELATION_GROUNDS = {
    RelationKind.BESTUURDER: "leidinggevende",
    RelationKind.AANDEELHOUDER: "zeggenschap",
    RelationKind.UBO: "zeggenschap",
    RelationKind.MOEDER: "zeggenschap",
    RelationKind.FINANCIER: "vermogensverschaffer",
    RelationKind.ZAKELIJK_BETROKKENE: "zakelijk samenwerkingsverband",
}


class ShareBand(StrEnum):
    """The share held, in the bands the UBO register and KvK use."""

    B0_25 = "0-25"
    B25_50 = "25-50"
    B50_75 = "50-75"
    B75_100 = "75-100"


SHARE_BAND_LABELS = {
    ShareBand.B0_25: "0–25 %",
    ShareBand.B25_50: "25–50 %",
    ShareBand.B50_75: "50–75 %",
    ShareBand.B75_100: "75–100 %",
}


class RelationSource(StrEnum):
    VRAGENFORMULIER = "vragenformulier"
    KVK_UITTREKSEL = "kvk_uittreksel"
    EIGEN_ONDERZOEK = "eigen_onderzoek"
    LBB_ADVIES = "lbb_advies"
    NETWERKTEKENING = "netwerktekening"
    OVERIG = "overig"


SOURCE_LABELS = {
    RelationSource.VRAGENFORMULIER: "Bibob-vragenformulier",
    RelationSource.KVK_UITTREKSEL: "KvK-uittreksel",
    RelationSource.EIGEN_ONDERZOEK: "Eigen onderzoek",
    RelationSource.LBB_ADVIES: "LBB-advies",
    RelationSource.NETWERKTEKENING: "Netwerktekening",
    RelationSource.OVERIG: "Overig",
}


def _normal(text: str) -> str:
    return text.strip().lower().replace(" ", "_").replace("-", "_")


def parse_relation_kind(text: str) -> RelationKind:
    normal = _normal(text)
    if normal == "moedermaatschappij":
        return RelationKind.MOEDER
    for kind in RelationKind:
        if normal == kind.value:
            return kind
    known = ", ".join(k.value for k in RelationKind)
    raise ValidationError(
        f"Onbekende relatie '{text.strip()[:40]}'. Kies uit: {known}.", "relation"
    )


def parse_share_band(text: str) -> ShareBand:
    normal = text.strip().replace("%", "").replace(" ", "").replace("–", "-")
    for band in ShareBand:
        if normal == band.value:
            return band
    known = ", ".join(b.value for b in ShareBand)
    raise ValidationError(
        f"Onbekende aandelenklasse '{text.strip()[:20]}'. Kies uit: {known} (procent).", "share"
    )


def parse_source(text: str) -> RelationSource:
    normal = _normal(text)
    for source in RelationSource:
        if normal in (source.value, _normal(SOURCE_LABELS[source])):
            return source
    known = ", ".join(s.value for s in RelationSource)
    raise ValidationError(f"Onbekende bron '{text.strip()[:40]}'. Kies uit: {known}.", "source")


@dataclass(frozen=True)
class RelationFacts:
    """A relation as checked: kinds of both ends, the relation and its details."""

    kind: RelationKind
    share_band: ShareBand | None
    start: date | None
    end: date | None


def check_relation(
    from_kind: PartyKind,
    to_kind: PartyKind,
    kind: RelationKind,
    share_band: ShareBand | None,
    start: date | None,
    end: date | None,
    *,
    same_party: bool,
) -> list[ValidationError]:
    """Every rule a relation breaks (empty when it is fine)."""
    errors: list[ValidationError] = []
    if same_party:
        errors.append(ValidationError("Een betrokkene kan geen relatie met zichzelf hebben.", "to"))
    if to_kind is not PartyKind.LEGAL_ENTITY:
        errors.append(
            ValidationError(
                "Een relatie wijst naar een onderneming (rechtspersoon): kies als tweede "
                "betrokkene de onderneming.",
                "to",
            )
        )
    if kind is RelationKind.UBO and from_kind is not PartyKind.NATURAL_PERSON:
        errors.append(ValidationError("Een UBO is altijd een natuurlijk persoon.", "from"))
    if kind is RelationKind.MOEDER and from_kind is not PartyKind.LEGAL_ENTITY:
        errors.append(ValidationError("Een moedermaatschappij is een rechtspersoon.", "from"))
    if kind is RelationKind.AANDEELHOUDER and share_band is None:
        errors.append(
            ValidationError(
                "Geef bij een aandeelhouder het belang op: 0-25, 25-50, 50-75 of 75-100 %.",
                "share",
            )
        )
    if kind is not RelationKind.AANDEELHOUDER and share_band is not None:
        errors.append(
            ValidationError("Een aandelenbelang hoort alleen bij een aandeelhouder.", "share")
        )
    if start is not None and end is not None and end < start:
        errors.append(
            ValidationError("De einddatum van de relatie ligt vóór de begindatum.", "end")
        )
    return errors


def active_on(start: date | None, end: date | None, day: date) -> bool:
    """Whether a relation had not yet ended on ``day`` (the network view's date slider)."""
    return end is None or end >= day


def known_from_since(today: date) -> date:
    """The first day "Bekend uit" looks at: five years back (29 February becomes 28th)."""
    try:
        return today.replace(year=today.year - KNOWN_FROM_YEARS)
    except ValueError:
        return today.replace(year=today.year - KNOWN_FROM_YEARS, day=28)
