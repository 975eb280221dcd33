"""Fixtures of the in-process room tests live in tests/conftest.py (make_room, room, queued_room)."""
