"""A session's texts for people in the programme's languages: checked against the programme's
languages, cleaned at creation, merged on edits; and languages named in sentences."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import DialogueSession
from app.errors import ValidationFailed
from app.messages import Msg, joined
from app.programmes.models import Programme
from app.programmes.texts import Texts, cleaned, merged, unknown_languages

# Language names in sentences for people ("… not yet written in Armenian"), translatable. A
# language a programme adds beyond these is named by its code.
LANGUAGE_WORDS: dict[str, Msg] = {
    "en": Msg("English"),
    "ru": Msg("Russian"),
    "az": Msg("Azerbaijani"),
    "hy": Msg("Armenian"),
}


def _field_error(field: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, details=[{"field": field, "type": code, "message": message}])


def language_word(code: str) -> str:
    """A language's name for a sentence, translatable; its code when Roundtable has no name for it."""
    return LANGUAGE_WORDS.get(code, code)


def language_list(codes: Sequence[str]) -> Msg:
    """Languages named in a sentence: "Armenian, Azerbaijani"."""
    return joined([language_word(code) for code in codes], ", ")


def sent_texts(field: str, value: str | Mapping[str, str], languages: Sequence[str]) -> Texts:
    """A text as sent (a plain string is the programme's first language) as a map, every key a
    language of the programme: any other is refused with a 422 naming it. Empty texts stay,
    so that an edit can remove a language (`merged`)."""
    texts = {languages[0]: value} if isinstance(value, str) else dict(value)
    known_languages(field, list(texts), languages)
    return texts


def known_languages(field: str, sent: Sequence[str], languages: Sequence[str]) -> None:
    """Every language sent must be one of the programme's: any other is a 422 naming it."""
    unknown = unknown_languages(sent, languages)
    if unknown:
        message = Msg(
            "'{language}' is not a language of this programme (it has {languages}).",
            language=unknown[0][:20],
            languages=", ".join(languages),
        )
        raise ValidationFailed(
            message,
            code="unknown_language",
            details=[{"field": field, "type": "unknown_language", "message": message, "languages": unknown}],
        )


def new_texts(field: str, value: str | Mapping[str, str], languages: Sequence[str]) -> Texts:
    """A text as given at creation, cleaned (empty languages left out)."""
    return cleaned(sent_texts(field, value, languages))


def edited_texts(
    field: str, current: Mapping[str, str], change: str | Mapping[str, str], languages: Sequence[str], *, required: bool
) -> Texts:
    """An edit merged into the current text; a required text keeps at least one language."""
    result = merged(current, sent_texts(field, change, languages))
    return required_text(field, result) if required else result


def required_text(field: str, texts: Texts) -> Texts:
    """A text that must exist (a title, the ground rules): refused when no language has it."""
    if not texts:
        raise _field_error(field, Msg("Write this text in at least one language."), "text_required")
    return texts


def builtin_in(texts: Mapping[str, str], languages: Sequence[str]) -> Texts:
    """A built-in text in the programme's languages only (a language the built-ins lack stays
    missing, for the facilitators to write). English when it has none of them, so that there is
    something to read and to translate from."""
    kept = {language: texts[language] for language in languages if texts.get(language)}
    return kept or {"en": texts["en"]}


def programme_languages(programme: Programme | None) -> list[str]:
    """The languages a programme's texts are written in, in its order (never none)."""
    return list(programme.languages) if programme is not None and programme.languages else ["en"]


async def languages_of(db: AsyncSession, *, session: DialogueSession) -> list[str]:
    return programme_languages(await db.get(Programme, session.programme_id))
