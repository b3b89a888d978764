"""The system of record: engine and sessions, tables, bulk load, read-back and the audit log."""
