"""Texts facilitators write for people to read: one text per language of the programme.

A session's title, its ground rules, agenda titles and prompts, poll questions and options,
lobby and pause messages, a transcript's summary and agreed points are all `Texts`, a map
`{language: text}` over the programme's languages. A reader gets their own language; when it
is missing, another one of the programme's languages (in the programme's order), marked as a
fallback so the page can say "not translated yet".

Input may be a plain string, which is the programme's first language (the API's shorthand,
and what older clients send); stored values are always maps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator

from app.messages import Msg

Texts = dict[str, str]

# A language tag as programmes configure them: "en", "hy", "az", "ka", "pt-BR".
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
MAX_LANGUAGES = 12


def texts_of(value: object, first_language: str) -> Texts:
    """Any stored or sent form as a map: a plain string (older rows and documents, the API's
    shorthand) is the programme's first language; empty texts are dropped."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {first_language: value} if value.strip() else {}
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items() if isinstance(v, str) and v.strip()}
    return {}


def clean_text(text: str) -> str:
    """Trimmed, with one kind of line break."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def cleaned(texts: Mapping[str, str]) -> Texts:
    return {language: clean_text(text) for language, text in texts.items() if clean_text(text)}


def merged(current: Mapping[str, str], change: Mapping[str, str]) -> Texts:
    """An edit: the languages it names are replaced (an empty text removes that language),
    the others are kept, so a client that knows one language never erases another's text."""
    result = dict(current)
    for language, text in change.items():
        text = clean_text(text)
        if text:
            result[language] = text
        else:
            result.pop(language, None)
    return result


def unknown_languages(sent: Iterable[str], languages: Sequence[str]) -> list[str]:
    """The languages (or a map's keys) that are not among `languages`."""
    return [language for language in sent if language not in languages]


def missing_languages(texts: Mapping[str, str], languages: Sequence[str]) -> list[str]:
    """The programme's languages that have no text yet, in the programme's order."""
    return [language for language in languages if not (texts.get(language) or "").strip()]


@dataclass(frozen=True)
class Shown:
    """A text as one reader gets it: `language` is the text's own language, and `fallback`
    says it is not the reader's (so the page marks it "not translated yet")."""

    text: str
    language: str
    fallback: bool

    def __str__(self) -> str:
        return self.text


def pick(texts: Mapping[str, str] | str | None, language: str, languages: Sequence[str] = ()) -> Shown:
    """The reader's language, else the first of `languages` that has a text, else any."""
    if isinstance(texts, str) or texts is None:
        texts = texts_of(texts, languages[0] if languages else language)
    own = texts.get(language)
    if own:
        return Shown(own, language, False)
    for other in [*languages, *texts]:
        text = texts.get(other)
        if text:
            return Shown(text, other, True)
    return Shown("", language, False)


def pick_text(texts: Mapping[str, str] | str | None, language: str, languages: Sequence[str] = ()) -> str:
    return pick(texts, language, languages).text


# Request bodies -----------------------------------------------------------------------------


def texts_check(max_length: int, min_length: int = 0) -> Any:
    """The check of a request field of texts: the languages' tags, how many, each text's length."""

    def check(value: str | dict[str, str]) -> str | dict[str, str]:
        items = {"": value} if isinstance(value, str) else value
        if len(items) > MAX_LANGUAGES:
            raise ValueError(Msg("at most {most} languages", most=MAX_LANGUAGES))
        for language, text in items.items():
            if language and not LANGUAGE_TAG.match(language):
                raise ValueError(
                    Msg("'{language}' is not a language code such as en, ru, az or hy", language=language[:20])
                )
            if len(text) > max_length:
                raise ValueError(Msg("a text is at most {most} characters", most=max_length))
        if min_length and not any(clean_text(t) for t in items.values()):
            raise ValueError(Msg("write the text in at least one language"))
        return value

    return check


# One text per language, or a plain string (the programme's first language). Lengths are per
# language's text.
TitleTexts = Annotated[str | dict[str, str], AfterValidator(texts_check(200, 1))]
PromptTexts = Annotated[str | dict[str, str], AfterValidator(texts_check(2000, 0))]
DescriptionTexts = Annotated[str | dict[str, str], AfterValidator(texts_check(5000, 0))]
RulesTexts = Annotated[str | dict[str, str], AfterValidator(texts_check(10_000, 1))]
MessageTexts = Annotated[str | dict[str, str], AfterValidator(texts_check(1000, 0))]
# In an edit a required text may name only languages to remove ({"ru": ""}); the service
# checks that some language is left.
TitleTextsEdit = Annotated[str | dict[str, str], AfterValidator(texts_check(200, 0))]
RulesTextsEdit = Annotated[str | dict[str, str], AfterValidator(texts_check(10_000, 0))]
OptionTexts = Annotated[str | dict[str, str], AfterValidator(texts_check(200, 1))]
