"""Suggest redactions of participants' names and contact details in transcript text (pure, no I/O)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from app.transcripts.scripts import APOSTROPHES, plain, skeletons, tolerance


@dataclass(frozen=True)
class Person:
    pseudonym: str  # e.g. "Participant 17"
    names: tuple[str, ...]  # display name and any real names recorded, e.g. ("Nigar", "Nigar Aliyeva")


@dataclass(frozen=True)
class Suggestion:
    start: int  # offsets into the original text, [start, end)
    end: int
    kind: str  # "name", "email", "phone", "url", "handle"; "possible_name" from possible_names()
    replacement: str
    original: str
    # 1.0 for a name as registered (any case, accents, endings) and for contacts; less for a
    # name found by its sound in another script or spelling: 1 - edits / skeleton length.
    confidence: float = 1.0


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
# Names and contacts are matched on a folded copy of the text: compatibility forms made
# ordinary (NFKC: full-width "Ｎｉｇａｒ", the ligatures "ﬁ" and "և", mathematical bold
# letters), lower case, accents stripped, İ/I/ı/i all "i", Cyrillic letters that look Latin
# made Latin ("Nigаr" typed with a Cyrillic а), every apostrophe made "'", and every
# combining mark or invisible character (a stress mark, the dot of "i̇" from "İ".lower(), a
# soft hyphen) made one mark, which may follow any letter of a name. A character may fold
# to several ("ﬁ" to "fi"), so spans found in the folded text are mapped back (_Folded).
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


_FOLD = {
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
# character folds to as many characters as in _FOLD, so both texts have the same offsets.
_SOUND_FOLD = {
    cp: f
    for cp in map(ord, {chr(cp) for cp in _FOLD} | set(APOSTROPHES))
    if (f := _sound_compatible(chr(cp))) != chr(cp)
}
assert all(len(_FOLD.get(cp, chr(cp))) == len(_SOUND_FOLD.get(cp, chr(cp))) for cp in _FOLD.keys() | _SOUND_FOLD.keys())
_EXPANDS = re.compile("[" + "".join(re.escape(chr(cp)) for cp, f in _FOLD.items() if len(f) > 1) + "]")


class _Folded:
    """The folded text, and where each of its characters comes from in the original."""

    __slots__ = ("_origin", "_original", "text")

    def __init__(self, original: str) -> None:
        self._original = original
        self.text = original.translate(_FOLD)
        self._origin: list[int] | None = None  # None: one character for one
        if len(self.text) != len(original):  # no character folds to nothing
            origin: list[int] = []
            done = 0
            for match in _EXPANDS.finditer(original):
                at = match.start()
                origin += range(done, at)
                origin += [at] * len(_FOLD[ord(original[at])])
                done = at + 1
            origin += range(done, len(original))
            self._origin = origin

    @property
    def one_for_one(self) -> bool:
        """Whether every character folded to one, so offsets are the original's."""
        return self._origin is None

    @property
    def sound(self) -> str:
        """The text for reading words by their sound (_SOUND_FOLD), with the same offsets."""
        return self._original.translate(_SOUND_FOLD)

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
_NOT_AFTER_LETTER = rf"(?<!{_ANY_LETTER})(?<!{_MARK})"  # digits and "_" count as boundaries, so
_NOT_BEFORE_LETTER = rf"(?!{_ANY_LETTER})"  # "nigar_aliyeva" and "Ani1" still reveal the name
_APOSTROPHE = "'?"  # Nigar'ın, Nigar’ın, Nigarʻın (every apostrophe is folded to ')
_BETWEEN_WORDS = r"[\s.'‐–-]{1,3}"  # of a full name


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
    name = name.replace("եւ", "և").replace("ԵՒ", "և").replace("Եւ", "և")
    name = "".join("'" if c in APOSTROPHES else c for c in name)  # ʼ and ʻ are letters to Unicode
    return [w.strip("'") for w in re.findall(r"[^\W\d_]+(?:'+[^\W\d_]+)*", name)]


# --- Contacts ------------------------------------------------------------------------
# Contacts are looked for in the folded text (full-width "＠" and "．" are "@" and "." there,
# Cyrillic letters that look Latin are Latin: _folded() spells words as they are there).
_TAIL = r"[^\s<>\"'.,;:!?)\]}»”]"  # a link does not end with the sentence's punctuation
_LABELS = r"(?:[^\W_][\w-]*\.)+"
_KNOWN_TLDS = "com|org|net|info|io|me|az|am|ru|ge|tr|ua|by|kz|eu|uk|de|fr|us"
_BETWEEN_DIGITS = r"[ \t\u00a0.\-–()/]"  # the groups of a phone number


def _folded(*words: str) -> str:
    return "|".join(re.escape(w.translate(_FOLD)) for w in words)


# An e-mail address written out: "nigar [at] mail [dot] az", "nigar(at)mail(dot)az",
# "nigar at mail dot az", "nigar собака mail точка ru". A bare " at " only counts when a
# domain follows that is written out too ("mail dot az") or ends in a known TLD.
_WRITTEN_AT = _folded("at", "собака", "sobaka")
_WRITTEN_DOT = _folded("dot", "точка", "tochka", "nöqtə", "noqte", "կետ")
_BRACKETED_AT = rf"\s?[\[({{<]\s?(?:{_WRITTEN_AT})\s?[\])}}>]\s?"
_DOT = rf"(?:\.|\s?[\[({{<]\s?(?:{_WRITTEN_DOT})\s?[\])}}>]\s?|\s+(?:{_WRITTEN_DOT})\s+)"
_LOCAL = r"(?<![\w.+%-])[\w.+%-]*\w"
_EMAIL = (
    rf"{_LOCAL}(?:[@＠﹫]|{_BRACKETED_AT})[\w-]+(?:{_DOT}[\w-]+)*"
    rf"|{_LOCAL}\s[@＠﹫]\s[\w-]+(?:{_DOT}[\w-]+)+"  # "nigar @ mail.az", not "me @ home"
    rf"|{_LOCAL}\s+(?:{_WRITTEN_AT})\s+[\w-]+"
    rf"(?:(?:\.[\w-]+)*\.(?:{_KNOWN_TLDS})(?!\w)|(?:\.[\w-]+)*\s+(?:{_WRITTEN_DOT})\s+[\w-]+)"
    rf"(?:{_DOT}[\w-]+)*"
)
# A handle written after the platform's name without "@": "instagram nigar.a",
# "telegram: ani_s", "tg ani_s", "в инстаграме nigar.a", "instaqramda @ani". Handles are
# Latin letters, digits, "_" and "."; a common word after the platform's name is not one.
_PLATFORM_WORDS = frozenset(
    word.translate(_FOLD)
    for word in (
        *"instagram instaqram insta inst ig telegram teleqram tg tlg telega facebook feysbuk fb twitter tiktok "
        "whatsapp watsap viber skype linkedin snapchat vk vkontakte discord".split(),
        *"инстаграм инстаграмм инста инст телеграм телеграмм телега тг фейсбук фб твиттер тикток ватсап вотсап "
        "вацап вайбер скайп вконтакте вк дискорд".split(),
        *"ինստագրամ տելեգրամ թելեգրամ ֆեյսբուք վայբեր".split(),
    )
)
# The hint: the first four letters of a longer name, or a short one ending a word.
_PLATFORM_PREFIXES = sorted({w[:4] for w in _PLATFORM_WORDS if len(w) >= 4})
_SHORT_PLATFORM = re.compile(rf"(?:{'|'.join(sorted(w for w in _PLATFORM_WORDS if len(w) < 4))})(?![^\W\d_])")
_NOT_HANDLES = (
    "is are was were and or but the a an to too in on at of for with from by me my our your his her "
    "their it its this that there here now then also only so if as not no yes we you they he she i "
    "account page group chat channel story stories post posts link profile message messages name "
    "və ya da də ilə ki bu o mən sən biz siz onlar həm hə yox var yoxdur"
).split()
# What follows the platform's name (with up to 4 letters of an ending: "instagramda",
# "в телеграме"): a separator, maybe "@", and the handle, which is the contact.
_AFTER_PLATFORM_NAME = re.compile(
    rf"(?:\s*[:：\-–—]\s*|\s+)@?(?P<value>(?!(?:{'|'.join(_NOT_HANDLES)})(?![\w.]))"
    r"[a-z0-9_](?:[a-z0-9_.]*[a-z0-9_])?)(?![\w@])",
    re.IGNORECASE,
)
_LETTERS = re.compile(r"(?<![^\W\d_])[^\W\d_]+")


class _AfterPlatform:
    """Finds handles after a platform's name like a compiled pattern (a regex alternation of
    some fifty names would try each at every position of every statement)."""

    pattern = "handle after a platform's name"

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        for word in _LETTERS.finditer(text, pos):
            name = word.group()
            if name in _PLATFORM_WORDS or (
                len(name) > 5 and any(name[:cut] in _PLATFORM_WORDS for cut in range(max(4, len(name) - 4), len(name)))
            ):
                match = _AFTER_PLATFORM_NAME.match(text, word.end())
                if match is not None:
                    return match
        return None


def _any_of(*needles: str) -> Callable[[str], bool]:
    return lambda text: any(map(text.__contains__, needles))


# (kind, hint, pattern) in order of precedence. A pattern only runs on text that contains its
# cheap hint (plain substrings where a regex would be slow), which keeps ordinary statements
# fast. Each pattern starts only at the start of a run of its characters (the lookbehinds),
# which keeps long inputs linear. Where a pattern
# has a group "value", only that group is the contact (the platform's name stays).
_CONTACTS: tuple[tuple[str, Callable[[str], object], re.Pattern[str] | _AfterPlatform], ...] = tuple(
    (
        kind,
        re.compile(hint, re.IGNORECASE).search if isinstance(hint, str) else hint,
        re.compile(pattern, re.IGNORECASE) if isinstance(pattern, str) else pattern,
    )
    for kind, hint, pattern in (
        (
            "email",
            _any_of("@", "＠", "﹫", " at", "\tat", "\nat", "[at", "(at", "{at", "<at", *_WRITTEN_AT.split("|")[1:]),
            _EMAIL,
        ),
        (
            "url",
            r"://|www\.|\.[^\W\d_]",
            rf"(?:https?://|ftp://|www\.)[^\s<>\"]*{_TAIL}"
            rf"|(?<![\w.@/-]){_LABELS}[^\W\d_]{{2,}}/(?:[^\s<>\"]*{_TAIL})?"  # example.org/page
            rf"|(?<![\w.@/-]){_LABELS}(?:{_KNOWN_TLDS})(?![\w@-])",
        ),  # nigaraliyeva.az
        ("handle", r"[@＠]", r"(?<![\w@＠.])[@＠]\w[\w.]*\w"),
        (
            "handle",
            lambda text: any(map(text.__contains__, _PLATFORM_PREFIXES)) or _SHORT_PLATFORM.search(text),
            _AfterPlatform(),
        ),
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


def _start(match: re.Match[str]) -> int:
    return match.start("value") if "value" in match.re.groupindex else match.start()


_AFTER_PLATFORM = next(i for i, c in enumerate(_CONTACTS) if isinstance(c[2], _AfterPlatform))


def _contacts(text: str, ascii_in_original: Callable[[int, int], bool]) -> Iterator[tuple[int, int, str]]:
    """(start, end, kind) of each contact in the folded text, leftmost first; at one place the
    earlier kind wins. Each kind's next match is kept until a chosen contact passes it (a
    search that found nothing stays empty), so many contacts in a long text do not mean many
    rescans. A handle after a platform's name must be Latin in the original (the folded
    text has made Cyrillic "рос" Latin "poc")."""
    upcoming = [pattern.search(text) if hint(text) else None for _, hint, pattern in _CONTACTS]
    position = 0
    while True:
        for index, match in enumerate(upcoming):
            if match is not None and _start(match) < position:
                upcoming[index] = _CONTACTS[index][2].search(text, position)
        found = [(_start(match), index, match) for index, match in enumerate(upcoming) if match is not None]
        if not found:
            return
        start, index, chosen = min(found, key=lambda f: f[:2])
        kind, end = _CONTACTS[index][0], chosen.end()
        if index == _AFTER_PLATFORM and not ascii_in_original(start, end):
            upcoming[index] = _CONTACTS[index][2].search(text, chosen.end())
            continue
        if kind == "phone" and (prefix := _NOT_PHONE.match(text, start, end)):
            start = position = prefix.end()  # the pattern itself ensures 7 digits without a prefix
            if sum(c.isdigit() for c in text[start:end]) < 7:
                continue  # only dates and years: look again after them
        # A contact starting inside this one is merged into it, so digit groups running into
        # an address ("+994 50 123 45 67 00@mail.az") leave nothing behind.
        while any(match is not None and _start(match) < end for match in upcoming):
            for index, match in enumerate(upcoming):
                if match is not None and _start(match) < end:
                    end = max(end, match.end())
                    upcoming[index] = _CONTACTS[index][2].search(text, match.end())
        position = end
        yield start, end, kind


# --- Matching ------------------------------------------------------------------------
# Two passes. The first finds each name as registered, in its own script, with the
# endings above (one regex over the folded text). The second reads every other word by its
# sound (scripts.py): the word, and the word less each ending of its own script, turned into
# a skeleton and compared with the skeletons of every name word. Within scripts.tolerance()
# edits it is a name ("name"); one edit more, a possible name for the review page
# ("possible_name"). Each word is judged once per Matcher.
# A word of the sound-folded text: letters, with the combining marks and apostrophes inside it.
_COMBINING = "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# (No lookbehind: a stretch between names and contacts never starts inside a word.)
_WORD = re.compile(rf"[^\W\d_]+(?:[{_COMBINING}]+[^\W\d_]*|'[^\W\d_]+)*")
# A stretch of the original with only letters, digits, spaces and plain punctuation reads
# word for word as the sound-folded text does, so its words can be looked up as written
# (most statements: no second folding needed).
_ODD = r"[^\w\s.,;:!?()\[\]{}«»\"„“”…/–—\-+*=%&#№<>|։՝՞]|[ʼʻʹ]"
_LETTER_RUN = re.compile(r"[^\W\d_]+")
_LETTER_RUN_OR_ODD = re.compile(rf"[^\W\d_]+|{_ODD}")  # an odd character is never a clean word
_VOWELS = "aeou"
# An ending of a word in this script: (endings added to the name, endings replacing its last vowel).
_ENDINGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    script: (
        tuple(sorted({plain(e) for e in suffixes + plain_suffixes}, key=len)),
        tuple(sorted({plain(e) for e in stem_endings}, key=len)),
    )
    for script, (suffixes, plain_suffixes, stem_endings, _finals) in _GRAMMAR.items()
}
_SKELETON_EDITS = 3  # the most edits any tolerance (+1 for a possible name) allows below 16 sounds


@dataclass(frozen=True)
class _Sound:
    """A name word's skeleton, whose person, and whether it is the word less its last vowel
    (to be compared only with words less an ending that replaces it: Лейла, Лейлы)."""

    pseudonym: str
    length: int  # of the whole word's skeleton, which sets the tolerance
    stem_only: bool


class Matcher:
    """Redaction suggestions for one session's people; build once, call suggest() (and
    possible_names()) per statement."""

    def __init__(self, people: Sequence[Person]) -> None:
        entries: dict[str, tuple[int, str, str]] = {}  # normalised name → (order, pattern, pseudonym)
        sounds: dict[str, _Sound] = {}  # skeleton → the first person's name word that has it
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
                # By sound, each word of 3 or more sounds ("Li" and "Ян" would be every "ли").
                for word in words:
                    for skeleton in skeletons(plain(word)):
                        if len(skeleton) >= 3:
                            sounds.setdefault(skeleton, _Sound(person.pseudonym, len(skeleton), False))
                            if skeleton[-1] in _VOWELS:  # Лейла, Лейлы; and Руя, Руи
                                for stem in {skeleton[:-1], skeleton[:-1].removesuffix("y")}:
                                    sounds.setdefault(stem, _Sound(person.pseudonym, len(skeleton), True))
        # Regex alternation takes the first branch that matches, so longer names go first.
        ordered = sorted(entries.items(), key=lambda item: (-len(item[0]), item[1][0]))
        self._names = [(pattern, pseudonym) for _, (_, pattern, pseudonym) in ordered]
        alternatives = "|".join(pattern for pattern, _ in self._names)
        self._pattern = (
            re.compile(f"{_NOT_AFTER_LETTER}(?:{alternatives}){_NOT_BEFORE_LETTER}") if alternatives else None
        )
        self._pseudonyms: dict[str, str] = {}  # folded matched word → pseudonym
        self._sounds = sounds
        self._skeletons = list(sounds)
        self._judged: dict[str, tuple[str, float, bool, int]] = {}  # word → (pseudonym, confidence, confident, cut)
        self._clean: set[str] = set()  # words (sound-folded) that sound like no name
        self._clean_as_written: set[str] = set()  # words as written in a plain stretch that sound like no name
        self._judged_as_written: dict[str, tuple[str, float, bool, int]] = {}
        self._last: tuple[str, list[Suggestion], list[Suggestion]] | None = None

    def suggest(self, text: str) -> list[Suggestion]:
        """Names (as registered, or by sound within the tolerance) and contacts: sorted by
        start, non-overlapping, offsets into `text`."""
        return self._scan(text)[0]

    def possible_names(self, text: str) -> list[Suggestion]:
        """Words that sound close to a name but not close enough for suggest(), kind
        "possible_name" with the pseudonym of the person they resemble: sorted, apart from
        each other and from every span of suggest()."""
        return self._scan(text)[1]

    def _scan(self, text: str) -> tuple[list[Suggestion], list[Suggestion]]:
        if self._last is not None and self._last[0] == text:  # the review page asks for both
            return self._last[1], self._last[2]
        folded = _Folded(text)
        spans: list[
            tuple[int, int, str, str, float, bool]
        ] = []  # folded start, end, kind, replacement, confidence, by sound
        possible: list[tuple[int, int, str, float]] = []
        cursor = 0

        def ascii_in_original(start: int, end: int) -> bool:
            a, b = folded.span(start, end)
            return unicodedata.normalize("NFKC", text[a:b]).isascii()

        for start, end, kind in _contacts(folded.text, ascii_in_original):
            # Names are searched only between contacts: contacts win where they overlap.
            self._names_in(text, folded, cursor, start, spans, possible)
            spans.append((start, end, kind, _PLACEHOLDERS[kind], 1.0, False))
            cursor = end
        self._names_in(text, folded, cursor, len(folded.text), spans, possible)
        found = []
        for start, end, kind, replacement, confidence, _ in _joined(folded.text, spans):
            a, b = folded.span(start, end)
            found.append(Suggestion(a, b, kind, replacement, text[a:b], confidence))
        maybe = []
        for start, end, replacement, confidence in possible:
            a, b = folded.span(start, end)
            maybe.append(Suggestion(a, b, "possible_name", replacement, text[a:b], confidence))
        self._last = (text, found, maybe)
        return found, maybe

    def _names_in(
        self,
        text: str,
        folded: _Folded,
        start: int,
        end: int,
        spans: list[tuple[int, int, str, str, float, bool]],
        possible: list[tuple[int, int, str, float]],
    ) -> None:
        if start >= end:
            return
        cursor = start
        if self._pattern is not None:
            for match in self._pattern.finditer(folded.text, start, end):
                self._sounded(text, folded, cursor, match.start(), spans, possible)
                # Which name matched: the first whose pattern matches the word on its own is the
                # branch the combined pattern took (a capture group per name would slow every attempt).
                word = match.group()
                if word not in self._pseudonyms:
                    self._pseudonyms[word] = next(
                        (p for pattern, p in self._names if re.fullmatch(pattern, word)), self._names[0][1]
                    )
                spans.append((match.start(), match.end(), "name", self._pseudonyms[word], 1.0, False))
                cursor = match.end()
        self._sounded(text, folded, cursor, end, spans, possible)

    def _sounded(
        self,
        text: str,
        folded: _Folded,
        start: int,
        end: int,
        spans: list[tuple[int, int, str, str, float, bool]],
        possible: list[tuple[int, int, str, float]],
    ) -> None:
        """The second pass over the words of folded[start:end]."""
        if not self._skeletons or start >= end:
            return
        if folded.one_for_one:
            words = _LETTER_RUN_OR_ODD.findall(text, start, end)
            if all(word in self._clean_as_written for word in words):  # most statements
                return
            if not any(len(word) == 1 and re.fullmatch(_ODD, word) for word in words):
                self._sounded_as_written(text, start, end, spans, possible)
                return
        sound = folded.sound
        clean = self._clean
        for match in _WORD.finditer(sound, start, end):
            word = match.group()
            if word in clean:
                continue
            judged = self._judged.get(word)
            if judged is None:
                found = self._judge(word)
                if found is None:
                    clean.add(word)
                    continue
                judged = self._judged[word] = found
            pseudonym, confidence, confident, cut = judged
            word_start, word_end = match.start(), match.end() - cut
            if confident:
                spans.append((word_start, word_end, "name", pseudonym, confidence, True))
            else:
                possible.append((word_start, word_end, pseudonym, confidence))

    def _sounded_as_written(
        self,
        text: str,
        start: int,
        end: int,
        spans: list[tuple[int, int, str, str, float, bool]],
        possible: list[tuple[int, int, str, float]],
    ) -> None:
        """_sounded() for a plain stretch (_ODD): its words are the sound-folded text's, so
        they are judged as written, each folded alone the first time it is seen."""
        clean = self._clean_as_written
        for match in _LETTER_RUN.finditer(text, start, end):
            word = match.group()
            if word in clean:
                continue
            judged = self._judged_as_written.get(word)
            if judged is None:
                found = self._judge(word.translate(_SOUND_FOLD))
                if found is None:
                    clean.add(word)
                    continue
                judged = self._judged_as_written[word] = found
            pseudonym, confidence, confident, _ = judged
            if confident:
                spans.append((match.start(), match.end(), "name", pseudonym, confidence, True))
            else:
                possible.append((match.start(), match.end(), pseudonym, confidence))

    def _judge(self, word: str) -> tuple[str, float, bool, int] | None:
        """Whose name a word sounds like, how closely, whether closely enough, and how many
        characters at its end are not part of it (the English possessive: "Ани's")."""
        cut = 2 if word.endswith("'s") else 0
        letters = plain(word[: len(word) - cut])
        if len(letters) < 2:
            return None
        suffixes, stem_endings = _ENDINGS[_script(letters[-1])]
        readings = [(letters, False)]  # (the word less an ending, whether that ending replaced a vowel)
        readings += [(letters[: -len(e)], False) for e in suffixes if letters.endswith(e) and len(letters) > len(e) + 1]
        readings += [
            (letters[: -len(e)], True) for e in stem_endings if letters.endswith(e) and len(letters) > len(e) + 1
        ]
        best: tuple[int, int, float, str] | None = None  # (not confident, order, -confidence, pseudonym)
        for stem, replaced in readings:
            for skeleton in skeletons(stem):
                if len(skeleton) < 2:
                    continue
                if skeleton in self._sounds and (replaced or not self._sounds[skeleton].stem_only):
                    candidates = [(skeleton, 0, 0)]
                elif len(skeleton) < 3:
                    continue
                else:
                    candidates = process.extract(
                        skeleton, self._skeletons, scorer=Levenshtein.distance, score_cutoff=_SKELETON_EDITS, limit=None
                    )
                for known, edits, _ in candidates:
                    sound = self._sounds[known]
                    if sound.stem_only and not replaced:
                        continue
                    allowed = tolerance(sound.length)
                    if edits > allowed + 1 or (edits > allowed and sound.length < 4):
                        continue
                    choice = (int(edits > allowed), edits, -(1 - edits / sound.length), sound.pseudonym)
                    if best is None or choice < best:
                        best = (choice[0], choice[1], choice[2], choice[3])
        if best is None:
            return None
        return best[3], round(-best[2], 3), best[0] == 0, cut


def _joined(
    text: str, spans: list[tuple[int, int, str, str, float, bool]]
) -> list[tuple[int, int, str, str, float, bool]]:
    """The spans in order, a name found by sound joined with the next or previous name of the
    same person when only the separator of a full name is between them ("Нигяр Алиева")."""
    spans.sort(key=lambda s: s[0])
    joined: list[tuple[int, int, str, str, float, bool]] = []
    for span in spans:
        if joined:
            last = joined[-1]
            if (
                last[2] == span[2] == "name"
                and last[3] == span[3]
                and (last[5] or span[5])
                and _FULL_NAME_GAP.fullmatch(text, last[1], span[0])
            ):
                joined[-1] = (last[0], span[1], "name", last[3], min(last[4], span[4]), True)
                continue
        joined.append(span)
    return joined


_FULL_NAME_GAP = re.compile(_BETWEEN_WORDS)


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
