"""Phonetic skeletons of names, so one name is recognised in Latin, Cyrillic and Armenian
letters and in spellings nobody registered (pure, no I/O).

A participant registered as "Nigar" is written "Нигяр" by a Russian speaker and "Նիգար"
by an Armenian one; "Hovhannisyan" appears as "Оганесян", "Həsən" as "Гасан", "Davit"
as "Давид" or "Դավիթ". No transliteration table produces the conventional renderings, so
names are compared on a skeleton instead: every script is transliterated to one Latin
form, then the sounds that the renderings swap are folded into one class each, and what
is left is compared with a small edit distance that grows with the name's length.

1. Transliteration: `anyascii` (maintained, pure Python, every script, so a Georgian or
   Greek name works too) after a few corrections where its Latin form would split what
   the renderings join (below).
2. Classes: vowels a (a, ə, я, ա), e (e, i, ı, ы, ի, ե, է), o (o, ö, ё), u (u, ü, ю,
   ու); voiced and unvoiced pairs (b/p, d/t, v/f, s/z, and g/k/q with h, x, kh, gh,
   since Russian writes Azerbaijani and Armenian h as г or х, q as г or к, ğ as г);
   ch/j/c/дж, one class with sh/zh (Azerbaijani c is дж, Cəfər is Джафар; its j is ж, and
   an English j is дж); ts/dz. A y before a vowel is dropped after a consonant or i/e
   (Aliyeva, Алиева; Nigyar, Нигяр), a y anywhere else is kept (Günay, Гюнай; Xəyal, Хаял). Doubled
   consonants are one (Hovhannes, Ованес). ь, ъ and apostrophes count for nothing.
3. Variants: an h may be left out (Hovsep, Овсеп; Hovhannes, Ованес), ə read a or e
   (Bəbər, Бабер or Бебер), and an Armenian word-initial ո read "vo" or "o" (Ոսկան:
   Voskan, Оскан).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

# anyascii gives one Latin spelling per letter; where it differs from how the names are
# actually rendered, the rendering wins (each line says which rendering).
_CORRECTIONS = {
    "ə": "ä",  # anyascii "e"; read as a or e (skeletons): Əliyeva Алиева, Həsən Гасан, Bəbər Бебер
    "ş": "sh",  # anyascii "s"; Şahin is Шахин
    "ž": "zh",
    "ç": "ch",
    "č": "ch",
    "ы": "i",  # anyascii "y"; Qasım is Гасым
    "ё": "o",  # anyascii "e"; Azerbaijani ö is written ё
    "ը": "i",  # anyascii "y": the Armenian schwa renders ı and ы (Բըլբուլ, Bılbıl)
}
APOSTROPHES = "'’ʼʻ‘`´′ʹ"  # inside names (Maʼruf) and before Azerbaijani endings (Nigar'ın)

# The classes of step 2, on the corrected Latin form; longest spellings first.
_CLASSES = {
    "shch": "S",
    "shh": "S",  # щ in GOST 7.79 (cyrtranslit)
    "dzh": "S",
    "dj": "S",
    "zh": "S",
    "sh": "S",
    "ch": "S",
    "kh": "k",
    "gh": "k",
    "ts": "Z",
    "cz": "Z",  # ц in GOST 7.79
    "tz": "Z",
    "dz": "Z",
    "th": "t",
    "ph": "f",
    "ck": "k",
    "a": "a",
    "e": "e",
    "i": "e",
    "o": "o",
    "u": "u",
    "b": "p",
    "p": "p",
    "d": "t",
    "t": "t",
    "g": "k",
    "k": "k",
    "q": "k",
    "h": "k",
    "x": "k",
    "c": "S",
    "j": "S",
    "v": "f",
    "f": "f",
    "w": "f",
    "s": "s",
    "z": "s",
    "l": "l",
    "m": "m",
    "n": "n",
    "r": "r",
    "y": "y",
}
_SOUND = re.compile("|".join(sorted(_CLASSES, key=len, reverse=True)))
# "ow" before a consonant is anyascii's Armenian ու (Kimow, Tsowlowtsa); a j after a vowel
# and before a consonant is a й (Ajsel, Айсель).
_SPELLED_U = re.compile("ow(?![aeiou])")
_SPELLED_Y = re.compile("(?<=[aeiouy])j(?![aeiouy])")
# A y between a consonant (or i, e, the start) and a vowel: я is "ya", Алиева is Aliyeva;
# after a, o, u it is a consonant of its own (Xəyal, Хаял; Maya, Мая).
_GLIDE = re.compile("(?<![aou])y(?=[aeiou])")
_DOUBLED = re.compile(r"([^aeou])\1+")  # doubled consonants; vowels stay (Baa, Բահա)


def plain(word: str) -> str:
    """The word in lower case as its letters read: compatibility forms (full-width letters,
    ligatures) made ordinary, accents and invisible characters and apostrophes removed,
    İ and I as i (a name's endings are told apart on this form)."""
    word = unicodedata.normalize("NFKC", word).replace("İ", "i")
    return "".join(
        c
        for c in unicodedata.normalize("NFC", word.lower())
        if c not in APOSTROPHES and unicodedata.category(c) not in ("Mn", "Me", "Cf")
    ).replace("\u0307", "")


_IOTATED = re.compile("(?<=[аеёиоуыэюяьъ])([её])")  # after a vowel, е is "ye" and ё "yo" (Ваеж, Vayej)


_AN_H = re.compile("(?<![sczkgtp])h")  # not the h of sh, ch, zh, kh, gh, th, ph


def _latin(word: str) -> str:
    word = word.replace("ու", "u").replace("ՈՒ", "u").replace("եւ", "և")
    word = _IOTATED.sub(r"й\1", word)
    return "".join(_CORRECTIONS[c] if c in _CORRECTIONS else anyascii(c) for c in word).lower()


def _classes(latin: str) -> str:
    latin = "".join(c for c in latin if c.isascii() and c.isalpha())
    latin = _GLIDE.sub("", _SPELLED_Y.sub("y", _SPELLED_U.sub("u", latin)))
    return _DOUBLED.sub(r"\1", "".join(_CLASSES.get(s, "") for s in _SOUND.findall(latin)))


@lru_cache(maxsize=65536)
def skeletons(word: str) -> tuple[str, ...]:
    """The skeletons of a word given in `plain` form: the first is the word as written,
    the others the readings of step 3. Empty if it has no letters."""
    latin = _latin(word)
    readings = [latin]
    if word[:1] == "ո" and word[1:2] != "ւ":
        readings.append("v" + latin)  # Ոսկան: Voskan
    # Every reading of up to three h's, kept or left out (Hovhannes: Ованес, Оганес, Hovanes);
    # and of up to three ə's, as a or e (the rest a).
    for at in reversed([m.start() for m in _AN_H.finditer(latin)][:3]):
        readings = [r for s in readings for r in (s, s[:at] + s[at + 1 :])]
    for _ in range(min(latin.count("ä"), 3)):
        readings = [r.replace("ä", v, 1) for r in readings for v in "ae"]
    return tuple(dict.fromkeys(s for r in readings if (s := _classes(r.replace("ä", "a")))))


def tolerance(length: int) -> int:
    """Edits allowed between two skeletons for a confident match, by the name's skeleton
    length: none up to 5 (short names are too close to ordinary words: "Günay", kunay, is
    one edit from "günə", kuna), one up to 9 (Hovhannes, kofkanes, and Ованес, ofanes),
    two beyond."""
    return 0 if length <= 5 else 1 if length <= 9 else 2
