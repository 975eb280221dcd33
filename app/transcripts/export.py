"""A released transcript in the formats organisers take away: Markdown, JSON, CSV and a
standalone HTML document. Every format is made from the released document alone, which
holds only pseudonyms and redacted text, so none can carry more than the document does;
none holds anything of the person who downloads it either (no name, token or link back)."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from datetime import UTC, datetime
from typing import Any

FORMATS = {
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


def clock(seconds: int) -> str:
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def community_label(document: dict[str, Any], key: str | None, lang: str = "en") -> str:
    for community in document.get("communities", []):
        if community["key"] == key:
            return community["labels"].get(lang) or community["labels"].get("en") or key or ""
    return key or ""


def _speaker(document: dict[str, Any], entry: dict[str, Any]) -> str:
    community = community_label(document, entry.get("community"))
    return f"{entry['speaker']} ({community})" if community else entry["speaker"]


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})


def md(text: str) -> str:
    """Words as words: no heading, link, emphasis or HTML can come out of a statement."""
    return "  \n".join(line.translate(_MARKDOWN) for line in str(text).splitlines() or [""])


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def to_markdown(document: dict[str, Any]) -> str:
    session = document["session"]
    lines = [
        f"# {md(session['title'])}",
        "",
        f"{md(session['programme'])} · {session['starts_at'][:10]} · "
        f"version {document.get('version', '—')}, released {str(document.get('released_at', ''))[:16]} "
        f"by {document.get('released_by', '—')}",
        "",
    ]
    if document.get("summary"):
        lines += ["## Summary", "", md(document["summary"]), ""]
    if document.get("agreed_points"):
        lines += ["## Agreed points", ""] + [f"- {md(p)}" for p in document["agreed_points"]] + [""]
    for section in document["sections"]:
        lines += [f"## {md(section['title'])}", ""]
        for entry in section["entries"]:
            at = clock(entry["offset_seconds"])
            if entry["type"] == "statement":
                reply = f" (reply to #{entry['reply_to']})" if entry.get("reply_to") else ""
                lines.append(
                    f"**#{entry['number']} {_speaker(document, entry)}** \\[{at}\\]{reply}: {md(entry['text'])}"
                )
            elif entry["type"] == "removed":
                lines.append(f"*[{at}] A statement by {entry['speaker']} was removed by a facilitator.*")
            elif entry["type"] == "round":
                turns = ", ".join(f"{t['speaker']}: {t['outcome']}" for t in entry["turns"])
                lines.append(f"*[{at}] Round {entry['number']} — {turns}*")
            elif entry["type"] == "poll":
                results = ", ".join(f"{o}: {c}" for o, c in zip(entry["options"], entry["counts"], strict=True))
                lines.append(f"*[{at}] Poll: {md(entry['question'])} — {md(results)}*")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# Spreadsheet programs read a CSV file as UTF-8 only when it starts with a byte-order mark;
# without it, Armenian and Cyrillic words come out as mojibake.
BOM = "\ufeff"


def to_csv(document: dict[str, Any]) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(["section", "type", "number", "offset", "speaker", "role", "community", "reply_to", "text"])
    for section in document["sections"]:
        for entry in section["entries"]:
            if entry["type"] == "round":
                text = "; ".join(f"{t['speaker']}: {t['outcome']}" for t in entry["turns"])
            elif entry["type"] == "poll":
                text = (
                    entry["question"]
                    + " — "
                    + "; ".join(f"{o}: {c}" for o, c in zip(entry["options"], entry["counts"], strict=True))
                )
            else:
                text = entry.get("text", "")
            writer.writerow(
                [
                    _safe_cell(str(cell))
                    for cell in (
                        section["title"],
                        entry["type"],
                        entry.get("number", ""),
                        clock(entry["offset_seconds"]),
                        entry.get("speaker", ""),
                        entry.get("role", ""),
                        community_label(document, entry.get("community")),
                        entry.get("reply_to") or "",
                        text,
                    )
                ]
            )
    return out.getvalue()


# What makes a spreadsheet read a cell as a formula: = + - @, a tab or line break before
# one, and their full-width forms (some spreadsheet programs fold those too).
_FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def _safe_cell(text: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: never from a statement.
    A leading apostrophe makes such a cell text (also after leading spaces)."""
    if text[:1] in _FORMULA_STARTS or text.lstrip()[:1] in _FORMULA_STARTS:
        return "'" + text
    return text


# The standalone HTML document ------------------------------------------------------------

# Its only style, inline, so that the file reads the same wherever it is opened: no link to
# the app's stylesheet, no font to fetch. The font list covers Armenian and Cyrillic.
STYLE = """
:root { color-scheme: light; }
body { margin: 0 auto; max-width: 46rem; padding: 2rem 1.25rem; color: #1d1d1f; background: #fff;
  font: 1rem/1.55 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans Armenian", "DejaVu Sans",
  Arial, sans-serif; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
header p { margin: .2rem 0; }
.muted { color: #555; }
.note { font-size: .9rem; color: #555; }
ol.entries { list-style: none; padding: 0; margin: 0; }
.entry { margin: 0 0 .9rem; }
.entry p { margin: .15rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.prewrap { white-space: pre-wrap; overflow-wrap: anywhere; }
.at { font-variant-numeric: tabular-nums; color: #555; margin-right: .4rem; }
.community { font-size: .85rem; border: 1px solid #999; border-radius: .6rem; padding: 0 .4rem; }
a { color: inherit; }
@media print { body { max-width: none; padding: 0; } h2 { break-after: avoid; } .entry { break-inside: avoid; } }
"""

_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()

# What the document may load or run: its own inline style and nothing else. The same policy
# goes in the document (for wherever the file is opened) and on the download response.
DOCUMENT_POLICY = "; ".join(
    ["default-src 'none'", f"style-src 'sha256-{_STYLE_HASH}'", "base-uri 'none'", "form-action 'none'"]
)
CONTENT_SECURITY_POLICY = DOCUMENT_POLICY + "; frame-ancestors 'none'"  # (not allowed in a <meta>)

_AZERBAIJANI_LETTERS = frozenset("əƏğĞıİ")


def text_language(text: str) -> str:
    """The language of words people wrote, as far as their script tells: "hy" for Armenian,
    "ru" for Cyrillic, "az" for Latin with letters only Azerbaijani uses, else "" (unknown,
    which is what HTML's lang="" says)."""
    armenian = cyrillic = latin = 0
    for ch in text:
        if "\u0531" <= ch <= "\u058f" or "\ufb13" <= ch <= "\ufb17":
            armenian += 1
        elif "\u0400" <= ch <= "\u04ff":
            cyrillic += 1
        elif ch.isalpha():
            latin += 1
    if armenian and armenian >= max(cyrillic, latin):
        return "hy"
    if cyrillic and cyrillic >= latin:
        return "ru"
    if any(ch in _AZERBAIJANI_LETTERS for ch in text):
        return "az"
    return ""


def released_moment(document: dict[str, Any]) -> str:
    """When the version was released, as "2026-11-23 10:00 UTC" ("" for a draft)."""
    value = document.get("released_at")
    if not value:
        return ""
    return datetime.fromisoformat(str(value)).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
