"""A recorded besluit: its motivation and voorschriften, and what a decided case allows.

Sources (Wet Bibob = BWBR0013798, Awb = BWBR0005537):
- Voorschriften: art. 3, zevende lid, Wet Bibob: where there is a mindere mate van gevaar the
  organ may attach voorschriften to the beschikking that take away or limit the danger. Each
  voorschrift is a text, with a term where the holder has to do something by a date.
- Motivation: Awb 3:46 (a besluit rests on a sound motivation, stated with the besluit) and
  Awb 3:47 (the motivation is given when the besluit is made known).
- A decided case stays decided: the besluit has been taken on the facts as they stood; changing
  them afterwards (or re-assessing applicability) would make the file say something the besluit
  was not based on. A team lead may reopen the case with a reason (logged); the earlier
  assessment and decision stay in the file as they were.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.workflow import Decision

MAX_VOORSCHRIFTEN = 50
MAX_TEXT = 2000
MAX_TERM = 200


@dataclass(frozen=True)
class Voorschrift:
    text: str
    term: str = ""  # e.g. "binnen 4 weken na verzending van dit besluit"; empty when none

    def to_json(self) -> dict[str, str]:
        return {"tekst": self.text, "termijn": self.term}

    def sentence(self) -> str:
        text = self.text.rstrip(".")
        return f"{text} (termijn: {self.term})." if self.term else f"{text}."


def parse_voorschriften(raw: object) -> tuple[Voorschrift, ...]:
    """A list of texts, ``{"tekst", "termijn"}`` objects or "tekst | termijn" lines."""
    if raw is None or raw == "":
        return ()
    if isinstance(raw, str):
        stripped = raw.strip()
        if stripped.startswith("["):
            try:
                raw = json.loads(stripped)
            except json.JSONDecodeError as exc:
                raise ValidationError(
                    f"De voorschriften zijn geen geldige lijst: {exc.msg}.", "voorschriften"
                ) from exc
        else:
            raw = [line for line in stripped.splitlines() if line.strip()]
    if not isinstance(raw, list | tuple):
        raise ValidationError("De voorschriften moeten een lijst zijn.", "voorschriften")
    found: list[Voorschrift] = []
    for item in raw:
        if isinstance(item, Voorschrift):
            text, term = item.text, item.term
        elif isinstance(item, str):
            text, _, term = item.partition("|")
        elif isinstance(item, dict):
            text = str(item.get("tekst", item.get("text", "")))
            term = str(item.get("termijn", item.get("term", "")) or "")
        else:
            raise ValidationError(
                "Elk voorschrift is een tekst, met zo nodig een termijn.", "voorschriften"
            )
        text, term = " ".join(text.split()), " ".join(term.split())
        if not text:
            raise ValidationError("Een voorschrift mag niet leeg zijn.", "voorschriften")
        if len(text) > MAX_TEXT or len(term) > MAX_TERM:
            raise ValidationError(
                f"Een voorschrift is te lang (ten hoogste {MAX_TEXT} tekens, termijn {MAX_TERM}).",
                "voorschriften",
            )
        found.append(Voorschrift(text, term))
    if len(found) > MAX_VOORSCHRIFTEN:
        raise ValidationError(
            f"Ten hoogste {MAX_VOORSCHRIFTEN} voorschriften per besluit.", "voorschriften"
        )
    return tuple(found)


def voorschriften_json(items: tuple[Voorschrift, ...]) -> str:
    return json.dumps([v.to_json() for v in items], ensure_ascii=False)


def voorschriften_from_json(text: str | None) -> tuple[Voorschrift, ...]:
    try:
        return parse_voorschriften(json.loads(text or "[]"))
    except (ValueError, ValidationError):
        return ()


def check_decision_content(
    decision: Decision, voorschriften: tuple[Voorschrift, ...], motivation: str
) -> None:
    """Voorschriften belong to "verlenen met voorschriften" (art. 3 lid 7 Wet Bibob), and that
    decision needs at least one; every decision needs a motivation (Awb 3:46)."""
    if decision is Decision.VERLENEN_MET_VOORSCHRIFTEN and not voorschriften:
        raise ValidationError(
            "Bij 'verlenen met voorschriften' legt u ten minste één voorschrift vast (artikel 3, "
            "zevende lid, Wet Bibob).",
            "voorschriften",
        )
    if voorschriften and decision is not Decision.VERLENEN_MET_VOORSCHRIFTEN:
        raise ValidationError(
            "Voorschriften horen alleen bij het besluit 'verlenen met voorschriften'.",
            "voorschriften",
        )
    if not motivation.strip():
        raise ValidationError(
            "Geef de motivering van het besluit (artikel 3:46 Algemene wet bestuursrecht).",
            "reason",
        )


def voorschriften_text(items: tuple[Voorschrift, ...]) -> str:
    """Numbered lines for a letter."""
    return "\n".join(f"{n}. {v.sentence()}" for n, v in enumerate(items, start=1))
