"""Charts of the dashboard as SVG drawn on the server: no script, a title and a description
for screen readers (the page also has a table with the same numbers), a viewBox so that a
chart scales to a phone's width, and one neutral colour for every community alike: bars and
points differ by their labels, never by a colour that could read as taking a side."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 320
INK = "#1d1d1f"  # words
MARK = "#4f5b66"  # every community's bars and points: one slate grey
RULE = "#c8ccd0"  # axes and guides
LABEL_CHARS = 44  # longer labels are cut in the chart (the table beside it has them whole)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as people read it ("12 · 40 %")


@dataclass(frozen=True)
class Shift:
    """One community's before and after means, and the interval of the change."""

    label: str
    before: float
    after: float
    low: float | None  # the change's interval, as a change (after − before)
    high: float | None
    text: str


def _cut(label: str, chars: int = LABEL_CHARS) -> str:
    return label if len(label) <= chars else label[: chars - 1].rstrip() + "…"


def _lines(words: str, size: int, most: int = 3) -> list[str]:
    """Words wrapped to the chart's width (about half an em a letter), at most `most` lines."""
    chars = int(WIDTH / (size * 0.56))
    lines: list[str] = []
    for word in words.split():
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > most:
        lines = [*lines[: most - 1], _cut(" ".join(lines[most - 1 :]), chars)]
    return [_cut(line, chars) for line in lines]


def _paragraph(x: float, y: float, words: str, size: int) -> tuple[list[str], float]:
    """Wrapped lines from baseline `y`; returns them and the height they take."""
    lines = _lines(words, size)
    step = size * 1.3
    return [_text(x, y + n * step, line, size=size) for n, line in enumerate(lines)], len(lines) * step


def _text(x: float, y: float, words: str, *, size: int = 13, anchor: str = "start", weight: str = "") -> str:
    bold = ' font-weight="600"' if weight else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{INK}" text-anchor="{anchor}"{bold}>'
        f"{escape(words)}</text>"
    )


def _frame(chart_id: str, title: str, description: str, height: float, body: list[str]) -> Markup:
    ident = re.sub(r"[^A-Za-z0-9_-]", "-", chart_id)  # an id for aria-labelledby: one token
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="system-ui, sans-serif" class="chart-svg">'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(description)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def bar_chart(
    *, chart_id: str, title: str, bars: Sequence[Bar], maximum: float | None = None, note: str = ""
) -> Markup | None:
    """Horizontal bars, each under its label with its value at its end; None when there is
    nothing to draw (the page then says "Too few answers to show"). `note` says which groups
    were left out."""
    if not bars:
        return None
    top = max(maximum or 0.0, *(b.value for b in bars)) or 1.0
    span = WIDTH - 90
    body: list[str] = []
    y = 4.0
    for bar in bars:
        length = max(bar.value / top * span, 1.5 if bar.value > 0 else 0.0)
        body.append(_text(0, y + 13, _cut(bar.label)))
        body.append(f'<rect x="0" y="{y + 19:.1f}" width="{length:.1f}" height="16" fill="{MARK}" rx="2"/>')
        body.append(_text(length + 6, y + 32, bar.text, size=12))
        y += 44
    if note:
        lines, height = _paragraph(0, y + 12, note, 11)
        body += lines
        y += height + 4
    description = "; ".join(f"{b.label}: {b.text}" for b in bars) + (f". {note}" if note else "")
    return _frame(chart_id, title, description, y + 4, body)


def change_chart(
    *,
    chart_id: str,
    title: str,
    rows: Sequence[Shift],
    scale: tuple[float, float],
    before_label: str,
    after_label: str,
    note: str = "",
) -> Markup | None:
    """Per community, the mean before (an open circle) and after (a filled one) on the item's
    scale, with the whisker of the change's interval around the after mean."""
    if not rows:
        return None
    low_end, high_end = scale
    left, right = 12.0, WIDTH - 12.0

    def x(value: float) -> float:
        value = min(max(value, low_end), high_end)
        return left + (value - low_end) / ((high_end - low_end) or 1) * (right - left)

    body = [
        f'<circle cx="{left + 5:.1f}" cy="10" r="5" fill="none" stroke="{MARK}" stroke-width="2"/>',
        _text(left + 14, 14, before_label, size=12),
        f'<circle cx="{left + 115:.1f}" cy="10" r="5" fill="{MARK}"/>',
        _text(left + 124, 14, after_label, size=12),
    ]
    y = 28.0
    for row in rows:
        line = y + 26
        body.append(_text(0, y + 12, _cut(row.label)))
        body.append(f'<line x1="{left}" y1="{line}" x2="{right}" y2="{line}" stroke="{RULE}" stroke-width="1"/>')
        if row.low is not None and row.high is not None:
            a, b = x(row.before + row.low), x(row.before + row.high)
            body.append(f'<line x1="{a:.1f}" y1="{line}" x2="{b:.1f}" y2="{line}" stroke="{MARK}" stroke-width="2"/>')
            for end in (a, b):
                body.append(
                    f'<line x1="{end:.1f}" y1="{line - 6}" x2="{end:.1f}" y2="{line + 6}" '
                    f'stroke="{MARK}" stroke-width="2"/>'
                )
        body.append(
            f'<line x1="{x(row.before):.1f}" y1="{line}" x2="{x(row.after):.1f}" y2="{line}" '
            f'stroke="{MARK}" stroke-width="1" stroke-dasharray="3 2"/>'
        )
        body.append(
            f'<circle cx="{x(row.before):.1f}" cy="{line}" r="5" fill="#ffffff" stroke="{MARK}" stroke-width="2"/>'
        )
        body.append(f'<circle cx="{x(row.after):.1f}" cy="{line}" r="5" fill="{MARK}"/>')
        lines, height = _paragraph(0, line + 20, row.text, 11)
        body += lines
        y += 44 + height
    body.append(f'<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="{RULE}" stroke-width="1"/>')
    for value, anchor in ((low_end, "start"), ((low_end + high_end) / 2, "middle"), (high_end, "end")):
        shown = f"{value:g}"
        body.append(f'<line x1="{x(value):.1f}" y1="{y}" x2="{x(value):.1f}" y2="{y + 4}" stroke="{RULE}"/>')
        body.append(_text(x(value), y + 16, shown, size=11, anchor=anchor))
    y += 22
    if note:
        lines, height = _paragraph(0, y + 12, note, 11)
        body += lines
        y += height + 4
    description = "; ".join(f"{r.label}: {r.text}" for r in rows) + (f". {note}" if note else "")
    return _frame(chart_id, title, description, y + 4, body)
