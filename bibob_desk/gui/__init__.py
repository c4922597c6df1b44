"""The Qt GUI: widgets, Qt models and dialogs. No business rule lives here."""
