"""A transcript document as one reader reads it, in one language: every facilitator's text
(title, agenda headings and prompts, polls, summary, agreed points) in that language or a
marked fallback, pseudonyms and facilitator labels in it ("Участник 13"), who translated a
statement in words (a role, never a name). Made from the document alone, of any schema: an
older document's plain strings are the programme's first language. The reading page, the
HTML export, Markdown, CSV and the JSON export all read a document through `reading`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from app.dialogues.content import language_word
from app.dialogues.pseudonyms import pseudonym_label
from app.errors import ValidationFailed
from app.messages import Catalog, Msg, translate
from app.programmes.models import UI_LANGUAGES
from app.programmes.texts import Shown, pick, texts_of

TRANSLATED_BY = {
    "author": Msg("Translated by the author"),
    "facilitator": Msg("Translated by a facilitator"),
    "interpreter": Msg("Translated by an interpreter"),
}
OUTCOMES = {
    "spoke": Msg("spoke"),
    "passed": Msg("passed"),
    "skipped": Msg("skipped"),
    "timed_out": Msg("time ran out"),
    "pending": Msg("did not take a turn"),
}
OPENING = Msg("Opening")
# What service.py writes for a release by a facilitator without a seat in the session.
RELEASED_BY = {"A facilitator": Msg("A facilitator")}


def _unique(codes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(codes))


def document_languages(document: Mapping[str, Any], programme_languages: Sequence[str]) -> list[str]:
    """The languages the document's texts are written in, in the programme's order (an older
    document does not say: its programme's)."""
    found = document.get("languages")
    if isinstance(found, list) and found:
        return _unique(str(code) for code in found)
    return _unique(programme_languages) or ["en"]


def readable_languages(document: Mapping[str, Any], programme_languages: Sequence[str]) -> list[str]:
    """The languages a document can be read or exported in: its own, and every interface
    language (pseudonyms and headings exist in those even where the texts fall back)."""
    return _unique([*document_languages(document, programme_languages), *UI_LANGUAGES])


def chosen_language(
    requested: str | None, default: str, document: Mapping[str, Any], programme_languages: Sequence[str]
) -> str:
    """The language asked for (`?language=xx`), else `default` (the reader's page language);
    a language the document cannot be read in is refused with a 422 that lists those it can."""
    allowed = readable_languages(document, programme_languages)
    if requested is None or requested == "":
        return default if default in allowed else allowed[0]
    if requested not in allowed:
        message = Msg(
            "This transcript cannot be read in '{language}'. Choose one of: {languages}.",
            language=requested[:20],
            languages=", ".join(allowed),
        )
        raise ValidationFailed(
            message,
            code="unknown_language",
            details=[{"field": "language", "type": "unknown_language", "message": message, "languages": allowed}],
        )
    return requested


def reading(
    document: Mapping[str, Any], *, language: str, programme_languages: Sequence[str], catalog: Catalog
) -> dict[str, Any]:
    """The document as a reader of `language` reads it: the same shape, with each text a
    `Shown` (its text, its own language, whether it is a fallback), each speaker's label in
    `language`, and the app's own words (who translated, round outcomes, "Opening") in the
    catalog's language."""
    languages = document_languages(document, programme_languages)
    first = languages[0]

    def shown(value: object) -> Shown:
        return pick(texts_of(value, first), language, languages)

    def who(pseudonym: object) -> str:
        return pseudonym_label(str(pseudonym), language)

    def words(message: Msg) -> str:
        return str(translate(message, catalog))

    def community(key: object) -> str:
        for item in document.get("communities", []):
            if item.get("key") == key:
                labels = item.get("labels") or {}
                return str(labels.get(language) or labels.get("en") or key or "")
        return str(key or "")

    def entry_for(entry: Mapping[str, Any]) -> dict[str, Any]:
        kind = entry.get("type")
        result = dict(entry)
        if "speaker" in entry:
            result["speaker"] = who(entry["speaker"])
            result["community_label"] = community(entry.get("community")) if entry.get("community") else ""
        if kind == "statement":
            result["translations"] = [
                {
                    **translation,
                    "language_name": str(translate(language_word(translation["language"]), catalog)),
                    "by_label": words(TRANSLATED_BY.get(translation.get("by", ""), TRANSLATED_BY["interpreter"])),
                }
                # The reader's own language first, then the document's order.
                for translation in sorted(entry.get("translations") or [], key=lambda t: t.get("language") != language)
            ]
        elif kind == "round":
            result["turns"] = [
                {
                    **turn,
                    "speaker": who(turn.get("speaker", "")),
                    "outcome_label": words(OUTCOMES[turn["outcome"]])
                    if turn.get("outcome") in OUTCOMES
                    else str(turn.get("outcome", "")),
                }
                for turn in entry.get("turns", [])
            ]
        elif kind == "poll":
            result["question"] = shown(entry.get("question"))
            result["options"] = [shown(option) for option in entry.get("options", [])]
        return result

    sections = []
    for section in document.get("sections", []):
        opening = section.get("kind") is None
        sections.append(
            {
                **section,
                "title": Shown(words(OPENING), language, False) if opening else shown(section.get("title")),
                "prompt": shown(section.get("prompt")),
                "entries": [entry_for(entry) for entry in section.get("entries", [])],
            }
        )
    released_by = document.get("released_by")
    if isinstance(released_by, str):
        released_by = words(RELEASED_BY[released_by]) if released_by in RELEASED_BY else who(released_by)
    session = dict(document.get("session") or {})
    session["title"] = shown(session.get("title"))
    view: dict[str, Any] = {
        **document,
        "language": language,
        "languages": languages,
        "session": session,
        "summary": shown(document.get("summary")),
        "agreed_points": [shown(p) for p in document.get("agreed_points", []) if texts_of(p, first)],
        "sections": sections,
    }
    if released_by is not None:
        view["released_by"] = released_by
    return view


def plain(value: Any) -> Any:
    """A reading with every `Shown` as its text (for JSON, CSV and Markdown)."""
    if isinstance(value, Shown):
        return value.text
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value
