"""The room event log: ordered per session, appended inside the caller's transaction,
published only after that transaction commits."""
