"""The intake wizard: new case -> applicant and parties -> area, bouwsom, location -> outcome.

The input pages are Designer forms (ui/intake_case.ui, ui/intake_parties.ui,
ui/intake_location.ui); this module gives them behaviour. The outcome is shown live while the
officer types, computed by the domain's ``assess`` with the policy version in force on the
application date (the versions come from the policy service once). Finishing registers the case
through CaseService.open_case, which stores the assessment.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from bibob_desk.domain.applicability import (
    Assessment,
    Outcome,
    assess,
    missing_bouwsom_error,
    needs_bouwsom,
    parse_inputs,
)
from bibob_desk.domain.areas import AREAS
from bibob_desk.domain.case import ValidationErrors, future_application_date
from bibob_desk.domain.errors import BibobError, ValidationError
from bibob_desk.domain.parties import (
    PARTY_KIND_LABELS,
    PARTY_ROLE_LABELS,
    PartyKind,
    PartyRole,
)
from bibob_desk.domain.policy import Policy, policy_in_force
from bibob_desk.domain.values import parse_date
from bibob_desk.gui import errors, form_guard
from bibob_desk.gui.form_guard import form_state, on_return
from bibob_desk.gui.forms import child, load_form
from bibob_desk.gui.styling import mark_invalid
from bibob_desk.services.assessment import AssessmentService, AssessmentView
from bibob_desk.services.cases import CaseService, CaseView, PartyInput, validate_party_input
from bibob_desk.services.context import AppContext
from bibob_desk.services.policies import PolicyService

OUTCOME_COLOURS = {
    Outcome.MANDATORY: "#b3261e",
    Outcome.OPTIONAL: "#8a5a00",
    Outcome.NOT_APPLICABLE: "#2e6b30",
}


def outcome_html(result: Assessment) -> str:
    colour = OUTCOME_COLOURS[result.outcome]
    return (
        f"<b style='color:{colour}'>{result.outcome_label}</b> "
        f"<span style='color:#555'>(regel {result.rule.value}; {result.policy.name}, versie "
        f"{result.policy.version})</span>"
    )


class OutcomeView(QWidget):
    """The live outcome with its reasons (used on the location page and the last page)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.outcome_label = QLabel(self)
        self.outcome_label.setObjectName("outcomeLabel")
        self.outcome_label.setTextFormat(Qt.TextFormat.RichText)
        self.outcome_label.setWordWrap(True)
        self.reasons_label = QLabel(self)
        self.reasons_label.setObjectName("reasonsLabel")
        self.reasons_label.setWordWrap(True)
        self.reasons_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.outcome_label)
        layout.addWidget(self.reasons_label)
        layout.addStretch(1)

    def show_result(self, result: Assessment | None, problem: str = "") -> None:
        if result is None:
            self.outcome_label.setText(f"<i>Nog niet te bepalen.</i> {problem}")
            self.reasons_label.setText("")
            return
        self.outcome_label.setText(outcome_html(result))
        self.reasons_label.setText("\n".join(f"• {r}" for r in result.reasons))


class IntakeWizard(QWizard):
    """Register a case step by step. ``created`` and ``assessment`` are set when it finished."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.cases = CaseService(context)
        self.assessments = AssessmentService(context)
        self.created: CaseView | None = None
        self.assessment: AssessmentView | None = None
        self.live: Assessment | None = None
        self.extra_parties: list[PartyInput] = []
        self.versions: list[Policy] = [v.policy for v in PolicyService(context).list()]
        self.setWindowTitle("Nieuwe zaak (intake)")
        self.setMinimumSize(760, 560)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.NextButton, "Volgende >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< Vorige")
        self.setButtonText(QWizard.WizardButton.FinishButton, "Zaak aanmaken")
        self.setButtonText(QWizard.WizardButton.CancelButton, "Annuleren")
        self.error_labels: list[QLabel] = []
        self.case_page = self._build_case_page()
        self.party_page = self._build_party_page()
        self.location_page = self._build_location_page()
        self.outcome_page = self._build_outcome_page()
        for page in (self.case_page, self.party_page, self.location_page, self.outcome_page):
            self.addPage(page)
        self.currentIdChanged.connect(self._page_changed)
        self.update_outcome()
        self._as_opened = form_state(self)  # Escape asks first once something was typed

    # --- pages ---------------------------------------------------------------------------------

    def _page(self, title: str, subtitle: str) -> tuple[QWizardPage, QVBoxLayout, QLabel]:
        page = QWizardPage(self)
        page.setTitle(title)
        page.setSubTitle(subtitle)
        layout = QVBoxLayout(page)
        error = QLabel(page)
        error.setObjectName("errorBanner")
        error.setWordWrap(True)
        error.hide()
        layout.addWidget(error)
        self.error_labels.append(error)
        return page, layout, error

    def _build_case_page(self) -> QWizardPage:
        page, layout, _ = self._page(
            "Nieuwe zaak",
            "Waar gaat de aanvraag over en wanneer kwam "
            "hij binnen? De aanvraagdatum bepaalt welk beleid geldt.",
        )
        form = load_form("intake_case.ui", page)
        self.title_edit = child(form, QLineEdit, "titleEdit")
        self.date_edit = child(form, QLineEdit, "dateEdit")
        self.date_edit.setText(date.today().strftime("%d-%m-%Y"))
        self.organisation_edit = child(form, QLineEdit, "organisationEdit")
        layout.addWidget(form)
        layout.addStretch(1)
        self.date_edit.textChanged.connect(self.update_outcome)
        return page

    def _build_party_page(self) -> QWizardPage:
        page, layout, _ = self._page(
            "Aanvrager en betrokkenen",
            "De aanvrager en wie de aanvrager leidt, bezit, financiert of er zakelijk mee "
            "samenwerkt (art. 3 Wet Bibob).",
        )
        form = load_form("intake_parties.ui", page)
        self.applicant_edit = child(form, QLineEdit, "applicantEdit")
        self.applicant_kind = child(form, QComboBox, "applicantKindCombo")
        for kind in (PartyKind.LEGAL_ENTITY, PartyKind.NATURAL_PERSON):
            self.applicant_kind.addItem(PARTY_KIND_LABELS[kind], kind.value)
        self.kvk_edit = child(form, QLineEdit, "kvkEdit")
        self.party_name_edit = child(form, QLineEdit, "partyNameEdit")
        self.party_role_combo = child(form, QComboBox, "partyRoleCombo")
        for role, label in PARTY_ROLE_LABELS.items():
            if role is not PartyRole.AANVRAGER:
                self.party_role_combo.addItem(label, role.value)
        self.party_kvk_edit = child(form, QLineEdit, "partyKvkEdit")
        self.add_party_button = child(form, QPushButton, "addPartyButton")
        self.remove_party_button = child(form, QPushButton, "removePartyButton")
        self.party_list = child(form, QListWidget, "partyList")
        layout.addWidget(form)
        self.add_party_button.clicked.connect(self.add_party)
        # Return in the party row adds the party; it does not move to the next page.
        on_return(self.add_party, self.party_name_edit, self.party_kvk_edit)
        self.remove_party_button.clicked.connect(self.remove_party)
        return page

    def _build_location_page(self) -> QWizardPage:
        page, layout, _ = self._page(
            "Toepassingsgebied, bouwsom en locatie",
            "De uitkomst hieronder volgt uw invoer direct.",
        )
        form = load_form("intake_location.ui", page)
        self.area_combo = child(form, QComboBox, "areaCombo")
        for code, label in AREAS.items():
            self.area_combo.addItem(label, code)
        self.bouwsom_edit = child(form, QLineEdit, "bouwsomEdit")
        self.street_edit = child(form, QLineEdit, "streetEdit")
        self.house_number_edit = child(form, QLineEdit, "houseNumberEdit")
        self.postcode_edit = child(form, QLineEdit, "postcodeEdit")
        self.city_edit = child(form, QLineEdit, "cityEdit")
        self.risk_list = child(form, QListWidget, "riskTagList")
        layout.addWidget(form)
        self.location_outcome = OutcomeView(page)
        layout.addWidget(self.location_outcome, 1)
        self.area_combo.currentIndexChanged.connect(self.update_outcome)
        self.bouwsom_edit.textChanged.connect(self.update_outcome)
        self.postcode_edit.textChanged.connect(self.update_outcome)
        self.risk_list.itemChanged.connect(self.update_outcome)
        self._fill_risk_tags()
        return page

    def _build_outcome_page(self) -> QWizardPage:
        page, layout, self.final_error = self._page(
            "Uitkomst van de toets",
            "Controleer de uitkomst; met 'Zaak aanmaken' wordt de zaak met deze toets vastgelegd.",
        )
        self.summary_label = QLabel(page)
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        self.final_outcome = OutcomeView(page)
        layout.addWidget(self.final_outcome, 1)
        return page

    # --- parties -------------------------------------------------------------------------------

    def add_party(self) -> None:
        party = PartyInput(
            name=self.party_name_edit.text(),
            role=str(self.party_role_combo.currentData()),
            kind=PartyKind.LEGAL_ENTITY.value
            if self.party_kvk_edit.text().strip()
            else PartyKind.NATURAL_PERSON.value,
            kvk_number=self.party_kvk_edit.text(),
        )
        try:
            valid = validate_party_input(party)
        except ValidationError as exc:
            self._show_page_error(self.party_page, exc)
            return
        self._clear_page_error(self.party_page)
        self.extra_parties.append(party)
        item = QListWidgetItem(
            f"{valid.name} — {PARTY_ROLE_LABELS[valid.role]}"
            + (f" (KvK {valid.kvk_number})" if valid.kvk_number else "")
        )
        self.party_list.addItem(item)
        self.party_name_edit.clear()
        self.party_kvk_edit.clear()

    def remove_party(self) -> None:
        row = self.party_list.currentRow()
        if row >= 0:
            self.party_list.takeItem(row)
            del self.extra_parties[row]

    def parties(self) -> list[PartyInput]:
        found: list[PartyInput] = []
        if self.applicant_edit.text().strip() or self.kvk_edit.text().strip():
            found.append(
                PartyInput(
                    name=self.applicant_edit.text(),
                    role=PartyRole.AANVRAGER.value,
                    kind=str(self.applicant_kind.currentData()),
                    kvk_number=self.kvk_edit.text(),
                )
            )
        return found + self.extra_parties

    # --- the live outcome ----------------------------------------------------------------------

    def _application_date(self) -> date:
        return parse_date(self.date_edit.text(), "application_date")

    def _policy(self) -> Policy:
        try:
            on = self._application_date()
        except ValidationError:
            on = date.today()
        return policy_in_force(self.versions, on)

    def _fill_risk_tags(self) -> None:
        checked = set(self.risk_tags())
        self.risk_list.blockSignals(True)
        self.risk_list.clear()
        try:
            tags = self._policy().risk_tags
        except ValidationError:
            tags = ()
        for tag in tags:
            item = QListWidgetItem(tag.label or tag.code)
            item.setData(Qt.ItemDataRole.UserRole, tag.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if tag.code in checked else Qt.CheckState.Unchecked
            )
            self.risk_list.addItem(item)
        self.risk_list.blockSignals(False)

    def risk_tags(self) -> list[str]:
        tags: list[str] = []
        for row in range(self.risk_list.count()):
            item = self.risk_list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                tags.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return tags

    def set_risk_tag(self, code: str, checked: bool = True) -> None:
        for row in range(self.risk_list.count()):
            item = self.risk_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == code:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def compute_outcome(self) -> Assessment:
        """The outcome for what is typed now; a ValidationError says what is missing."""
        inputs = parse_inputs(
            str(self.area_combo.currentData()),
            bouwsom=self.bouwsom_edit.text(),
            postcode=self.postcode_edit.text(),
            risk_tags=self.risk_tags(),
            on=self._application_date(),
        )
        policy = policy_in_force(self.versions, inputs.application_date)
        if inputs.bouwsom is None and needs_bouwsom(policy, inputs.area):
            raise missing_bouwsom_error(inputs.area)
        return assess(policy, inputs)

    def update_outcome(self) -> None:
        if hasattr(self, "risk_list") and self.sender() is self.date_edit:
            self._fill_risk_tags()
        if not hasattr(self, "final_outcome"):
            return  # still building the pages
        try:
            self.live = self.compute_outcome()
            problem = ""
        except BibobError as exc:
            self.live = None
            problem = str(exc)
        for view in (self.location_outcome, self.final_outcome):
            view.show_result(self.live, problem)

    # --- navigation and finishing --------------------------------------------------------------

    def _page_changed(self, page_id: int) -> None:
        if self.page(page_id) is self.outcome_page:
            applicant = self.applicant_edit.text().strip() or "(nog geen aanvrager)"
            count = len(self.parties())
            self.summary_label.setText(
                f"<b>{self.title_edit.text().strip() or '(geen titel)'}</b><br>"
                f"Aanvrager: {applicant}; betrokkenen in totaal: {count}<br>"
                f"Toepassingsgebied: {self.area_combo.currentText()}"
            )
            self.update_outcome()

    def _show_page_error(self, page: QWizardPage, exc: BibobError) -> None:
        label = page.findChild(QLabel, "errorBanner")
        if label is not None:
            label.setText("\n".join(errors.error_lines(exc)))
            label.show()

    def _clear_page_error(self, page: QWizardPage) -> None:
        label = page.findChild(QLabel, "errorBanner")
        if label is not None:
            label.hide()

    def validateCurrentPage(self) -> bool:
        page = self.currentPage()
        if page is None:  # not shown (accepted directly): the case service checks everything
            return True
        problems: list[ValidationError] = []
        if page is self.case_page:
            if not self.title_edit.text().strip():
                problems.append(ValidationError("Geef de zaak een titel.", "title"))
            try:
                future = future_application_date(self._application_date())
                if future is not None:
                    problems.append(future)
            except ValidationError as exc:
                problems.append(exc)
            mark_invalid(self.title_edit, any(p.field == "title" for p in problems))
            mark_invalid(self.date_edit, any(p.field == "application_date" for p in problems))
        elif page is self.party_page:
            for party in self.parties()[:1]:
                try:
                    validate_party_input(party)
                except ValidationErrors as exc:
                    problems.extend(exc.errors)
                except ValidationError as exc:
                    problems.append(exc)
            mark_invalid(self.kvk_edit, any(p.field == "kvk_number" for p in problems))
            mark_invalid(self.applicant_edit, any(p.field == "name" for p in problems))
        elif page is self.location_page:
            try:
                self.compute_outcome()
            except ValidationError as exc:
                problems.append(exc)
            for name, widget in (
                ("bouwsom", self.bouwsom_edit),
                ("postcode", self.postcode_edit),
                ("area", self.area_combo),
            ):
                mark_invalid(widget, any(p.field == name for p in problems))
        if problems:
            self._show_page_error(page, ValidationErrors(problems))
            return False
        self._clear_page_error(page)
        return True

    def raw_fields(self) -> dict[str, object]:
        return {
            "title": self.title_edit.text(),
            "area": self.area_combo.currentData(),
            "organisation": self.organisation_edit.text(),
            "application_date": self.date_edit.text(),
            "bouwsom": self.bouwsom_edit.text(),
            "street": self.street_edit.text(),
            "house_number": self.house_number_edit.text(),
            "postcode": self.postcode_edit.text(),
            "city": self.city_edit.text(),
            "risk_tags": self.risk_tags(),
        }

    def reject(self) -> None:
        """Escape, Annuleren or closing the window: ask before throwing the input away."""
        if form_state(self) != self._as_opened and not form_guard.confirm_discard(self):
            return
        super().reject()

    def accept(self) -> None:
        """Register the case with its parties; the case service stores the assessment."""
        try:
            self.created = self.cases.open_case(self.raw_fields(), self.parties())
            self.assessment = self.assessments.current(self.created.reference)
        except BibobError as exc:
            page = self.currentPage()
            if page is not None:
                self._show_page_error(page, exc)
            if page is not self.outcome_page:
                errors.show_error(self, exc)
            return
        super().accept()
