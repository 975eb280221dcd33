"""How letters are folded before names and contacts are matched, and the patterns of a name's words (redact.py)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from app.transcripts.endings import GRAMMAR
from app.transcripts.scripts import APOSTROPHES

# --- Letters -------------------------------------------------------------------------
# Names and contacts are matched on a folded copy of the text: compatibility forms made
# ordinary (NFKC: full-width "Ｎｉｇａｒ", the ligatures "ﬁ" and "և", mathematical bold
# letters), lower case, accents stripped, İ/I/ı/i all "i", Cyrillic letters that look Latin
# made Latin ("Nigаr" typed with a Cyrillic а), every apostrophe made "'", and every
# combining mark or invisible character (a stress mark, the dot of "i̇" from "İ".lower(), a
# soft hyphen) made one mark, which may follow any letter of a name. A character may fold
# to several ("ﬁ" to "fi"), so spans found in the folded text are mapped back (Folded).
_MARK = "\u0300"
_LOOKALIKES = {
    "а": "a",
    "е": "e",
    "о": "o",
    "р": "p",
    "с": "c",
    "х": "x",
    "у": "y",
    "і": "i",
    "ә": "ə",
    "һ": "h",
    "ј": "j",
}


def _fold_char(ch: str) -> str:
    if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return _MARK
    if ch in APOSTROPHES:
        return "'"
    base = "i" if ch in "ıİ" else unicodedata.normalize("NFD", ch)[0].lower()
    return _LOOKALIKES.get(base, base) if len(base) == 1 else ch


def _fold_compatible(ch: str) -> str:
    if unicodedata.category(ch) in ("Mn", "Me", "Cf") or ch in APOSTROPHES:
        return _fold_char(ch)
    return "".join(map(_fold_char, unicodedata.normalize("NFKC", ch)))


FOLD = {
    cp: f
    for cp in (
        *range(0x41, 0x250),
        *range(0x2B0, 0x370),  # modifier letters (ʼ ʻ ʰ) and combining marks
        *range(0x400, 0x530),
        *range(0x531, 0x590),
        *range(0x1E00, 0x1F00),
        *range(0x2018, 0x201C),  # ‘ ’ ‚ ‛
        *range(0x2032, 0x2036),  # primes typed as apostrophes
        *range(0x2070, 0x20A0),  # superscripts and subscripts
        *range(0x2100, 0x2150),  # letterlike symbols (K, ℓ)
        *range(0x2460, 0x2500),  # circled letters and digits
        *range(0xFB00, 0xFB18),  # Latin and Armenian ligatures
        *range(0xFF01, 0xFF5F),  # full-width forms
        *range(0x1D400, 0x1D800),  # mathematical letters and digits
        0xA0,
        0xAD,
        0xB4,
        0x200B,
        0x200C,
        0x200D,
        0x2060,
        0xFEFF,
    )
    if (f := _fold_compatible(chr(cp))) != chr(cp)
}


def _sound_char(ch: str) -> str:
    if ch in APOSTROPHES:
        return "'"
    if unicodedata.category(ch) == "Cf":
        return _MARK
    lower = "i" if ch == "İ" else ch.lower()
    return lower if len(lower) == 1 else ch


def _sound_compatible(ch: str) -> str:
    if unicodedata.category(ch) in ("Mn", "Me", "Cf") or ch in APOSTROPHES:
        return _sound_char(ch)
    return "".join(map(_sound_char, unicodedata.normalize("NFKC", ch)))


# The second pass reads words by their sound, for which "ş", "й" and a Cyrillic "р" must stay
# what they are: the same folding without the stripped accents and the look-alikes. Every
# character folds to as many characters as in FOLD, so both texts have the same offsets.
SOUND_FOLD = {
    cp: f
    for cp in map(ord, {chr(cp) for cp in FOLD} | set(APOSTROPHES))
    if (f := _sound_compatible(chr(cp))) != chr(cp)
}
assert all(len(FOLD.get(cp, chr(cp))) == len(SOUND_FOLD.get(cp, chr(cp))) for cp in FOLD.keys() | SOUND_FOLD.keys())
_EXPANDS = re.compile("[" + "".join(re.escape(chr(cp)) for cp, f in FOLD.items() if len(f) > 1) + "]")


class Folded:
    """The folded text, and where each of its characters comes from in the original."""

    __slots__ = ("_origin", "_original", "text")

    def __init__(self, original: str) -> None:
        self._original = original
        self.text = original.translate(FOLD)
        self._origin: list[int] | None = None  # None: one character for one
        if len(self.text) != len(original):  # no character folds to nothing
            origin: list[int] = []
            done = 0
            for match in _EXPANDS.finditer(original):
                at = match.start()
                origin += range(done, at)
                origin += [at] * len(FOLD[ord(original[at])])
                done = at + 1
            origin += range(done, len(original))
            self._origin = origin

    @property
    def one_for_one(self) -> bool:
        """Whether every character folded to one, so offsets are the original's."""
        return self._origin is None

    @property
    def sound(self) -> str:
        """The text for reading words by their sound (SOUND_FOLD), with the same offsets."""
        return self._original.translate(SOUND_FOLD)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original's [start, end) for the folded text's [start, end), end > start."""
        if self._origin is None:
            return start, end
        return self._origin[start], self._origin[end - 1] + 1


# Azerbaijani names are often typed in plain Latin or transliterated, both ways: Şəbnəm,
# Sebnem, Shabnam; Cavid, Javid; Xəyal, Khayal; Qasım, Gasim. And the Armenian ligature և
# is also typed as two letters. Regexes over folded text (ş is already s there).
_SPELLINGS = {
    "ş": "sh?",
    "sh": "sh?",
    "ç": "ch?",
    "ch": "ch?",
    "ğ": "gh?",
    "gh": "gh?",
    "x": "(?:x|kh)",
    "kh": "(?:kh|x)",
    "ə": "[əea]",
    "e": "[eə]",
    "a": "[aə]",
    "c": "[cj]",
    "j": "[jc]",
    "q": "[qg]",
    "g": "[gq]",
    "և": "(?:և|եւ|եվ)",
    "'": "'?",  # an apostrophe inside a name (Maʼruf) may be left out
}
_TOKEN = re.compile(r"sh|ch|gh|kh|.", re.IGNORECASE | re.DOTALL)
_ANY_LETTER = r"[^\W\d_]"
NOT_AFTER_LETTER = rf"(?<!{_ANY_LETTER})(?<!{_MARK})"  # digits and "_" count as boundaries, so
NOT_BEFORE_LETTER = rf"(?!{_ANY_LETTER})"  # "nigar_aliyeva" and "Ani1" still reveal the name
_APOSTROPHE = "'?"  # Nigar'ın, Nigar’ın, Nigarʻın (every apostrophe is folded to ')
BETWEEN_WORDS = r"[\s.'‐–-]{1,3}"  # of a full name


def _letters(word: str) -> str:
    return "".join(
        (_SPELLINGS.get(token.lower()) or re.escape(token.translate(FOLD))) + _MARK + "*"
        for token in _TOKEN.findall(word)
    )


def script_of(ch: str) -> str:
    return "cyrillic" if "\u0400" <= ch < "\u0530" else "armenian" if "\u0530" <= ch < "\u0590" else "latin"


@cache
def _alternation(endings: tuple[str, ...]) -> str:
    return "(?:" + "|".join(sorted({_letters(ending) for ending in endings}, key=lambda p: (-len(p), p))) + ")"


def word_pattern(word: str) -> str:
    """Regex for a name word with an optional grammatical ending."""
    suffixes, plain_suffixes, stem_endings, stem_finals = GRAMMAR[script_of(word[-1])]
    plain = f"|{_alternation(plain_suffixes)}" if plain_suffixes else ""
    pattern = f"{_letters(word)}(?:{_APOSTROPHE}{_alternation(suffixes)}{plain})?"
    if word[-1].lower() in stem_finals and len(word) > 2:
        pattern = f"(?:{pattern}|{_letters(word[:-1])}{_alternation(stem_endings)})"
    return pattern


def words_of(name: str) -> list[str]:
    name = "".join(c for c in unicodedata.normalize("NFC", name) if not unicodedata.combining(c))  # "i̇" → "i"
    name = name.replace("եւ", "և").replace("ԵՒ", "և").replace("Եւ", "և")
    name = "".join("'" if c in APOSTROPHES else c for c in name)  # ʼ and ʻ are letters to Unicode
    return [w.strip("'") for w in re.findall(r"[^\W\d_]+(?:'+[^\W\d_]+)*", name)]
