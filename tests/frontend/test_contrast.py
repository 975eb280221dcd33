"""WCAG AA contrast (4.5:1 for text) for the colour pairs the pages and the room use.

The pairs are read from the stylesheets by their rule, so a colour changed there is
checked here; a pair added to the CSS needs a line below."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "frontend" / "static" / "css"
VARIABLES = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", (CSS / "app.css").read_text()))


def colour(value: str) -> str:
    value = value.strip()
    return VARIABLES[value[6:-1]] if value.startswith("var(--") else value


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ratio(a: str, b: str) -> float:
    high, low = sorted((luminance(colour(a)), luminance(colour(b))), reverse=True)
    return (high + 0.05) / (low + 0.05)


PAIRS = [  # (text, background, where)
    ("var(--ink)", "var(--paper)", "body text"),
    ("var(--ink-soft)", "var(--paper)", "muted text"),
    ("var(--ink-soft)", "var(--card)", "muted text on cards"),
    ("var(--accent)", "var(--card)", "links and secondary buttons"),
    ("var(--accent-ink)", "var(--accent)", "primary buttons"),
    ("#ffffff", "var(--danger)", "danger buttons"),
    ("var(--danger)", "var(--danger-soft)", "errors and moderation notices"),
    ("var(--ok)", "var(--ok-soft)", "connected"),
    ("#6b4a00", "#fff4d6", "offline, muted badge, notices"),
    ("#2b3440", "#eef0f4", "community badges"),
    ("var(--accent)", "var(--accent-soft)", "facilitator badges, pressed reactions"),
    ("var(--ink)", "#f2f6f6", "one's own statements"),
    ("#333333", "#ececec", "neutral badges"),
]


@pytest.mark.parametrize(("text", "background", "where"), PAIRS, ids=[p[2] for p in PAIRS])
def test_text_meets_wcag_aa(text, background, where):
    assert ratio(text, background) >= 4.5, f"{where}: {ratio(text, background):.2f}:1"


def test_the_room_uses_only_checked_colours():
    room = (CSS / "room.css").read_text()
    checked = {colour(c).lower() for pair in PAIRS for c in pair[:2]}
    used = {c.lower() for c in re.findall(r"(?<![\w-])color:\s*(#[0-9a-fA-F]{6})", room)}
    assert used <= checked, sorted(used - checked)
