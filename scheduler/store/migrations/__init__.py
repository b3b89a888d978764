"""Alembic migrations of the scheduler's database (run through ``scheduler.store.schema``)."""
