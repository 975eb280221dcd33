"""Text that cannot deceive: invisible characters, direction controls, control characters,
and Unicode TR39 skeletons (the form two look-alike strings share).

The skeleton data is the Unicode consortium's confusables.txt as shipped by the
`confusable-homoglyphs` package (its `confusables.json`). That file keeps each pair in both
directions; every class in confusables.txt is a star (sources that map to one prototype),
so the prototype is the member linked to several others, or the multi-character one; for a
class of two single characters either may stand for both, and the smaller is taken. Two
strings with the same skeleton look alike; that is all a skeleton is used for here.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from importlib.resources import files

from app.messages import Msg

# Embeddings, overrides and isolates: they reorder what is shown without being seen.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# The joiners some scripts (and emoji sequences) need; every other format character is refused
# where control characters are.
JOINERS = frozenset("\u200c\u200d")
# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt), plus characters that
# draw as blank space although they are letters or symbols (fillers, the blank Braille cell).
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
VARIATION_SELECTORS = frozenset(chr(c) for c in range(0xFE00, 0xFE10))


def is_ignorable(ch: str) -> bool:
    """A character that shows nothing by itself (a default-ignorable code point, a filler)."""
    code = ord(ch)
    return any(low <= code <= high for low, high in _IGNORABLE_RANGES) or (0xE0100 <= code <= 0xE01EF)


def is_invisible(ch: str) -> bool:
    """Nothing a reader can see: spaces, format and control characters, ignorables, and
    combining marks (which show only on another character)."""
    category = unicodedata.category(ch)
    return category[0] in ("Z", "C") or category in ("Mn", "Me") or ch.isspace() or is_ignorable(ch)


def has_visible(text: str) -> bool:
    return any(not is_invisible(ch) for ch in text)


def control_characters(text: str, *, allow: frozenset[str] = JOINERS) -> list[str]:
    """The control, format, private-use and surrogate characters of a text (as U+XXXX),
    except those in `allow`."""
    found = [
        ch
        for ch in text
        if ch not in allow and (unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") or is_ignorable(ch))
    ]
    return [f"U+{ord(ch):04X}" for ch in dict.fromkeys(found)]


def misplaced_joiners(text: str) -> bool:
    """A joiner (ZWJ, ZWNJ) that joins nothing: at either end, or beside a space or another
    invisible character. Between two visible characters it shapes a script or an emoji."""
    for index, ch in enumerate(text):
        if ch in JOINERS:
            before = text[index - 1] if index > 0 else ""
            after = text[index + 1] if index + 1 < len(text) else ""
            if not before or not after or is_invisible(before) or is_invisible(after):
                return True
    return False


def label_problem(text: str) -> str | None:
    """Why a name or label (of a programme, a community) cannot be shown as it is, or None:
    control, format (but joiners between characters), private-use or surrogate characters,
    or nothing visible."""
    hidden = control_characters(text)
    if hidden:
        return f"has invisible or control characters ({', '.join(hidden[:3])}); remove them"
    if misplaced_joiners(text):
        return "has a joiner (U+200C or U+200D) that joins nothing; remove it"
    if not has_visible(text):
        return "needs at least one visible character"
    return None


# Skeletons ------------------------------------------------------------------------------


def _clean(value: str) -> str:
    # The data file wraps right-to-left characters in marks so they display; they are not data.
    return value.replace("\u200e", "").replace("\u200f", "")


@lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
    raw = json.loads(files("confusable_homoglyphs").joinpath("confusables.json").read_text(encoding="utf-8"))
    links: dict[str, set[str]] = {}
    for key, entries in raw.items():
        source = _clean(key)
        for entry in entries:
            target = _clean(entry["c"])
            if source and target and source != target:
                links.setdefault(source, set()).add(target)
                links.setdefault(target, set()).add(source)
    mapping: dict[str, str] = {}
    for node, linked in links.items():
        if len(node) != 1 or len(linked) != 1:
            continue  # a prototype (linked to several, or a sequence): it maps to itself
        (other,) = linked
        if len(other) > 1 or len(links[other]) > 1 or other < node:
            mapping[node] = other
    return mapping


def _drop_for_key(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] in ("Z", "P", "C") or category in ("Mn", "Me") or ch.isspace() or is_ignorable(ch)


def _fold_once(text: str) -> str:
    text = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in text if not _drop_for_key(ch))


def _latin(ch: str) -> bool:
    return ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")


def _twin(ch: str, prototypes: dict[str, str]) -> str:
    capital = prototypes.get(ch.upper(), "")
    if len(ch.upper()) == 1 and capital.isascii() and capital.isalpha():
        return capital.casefold()
    return ch


def skeleton(text: str) -> str:
    """A look-alike key: NFKC, case folded, without spaces, punctuation, marks and invisible
    characters, each character replaced by its TR39 prototype (to a fixed point)."""
    prototypes = _prototypes()
    folded = _fold_once(unicodedata.normalize("NFKC", text))
    # A letter of another script whose capital is a Latin letter's twin counts as that Latin
    # letter, in either case: Cyrillic "м" lower-cases apart from Latin "m" (its own
    # prototype is "ʍ"), but "М" and "M" are the same to the eye, so "Мaria" meets "Maria".
    folded = "".join(ch if _latin(ch) else _twin(ch, prototypes) for ch in folded)
    for _ in range(4):
        mapped = _fold_once("".join(prototypes.get(ch, ch) for ch in folded))
        if mapped == folded:
            break
        folded = mapped
    return unicodedata.normalize("NFC", folded)


# Statements and messages ----------------------------------------------------------------


class HiddenText(ValueError):
    """Text that would deceive or show nothing; `code` is stable, the message is for people."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


ALLOWED_CONTROLS = frozenset("\n\r\t")
# The same checks as patterns (a statement's every character is looked at; a regular
# expression does it in C): BIDI_CONTROLS, and Unicode's Cc (U+0000–U+001F, U+007F–U+009F)
# but ALLOWED_CONTROLS, and Cs (the surrogates). tests/facilitation/test_statement_text.py holds them to
# unicodedata over every code point.
_BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def check_room_text(text: str, *, what: str = Msg("statement")) -> str:
    """The text stripped, or HiddenText: direction controls (they can make words read in
    another order), control characters, or nothing visible at all. Emoji sequences (joiners,
    variation selectors, flag tags), left-to-right and right-to-left marks pass."""
    if _BIDI.search(text):
        raise HiddenText(
            Msg(
                "The {what} contains hidden direction controls (U+202A–U+202E, U+2066–U+2069) that can change the order in which words are shown; remove them and send it again.",
                what=what,
            ),
            "hidden_direction_controls",
        )
    if _CONTROL.search(text):
        raise HiddenText(
            Msg("The {what} contains control characters; remove them and send it again.", what=what),
            "control_characters",
        )
    text = text.strip()
    if text and not has_visible(text):
        raise HiddenText(
            Msg("The {what} has only invisible characters; write something the room can read.", what=what),
            "invisible_text",
        )
    return text
