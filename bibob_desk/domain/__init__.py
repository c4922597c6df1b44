"""Pure domain layer: no Qt, no SQLAlchemy. Rules a lawyer can read."""
