"""The Qt GUI: widgets, Qt models and dialogs. No business rule lives here."""

# The service layer (SQLAlchemy and the modules the start needs) is imported before PySide6:
# PySide6's feature hook (shibokensupport.feature) reads the source of every module imported
# after PySide6 to look for "PySide6", which cost ~0.15 s of each start for SQLAlchemy alone.
import bibob_desk.services.access
import bibob_desk.services.cases
import bibob_desk.services.overview
import bibob_desk.services.report  # noqa: F401
