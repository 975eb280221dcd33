"""Words for people that services write in English and readers get in their own language.

A service writes `Msg("Someone already uses the name {name}.", name=name)`: the value is the
English text (a `str`, so code and tests that read English keep working), and it keeps the
template and its parameters, so the web and the room translate it when they answer, each in
its reader's language: `msg.localized(catalog)` with a gettext catalog, or `translate(value,
catalog)` for a value that may be or hold one. (Not `str.translate`, which a str keeps.)
Templates use `{name}` placeholders (python-brace-format); `pybabel extract -F babel.cfg`
finds them by the keyword `Msg` (babel.cfg's python section, README "Languages"). Parameters
that are themselves `Msg` are translated too.

This module is part of the core: it imports nothing of the app, so every layer may use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol


class Catalog(Protocol):
    """What translating needs of a catalog: gettext.NullTranslations and babel's Translations have it."""

    def gettext(self, message: str, /) -> str: ...


class Msg(str):
    """English text for people, which remembers its template and parameters to be translated later."""

    template: str
    params: Mapping[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Msg:
        text = super().__new__(cls, template.format(**params))
        text.template = template
        text.params = params
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        # str's own reduce would rebuild a Msg from the English text alone, as a template.
        return (_rebuild, (self.template, dict(self.params)))

    def localized(self, catalog: Catalog) -> str:
        """This text in the catalog's language; English where the catalog has no translation."""
        params = {name: translate(value, catalog) for name, value in self.params.items()}
        translated = catalog.gettext(self.template)
        try:
            return translated.format(**params)
        except (KeyError, IndexError, ValueError):
            # A translation with a broken placeholder must not turn an error into a crash.
            return self.template.format(**params)


def _rebuild(template: str, params: dict[str, Any]) -> Msg:
    return Msg(template, **params)


def translate(value: Any, catalog: Catalog) -> Any:
    """`value` translated if it is a `Msg` (also inside lists and dicts, as error details hold them)."""
    if isinstance(value, Msg):
        return value.localized(catalog)
    if isinstance(value, dict):
        return {key: translate(item, catalog) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [translate(item, catalog) for item in value]
    return value


class _Joined(Msg):
    """Parts joined by a separator, each translated ("organisers or facilitators")."""

    parts: tuple[Any, ...]
    separator: Any

    def localized(self, catalog: Catalog) -> str:
        return str(translate(self.separator, catalog)).join(str(translate(part, catalog)) for part in self.parts)


def joined(parts: Iterable[Any], separator: str = ", ") -> Msg:
    """`separator.join(parts)` that stays translatable: Msg parts (and a Msg separator) are translated."""
    items = tuple(parts)
    text = str.__new__(_Joined, str(separator).join(str(part) for part in items))
    text.template, text.params = "{text}", {"text": str(text)}
    text.parts, text.separator = items, separator
    return text


def either(parts: Iterable[Any]) -> str:
    """ "a, b or c", translatable (each part too, when it is a `Msg`)."""
    items = tuple(parts)
    if len(items) < 2:
        return items[0] if items else ""
    return Msg("{first} or {last}", first=joined(items[:-1]), last=items[-1])


class _Sentence(Msg):
    """A clause with its first letter made capital, in whichever language it is read."""

    def localized(self, catalog: Catalog) -> str:
        inner = str(translate(self.params["text"], catalog))
        return inner[:1].upper() + inner[1:]


def sentence(text: str) -> Msg:
    """`text` with a capital first letter (a clause that starts a sentence), translatable."""
    english = str(text)
    capital = str.__new__(_Sentence, english[:1].upper() + english[1:])
    capital.template, capital.params = "{text}", {"text": text}
    return capital


def status_word(value: str) -> str:
    """A status (of a dialogue session, seat, poll or round) as a word in a sentence, translatable."""
    return STATUS_WORDS.get(str(value), str(value))


def role_word(value: str) -> str:
    """An account's or programme member's role as a word in a sentence, translatable."""
    return ROLE_WORDS.get(str(value), str(value))


ROLE_WORDS: dict[str, Msg] = {
    "admin": Msg("admin"),
    "organiser": Msg("organiser"),
    "facilitator": Msg("facilitator"),
}


def role_plural(value: str) -> str:
    """An account's or programme member's role in the plural, as in "Only the programme's organisers"."""
    return ROLE_PLURALS.get(str(value), str(value) + "s")


ROLE_PLURALS: dict[str, Msg] = {
    "admin": Msg("admins"),
    "organiser": Msg("organisers"),
    "facilitator": Msg("facilitators"),
}

# The status words the error messages put into sentences ("A draft session cannot become live").
# Literal here so that pybabel finds each one.
STATUS_WORDS: dict[str, Msg] = {
    "draft": Msg("draft"),
    "scheduled": Msg("scheduled"),
    "open": Msg("open"),
    "live": Msg("live"),
    "paused": Msg("paused"),
    "ended": Msg("ended"),
    "archived": Msg("archived"),
    "cancelled": Msg("cancelled"),
    "lobby": Msg("lobby"),
    "admitted": Msg("admitted"),
    "left": Msg("left"),
    "removed": Msg("removed"),
    "banned": Msg("banned"),
}
