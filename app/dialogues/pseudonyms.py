"""Pseudonyms in the reader's language: stored as a role word and a number ("Participant 13"),
shown as "Participant 13", "Участник 13", "İştirakçı 13" or "Մասնակից 13".

The stored form stays English and stable (it is a key: unique per session, matched in
transcripts); only what a person reads is translated.
"""

from __future__ import annotations

import re

# The role words of stored pseudonyms, in every interface language. A programme's extra
# content language falls back to English.
WORDS: dict[str, dict[str, str]] = {
    "Participant": {"en": "Participant", "ru": "Участник", "az": "İştirakçı", "hy": "Մասնակից"},
    "Facilitator": {"en": "Facilitator", "ru": "Фасилитатор", "az": "Fasilitator", "hy": "Ֆասիլիտատոր"},
    "Observer": {"en": "Observer", "ru": "Наблюдатель", "az": "Müşahidəçi", "hy": "Դիտորդ"},
    "Interpreter": {"en": "Interpreter", "ru": "Переводчик", "az": "Tərcüməçi", "hy": "Թարգմանիչ"},
    # A breakout group, the author of its report in the main room.
    "Group": {"en": "Group", "ru": "Группа", "az": "Qrup", "hy": "Խումբ"},
}
_STORED = re.compile(r"^(" + "|".join(WORDS) + r") (\d+)$")


def pseudonym_label(pseudonym: str, language: str) -> str:
    """A stored pseudonym as a reader of `language` reads it; anything else unchanged."""
    match = _STORED.match(pseudonym)
    if match is None:
        return pseudonym
    word, number = match.groups()
    return f"{WORDS[word].get(language, word)} {number}"
