"""The grammatical endings that names take in Azerbaijani, English, Russian and Armenian, for redact.py."""

from __future__ import annotations

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
GRAMMAR: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str]] = {
    "latin": (AZERBAIJANI_SUFFIXES, ENGLISH_SUFFIXES, (), ""),
    "cyrillic": (RUSSIAN_SUFFIXES, (), RUSSIAN_STEM_ENDINGS, "аяьй"),
    "armenian": (ARMENIAN_SUFFIXES, (), ARMENIAN_STEM_ENDINGS, "ի"),
}
