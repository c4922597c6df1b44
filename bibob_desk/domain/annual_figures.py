"""The annual Bibob figures (jaarcijfers): what is counted, in which year, and how it is shown.

Which year a figure belongs to:

| figure | counted in the year of |
|---|---|
| cases per area, applicability outcomes | the application date (aanvraagdatum) |
| LBB advice requests | the request (start of the lbb_advies suspension, Wet Bibob art. 15) |
| conclusions (degree of danger, art. 3) | the decision date; undecided: the application date |
| decisions | the decision date |
| withdrawals (terugtrekking) | the closing date; without one, the application date |
| tips in and out (art. 26) | the date received or sent |
| median lead time to decision | the decision date (days from application to decision) |
| median lead time to closing | the closing date (days from application to closing) |

Destroyed cases (retention) still count through their anonymous counts (anonymous_case_counts,
one row per destroyed case, filed under its ``year``).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bibob_desk.domain.areas import AREAS, area_label
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.overview import (
    CONCLUSION_LABELS,
    DECISION_LABELS,
    OUTCOME_LABELS,
)

# The Wet Bibob came into force on 1 June 2003: there are no Bibob figures before that year.
FIRST_YEAR = 2003

TIP_DIRECTIONS = {"inkomend": "Inkomende tips", "uitgaand": "Uitgaande tips"}
LEAD_TIME_LABELS = {
    "application_to_decision": "Van aanvraag tot besluit",
    "application_to_closure": "Van aanvraag tot afsluiting",
}
Item = tuple[str, str, int | float | None]  # (code, Dutch label, value)
CSV_HEADER = ("Onderdeel", "Code", "Omschrijving", "Waarde")


def parse_report_year(text: str | int, current_year: int) -> int:
    """A year with figures: 2003 (Wet Bibob in force) up to and including the current year."""
    raw = str(text).strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) != 4:
        raise ValidationError(f"Ongeldig jaar '{raw}': geef een jaartal als 2026.", "year")
    year = int(raw)
    if year < FIRST_YEAR:
        raise ValidationError(
            f"Jaar {year} ligt vóór de inwerkingtreding van de Wet Bibob (2003).", "year"
        )
    if year > current_year:
        raise ValidationError(f"Jaar {year} ligt in de toekomst.", "year")
    return year


def median_days(values: Iterable[int]) -> float | None:
    """The median in days (halves kept: 10.5), or None when nothing was decided or closed."""
    data = sorted(values)
    if not data:
        return None
    return round(float(statistics.median(data)), 1)


def _complete(counts: Mapping[str, int], known: Iterable[str]) -> dict[str, int]:
    """Every known code (also with 0, so a reader sees what was looked for), then any others."""
    result = {code: int(counts.get(code, 0)) for code in known}
    for code, n in sorted(counts.items()):
        if code not in result:
            result[code] = int(n)
    return result


@dataclass(frozen=True)
class AnnualFigures:
    year: int
    cases_per_area: Mapping[str, int]
    outcomes: Mapping[str, int]
    lbb_requests: int
    conclusions: Mapping[str, int]
    decisions: Mapping[str, int]
    withdrawals: int
    tips: Mapping[str, int]
    lead_time_decision_days: Sequence[int] = field(default=(), repr=False)
    lead_time_closure_days: Sequence[int] = field(default=(), repr=False)
    destroyed_cases_included: int = 0

    @classmethod
    def build(
        cls,
        year: int,
        *,
        cases_per_area: Mapping[str, int],
        outcomes: Mapping[str, int],
        lbb_requests: int,
        conclusions: Mapping[str, int],
        decisions: Mapping[str, int],
        withdrawals: int,
        tips: Mapping[str, int],
        lead_time_decision_days: Sequence[int],
        lead_time_closure_days: Sequence[int],
        destroyed_cases_included: int,
    ) -> AnnualFigures:
        return cls(
            year=year,
            cases_per_area=_complete(cases_per_area, AREAS),
            outcomes=_complete(outcomes, OUTCOME_LABELS),
            lbb_requests=lbb_requests,
            conclusions=_complete(conclusions, CONCLUSION_LABELS),
            decisions=_complete(decisions, DECISION_LABELS),
            withdrawals=withdrawals,
            tips=_complete(tips, TIP_DIRECTIONS),
            lead_time_decision_days=tuple(lead_time_decision_days),
            lead_time_closure_days=tuple(lead_time_closure_days),
            destroyed_cases_included=destroyed_cases_included,
        )

    @property
    def cases_total(self) -> int:
        return sum(self.cases_per_area.values())

    @property
    def median_lead_times(self) -> dict[str, float | None]:
        return {
            "application_to_decision": median_days(self.lead_time_decision_days),
            "application_to_closure": median_days(self.lead_time_closure_days),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "cases_total": self.cases_total,
            "cases_per_area": dict(self.cases_per_area),
            "assessments_per_outcome": dict(self.outcomes),
            "lbb_requests": self.lbb_requests,
            "conclusions": dict(self.conclusions),
            "decisions": dict(self.decisions),
            "withdrawals": self.withdrawals,
            "tips": dict(self.tips),
            "median_lead_time_days": self.median_lead_times,
            "lead_time_counts": {
                "application_to_decision": len(self.lead_time_decision_days),
                "application_to_closure": len(self.lead_time_closure_days),
            },
            "destroyed_cases_included": self.destroyed_cases_included,
        }

    def sections(self) -> list[tuple[str, list[Item]]]:
        """(section title, [(code, Dutch label, value)]): the layout of the CSV, PDF and screen."""
        medians = self.median_lead_times
        areas: list[Item] = [(c, area_label(c), n) for c, n in self.cases_per_area.items()]
        areas.append(("totaal", "Totaal", self.cases_total))
        return [
            ("Zaken per toepassingsgebied", areas),
            (
                "Toetsingen per uitkomst",
                [(c, OUTCOME_LABELS.get(c, c), n) for c, n in self.outcomes.items()],
            ),
            (
                "Adviesaanvragen Landelijk Bureau Bibob",
                [("lbb_adviesaanvragen", "Adviesaanvragen bij het LBB", self.lbb_requests)],
            ),
            (
                "Conclusies naar mate van gevaar",
                [(c, CONCLUSION_LABELS.get(c, c), n) for c, n in self.conclusions.items()],
            ),
            (
                "Besluiten",
                [(c, DECISION_LABELS.get(c, c), n) for c, n in self.decisions.items()],
            ),
            (
                "Terugtrekkingen",
                [("ingetrokken", "Aanvragen ingetrokken door de aanvrager", self.withdrawals)],
            ),
            (
                "Tips (artikel 26 en tussen bestuursorganen)",
                [(c, TIP_DIRECTIONS.get(c, c), n) for c, n in self.tips.items()],
            ),
            (
                "Doorlooptijd (mediaan in dagen)",
                [(c, LEAD_TIME_LABELS[c], medians[c]) for c in LEAD_TIME_LABELS],
            ),
            (
                "Vernietigde dossiers",
                [
                    (
                        "vernietigd_meegeteld",
                        "Vernietigde dossiers meegeteld (geanonimiseerd)",
                        self.destroyed_cases_included,
                    )
                ],
            ),
        ]

    def csv_rows(self, decimal_point: str = ",") -> list[tuple[str, str, str, str]]:
        """Header and rows as text; Dutch Excel reads "80,5" as a number (decimal comma)."""
        rows = [CSV_HEADER]
        for title, items in self.sections():
            for code, label, value in items:
                rows.append((title, code, label, format_value(value, decimal_point=decimal_point)))
        return rows

    def table_rows(self) -> list[tuple[str, str, str, int | float | None]]:
        """The same rows with the values as numbers (for a spreadsheet), without the header."""
        return [
            (title, code, label, value)
            for title, items in self.sections()
            for code, label, value in items
        ]


def format_value(value: int | float | None, *, decimal_point: str = ",") -> str:
    """Counts as integers, medians with one decimal; no median -> empty (CSV) text."""
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", decimal_point)
    return str(value)
