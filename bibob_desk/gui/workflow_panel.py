"""The "Procedure" tab of a case: phase, next steps, conclusion, decision and running deadlines.

Which step is allowed, and why not, comes from the domain (``domain.workflow``) through
``WorkflowService``; this widget only shows it. Dialogs are run through ``run_dialog`` so tests
can fill them in without a modal event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bibob_desk.domain.errors import BibobError, ConflictError
from bibob_desk.domain.phases import Phase
from bibob_desk.domain.values import format_date_nl
from bibob_desk.domain.workflow import (
    CONCLUSION_LABELS,
    DECISION_LABELS,
    GROUND_LABELS,
    Conclusion,
    Decision,
    TransitionCheck,
)
from bibob_desk.gui import errors
from bibob_desk.gui.form_guard import GuardedDialog
from bibob_desk.gui.rows_model import RowsTableModel
from bibob_desk.services.context import AppContext
from bibob_desk.services.workflow import DeadlineView, WorkflowService, WorkflowView

_STATE_COLOURS = {"te_laat": "#b3261e", "deze_week": "#8a5a00", "op_tijd": "#1e6b32"}

Index = QModelIndex | QPersistentModelIndex


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _date_edit(initial: date, maximum: date | None = None) -> QDateEdit:
    edit = QDateEdit(_qdate(initial))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd-MM-yyyy")
    if maximum is not None:
        edit.setMaximumDate(_qdate(maximum))
    return edit


class DeadlineTableModel(RowsTableModel):
    """The running deadlines of one case (a handful of rows, computed by the service)."""

    HEADERS = ("Termijn", "Uiterste datum", "Stand", "Toelichting")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return row.label
            if column == 1:
                return format_date_nl(row.due)
            if column == 2:
                return row.state_label
            return row.rule
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.rule}\nGrondslag: {row.legal_basis}"
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            return QBrush(QColor(_STATE_COLOURS[row.state]))
        return None

    def row(self, number: int) -> DeadlineView:
        row: DeadlineView = self.row_at(number)
        return row


class StepDialog(GuardedDialog):
    """A phase move: the date it happened and an optional note."""

    def __init__(
        self,
        title: str,
        explanation: str,
        date_label: str,
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        info = QLabel(explanation)
        info.setWordWrap(True)
        layout.addWidget(info)
        form = QFormLayout()
        self.date_edit = _date_edit(today, today)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText("Optioneel")
        self.note_edit.setFixedHeight(70)
        form.addRow(date_label, self.date_edit)
        form.addRow("Notitie", self.note_edit)
        layout.addLayout(form)
        buttons = QDialogButtonBox()
        buttons.addButton("Vastleggen", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Annuleren", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.guard()

    @property
    def chosen_date(self) -> date:
        return _pydate(self.date_edit.date())

    @property
    def note(self) -> str:
        return self.note_edit.toPlainText()


class ConclusionDialog(GuardedDialog):
    """The degree of danger (art. 3 Wet Bibob), its grounds and the intended decision."""

    def __init__(self, view: WorkflowView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Conclusie vastleggen")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.conclusion_combo = QComboBox()
        for conclusion in Conclusion:
            self.conclusion_combo.addItem(CONCLUSION_LABELS[conclusion], conclusion.value)
        self.ground_boxes: dict[str, QCheckBox] = {}
        grounds_box = QVBoxLayout()
        for ground, label in GROUND_LABELS.items():
            box = QCheckBox(label)
            box.setChecked(ground in view.conclusion_grounds)
            self.ground_boxes[ground] = box
            grounds_box.addWidget(box)
        self.decision_combo = QComboBox()
        for decision in Decision:
            self.decision_combo.addItem(DECISION_LABELS[decision], decision.value)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setPlaceholderText(
            "Verplicht als u bij ernstig gevaar toch wilt verlenen (evenredigheid, art. 3 lid 5)"
        )
        self.reason_edit.setFixedHeight(70)
        if view.conclusion:
            self.conclusion_combo.setCurrentIndex(self.conclusion_combo.findData(view.conclusion))
        if view.decision:
            self.decision_combo.setCurrentIndex(self.decision_combo.findData(view.decision))
        form.addRow("Mate van gevaar", self.conclusion_combo)
        grounds_widget = QWidget()
        grounds_widget.setLayout(grounds_box)
        grounds_box.setContentsMargins(0, 0, 0, 0)
        form.addRow("Gronden", grounds_widget)
        form.addRow("Voorgenomen besluit", self.decision_combo)
        form.addRow("Motivering", self.reason_edit)
        layout.addLayout(form)
        self.fields = {
            "conclusion": self.conclusion_combo,
            "grounds": grounds_widget,
            "decision": self.decision_combo,
            "reason": self.reason_edit,
        }
        buttons = QDialogButtonBox()
        buttons.addButton("Vastleggen", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Annuleren", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.guard()

    def select(self, conclusion: str, grounds: tuple[str, ...], decision: str) -> None:
        self.conclusion_combo.setCurrentIndex(self.conclusion_combo.findData(conclusion))
        for ground, box in self.ground_boxes.items():
            box.setChecked(ground in grounds)
        self.decision_combo.setCurrentIndex(self.decision_combo.findData(decision))

    @property
    def values(self) -> tuple[str, tuple[str, ...], str, str]:
        grounds = tuple(g for g, box in self.ground_boxes.items() if box.isChecked())
        return (
            str(self.conclusion_combo.currentData()),
            grounds,
            str(self.decision_combo.currentData()),
            self.reason_edit.toPlainText(),
        )


class DecisionDialog(GuardedDialog):
    """The decision taken, its date, its voorschriften (art. 3 lid 7 Wet Bibob) and its
    motivation (Awb 3:46). Sending is recorded later, once the besluit letter is final."""

    def __init__(self, view: WorkflowView, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Besluit vastleggen")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.decision_combo = QComboBox()
        for value in Decision:
            self.decision_combo.addItem(DECISION_LABELS[value], value.value)
        if view.decision:
            self.decision_combo.setCurrentIndex(self.decision_combo.findData(view.decision))
        self.decision_date = _date_edit(today, today)
        self.voorschriften_edit = QPlainTextEdit()
        self.voorschriften_edit.setObjectName("voorschriften")
        self.voorschriften_edit.setPlaceholderText(
            "Eén voorschrift per regel; een termijn na een |, bijv.\n"
            "Overleg jaarlijks de jaarrekening | binnen 6 maanden na afloop van het boekjaar"
        )
        self.voorschriften_edit.setFixedHeight(90)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setPlaceholderText("Verplicht (art. 3:46 Awb); komt in de besluitbrief.")
        self.reason_edit.setFixedHeight(70)
        form.addRow("Besluit", self.decision_combo)
        form.addRow("Besluitdatum", self.decision_date)
        form.addRow("Voorschriften", self.voorschriften_edit)
        form.addRow("Motivering", self.reason_edit)
        layout.addLayout(form)
        buttons = QDialogButtonBox()
        buttons.addButton("Vastleggen", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Annuleren", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.guard()

    @property
    def values(self) -> tuple[str, date, str, str]:
        return (
            str(self.decision_combo.currentData()),
            _pydate(self.decision_date.date()),
            self.voorschriften_edit.toPlainText(),
            self.reason_edit.toPlainText(),
        )


def _exec_dialog(dialog: QDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


# How each move is asked for: (dialog title, date label, explanation).
_STEP_TEXTS: dict[Phase, tuple[str, str]] = {
    Phase.TOEPASBAARHEID: ("Toepasbaarheid beoordelen", "Datum"),
    Phase.VRAGENFORMULIER: ("Vragenformulier versturen", "Datum verzending"),
    Phase.EIGEN_ONDERZOEK: ("Eigen onderzoek starten", "Datum"),
    Phase.LBB_ADVIES: ("LBB-advies aanvragen", "Datum adviesaanvraag"),
    Phase.CONCLUSIE: ("Naar conclusie", "Datum"),
    Phase.ZIENSWIJZE: ("Zienswijze vragen", "Datum uitnodiging"),
    Phase.BESLUIT: ("Naar besluit", "Datum"),
    Phase.GESLOTEN: ("Zaak sluiten", "Datum"),
    Phase.INGETROKKEN: ("Aanvraag ingetrokken", "Datum intrekking"),
}


class WorkflowPanel(QWidget):
    """The Procedure tab; ``case_changed(reference)`` after every saved step."""

    case_changed = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.service = WorkflowService(context)
        self.reference: str | None = None
        self.view: WorkflowView | None = None
        self.run_dialog: Callable[[QDialog], bool] = _exec_dialog
        self.step_buttons: dict[Phase, QPushButton] = {}

        layout = QVBoxLayout(self)
        header = QHBoxLayout()
        self.phase_label = QLabel()
        self.phase_label.setObjectName("workflowPhase")
        self.phase_label.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.tip_label = QLabel("Let op: er is een inkomende tip die bij deze zaak past.")
        self.tip_label.setStyleSheet("color: #8a5a00;")
        self.tip_label.hide()
        header.addWidget(self.phase_label)
        header.addStretch(1)
        header.addWidget(self.tip_label)
        layout.addLayout(header)

        steps_box = QGroupBox("Volgende stap")
        steps_outer = QVBoxLayout(steps_box)
        self.steps_layout = QHBoxLayout()
        self.steps_layout.addStretch(1)
        steps_outer.addLayout(self.steps_layout)
        # Wet Bibob art. 15 lid 2: the LBB may ask the applicant more; its term waits.
        lbb_row = QHBoxLayout()
        self.lbb_questions_button = QPushButton("LBB stelt aanvullende vragen…")
        self.lbb_questions_button.clicked.connect(self.record_lbb_questions)
        self.lbb_answers_button = QPushButton("Antwoorden aan LBB ontvangen…")
        self.lbb_answers_button.clicked.connect(self.record_lbb_answers)
        lbb_row.addWidget(self.lbb_questions_button)
        lbb_row.addWidget(self.lbb_answers_button)
        lbb_row.addStretch(1)
        steps_outer.addLayout(lbb_row)
        layout.addWidget(steps_box)

        decision_box = QGroupBox("Conclusie en besluit")
        decision_layout = QVBoxLayout(decision_box)
        self.conclusion_label = QLabel()
        self.conclusion_label.setWordWrap(True)
        decision_layout.addWidget(self.conclusion_label)
        decision_buttons = QHBoxLayout()
        self.conclusion_button = QPushButton("Conclusie vastleggen…")
        self.conclusion_button.clicked.connect(self.record_conclusion)
        self.decision_button = QPushButton("Besluit vastleggen…")
        self.decision_button.clicked.connect(self.record_decision)
        self.sent_button = QPushButton("Besluit verzonden…")
        self.sent_button.clicked.connect(self.record_sent)
        self.reopen_button = QPushButton("Zaak heropenen…")
        self.reopen_button.setToolTip("Teamleider: een besloten zaak heropenen, met een reden")
        self.reopen_button.clicked.connect(self.reopen)
        decision_buttons.addWidget(self.conclusion_button)
        decision_buttons.addWidget(self.decision_button)
        decision_buttons.addWidget(self.sent_button)
        decision_buttons.addWidget(self.reopen_button)
        decision_buttons.addStretch(1)
        decision_layout.addLayout(decision_buttons)
        layout.addWidget(decision_box)

        register_box = QGroupBox("Bibob-register")
        register_layout = QHBoxLayout(register_box)
        self.register_label = QLabel()
        self.register_label.setWordWrap(True)
        self.consult_button = QPushButton("Geraadpleegd…")
        self.consult_button.clicked.connect(self.record_register_consultation)
        self.report_button = QPushButton("Melding gedaan…")
        self.report_button.clicked.connect(self.record_register_report)
        register_layout.addWidget(self.register_label, 1)
        register_layout.addWidget(self.consult_button)
        register_layout.addWidget(self.report_button)
        layout.addWidget(register_box)

        period_box = QGroupBox("Beslistermijn")
        period_form = QFormLayout(period_box)
        self.original_label = QLabel()
        self.shifted_label = QLabel()
        self.suspended_label = QLabel()
        period_form.addRow("Oorspronkelijke beslisdatum:", self.original_label)
        period_form.addRow("Verschoven beslisdatum:", self.shifted_label)
        period_form.addRow("Dagen opgeschort:", self.suspended_label)
        layout.addWidget(period_box)

        layout.addWidget(QLabel("Lopende termijnen"))
        self.deadline_model = DeadlineTableModel(self)
        self.deadline_table = QTableView()
        self.deadline_table.setModel(self.deadline_model)
        self.deadline_table.verticalHeader().hide()
        self.deadline_table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.deadline_table.setWordWrap(True)
        header_view = self.deadline_table.horizontalHeader()
        header_view.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for column in range(3):
            header_view.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.deadline_table, 1)
        self.set_case(None)

    # --- loading ------------------------------------------------------------------------------

    def set_case(self, reference: str | None) -> None:
        self.reference = reference
        self.view = None
        if reference is not None:
            try:
                self.view = self.service.get(reference)
            except BibobError as exc:
                self.phase_label.setText(str(exc))
        self._show()

    def _show(self) -> None:
        view = self.view
        self.setEnabled(view is not None)
        for button in self.step_buttons.values():
            self.steps_layout.removeWidget(button)
            button.deleteLater()
        self.step_buttons = {}
        if view is None:
            if self.reference is None:
                self.phase_label.setText("Geen zaak gekozen")
            self.tip_label.hide()
            self.conclusion_label.setText("")
            for label in (self.original_label, self.shifted_label, self.suspended_label):
                label.setText("")
            self.deadline_model.set_rows(())
            self.lbb_questions_button.hide()
            self.lbb_answers_button.hide()
            self.register_label.setText("")
            return
        self.phase_label.setText(f"Fase: {view.phase_label}")
        self.tip_label.setVisible(view.tip_flag)
        for position, option in enumerate(view.options):
            button = self._step_button(option)
            self.steps_layout.insertWidget(position, button)
            self.step_buttons[option.target] = button
        self.conclusion_label.setText(self._conclusion_text(view))
        phase = Phase(view.phase)
        in_conclusion = phase in (Phase.CONCLUSIE, Phase.ZIENSWIJZE)
        self.conclusion_button.setEnabled(in_conclusion)
        self.conclusion_button.setToolTip(
            "" if in_conclusion else "De conclusie wordt vastgelegd in de fase conclusie."
        )
        in_decision = phase is Phase.BESLUIT
        decided = view.decision_date is not None
        self.decision_button.setEnabled(in_decision and not decided)
        self.sent_button.setEnabled(decided and view.decision_sent_date is None)
        self.reopen_button.setVisible(decided)
        self.decision_button.setToolTip(
            "" if in_decision else "Het besluit wordt vastgelegd in de fase besluit."
        )
        in_lbb = phase is Phase.LBB_ADVIES
        questions_open = any(
            x.reason == "lbb_aanvullende_vragen" and x.end is None for x in view.suspensions
        )
        self.lbb_questions_button.setVisible(in_lbb)
        self.lbb_answers_button.setVisible(in_lbb)
        self.lbb_questions_button.setEnabled(in_lbb and not questions_open)
        self.lbb_answers_button.setEnabled(in_lbb and questions_open)
        self.register_label.setText(self._register_text(view))
        report_due = any(d.kind == "register_melding" for d in view.deadlines)
        self.report_button.setEnabled(report_due)
        self.report_button.setToolTip(
            "Meld de gevaarsconclusie of de terugtrekking aan het Bibob-register."
            if report_due
            else "Alleen een gevaarsconclusie of een terugtrekking wordt gemeld."
        )
        self.original_label.setText(format_date_nl(view.original_decision_date))
        self.shifted_label.setText(format_date_nl(view.shifted_decision_date))
        self.suspended_label.setText(str(view.suspended_days))
        self.deadline_model.set_rows(view.deadlines)
        self.deadline_table.resizeRowsToContents()

    @staticmethod
    def _conclusion_text(view: WorkflowView) -> str:
        if not view.conclusion:
            return "Nog geen conclusie vastgelegd."
        grounds = ", ".join(f"{g}-grond" for g in view.conclusion_grounds)
        text = f"Conclusie: {view.conclusion_label}" + (f" ({grounds})" if grounds else "")
        if view.decision_date:
            text += (
                f". Besluit: {view.decision_label.lower()} op {format_date_nl(view.decision_date)}"
            )
            if view.decision_sent_date:
                text += f", verzonden op {format_date_nl(view.decision_sent_date)}"
        elif view.decision:
            text += f". Voorgenomen besluit: {view.decision_label.lower()}"
        return text + "."

    @staticmethod
    def _register_text(view: WorkflowView) -> str:
        parts = []
        if view.register_consulted_on:
            parts.append(
                f"Geraadpleegd op {format_date_nl(view.register_consulted_on)}: "
                f"{view.register_result}"
            )
        else:
            parts.append("Nog niet geraadpleegd.")
        if view.register_reported_on:
            parts.append(f"Gemeld op {format_date_nl(view.register_reported_on)}.")
        elif any(d.kind == "register_melding" for d in view.deadlines):
            parts.append("Nog te melden.")
        return " ".join(parts)

    def _step_button(self, option: TransitionCheck) -> QPushButton:
        label = option.label
        if option.target is Phase.CONCLUSIE and self.view and self.view.phase == "lbb_advies":
            label = "Advies ontvangen"
        button = QPushButton(label)
        button.setObjectName(f"step_{option.target.value}")
        button.setEnabled(option.allowed)
        button.setToolTip(option.reason)
        button.clicked.connect(lambda _=False, target=option.target: self.take_step(target))
        return button

    # --- actions ------------------------------------------------------------------------------

    def take_step(self, target: Phase) -> None:
        if self.reference is None or self.view is None:
            return
        option = next((o for o in self.view.options if o.target is target), None)
        if option is None or not option.allowed:
            return
        title, date_label = _STEP_TEXTS[target]
        if target is Phase.CONCLUSIE and self.view.phase == "lbb_advies":
            title, date_label = "Advies ontvangen", "Datum ontvangst advies"
        dialog = StepDialog(title, option.reason, date_label, self.service.today, self)
        reference = self._ref()
        self._run_checked(
            dialog,
            lambda: self.service.move(reference, target, on=dialog.chosen_date, note=dialog.note),
        )

    def record_register_consultation(self) -> None:
        if self.reference is None:
            return
        dialog = StepDialog(
            "Bibob-register geraadpleegd",
            "Leg vast wanneer het register is geraadpleegd en wat de uitkomst was (in de notitie, "
            "bijvoorbeeld 'geen registratie').",
            "Datum raadpleging",
            self.service.today,
            self,
        )
        reference = self._ref()
        self._run_checked(
            dialog,
            lambda: self.service.record_register_consultation(
                reference, dialog.chosen_date, dialog.note
            ),
        )

    def record_register_report(self) -> None:
        if self.reference is None:
            return
        dialog = StepDialog(
            "Melding aan het Bibob-register",
            "Leg vast wanneer de gevaarsconclusie of de terugtrekking is gemeld.",
            "Datum melding",
            self.service.today,
            self,
        )
        reference = self._ref()
        self._run_checked(
            dialog, lambda: self.service.record_register_report(reference, dialog.chosen_date)
        )

    def record_lbb_questions(self) -> None:
        if self.reference is None:
            return
        dialog = StepDialog(
            "Aanvullende vragen van het LBB",
            "De adviestermijn van het LBB en de beslistermijn wachten tot de antwoorden er zijn "
            "(Wet Bibob art. 15 lid 2).",
            "Datum van de vragen",
            self.service.today,
            self,
        )
        reference = self._ref()
        self._run_checked(
            dialog,
            lambda: self.service.record_lbb_questions(reference, dialog.chosen_date, dialog.note),
        )

    def record_lbb_answers(self) -> None:
        if self.reference is None:
            return
        dialog = StepDialog(
            "Antwoorden aan het LBB",
            "De wachttijd eindigt; de uiterste opschorting schuift even lang op.",
            "Datum ontvangst antwoorden",
            self.service.today,
            self,
        )
        reference = self._ref()
        self._run_checked(
            dialog,
            lambda: self.service.record_lbb_answers(reference, dialog.chosen_date, dialog.note),
        )

    def record_conclusion(self) -> None:
        if self.reference is None or self.view is None:
            return
        dialog = ConclusionDialog(self.view, self)
        reference = self._ref()

        def submit() -> WorkflowView:
            # Checked and saved before the dialog closes: a refusal keeps what was typed.
            conclusion, grounds, decision, reason = dialog.values
            return self.service.record_conclusion(reference, conclusion, grounds, decision, reason)

        self._run_checked(dialog, submit)

    def record_decision(self) -> None:
        if self.reference is None or self.view is None:
            return
        dialog = DecisionDialog(self.view, self.service.today, self)
        reference = self._ref()

        def submit() -> WorkflowView:
            decision, decided, voorschriften, reason = dialog.values
            return self.service.record_decision(
                reference, decision, decided, None, reason, voorschriften
            )

        self._run_checked(dialog, submit)

    def record_sent(self) -> None:
        """Only an approved, final besluit letter can be sent; the bezwaar term starts then."""
        if self.reference is None:
            return
        dialog = StepDialog(
            "Besluit verzonden",
            "De bezwaartermijn van zes weken loopt vanaf de dag na verzending (artikelen 6:7 "
            "en 6:8 Awb). Alleen een definitieve, goedgekeurde besluitbrief kan zijn verzonden.",
            "Datum verzending",
            self.service.today,
            self,
        )
        if not self.run_dialog(dialog):
            return
        self._save(lambda: self.service.record_sent(self._ref(), dialog.chosen_date))

    def reopen(self) -> None:
        """A team lead reopens a decided case, with a reason (logged, on the timeline)."""
        if self.reference is None:
            return
        dialog = StepDialog(
            "Zaak heropenen",
            "Het besluit blijft in het dossier; daarna kunnen de gegevens weer worden gewijzigd. "
            "Geef de reden in de notitie (verplicht).",
            "Datum",
            self.service.today,
            self,
        )
        if not self.run_dialog(dialog):
            return
        self._save(lambda: self.service.reopen(self._ref(), dialog.note))

    def _ref(self) -> str:
        assert self.reference is not None
        return self.reference

    def _run_checked(self, dialog: GuardedDialog, submit: Callable[[], WorkflowView]) -> None:
        """Run a dialog whose "Vastleggen" saves through the service before it closes: a refusal
        is shown in the dialog, with everything typed still there."""
        dialog.submit = submit
        if not self.run_dialog(dialog):
            return
        if dialog.outcome is None:  # closed without "Vastleggen" (a test driving the dialog)
            self._save(submit)
            return
        self._saved(dialog.outcome)

    def _save(self, action: Callable[[], WorkflowView]) -> None:
        try:
            view = action()
        except BibobError as exc:
            errors.show_error(self, exc)
            if isinstance(exc, ConflictError):  # someone else moved the case: show theirs
                self.set_case(self._ref())
            return
        self._saved(view)

    def _saved(self, view: WorkflowView) -> None:
        self.view = view
        self._show()
        self.case_changed.emit(self._ref())
