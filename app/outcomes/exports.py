"""The dashboard document (dashboard.py) as people read it, in one language: each figure a
titled table with the same numbers as its chart, for the page, the standalone printable
document and the CSV file. Everything here is made from the document alone, which holds
aggregates only, so none of the outputs can hold more than it does."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from babel.numbers import format_decimal, format_percent
from markupsafe import Markup

from app.messages import Catalog, Msg
from app.outcomes.charts import Bar, Shift, bar_chart, change_chart
from app.outcomes.schemas import COMMUNITY_PLACEHOLDER
from app.programmes.texts import pick
from app.security.headers import standalone_policies
from app.security.spreadsheet import safe_cell

TOO_FEW = Msg("Too few answers to show")
_LOCALES = {"en": "en_GB"}  # English the British way, as the pages' dates


@dataclass
class Figure:
    """One table of the dashboard, and its chart where it has one (`svg` None with `chart`
    set: every group was too small to draw)."""

    key: str
    title: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    chart: bool = False
    svg: Markup | None = None
    too_few: bool = False
    hidden: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class Reading:
    scope: str
    session_id: int | None
    min_group: int
    as_of: str | None
    # Sessions whose statements and answers were purged (programme scope): their balance is
    # not in the programme's.
    purged_sessions: int
    sessions: list[dict[str, Any]]
    held: Figure
    attendance: Figure
    balance: list[Figure]
    parts: list[Figure]
    polls: list[Figure]
    changes: list[Figure]
    choices: list[Figure]
    texts: list[Figure]

    def figures(self) -> list[Figure]:
        return [
            self.held,
            self.attendance,
            *self.balance,
            *self.parts,
            *self.polls,
            *self.changes,
            *self.choices,
            *self.texts,
        ]


class _Reader:
    def __init__(self, document: dict[str, Any], language: str, languages: Sequence[str], catalog: Catalog) -> None:
        self.document = document
        self.language = language
        self.languages = list(languages)
        self.catalog = catalog
        self.locale = _LOCALES.get(language, language)
        self.minimum = int(document["min_group"])
        self.labels = {c["key"]: self._label(c) for c in document["communities"]}
        self.too_few = self.t(TOO_FEW)

    def t(self, message: Msg) -> str:
        return message.localized(self.catalog)

    def _label(self, community: dict[str, Any]) -> str:
        labels = community.get("labels") or {}
        return labels.get(self.language) or labels.get("en") or next(iter(labels.values()), "") or community["key"]

    def text(self, texts: Any) -> str:
        return pick(texts, self.language, self.languages).text

    def item_text(self, item: dict[str, Any]) -> str:
        words = self.text(item["text"])
        towards = item.get("towards")
        return words.replace(COMMUNITY_PLACEHOLDER, self.labels.get(towards, towards)) if towards else words

    def number(self, value: float, digits: int = 1) -> str:
        return format_decimal(value, format="#,##0." + "#" * digits, locale=self.locale)

    def signed(self, value: float) -> str:
        return format_decimal(value, format="+#,##0.0;-#,##0.0", locale=self.locale)

    def share(self, value: float) -> str:
        return format_percent(value, format="#,##0%", locale=self.locale)

    def date(self, iso: str, zone: str = "UTC") -> str:
        moment = datetime.fromisoformat(iso).astimezone(ZoneInfo(zone))
        return format_skeleton("yMMMd", moment, locale=self.locale)

    def hidden_note(self, hidden: list[str]) -> str:
        if not hidden:
            return ""
        return self.t(Msg("Not shown, fewer than {n} people: {groups}.", n=self.minimum, groups=", ".join(hidden)))

    def chart_id(self, key: str) -> str:
        scope = self.document.get("session_id") or "p"
        return f"chart-{scope}-{key}"


def _count(groups: list[dict[str, Any]], key: str) -> int:
    return int(next(g for g in groups if g["community"] == key)["n"])


def _held(r: _Reader) -> Figure:
    keys = list(r.labels)
    rows = []
    for s in r.document["sessions"]:
        attendance = s["attendance"]
        cells = [str(_count(attendance["groups"], k)) if _shown(attendance, k) else r.too_few for k in keys]
        total = attendance["total"]
        rows.append(
            [
                r.text(s["title"]),
                r.date(s["starts_at"], s["time_zone"]),
                *cells,
                str(total) if total is not None else "—",
            ]
        )
    columns = [r.t(Msg("Session")), r.t(Msg("Date")), *r.labels.values(), r.t(Msg("All communities"))]
    return Figure("sessions", r.t(Msg("Sessions held")), columns, rows)


def _shown(part: dict[str, Any], key: str) -> bool:
    return any(g["community"] == key and g["shown"] for g in part["groups"])


def _attendance(r: _Reader) -> Figure:
    part = r.document["attendance"]
    title = r.t(Msg("Participants admitted, per community"))
    figure = Figure("attendance", title, [r.t(Msg("Community")), r.t(Msg("Participants"))], chart=True)
    bars = []
    for group in part["groups"]:
        label = r.labels[group["community"]]
        if group["shown"]:
            figure.rows.append([label, str(group["n"])])
            bars.append(Bar(label, group["n"], str(group["n"])))
        else:
            figure.rows.append([label, r.too_few])
            figure.hidden.append(label)
    if part["total"] is not None:
        figure.rows.append([r.t(Msg("All communities")), str(part["total"])])
    figure.note = r.hidden_note(figure.hidden)
    figure.svg = bar_chart(chart_id=r.chart_id("attendance"), title=title, bars=bars, note=figure.note)
    return figure


def _balance_figures(r: _Reader, part: dict[str, Any], key: str, title: str | None = None) -> list[Figure]:
    """Turns and words per community; with `title`, one table for an agenda item or a session."""
    figures = []
    kinds = (
        ("turns", "turn_share", Msg("Turns"), Msg("Share of turns")),
        ("words", "word_share", Msg("Words"), Msg("Share of words")),
    )
    if title is not None:
        columns = [r.t(Msg("Community")), *(r.t(m) for kind in kinds for m in kind[2:])]
        figure = Figure(key, title, columns)
        for group in part["groups"]:
            label = r.labels[group["community"]]
            if not group["shown"]:
                figure.rows.append([label, r.too_few, "", "", ""])
                figure.hidden.append(label)
                continue
            cells = [label]
            for count, share, _a, _b in kinds:
                cells += [str(group[count]), r.share(group[share]) if part["shares"] else "—"]
            figure.rows.append(cells)
        figure.note = r.hidden_note(figure.hidden)
        return [figure]
    for count, share, count_label, share_label in kinds:
        chart_title = r.t(share_label) if part["shares"] else r.t(count_label)
        figure = Figure(f"{key}-{count}", chart_title, [r.t(Msg("Community")), r.t(count_label), r.t(share_label)])
        figure.chart = True
        bars = []
        for group in part["groups"]:
            label = r.labels[group["community"]]
            if not group["shown"]:
                figure.rows.append([label, r.too_few, ""])
                figure.hidden.append(label)
                continue
            shared = r.share(group[share]) if part["shares"] else "—"
            figure.rows.append([label, str(group[count]), shared])
            if part["shares"]:
                bars.append(Bar(label, group[share], f"{group[count]} · {shared}"))
            else:
                bars.append(Bar(label, group[count], str(group[count])))
        if part[count] is not None:
            figure.rows.append([r.t(Msg("All communities")), str(part[count]), r.share(1) if part[count] else "—"])
        notes = [r.hidden_note(figure.hidden)]
        if not part["shares"]:
            notes.append(r.t(Msg("Shares are shown only when every community is shown.")))
        figure.note = " ".join(n for n in notes if n)
        figure.svg = bar_chart(chart_id=r.chart_id(figure.key), title=chart_title, bars=bars, note=notes[0])
        figures.append(figure)
    return figures


def _polls(r: _Reader) -> list[Figure]:
    titles = {s["id"]: r.text(s["title"]) for s in r.document["sessions"]}
    figures = []
    for index, poll in enumerate(r.document["polls"]):
        title = r.t(Msg("Poll: {question}", question=r.text(poll["question"])))
        figure = Figure(f"poll-{index}", title, [r.t(Msg("Option")), r.t(Msg("Votes"))], chart=True)
        notes = [titles.get(poll["session_id"], "")] if r.document["scope"] == "programme" else []
        if not poll["shown"]:
            figure.too_few = True
            figure.note = " · ".join(notes)
            figures.append(figure)
            continue
        bars = []
        for option, count in zip(poll["options"], poll["counts"], strict=True):
            figure.rows.append([r.text(option), str(count)])
            bars.append(Bar(r.text(option), count, str(count)))
        notes.append(r.t(Msg("{n} people voted.", n=poll["voters"])))
        if poll["multiple"]:
            notes.append(r.t(Msg("Each could choose more than one option.")))
        figure.note = " · ".join(n for n in notes if n)
        figure.svg = bar_chart(chart_id=r.chart_id(figure.key), title=title, bars=bars)
        figures.append(figure)
    return figures


def _changes(r: _Reader) -> list[Figure]:
    figures = []
    before, after = r.t(Msg("Before")), r.t(Msg("After"))
    for item in r.document["survey"]["changes"]:
        title = r.item_text(item)
        columns = [
            r.t(Msg("Community")),
            r.t(Msg("People")),
            before,
            after,
            r.t(Msg("Change")),
            r.t(Msg("95 % interval")),
        ]
        figure = Figure(f"change-{item['key']}", title, columns, chart=True)
        rows = []
        for group in item["groups"]:
            label = r.labels[group["community"]]
            if not group["shown"]:
                figure.rows.append([label, r.too_few, "", "", "", ""])
                figure.hidden.append(label)
                continue
            interval = (
                r.t(Msg("{low} to {high}", low=r.signed(group["low"]), high=r.signed(group["high"])))
                if group["low"] is not None and group["high"] is not None
                else "—"
            )
            cells = [label, str(group["n"]), r.number(group["before"]), r.number(group["after"])]
            figure.rows.append([*cells, r.signed(group["change"]), interval])
            words = r.t(
                Msg(
                    "{before} → {after}, change {change} (95 %: {interval}), {n} people",
                    before=r.number(group["before"]),
                    after=r.number(group["after"]),
                    change=r.signed(group["change"]),
                    interval=interval,
                    n=group["n"],
                )
            )
            rows.append(Shift(label, group["before"], group["after"], group["low"], group["high"], words))
        low, high = item["scale"]
        figure.note = " ".join(
            n for n in (r.t(Msg("Scale {low} to {high}.", low=low, high=high)), r.hidden_note(figure.hidden)) if n
        )
        figure.svg = change_chart(
            chart_id=r.chart_id(figure.key),
            title=title,
            rows=rows,
            scale=(low, high),
            before_label=before,
            after_label=after,
            note=r.hidden_note(figure.hidden),
        )
        figures.append(figure)
    return figures


def _phase(r: _Reader, phase: str) -> str:
    return r.t(Msg("before the session")) if phase == "pre" else r.t(Msg("after the session"))


def _choices(r: _Reader) -> list[Figure]:
    figures = []
    for item in r.document["survey"]["choices"]:
        title = f"{r.item_text(item)} ({_phase(r, item['phase'])})"
        groups = item["groups"]
        figure = Figure(
            f"choice-{item['phase']}-{item['key']}",
            title,
            [r.t(Msg("Option")), *(r.labels[g["community"]] for g in groups)],
        )
        figure.hidden = [r.labels[g["community"]] for g in groups if not g["shown"]]
        if len(figure.hidden) == len(groups):
            figure.too_few = True
            figures.append(figure)
            continue
        for index, option in enumerate(item["options"]):
            figure.rows.append(
                [r.text(option["text"]), *(str(g["counts"][index]) if g["shown"] else r.too_few for g in groups)]
            )
        figure.rows.append([r.t(Msg("People")), *(str(g["n"]) if g["shown"] else r.too_few for g in groups)])
        figure.note = r.hidden_note(figure.hidden)
        figures.append(figure)
    return figures


def _texts(r: _Reader) -> list[Figure]:
    figures = []
    for item in r.document["survey"]["texts"]:
        title = f"{r.item_text(item)} ({_phase(r, item['phase'])})"
        figure = Figure(f"texts-{item['phase']}-{item['key']}", title, ["#", r.t(Msg("Answer"))])
        if not item["shown"]:
            figure.too_few = True
        else:
            figure.rows = [[str(n), text] for n, text in enumerate(item["answers"], start=1)]
            figure.note = r.t(Msg("Reviewed by the facilitators; in no particular order, without communities."))
        figures.append(figure)
    return figures


def read(document: dict[str, Any], *, language: str, languages: Sequence[str], catalog: Catalog) -> Reading:
    """The document in `language`: community labels, sessions' and items' texts, the app's
    own words from `catalog`, numbers and dates the language's way (Babel's CLDR data)."""
    r = _Reader(document, language, languages, catalog)
    as_of = document["survey"].get("as_of")
    balance = document["balance"]
    prefix = "item" if document["scope"] == "session" else "session"
    parts = [
        figure
        for index, part in enumerate(balance["parts"])
        for figure in _balance_figures(
            r, part, f"{prefix}-{index}", r.t(Msg("Participation: {part}", part=r.text(part["title"])))
        )
    ]
    return Reading(
        scope=document["scope"],
        session_id=document.get("session_id"),
        min_group=r.minimum,
        as_of=r.date(as_of) if as_of else None,
        purged_sessions=int(document.get("purged_sessions") or 0),
        sessions=[
            {
                "id": s["id"],
                "title": pick(s["title"], language, languages),
                "date": r.date(s["starts_at"], s["time_zone"]),
                "status": s["status"],
            }
            for s in document["sessions"]
        ],
        held=_held(r),
        attendance=_attendance(r),
        balance=_balance_figures(r, balance["overall"], "balance"),
        parts=parts,
        polls=_polls(r),
        changes=_changes(r),
        choices=_choices(r),
        texts=_texts(r),
    )


# CSV ------------------------------------------------------------------------------------

# Spreadsheet programs read a CSV file as UTF-8 only when it starts with a byte-order mark.
BOM = "\ufeff"


def to_csv(reading: Reading, catalog: Catalog) -> str:
    """Every table of the dashboard in one file, one cell a row: the table it belongs to, its
    row and column, its value. Aggregates only, as on the page; no cell a spreadsheet runs."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    header = [Msg("Table"), Msg("Row"), Msg("Column"), Msg("Value")]
    writer.writerow([safe_cell(m.localized(catalog)) for m in header])
    for figure in reading.figures():
        if figure.too_few or (figure.chart and not figure.rows):
            writer.writerow([safe_cell(figure.title), "", "", safe_cell(TOO_FEW.localized(catalog))])
            continue
        for row in figure.rows:
            for column, value in zip(figure.columns[1:], row[1:], strict=False):
                if value:
                    writer.writerow([safe_cell(figure.title), safe_cell(row[0]), safe_cell(column), safe_cell(value)])
    return out.getvalue()


# The standalone printable document ------------------------------------------------------

# Its only style, inline, so that the file reads the same wherever it is opened: no link to
# the app's stylesheet, no font to fetch. The font list covers Armenian and Cyrillic.
STYLE = """
:root { color-scheme: light; }
body { margin: 0 auto; max-width: 46rem; padding: 2rem 1.25rem; color: #1d1d1f; background: #fff;
  font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans Armenian", "DejaVu Sans",
  Arial, sans-serif; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .4rem; }
.muted, .note { color: #555; }
.note { font-size: .9rem; }
.figure { break-inside: avoid; margin: 0 0 1.25rem; }
.chart-svg { width: 100%; max-width: 34rem; height: auto; display: block; margin: .4rem 0; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; font-size: .9rem; }
th, td { text-align: left; padding: .25rem .4rem; border-bottom: 1px solid #ddd; vertical-align: top; }
td { overflow-wrap: break-word; }
.table-scroll { overflow-x: auto; }
.too-few { font-style: italic; color: #555; }
ol.texts { padding-left: 1.5rem; }
ol.texts li { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0 0 .4rem; }
@media print { body { max-width: none; padding: 0; } h2, h3 { break-after: avoid; } }
"""

# What the document may load or run: its own inline style and nothing else.
DOCUMENT_POLICY, CONTENT_SECURITY_POLICY = standalone_policies(STYLE)
