"""Cells for spreadsheets: text that a spreadsheet opening a CSV file never runs as a formula."""

from __future__ import annotations

# What makes a spreadsheet read a cell as a formula: = + - @, a tab or line break before
# one, and their full-width forms (some spreadsheet programs fold those too).
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def safe_cell(text: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: never from what people typed.
    A leading apostrophe makes such a cell text (also after leading spaces)."""
    if text[:1] in FORMULA_STARTS or text.lstrip()[:1] in FORMULA_STARTS:
        return "'" + text
    return text
