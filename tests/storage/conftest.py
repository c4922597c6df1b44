"""The real-role fixtures of test_pg_security.py, shared with test_pg_audit.py."""

from tests.storage.test_pg_security import files, roles, team  # noqa: F401
