"""Outcomes for organisers: before-and-after surveys, and the aggregates a programme shows."""
