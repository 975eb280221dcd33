"""Names people are shown by in a room, that cannot pass for someone else.

A name is compared by its look-alike key (`text.skeleton`: NFKC, case folding, without
spaces, punctuation, marks and invisible characters, TR39 prototypes). It may not start with
a reserved word (the roles and the transcript pseudonym words, in the four UI languages),
nor have one as a word of its own. A facilitator may say they are one ("Facilitator Ani"),
but not in the shape of a pseudonym ("Facilitator 2"), and no one may call themselves a
participant, an observer, an organiser, an admin, an interpreter or Roundtable.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from app.errors import ValidationFailed
from app.messages import Msg
from app.security.text import VARIATION_SELECTORS, control_characters, skeleton

NAME_MIN, NAME_MAX = 2, 40
KEY_MAX = 120  # the column's length; a folded name can be longer than the name

# The roles as the pages and the room render them (frontend/translations/*/LC_MESSAGES/
# messages.po: "facilitator", "co-facilitator", "participant", "observer", "organiser";
# frontend/static/i18n/*.json: "role.facilitator"), and the pseudonym words of transcripts
# (dialogues.seats.PSEUDONYM_WORDS; a test checks they are all here).
FACILITATOR_WORDS = (
    # English
    "facilitator",
    "co-facilitator",
    "moderator",
    # Russian
    "фасилитатор",
    "со-фасилитатор",
    "модератор",
    # Azerbaijani
    "fasilitator",
    "ortaq fasilitator",
    # Armenian
    "ֆասիլիտատոր",
    "համաֆասիլիտատոր",
    "մոդերատոր",
)
OTHER_WORDS = (
    # English
    "participant",
    "observer",
    "admin",
    "organiser",
    "organizer",
    "interpreter",
    "translator",
    "roundtable",
    "group",  # a breakout group's seat signs its report as "Group N"
    # Russian
    "участник",
    "участница",
    "наблюдатель",
    "админ",
    "организатор",
    "переводчик",
    "переводчица",
    "группа",
    # Azerbaijani
    "iştirakçı",
    "müşahidəçi",
    "təşkilatçı",
    "tərcüməçi",
    "qrup",
    # Armenian
    "մասնակից",
    "դիտորդ",
    "ադմին",
    "կազմակերպիչ",
    "թարգմանիչ",
    "խումբ",
)


@lru_cache(maxsize=1)
def _keys() -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(skeleton(w) for w in FACILITATOR_WORDS), frozenset(skeleton(w) for w in OTHER_WORDS)


def _field_error(field: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, details=[{"field": field, "type": code, "message": message}])


def name_key(name: str) -> str:
    """The key two names share when they look alike (unique among a session's seats)."""
    return skeleton(name)[:KEY_MAX]


def _words(text: str) -> list[str]:
    """Runs of letters (with their marks): the words of a name, whatever separates them."""
    words, current = [], []
    for ch in unicodedata.normalize("NFKC", text):
        if unicodedata.category(ch)[0] in ("L", "M"):
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def _without_numbers(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "N")


def reserved_word_in(name: str, *, facilitator: bool = False) -> bool:
    """Whether a name starts with a reserved word (spaces, digits and look-alikes aside) or
    has one as a word; for a facilitator, the facilitator words are not reserved unless the
    name has the shape of a pseudonym (the word and a number)."""
    facilitator_keys, other_keys = _keys()
    blocked = other_keys if facilitator else other_keys | facilitator_keys
    nfkc = unicodedata.normalize("NFKC", name)
    # Digits dropped before folding ("Participant3") and after it ("Fac1l" reads as "Facil").
    forms = {skeleton(_without_numbers(nfkc)), _without_numbers(skeleton(nfkc))}
    if any(form.startswith(key) for form in forms for key in blocked):
        return True
    if any(skeleton(word) in blocked for word in _words(nfkc)):
        return True
    has_number = any(unicodedata.category(ch)[0] == "N" for ch in nfkc)
    return facilitator and has_number and any(form in facilitator_keys for form in forms)


def check_display_name(raw: str, *, field: str = "display_name", facilitator: bool = False) -> tuple[str, str]:
    """The name as shown (spaces collapsed, NFC) and its look-alike key, or ValidationFailed."""
    name = unicodedata.normalize("NFC", " ".join(raw.split()))
    hidden = control_characters(name, allow=VARIATION_SELECTORS)
    if hidden:
        raise _field_error(
            field,
            Msg("The name has characters that cannot be shown ({characters}).", characters=", ".join(hidden[:3])),
            "bad_display_name",
        )
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise _field_error(
            field,
            Msg("Choose a name of {name_min} to {name_max} characters.", name_min=NAME_MIN, name_max=NAME_MAX),
            "bad_display_name",
        )
    if not any(ch.isalpha() for ch in name):
        raise _field_error(field, Msg("The name needs at least one letter."), "bad_display_name")
    if reserved_word_in(name, facilitator=facilitator):
        message = (
            "Facilitators may say they facilitate, but not in the form of a transcript pseudonym, nor take "
            "another role's name; choose another."
            if facilitator
            else "That name is kept for facilitators and transcripts; choose another."
        )
        raise _field_error(field, message, "reserved_display_name")
    return name, name_key(name)
