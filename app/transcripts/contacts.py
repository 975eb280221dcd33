"""Contact details in statement text: e-mails (also written out), phone numbers, links, handles (redact.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from app.transcripts.letters import FOLD

# --- Contacts ------------------------------------------------------------------------
# Contacts are looked for in the folded text (full-width "＠" and "．" are "@" and "." there,
# Cyrillic letters that look Latin are Latin: _folded() spells words as they are there).
_TAIL = r"[^\s<>\"'.,;:!?)\]}»”]"  # a link does not end with the sentence's punctuation
_LABELS = r"(?:[^\W_][\w-]*\.)+"
_KNOWN_TLDS = "com|org|net|info|io|me|az|am|ru|ge|tr|ua|by|kz|eu|uk|de|fr|us"
_BETWEEN_DIGITS = r"[ \t\u00a0.\-–()/]"  # the groups of a phone number


def _folded(*words: str) -> str:
    return "|".join(re.escape(w.translate(FOLD)) for w in words)


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
    word.translate(FOLD)
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
PLACEHOLDERS = {"email": "[email]", "phone": "[phone]", "url": "[link]", "handle": "[handle]"}
# Dates and years written before a number are not part of a phone: "27.09.2020", "2019-2020 ".
_NOT_PHONE = re.compile(
    r"(?:(?:\d{1,2}([./-])\d{1,2}\1(?:19|20)\d\d|\d{4}([./-])\d{1,2}\2\d{1,2}|(?:19|20)\d\d)"
    rf"(?:{_BETWEEN_DIGITS}{{1,3}}|$))+"
)


def _start(match: re.Match[str]) -> int:
    return match.start("value") if "value" in match.re.groupindex else match.start()


_AFTER_PLATFORM = next(i for i, c in enumerate(_CONTACTS) if isinstance(c[2], _AfterPlatform))


def contacts_in(text: str, ascii_in_original: Callable[[int, int], bool]) -> Iterator[tuple[int, int, str]]:
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
