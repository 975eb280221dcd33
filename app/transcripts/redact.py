"""Suggest redactions of participants' names and contact details in transcript text (pure, no I/O)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from app.transcripts.contacts import PLACEHOLDERS, contacts_in
from app.transcripts.endings import GRAMMAR
from app.transcripts.letters import (
    BETWEEN_WORDS,
    FOLD,
    NOT_AFTER_LETTER,
    NOT_BEFORE_LETTER,
    SOUND_FOLD,
    Folded,
    script_of,
    word_pattern,
    words_of,
)
from app.transcripts.scripts import plain, skeletons, tolerance


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
    for script, (suffixes, plain_suffixes, stem_endings, _finals) in GRAMMAR.items()
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
                words = words_of(name)
                # The full name, and alone each word of a multi-word name that is 3+ letters long;
                # one-letter names are skipped (they would redact every "a" and "I").
                forms = [words] + ([[w] for w in words if len(w) >= 3] if len(words) > 1 else [])
                for form in forms:
                    key = " ".join(form).translate(FOLD)
                    if len(key) < 2:
                        continue
                    pattern = BETWEEN_WORDS.join(map(word_pattern, form))
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
        self._pattern = re.compile(f"{NOT_AFTER_LETTER}(?:{alternatives}){NOT_BEFORE_LETTER}") if alternatives else None
        self._pseudonyms: dict[str, str] = {}  # folded matched word → pseudonym
        self._sounds = sounds
        self._skeletons = list(sounds)
        self._judged: dict[str, tuple[str, float, bool, int]] = {}  # word → (pseudonym, confidence, confident, cut)
        self._clean: set[str] = set()  # words (sound-folded) that sound like no name
        self._clean_as_written: set[str] = set()  # words as written in a plain stretch that sound like no name
        self._judged_as_written: dict[str, tuple[str, float, bool, int]] = {}

    def suggest(self, text: str) -> list[Suggestion]:
        """Names (as registered, or by sound within the tolerance) and contacts: sorted by
        start, non-overlapping, offsets into `text`."""
        return self._scan(text)[0]

    def possible_names(self, text: str) -> list[Suggestion]:
        """Words that sound close to a name but not close enough for suggest(), kind
        "possible_name" with the pseudonym of the person they resemble: sorted, apart from
        each other and from every span of suggest()."""
        return self._scan(text)[1]

    def review(self, text: str) -> tuple[list[Suggestion], list[Suggestion]]:
        """Both suggest() and possible_names() of one text, from one scan (the review page)."""
        return self._scan(text)

    def _scan(self, text: str) -> tuple[list[Suggestion], list[Suggestion]]:
        folded = Folded(text)
        spans: list[
            tuple[int, int, str, str, float, bool]
        ] = []  # folded start, end, kind, replacement, confidence, by sound
        possible: list[tuple[int, int, str, float]] = []
        cursor = 0

        def ascii_in_original(start: int, end: int) -> bool:
            a, b = folded.span(start, end)
            return unicodedata.normalize("NFKC", text[a:b]).isascii()

        for start, end, kind in contacts_in(folded.text, ascii_in_original):
            # Names are searched only between contacts: contacts win where they overlap.
            self._names_in(text, folded, cursor, start, spans, possible)
            spans.append((start, end, kind, PLACEHOLDERS[kind], 1.0, False))
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
        return found, maybe

    def _names_in(
        self,
        text: str,
        folded: Folded,
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
        folded: Folded,
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
                found = self._judge(word.translate(SOUND_FOLD))
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
        suffixes, stem_endings = _ENDINGS[script_of(letters[-1])]
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


_FULL_NAME_GAP = re.compile(BETWEEN_WORDS)


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
