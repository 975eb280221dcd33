"""A released transcript in the formats organisers take away: Markdown, JSON, CSV and a
standalone HTML document, each in one language the organiser chooses (reading.py: the
facilitators' texts in it or a fallback, pseudonyms in it). Every format is made from the
released document alone, which holds only pseudonyms and redacted text, so none can carry
more than the document does; none holds anything of the person who downloads it either
(no name, token or link back)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from gettext import NullTranslations
from typing import Any

from app.messages import Catalog
from app.security.headers import standalone_policies
from app.security.spreadsheet import safe_cell
from app.transcripts.reading import document_languages, plain, reading

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


def read_in(
    document: dict[str, Any],
    language: str | None = None,
    programme_languages: Sequence[str] = (),
    catalog: Catalog | None = None,
) -> dict[str, Any]:
    """The document as read in `language` (default: its first language), the app's own words
    from `catalog` (default: English)."""
    languages = document_languages(document, programme_languages)
    return reading(
        document,
        language=language or languages[0],
        programme_languages=languages,
        catalog=catalog or NullTranslations(),
    )


def _speaker(entry: dict[str, Any]) -> str:
    community = entry.get("community_label")
    return f"{entry['speaker']} ({community})" if community else entry["speaker"]


def _words(catalog: Catalog, msgid: str, **params: Any) -> str:
    """One of the pages' own msgids (transcripts/_document.html has them all, in the pages'
    %(name)s form) in the catalog's language."""
    text = catalog.gettext(msgid)
    try:
        return text % params if params else text
    except (KeyError, ValueError, TypeError):
        return msgid % params if params else msgid


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})


def md(text: str) -> str:
    """Words as words: no heading, link, emphasis or HTML can come out of a statement."""
    return "  \n".join(line.translate(_MARKDOWN) for line in str(text).splitlines() or [""])


def to_json(
    document: dict[str, Any],
    language: str | None = None,
    programme_languages: Sequence[str] = (),
    catalog: Catalog | None = None,
) -> str:
    """The document read in one language: every text a string in it (or its fallback),
    speakers in it; `language` at the top says which."""
    view = plain(read_in(document, language, programme_languages, catalog))
    return json.dumps(view, ensure_ascii=False, indent=2)


def to_markdown(
    document: dict[str, Any],
    language: str | None = None,
    programme_languages: Sequence[str] = (),
    catalog: Catalog | None = None,
) -> str:
    catalog = catalog or NullTranslations()
    view = plain(read_in(document, language, programme_languages, catalog))
    session = view["session"]
    lines = [
        f"# {md(session['title'])}",
        "",
        f"{md(session['programme'])} · {session['starts_at'][:10]} · "
        + md(
            _words(
                catalog,
                "Version %(v)s, released %(at)s by %(who)s.",
                v=view.get("version", "—"),
                at=str(view.get("released_at", ""))[:16],
                who=view.get("released_by", "—"),
            )
        ),
        "",
    ]
    if view.get("summary"):
        lines += [f"## {_words(catalog, 'Summary')}", "", md(view["summary"]), ""]
    if view.get("agreed_points"):
        lines += [f"## {_words(catalog, 'Agreed points')}", ""] + [f"- {md(p)}" for p in view["agreed_points"]] + [""]
    for section in view["sections"]:
        lines += [f"## {md(section['title'])}", ""]
        if section.get("prompt"):
            lines += [f"*{md(section['prompt'])}*", ""]
        for entry in section["entries"]:
            at = clock(entry["offset_seconds"])
            if entry["type"] == "statement":
                reply = f" ({_words(catalog, 'reply to #%(n)s', n=entry['reply_to'])})" if entry.get("reply_to") else ""
                lines.append(f"**#{entry['number']} {md(_speaker(entry))}** \\[{at}\\]{reply}: {md(entry['text'])}")
                for place, translation in enumerate(entry.get("translations", [])):
                    # One quoted paragraph per translation, under its statement.
                    lines += [""] if place == 0 else [">"]
                    text = md(translation["text"]).replace("\n", "\n> ")
                    lines.append(f"> *{md(translation['language_name'])} · {md(translation['by_label'])}:* {text}")
            elif entry["type"] == "removed":
                removed = _words(
                    catalog, "A statement by %(speaker)s was removed by a facilitator.", speaker=entry["speaker"]
                )
                lines.append(f"*[{at}] {md(removed)}*")
            elif entry["type"] == "round":
                turns = ", ".join(f"{t['speaker']}: {t['outcome_label']}" for t in entry["turns"])
                lines.append(f"*[{at}] {md(_words(catalog, 'Round %(n)s', n=entry['number']))} — {md(turns)}*")
            elif entry["type"] == "poll":
                results = ", ".join(f"{o}: {c}" for o, c in zip(entry["options"], entry["counts"], strict=True))
                lines.append(f"*[{at}] {md(_words(catalog, 'Poll'))}: {md(entry['question'])} — {md(results)}*")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# Spreadsheet programs read a CSV file as UTF-8 only when it starts with a byte-order mark;
# without it, Armenian and Cyrillic words come out as mojibake.
BOM = "\ufeff"
CSV_COLUMNS = [
    "section",
    "type",
    "number",
    "offset",
    "speaker",
    "role",
    "community",
    "reply_to",
    "text",
    "language",
    "translated_by",
]


def to_csv(
    document: dict[str, Any],
    language: str | None = None,
    programme_languages: Sequence[str] = (),
    catalog: Catalog | None = None,
) -> str:
    """One row per entry; each translation of a statement in a row of its own right after it
    (type `translation`, the statement's number, its language and who translated)."""
    view = plain(read_in(document, language, programme_languages, catalog))
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)

    def row(*cells: object) -> None:
        writer.writerow([safe_cell(str(cell)) for cell in cells])

    for section in view["sections"]:
        for entry in section["entries"]:
            if entry["type"] == "round":
                text = "; ".join(f"{t['speaker']}: {t['outcome_label']}" for t in entry["turns"])
            elif entry["type"] == "poll":
                text = (
                    entry["question"]
                    + " — "
                    + "; ".join(f"{o}: {c}" for o, c in zip(entry["options"], entry["counts"], strict=True))
                )
            else:
                text = entry.get("text", "")
            row(
                section["title"],
                entry["type"],
                entry.get("number", ""),
                clock(entry["offset_seconds"]),
                entry.get("speaker", ""),
                entry.get("role", ""),
                entry.get("community_label", ""),
                entry.get("reply_to") or "",
                text,
                text_language(text) if entry["type"] == "statement" else "",
                "",
            )
            for translation in entry.get("translations", []):
                row(
                    section["title"],
                    "translation",
                    entry.get("number", ""),
                    clock(entry["offset_seconds"]),
                    entry.get("speaker", ""),
                    entry.get("role", ""),
                    entry.get("community_label", ""),
                    "",
                    translation["text"],
                    translation["language"],
                    translation.get("by", ""),
                )
    return out.getvalue()


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
.small, .not-translated { font-size: .85rem; }
.side-by-side { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 0 1rem; }
.side-by-side p { margin-bottom: 0; }
a { color: inherit; }
@media print { body { max-width: none; padding: 0; } h2 { break-after: avoid; } .entry { break-inside: avoid; } }
"""

# What the document may load or run: its own inline style and nothing else.
DOCUMENT_POLICY, CONTENT_SECURITY_POLICY = standalone_policies(STYLE)

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
