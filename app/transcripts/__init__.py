"""Anonymised transcripts: build, redact, review, release, export, retention."""
