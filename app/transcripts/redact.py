"""Suggest redactions of participants' names and contact details in transcript text (pure, no I/O)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Person:
    pseudonym: str  # e.g. "Participant 17"
    names: tuple[str, ...]  # display name and any real names recorded, e.g. ("Nigar", "Nigar Aliyeva")


@dataclass(frozen=True)
class Suggestion:
    start: int  # offsets into the original text, [start, end)
    end: int
    kind: str  # "name", "email", "phone", "url", "handle"
    replacement: str
    original: str


# --- Grammatical endings ------------------------------------------------------------
# The whole inflected word is redacted. The lists err towards too many endings: an extra
# one can only over-redact a rare look-alike word, a missing one leaks a name. Letters
# match as in names (see _letters), so "Nigarin", "Nigarde" (plain Latin) are covered.

# Azerbaijani (Latin): the case paradigm with vowel harmony (back a/ı/o/u, front
# ə/i/ö/ü) and the buffer consonants n/y after a vowel-final name.
AZERBAIJANI_SUFFIXES: tuple[str, ...] = (
    "ın",
    "in",
    "un",
    "ün",
    "nın",
    "nin",
    "nun",
    "nün",  # genitive: Nigarın, Leylanın
    "ı",
    "i",
    "u",
    "ü",
    "nı",
    "ni",
    "nu",
    "nü",  # accusative: Nigarı, Leylanı
    "a",
    "ə",
    "ya",
    "yə",  # dative: Nigara, Leylaya
    "da",
    "də",
    "dan",
    "dən",  # locative, ablative: Nigarda, Nigardan
    "la",
    "lə",
    "yla",
    "ylə",  # instrumental (ilə): Nigarla, Leylayla
    "lar",
    "lər",
    "gil",
    "gilə",
    "gildə",
    "gildən",  # plural; "X's family": Nigargilə
    "dır",
    "dir",
    "dur",
    "dür",  # predicative: "o, Nigardır"
    "ım",
    "im",
    "um",
    "üm",
    "m",  # "my": Nigarım, Leylam
)
# English plural and apostrophe-less possessive ("the Aliyevs", "Nigars idea"). Never after
# an apostrophe, so "Ani's" keeps its 's and reads "Participant 2's".
ENGLISH_SUFFIXES: tuple[str, ...] = ("s", "es")
# Russian (Cyrillic), added to the name as written: hard-stem nouns and surnames
# (Тигран → Тиграна, Тиграну, Тиграном, Тигране; Нигяр → Нигярой; Алиев → Алиевым, Алиевых).
RUSSIAN_SUFFIXES: tuple[str, ...] = (
    "а",
    "у",
    "ом",
    "е",
    "ой",
    "ы",
    "ым",
    "ых",
    "ов",
    "ам",
    "ами",
    "ах",
    "я",
    "ю",
    "ем",
    "и",
    "ей",
)
# Russian names ending in а/я/ь/й lose that letter (Аня → Ани, Ане, Аню, Аней; Игорь →
# Игоря; Алиева → Алиевой); -ин- is the colloquial possessive (Анин, Аниной).
RUSSIAN_STEM_ENDINGS: tuple[str, ...] = (
    "а",
    "я",
    "ы",
    "и",
    "е",
    "у",
    "ю",
    "ой",
    "ою",
    "ей",
    "ею",
    "ем",
    "ин",
    "ина",
    "ину",
    "ины",
    "иной",
    "ам",
    "ям",
    "ах",
    "ях",
    "ами",
    "ями",
    "ь",  # "ь": colloquial vocative, Ань
)
# Armenian (Eastern standard plus common Western/colloquial forms): article -ը/-ն,
# genitive-dative -ի/-ին, ablative -ից (Western -էն), instrumental -ով, locative -ում,
# the -յ- glide after a vowel (Աննայի), possessive -ս/-դ, "X's family" -ենց, plurals.
ARMENIAN_SUFFIXES: tuple[str, ...] = (
    "ը",
    "ն",
    "ի",
    "ին",
    "ից",
    "ով",
    "ում",
    "յի",
    "յին",
    "յից",
    "յով",
    "ս",
    "դ",
    "էն",
    "ենց",
    "անց",
    "ներ",
    "ները",
    "ների",
    "ներին",
    "ներից",
    "ներով",
)
# Armenian names ending in -ի may take the older -ու genitive (Անի → Անու).
ARMENIAN_STEM_ENDINGS: tuple[str, ...] = ("ու", "ուն", "ուց")

# script → (suffixes, suffixes never after an apostrophe, stem endings, letters they replace)
_GRAMMAR: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str]] = {
    "latin": (AZERBAIJANI_SUFFIXES, ENGLISH_SUFFIXES, (), ""),
    "cyrillic": (RUSSIAN_SUFFIXES, (), RUSSIAN_STEM_ENDINGS, "аяьй"),
    "armenian": (ARMENIAN_SUFFIXES, (), ARMENIAN_STEM_ENDINGS, "ի"),
}

# --- Letters -------------------------------------------------------------------------
# Names are matched on a folded copy of the text in which every character stays one
# character, so offsets hold for the original: lower case, accents stripped, İ/I/ı/i all
# "i", Cyrillic letters that look Latin made Latin ("Nigаr" typed with a Cyrillic а), and
# every combining mark or invisible character (a stress mark, the dot of "i̇" from
# "İ".lower(), a soft hyphen) made one mark, which may follow any letter of a name.
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
    base = "i" if ch in "ıİ" else unicodedata.normalize("NFD", ch)[0].lower()
    return _LOOKALIKES.get(base, base) if len(base) == 1 else ch


_FOLD = {
    cp: f
    for cp in (
        *range(0x41, 0x250),
        *range(0x300, 0x370),
        *range(0x400, 0x530),
        *range(0x531, 0x590),
        *range(0x1E00, 0x1F00),
        0xAD,
        0x200B,
        0x200C,
        0x200D,
        0x2060,
        0xFEFF,
    )
    if (f := _fold_char(chr(cp))) != chr(cp)
}
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
}
_TOKEN = re.compile(r"sh|ch|gh|kh|.", re.IGNORECASE | re.DOTALL)
_ANY_LETTER = r"[^\W\d_]"
_NOT_AFTER_LETTER = rf"(?<!{_ANY_LETTER})(?<!{_MARK})"  # digits and "_" count as boundaries, so
_NOT_BEFORE_LETTER = rf"(?!{_ANY_LETTER})"  # "nigar_aliyeva" and "Ani1" still reveal the name
_APOSTROPHE = "['’ʼ‘`]?"  # Nigar'ın, Nigar’ın
_BETWEEN_WORDS = r"[\s.'’ʼ‐–-]{1,3}"  # of a full name


def _letters(word: str) -> str:
    return "".join(
        (_SPELLINGS.get(token.lower()) or re.escape(token.translate(_FOLD))) + _MARK + "*"
        for token in _TOKEN.findall(word)
    )


def _script(ch: str) -> str:
    return "cyrillic" if "\u0400" <= ch < "\u0530" else "armenian" if "\u0530" <= ch < "\u0590" else "latin"


@cache
def _alternation(endings: tuple[str, ...]) -> str:
    return "(?:" + "|".join(sorted({_letters(ending) for ending in endings}, key=lambda p: (-len(p), p))) + ")"


def _word(word: str) -> str:
    """Regex for a name word with an optional grammatical ending."""
    suffixes, plain_suffixes, stem_endings, stem_finals = _GRAMMAR[_script(word[-1])]
    plain = f"|{_alternation(plain_suffixes)}" if plain_suffixes else ""
    pattern = f"{_letters(word)}(?:{_APOSTROPHE}{_alternation(suffixes)}{plain})?"
    if word[-1].lower() in stem_finals and len(word) > 2:
        pattern = f"(?:{pattern}|{_letters(word[:-1])}{_alternation(stem_endings)})"
    return pattern


def _words(name: str) -> list[str]:
    name = "".join(c for c in unicodedata.normalize("NFC", name) if not unicodedata.combining(c))  # "i̇" → "i"
    return re.findall(r"[^\W\d_]+", name.replace("եւ", "և").replace("ԵՒ", "և").replace("Եւ", "և"))


# --- Contacts ------------------------------------------------------------------------
_TAIL = r"[^\s<>\"'.,;:!?)\]}»”]"  # a link does not end with the sentence's punctuation
_LABELS = r"(?:[^\W_][\w-]*\.)+"
_KNOWN_TLDS = "com|org|net|info|io|me|az|am|ru|ge|tr|ua|by|kz|eu|uk|de|fr|us"
_BETWEEN_DIGITS = r"[ \t\u00a0.\-–()/]"  # the groups of a phone number
# (kind, hint, pattern) in order of precedence. A pattern only runs on text that contains its
# cheap hint, which keeps ordinary statements fast. Each pattern starts only at the start of
# a run of its characters (the lookbehinds), which keeps long inputs linear.
_CONTACTS: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (kind, re.compile(hint, re.IGNORECASE), re.compile(pattern, re.IGNORECASE))
    for kind, hint, pattern in (
        (
            "email",
            r"[@＠﹫]|[\[(]at[\])]",  # also "name [at] mail [dot] az"
            r"(?<![\w.+%-])[\w.+%-]+(?:[@＠﹫]|\s?[\[(]at[\])]\s?)[\w-]+(?:(?:\.|\s?[\[(]dot[\])]\s?)[\w-]+)*",
        ),
        (
            "url",
            r"://|www\.|\.[^\W\d_]",
            rf"(?:https?://|ftp://|www\.)[^\s<>\"]*{_TAIL}"
            rf"|(?<![\w.@/-]){_LABELS}[^\W\d_]{{2,}}/(?:[^\s<>\"]*{_TAIL})?"  # example.org/page
            rf"|(?<![\w.@/-]){_LABELS}(?:{_KNOWN_TLDS})(?![\w@-])",
        ),  # nigaraliyeva.az
        ("handle", r"[@＠]", r"(?<![\w@＠.])[@＠]\w[\w.]*\w"),
        # 7+ digits in groups: +994 50 123 45 67, +7 (495) 123-45-67, (012) 498.12.34
        ("phone", r"\d", rf"(?<![\d+])(?:\(?\+\s?)?\(?\d(?:{_BETWEEN_DIGITS}{{0,3}}\d){{6,}}"),
    )
)
_PLACEHOLDERS = {"email": "[email]", "phone": "[phone]", "url": "[link]", "handle": "[handle]"}
# Dates and years written before a number are not part of a phone: "27.09.2020", "2019-2020 ".
_NOT_PHONE = re.compile(
    r"(?:(?:\d{1,2}([./-])\d{1,2}\1(?:19|20)\d\d|\d{4}([./-])\d{1,2}\2\d{1,2}|(?:19|20)\d\d)"
    rf"(?:{_BETWEEN_DIGITS}{{1,3}}|$))+"
)


def _contacts(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, kind) of each contact, leftmost first; at one place the earlier kind wins.
    Each kind's next match is kept until a chosen contact passes it (a search that found
    nothing stays empty), so many contacts in a long text do not mean many rescans."""
    upcoming = [pattern.search(text) if hint.search(text) else None for _, hint, pattern in _CONTACTS]
    position = 0
    while True:
        for index, match in enumerate(upcoming):
            if match is not None and match.start() < position:
                upcoming[index] = _CONTACTS[index][2].search(text, position)
        found = [(match.start(), index, match) for index, match in enumerate(upcoming) if match is not None]
        if not found:
            return
        start, index, chosen = min(found, key=lambda f: f[:2])
        kind, end = _CONTACTS[index][0], chosen.end()
        if kind == "phone" and (prefix := _NOT_PHONE.match(text, start, end)):
            start = position = prefix.end()  # the pattern itself ensures 7 digits without a prefix
            if sum(c.isdigit() for c in text[start:end]) < 7:
                continue  # only dates and years: look again after them
        # A contact starting inside this one is merged into it, so digit groups running into
        # an address ("+994 50 123 45 67 00@mail.az") leave nothing behind.
        while any(match is not None and match.start() < end for match in upcoming):
            for index, match in enumerate(upcoming):
                if match is not None and match.start() < end:
                    end = max(end, match.end())
                    upcoming[index] = _CONTACTS[index][2].search(text, match.end())
        position = end
        yield start, end, kind


# --- Matching ------------------------------------------------------------------------
class Matcher:
    """Redaction suggestions for one session's people; build once, call suggest() per statement."""

    def __init__(self, people: Sequence[Person]) -> None:
        entries: dict[str, tuple[int, str, str]] = {}  # normalised name → (order, pattern, pseudonym)
        for person in people:
            for name in person.names:
                words = _words(name)
                # The full name, and alone each word of a multi-word name that is 3+ letters long;
                # one-letter names are skipped (they would redact every "a" and "I").
                forms = [words] + ([[w] for w in words if len(w) >= 3] if len(words) > 1 else [])
                for form in forms:
                    key = " ".join(form).translate(_FOLD)
                    if len(key) < 2:
                        continue
                    pattern = _BETWEEN_WORDS.join(map(_word, form))
                    if key in entries:
                        # The same name in another script (a Cyrillic "Аня" and a Latin "Ania"
                        # fold alike): the first person's pseudonym, but every script's endings.
                        order, known, pseudonym = entries[key]
                        if pattern != known:
                            entries[key] = (order, f"(?:{known}|{pattern})", pseudonym)
                    else:
                        entries[key] = (len(entries), pattern, person.pseudonym)
        # Regex alternation takes the first branch that matches, so longer names go first.
        ordered = sorted(entries.items(), key=lambda item: (-len(item[0]), item[1][0]))
        self._names = [(pattern, pseudonym) for _, (_, pattern, pseudonym) in ordered]
        alternatives = "|".join(pattern for pattern, _ in self._names)
        self._pattern = (
            re.compile(f"{_NOT_AFTER_LETTER}(?:{alternatives}){_NOT_BEFORE_LETTER}") if alternatives else None
        )
        self._pseudonyms: dict[str, str] = {}  # folded matched word → pseudonym

    def suggest(self, text: str) -> list[Suggestion]:
        found: list[Suggestion] = []
        folded = text.translate(_FOLD)
        cursor = 0
        for start, end, kind in _contacts(text):
            # Names are searched only between contacts: contacts win where they overlap.
            found += self._names_in(text, folded, cursor, start)
            found.append(Suggestion(start, end, kind, _PLACEHOLDERS[kind], text[start:end]))
            cursor = end
        return found + self._names_in(text, folded, cursor, len(text))

    def _names_in(self, text: str, folded: str, start: int, end: int) -> list[Suggestion]:
        if self._pattern is None or start >= end:
            return []
        found = []
        for match in self._pattern.finditer(folded, start, end):
            # Which name matched: the first whose pattern matches the word on its own is the
            # branch the combined pattern took (a capture group per name would slow every attempt).
            word = match.group()
            if word not in self._pseudonyms:
                self._pseudonyms[word] = next(
                    (p for pattern, p in self._names if re.fullmatch(pattern, word)), self._names[0][1]
                )
            pseudonym = self._pseudonyms[word]
            found.append(Suggestion(match.start(), match.end(), "name", pseudonym, text[match.start() : match.end()]))
        return found


def suggest(text: str, people: Sequence[Person]) -> list[Suggestion]:
    """Suggestions sorted by start and non-overlapping; build a Matcher to reuse across statements."""
    return Matcher(people).suggest(text)


def apply(text: str, redactions: Sequence[tuple[int, int, str]]) -> str:
    """Replace each (start, end, replacement) span; ValueError if a span is empty, out of range or overlaps."""
    parts: list[str] = []
    cursor = 0
    for start, end, replacement in sorted(redactions, key=lambda r: (r[0], r[1])):
        if not 0 <= start < end <= len(text):
            raise ValueError(f"redaction {start}-{end} is outside the text (length {len(text)}) or empty")
        if start < cursor:
            raise ValueError(f"redaction {start}-{end} overlaps the previous one, which ends at {cursor}")
        parts += [text[cursor:start], replacement]
        cursor = end
    parts.append(text[cursor:])
    return "".join(parts)
