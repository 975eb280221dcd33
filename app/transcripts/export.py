"""A released transcript in the formats organisers take away: Markdown, JSON, CSV and a
printable HTML page. Every format is made from the released document alone, which holds
only pseudonyms and redacted text, so none can carry more than the document does."""

from __future__ import annotations

import csv
import io
import json
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


def to_csv(document: dict[str, Any]) -> str:
    out = io.StringIO()
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


def _safe_cell(text: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: never from a statement."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
