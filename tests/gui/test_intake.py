"""The intake wizard driven through its real widgets: the outcome follows the typing live."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from bibob_desk.gui.intake_wizard import IntakeWizard
from bibob_desk.gui.main_window import MainWindow
from bibob_desk.services.assessment import AssessmentService
from bibob_desk.services.cases import CaseService
from bibob_desk.services.context import AppContext


def click(qtbot: Any, wizard: IntakeWizard, button: QWizard.WizardButton) -> None:
    qtbot.mouseClick(wizard.button(button), Qt.MouseButton.LeftButton)


def open_wizard(qtbot: Any, context: AppContext) -> IntakeWizard:
    wizard = IntakeWizard(context)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def test_intake_from_new_case_to_assessed_case(qtbot: Any, sqlite_context: AppContext) -> None:
    wizard = open_wizard(qtbot, sqlite_context)
    # Step 1: the case.
    qtbot.keyClicks(wizard.title_edit, "Nieuwbouw loods Bedrijvenpark Noord")
    wizard.date_edit.clear()
    qtbot.keyClicks(wizard.date_edit, "02-11-2026")
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.party_page
    # Step 2: applicant and one more party.
    qtbot.keyClicks(wizard.applicant_edit, "Loods Noord B.V.")
    qtbot.keyClicks(wizard.kvk_edit, "12345678")
    qtbot.keyClicks(wizard.party_name_edit, "J. de Vries")
    wizard.party_role_combo.setCurrentIndex(wizard.party_role_combo.findData("bestuurder"))
    qtbot.mouseClick(wizard.add_party_button, Qt.MouseButton.LeftButton)
    assert wizard.party_list.count() == 1
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.location_page
    # Step 3: area, bouwsom, location; the outcome follows every keystroke.
    wizard.area_combo.setCurrentIndex(wizard.area_combo.findData("omgevingsvergunning_bouw"))
    assert "Nog niet te bepalen" in wizard.location_outcome.outcome_label.text()
    assert "bouwsom" in wizard.location_outcome.outcome_label.text()
    qtbot.keyClicks(wizard.bouwsom_edit, "750.000,00")
    assert wizard.live is not None and wizard.live.outcome.value == "optional"
    assert "kan-bepaling" in wizard.location_outcome.outcome_label.text()
    qtbot.keyClicks(wizard.bouwsom_edit, "1")  # 750.000,001 is no amount
    assert wizard.live is None
    qtbot.keyClick(wizard.bouwsom_edit, Qt.Key.Key_Backspace)
    qtbot.keyClick(wizard.bouwsom_edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(wizard.bouwsom_edit, "1")  # 750.000,01
    assert wizard.live is not None and wizard.live.rule.value == "bouwsom_boven_drempel"
    assert "Bibob-toets verplicht" in wizard.location_outcome.outcome_label.text()
    assert "€ 750.000,01" in wizard.location_outcome.reasons_label.text()
    wizard.bouwsom_edit.selectAll()
    qtbot.keyClicks(wizard.bouwsom_edit, "400000")
    assert wizard.live is not None and wizard.live.outcome.value == "optional"
    wizard.set_risk_tag("bedrijventerrein")
    assert wizard.live is not None and wizard.live.rule.value == "risicocategorie"
    qtbot.keyClicks(wizard.postcode_edit, "7811ab")
    qtbot.keyClicks(wizard.city_edit, "Emmen")
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.outcome_page
    assert "Bibob-toets verplicht" in wizard.final_outcome.outcome_label.text()
    assert "Loods Noord B.V." in wizard.summary_label.text()
    # Finish: the case exists with its parties and its stored assessment.
    click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert wizard.created is not None
    case = CaseService(sqlite_context).get(wizard.created.reference)
    assert case.outcome == "mandatory"
    assert case.postcode == "7811 AB" and case.city == "Emmen"
    assert {p.role for p in case.parties} == {"aanvrager", "bestuurder"}
    [assessment] = AssessmentService(sqlite_context).history(case.reference)
    assert assessment.rule == "risicocategorie"
    assert assessment.inputs["risk_tags"] == ["bedrijventerrein"]
    assert wizard.assessment == assessment


def test_wrong_input_keeps_the_officer_on_the_page(qtbot: Any, sqlite_context: AppContext) -> None:
    wizard = open_wizard(qtbot, sqlite_context)
    wizard.date_edit.clear()
    qtbot.keyClicks(wizard.date_edit, "30-02-2026")
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.case_page
    banner = wizard.error_labels[0]
    assert "titel" in banner.text() and "bestaat niet" in banner.text()
    qtbot.keyClicks(wizard.title_edit, "Subsidie buurthuis")
    wizard.date_edit.clear()
    qtbot.keyClicks(wizard.date_edit, "01-03-2026")
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    qtbot.keyClicks(wizard.kvk_edit, "123")
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.party_page
    assert "KvK-nummer" in wizard.error_labels[1].text()
    wizard.kvk_edit.clear()
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    wizard.area_combo.setCurrentIndex(wizard.area_combo.findData("omgevingsvergunning_bouw"))
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.location_page
    assert "bouwsom" in wizard.error_labels[2].text()
    wizard.area_combo.setCurrentIndex(wizard.area_combo.findData("verhuurvergunning"))
    assert wizard.live is not None and wizard.live.outcome.value == "not_applicable"
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.outcome_page


def test_date_before_any_policy_is_explained(qtbot: Any, sqlite_context: AppContext) -> None:
    wizard = open_wizard(qtbot, sqlite_context)
    wizard.date_edit.clear()
    qtbot.keyClicks(wizard.date_edit, "01-06-2023")
    wizard.area_combo.setCurrentIndex(wizard.area_combo.findData("alcohol"))
    assert wizard.live is None
    assert "geen Bibob-beleid van kracht" in wizard.location_outcome.outcome_label.text()


def test_main_window_new_case_opens_the_wizard(
    qtbot: Any, window: MainWindow, monkeypatch: Any
) -> None:
    seen: list[object] = []

    def run(dialog: object) -> bool:
        seen.append(dialog)
        assert isinstance(dialog, IntakeWizard)
        dialog.show()
        qtbot.keyClicks(dialog.title_edit, "Exploitatievergunning cafe Het Hoekje")
        click(qtbot, dialog, QWizard.WizardButton.NextButton)
        qtbot.keyClicks(dialog.applicant_edit, "Het Hoekje V.O.F.")
        click(qtbot, dialog, QWizard.WizardButton.NextButton)
        dialog.area_combo.setCurrentIndex(dialog.area_combo.findData("exploitatie_horeca"))
        click(qtbot, dialog, QWizard.WizardButton.NextButton)
        click(qtbot, dialog, QWizard.WizardButton.FinishButton)
        return dialog.result() == IntakeWizard.DialogCode.Accepted

    monkeypatch.setattr(window, "exec_dialog", run)
    window.new_case_action.trigger()
    assert seen
    reference = window.detail.reference
    assert reference is not None
    assert CaseService(window.context).get(reference).outcome == "mandatory"


def test_a_future_application_date_is_refused(qtbot: Any, sqlite_context: AppContext) -> None:
    from datetime import date, timedelta

    wizard = open_wizard(qtbot, sqlite_context)
    qtbot.keyClicks(wizard.title_edit, "Exploitatievergunning De Toekomst")
    wizard.date_edit.clear()
    qtbot.keyClicks(wizard.date_edit, (date.today() + timedelta(days=1)).strftime("%d-%m-%Y"))
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.case_page
    assert "toekomst" in wizard.error_labels[0].text()


AGREEMENT_INPUTS = [
    # (area, bouwsom, postcode, application date)
    ("omgevingsvergunning_bouw", "450000", "", "2026-05-31"),
    ("omgevingsvergunning_bouw", "450000", "", "2026-06-01"),
    ("omgevingsvergunning_bouw", "500000", "", "2026-07-01"),
    ("omgevingsvergunning_bouw", "600000", "", "2026-07-01"),
    ("omgevingsvergunning_bouw", "800000", "", "2026-05-01"),
    ("omgevingsvergunning_bouw", "150000", "9402 CD", "2026-07-01"),
    ("omgevingsvergunning_bouw", "150000", "9404 CD", "2026-07-01"),
    ("exploitatie_horeca", "", "", "2026-07-01"),
    ("subsidie", "", "", "2026-07-01"),
]


def test_the_wizard_and_check_agree_with_a_version_added_in_the_database(
    qtbot: Any, sqlite_context: AppContext, capsys: Any
) -> None:
    import json
    from datetime import date

    from bibob_desk.cli import main
    from bibob_desk.domain.policy import parse_policy
    from bibob_desk.paths import resource_path
    from bibob_desk.services.policies import PolicyService
    from tests.conftest import make_training, make_user

    seed = json.loads(
        (resource_path("policy") / "drentse-aanpak-2024.json").read_text(encoding="utf-8")
    )
    seed.update(version="2026.2", effective_from="2026-06-01")
    seed["threshold"] = {**seed["threshold"], "amount": "500000", "comparison": "of_meer"}
    seed["risk_areas"] = [{"postcodes": "9401-9403", "label": "Centrum", "threshold": "100000"}]
    make_user(sqlite_context.db, "beheer", "beheerder")
    PolicyService(AppContext(sqlite_context.db, "beheer")).add_version(parse_policy(seed))
    make_training(sqlite_context.db)
    url = sqlite_context.db.engine.url.render_as_string(hide_password=False)
    wizard = open_wizard(qtbot, sqlite_context)
    for area, bouwsom, postcode, on in AGREEMENT_INPUTS:
        wizard.area_combo.setCurrentIndex(wizard.area_combo.findData(area))
        wizard.bouwsom_edit.setText(bouwsom)
        wizard.postcode_edit.setText(postcode)
        wizard.date_edit.setText(date.fromisoformat(on).strftime("%d-%m-%Y"))
        live = wizard.live
        assert live is not None, (area, bouwsom, postcode, on)
        args = ["--db", url, "--user", "tester", "check", "--area", area, "--date", on, "--json"]
        if bouwsom:
            args += ["--bouwsom", bouwsom]
        if postcode:
            args += ["--postcode", postcode]
        try:
            main(args)
        except SystemExit as exc:
            assert not exc.code, capsys.readouterr().err
        data = json.loads(capsys.readouterr().out)
        assert data["policy"]["source"] == "database"
        assert (data["outcome"], data["rule"], data["policy"]["version"]) == (
            live.outcome.value,
            live.rule.value,
            live.policy.version,
        ), (area, bouwsom, postcode, on)
