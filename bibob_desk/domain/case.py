"""The editable fields of a case file, validated as a whole so nothing is saved half."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bibob_desk.domain.areas import AREAS_WITH_BOUWSOM, parse_area
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.money import parse_money
from bibob_desk.domain.phases import Phase, parse_phase
from bibob_desk.domain.values import parse_date, parse_postcode

MAX_TITLE = 200


class ValidationErrors(ValidationError):
    """Several validation errors at once: every field that is wrong, not only the first."""

    def __init__(self, errors: list[ValidationError]) -> None:
        super().__init__(" ".join(str(e) for e in errors), errors[0].field if errors else None)
        self.errors = errors


@dataclass(frozen=True)
class CaseFields:
    title: str
    area: str
    organisation: str
    officer: str
    application_date: date
    bouwsom: Decimal | None = None
    street: str = ""
    house_number: str = ""
    postcode: str | None = None
    city: str = ""
    phase: Phase = Phase.INTAKE


def future_application_date(application_date: date) -> ValidationError | None:
    """An application is registered once it has been received: a date ahead is a typing error
    (intake, edit, import). ``bibob-desk check --date`` may still look ahead, as a what-if."""
    if application_date <= date.today():
        return None
    return ValidationError(
        f"De aanvraagdatum {application_date:%d-%m-%Y} ligt in de toekomst; vul de datum in "
        "waarop de aanvraag is ontvangen.",
        "application_date",
    )


def validate_case_fields(raw: Mapping[str, object]) -> CaseFields:
    """Turn what an officer typed (strings) into checked values, collecting every error.

    Expected keys: title, area, organisation, officer, application_date, bouwsom, street,
    house_number, postcode, city, phase. Empty optional fields become None / "".
    """
    errors: list[ValidationError] = []

    def text(key: str) -> str:
        value = raw.get(key)
        # A NUL byte is never meant (PostgreSQL text refuses it): dropped.
        return "" if value is None else str(value).replace("\x00", "").strip()

    title = text("title")
    if not title:
        errors.append(ValidationError("Geef de zaak een titel.", "title"))
    elif len(title) > MAX_TITLE:
        errors.append(ValidationError(f"De titel is langer dan {MAX_TITLE} tekens.", "title"))

    area = ""
    try:
        area = parse_area(text("area"))
    except ValidationError as exc:
        errors.append(exc)

    application_date = date.today()
    raw_date = raw.get("application_date")
    if isinstance(raw_date, date):
        application_date = raw_date
    elif not text("application_date"):
        errors.append(ValidationError("Vul de datum van de aanvraag in.", "application_date"))
    else:
        try:
            application_date = parse_date(text("application_date"), "application_date")
        except ValidationError as exc:
            errors.append(exc)
    future = future_application_date(application_date)
    if future is not None:
        errors.append(future)

    bouwsom: Decimal | None = None
    raw_bouwsom = raw.get("bouwsom")
    if isinstance(raw_bouwsom, Decimal):
        bouwsom = raw_bouwsom
    elif text("bouwsom"):
        try:
            bouwsom = parse_money(text("bouwsom"))
        except ValidationError as exc:
            errors.append(exc)
    elif area in AREAS_WITH_BOUWSOM:
        errors.append(
            ValidationError(
                "Vul de bouwsom in (excl. btw): bij een omgevingsvergunning voor een "
                "bouwactiviteit hangt de toepasbaarheid ervan af.",
                "bouwsom",
            )
        )

    postcode: str | None = None
    if text("postcode"):
        try:
            postcode = parse_postcode(text("postcode"))
        except ValidationError as exc:
            errors.append(exc)

    phase = Phase.INTAKE
    if text("phase"):
        try:
            phase = parse_phase(text("phase"))
        except ValidationError as exc:
            errors.append(exc)

    if errors:
        raise ValidationErrors(errors)
    return CaseFields(
        title=title,
        area=area,
        organisation=text("organisation"),
        officer=text("officer"),
        application_date=application_date,
        bouwsom=bouwsom,
        street=text("street"),
        house_number=text("house_number"),
        postcode=postcode,
        city=text("city"),
        phase=phase,
    )
