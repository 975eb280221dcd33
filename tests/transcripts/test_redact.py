"""Redaction suggestions: names in three scripts with their endings, contacts, offsets, apply().

A name or contact left in a released transcript can put a participant in danger, so the
examples are backed by property tests that generate names, endings and contacts."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.transcripts.endings import (
    ARMENIAN_STEM_ENDINGS,
    ARMENIAN_SUFFIXES,
    AZERBAIJANI_SUFFIXES,
    ENGLISH_SUFFIXES,
    RUSSIAN_STEM_ENDINGS,
    RUSSIAN_SUFFIXES,
)
from app.transcripts.redact import (
    Matcher,
    Person,
    Suggestion,
    apply,
    suggest,
)

NIGAR = Person("Participant 1", ("Nigar", "Nigar Aliyeva"))
ANI = Person("Participant 2", ("Ani",))
TIGRAN = Person("Participant 3", ("Tigran Petrosyan", "Տիգրան", "Тигран"))
ILKIN = Person("Participant 4", ("İlkin",))
RUSSIAN = Person("Participant 5", ("Нигяр", "Аня"))
ARMENIAN = Person("Participant 6", ("Անի",))
PEOPLE = [NIGAR, ANI, TIGRAN, ILKIN, RUSSIAN, ARMENIAN]


def redact(text: str, people: list[Person] = PEOPLE) -> str:
    return apply(text, [(s.start, s.end, s.replacement) for s in suggest(text, people)])


# --- Names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word",
    [
        "Nigar",
        "Nigara",
        "Nigarın",
        "Nigarla",
        "Nigardan",
        "Nigarə",
        "Nigarı",
        "Nigarda",
        "Nigar'ın",
        "Nigar’a",
        "Nigarin",
        "Nigargilə",
        "NIGARIN",
        "nigar",
        "Nigars",
    ],
)
def test_azerbaijani_endings_redact_the_whole_word(word: str) -> None:
    assert redact(f"Dünən {word} danışdı.") == "Dünən Participant 1 danışdı."


@pytest.mark.parametrize(
    "word, pseudonym",
    [
        *[(w, "Participant 5") for w in ("Нигяр", "Нигяра", "Нигяру", "Нигяром", "Нигяре", "Нигярой", "НИГЯРОЙ")],
        *[(w, "Participant 5") for w in ("Аня", "Ани", "Ане", "Аню", "Аней", "Аниной")],  # а/я replaced
        *[(w, "Participant 3") for w in ("Тигран", "Тиграна", "Тиграну", "Тиграном", "Тигране")],
    ],
)
def test_russian_endings_and_stem_changes_redact_the_whole_word(word: str, pseudonym: str) -> None:
    assert redact(f"Мы говорили с {word} вчера.") == f"Мы говорили с {pseudonym} вчера."


@pytest.mark.parametrize(
    "word, pseudonym",
    [
        *[(w, "Participant 6") for w in ("Անի", "Անիին", "Անիի", "Անիից", "Անիով", "Անին", "Անու")],
        *[
            (w, "Participant 3")
            for w in ("Տիգրան", "Տիգրանին", "Տիգրանի", "Տիգրանից", "Տիգրանով", "Տիգրանը", "Տիգրանն")
        ],
        ("ՏԻԳՐԱՆԸ", "Participant 3"),
    ],
)
def test_armenian_endings_redact_the_whole_word(word: str, pseudonym: str) -> None:
    assert redact(f"Երեկ {word} խոսեց։") == f"Երեկ {pseudonym} խոսեց։"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Anita and Danielle came", "Anita and Danielle came"),
        ("Ani, (Ani) and Ani's idea", "Participant 2, (Participant 2) and Participant 2's idea"),
        ("«Ani» said: ANI!", "«Participant 2» said: Participant 2!"),
        ("Animal", "Animal"),  # "mal" is no ending
        ("nigar_aliyeva and Ani2", "Participant 1_Participant 1 and Participant 22"),  # "_" and digits are boundaries
    ],
)
def test_names_match_only_on_word_boundaries(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("written", ["İlkin", "ilkin", "ILKIN", "Ilkin", "ılkın", "İLKİN", "i̇lkin", "İlkinin"])
def test_dotted_and_dotless_i_are_one_letter(written: str) -> None:
    assert redact(f"{written} agreed") == "Participant 4 agreed"
    assert redact(f"{written} agreed", [Person("P", ("ILKIN",))]) == "P agreed"


def test_accents_lookalikes_and_invisible_characters_do_not_hide_a_name() -> None:
    people = [Person("P", ("Şəbnəm",)), Person("Q", ("Нигяр",)), NIGAR]
    assert redact("Sebnem, Shabnam, ŞƏBNƏM", people) == "P, P, P"
    # A stress mark, a Cyrillic а inside a Latin name, a soft hyphen, a decomposed accent.
    assert redact("Ни́гяр, Nigаr, Ni\u00adgar, Nigar\u0301", people) == "Q, Participant 1, Participant 1, Participant 1"


def test_azerbaijani_names_match_in_plain_latin_and_transliteration_both_ways() -> None:
    people = [Person("P", ("Şahin Cəfərov",)), Person("Q", ("Xayal Jafarova",))]
    assert redact("Shahin, Sahin Jafarov, Cafarovun, Xəyal Cəfərova, Khayal", people) == "P, P, P, Q, Q"


def test_armenian_ligature_matches_its_two_letter_spellings() -> None:
    for name in ("Գևորգ", "Գեւորգ"):
        assert redact("Գևորգը, Գեւորգին, ԳԵՎՈՐԳ", [Person("P", (name,))]) == "P, P, P"


def test_full_name_is_one_suggestion_and_each_word_is_found_alone() -> None:
    found = suggest("Nigar Aliyeva spoke, then Aliyevanın friend and Nigar.", PEOPLE)
    assert [(s.original, s.replacement) for s in found] == [
        ("Nigar Aliyeva", "Participant 1"),
        ("Aliyevanın", "Participant 1"),
        ("Nigar", "Participant 1"),
    ]
    assert redact("Tigran Petrosyan and Petrosyan") == "Participant 3 and Participant 3"


def test_short_words_of_a_full_name_are_not_searched_alone() -> None:
    people = [Person("P", ("Li Na Kim",))]
    assert redact("Li and Na met Kim; Li Na Kim too", people) == "Li and Na met P; P too"


def test_longer_names_win_and_a_shared_name_takes_the_first_persons_pseudonym() -> None:
    people = [Person("A", ("Ani",)), Person("B", ("Anita",)), Person("C", ("Ani Hakobyan",))]
    assert redact("Anita, Ani Hakobyan, Ani", people) == "B, C, A"
    twins = [Person("First", ("Leyla",)), Person("Second", ("Leyla Mammadova",))]
    assert redact("Leyla and Leyla Mammadova", twins) == "First and Second"


def test_people_without_usable_names_are_ignored() -> None:
    assert redact("a b c", [Person("P", ("", "  ", "A", "7"))]) == "a b c"
    assert suggest("Nigar", []) == []


# --- Contacts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("write nigar.aliyeva+x@gmail.com.", "write [email]."),
        ("write nigar [at] mail [dot] az", "write [email]"),
        ("call +994 50 123 45 67 or +994501234567", "call [phone] or [phone]"),
        ("+374 10 123456, +7 (495) 123-45-67, 8 (495) 123-45-67", "[phone], [phone], [phone]"),
        ("(012) 498-12-34 or 050.123.45.67 or 123-45-67", "[phone] or [phone] or [phone]"),
        ("see https://example.org/a?b=1, http://x.az and www.nigar.az.", "see [link], [link] and [link]."),
        ("at example.org/page or t.me/nigar_a or nigaraliyeva.az", "at [link] or [link] or [link]"),
        ("follow @nigar_a and @ani.h.", "follow [handle] and [handle]."),
    ],
)
def test_contacts_are_replaced_by_their_placeholder(text: str, expected: str) -> None:
    assert redact(text, []) == expected


@pytest.mark.parametrize(
    "text",
    [
        "In 2020 we were 3 people, 12 of 40 agreed.",
        "On 27.09.2020 and 2020-11-10, in 2019-2020 and 1990 - 1994.",
        "Version 1.5/2, e.g. this, i.e. that, and/or: done.Then",
        "me @ home, @ and a@",
    ],
)
def test_ordinary_numbers_dates_and_punctuation_are_not_contacts(text: str) -> None:
    assert suggest(text, []) == []


def test_contacts_win_over_names_they_contain() -> None:
    found = suggest("Nigar: nigar.aliyeva@mail.az, instagram.com/nigar, @Nigar", PEOPLE)
    assert [(s.kind, s.replacement) for s in found] == [
        ("name", "Participant 1"),
        ("email", "[email]"),
        ("url", "[link]"),
        ("handle", "[handle]"),
    ]
    # The part of a full name outside a contact is still a name.
    assert redact("Nigar Aliyeva@mail.az") == "Participant 1 [email]"


def test_a_date_before_a_phone_number_is_kept() -> None:
    assert redact("27.09.2020 050 123 45 67", []) == "27.09.2020 [phone]"


# --- Offsets, robustness, apply ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "😀",
        "İİİ ßß ﬁ Nigar 😀 Ani",
        "Ани Anı Անի\u0301 ǅ ΣΑΣ",
        "\ud800 Nigar",
        "@" * 50,
        "." * 50 + "a.b/",
        "Nigar" * 1000,
        "1 " * 1000,
        "a." * 1000,
        "x@" * 500,
    ],
)
def test_offsets_index_the_original_text_and_nothing_raises(text: str) -> None:
    found = suggest(text, PEOPLE)
    assert all(text[s.start : s.end] == s.original for s in found)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    apply(text, [(s.start, s.end, s.replacement) for s in found])


def test_suggestions_carry_offsets_kind_and_original() -> None:
    assert suggest("İİ Nigarın @ani", PEOPLE) == [
        Suggestion(3, 10, "name", "Participant 1", "Nigarın"),
        Suggestion(11, 15, "handle", "[handle]", "@ani"),
    ]


def test_apply_replaces_spans_in_any_order() -> None:
    assert apply("Nigar met Ani", [(10, 13, "B"), (0, 5, "A")]) == "A met B"
    assert apply("unchanged", []) == "unchanged"


@pytest.mark.parametrize(
    "spans", [[(0, 5, "x"), (4, 6, "y")], [(-1, 2, "x")], [(3, 99, "x")], [(2, 2, "x")], [(3, 1, "x")]]
)
def test_apply_rejects_overlapping_empty_or_out_of_range_spans(spans: list[tuple[int, int, str]]) -> None:
    with pytest.raises(ValueError):
        apply("Nigar met Ani", spans)


def test_suffix_lists_are_data() -> None:
    for endings in (
        AZERBAIJANI_SUFFIXES,
        ENGLISH_SUFFIXES,
        RUSSIAN_SUFFIXES,
        RUSSIAN_STEM_ENDINGS,
        ARMENIAN_SUFFIXES,
        ARMENIAN_STEM_ENDINGS,
    ):
        assert isinstance(endings, tuple) and endings and all(e and e.isalpha() for e in endings)


def test_ten_thousand_statements_are_all_matched() -> None:
    # What it costs is measured by bench/transcript_build.py, not here: the machine is shared.
    first = (
        "Nigar Ani Tigran İlkin Leyla Aram Samir Lilit Karen Aysel Rashad Gohar Elmir Narine Farid Anush "
        "Ruslan Sona Vardan Kamala"
    ).split()
    last = "Aliyeva Petrosyan Mammadov Hakobyan Huseynova Sargsyan Guliyev Grigoryan Ismayilov Avetisyan".split()
    matcher = Matcher([Person(f"Participant {i}", (name, f"{name} {last[i % 10]}")) for i, name in enumerate(first)])
    statements = [
        f"{i}: we spoke with {first[i % 20]}a about water, then {last[i % 10]}nın school, call +994 50 123 45 67"
        if i % 3 == 0
        else f"statement {i}: the road to the village and the river are for everyone."
        for i in range(10_000)
    ]
    results = [matcher.suggest(s) for s in statements]
    assert [s.kind for s in results[0]] == ["name", "name", "phone"]
    assert all([s.kind for s in found] == ["name", "name", "phone"] for found in results[::3])
    assert not any(results[i] for i in range(10_000) if i % 3)


# --- Properties --------------------------------------------------------------------

ALPHABETS = {
    "latin": "abcçdeəfgğhxıijkqlmnoöprsştuüvyz",  # the Azerbaijani alphabet
    "cyrillic": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "armenian": "աբգդեզէըթժիլխծկհձղճմյնշոչպջռսվտրցւփքօֆ",
}
ENDINGS = {  # (endings, endings replacing the final letter, letters they replace)
    "latin": (
        AZERBAIJANI_SUFFIXES + ENGLISH_SUFFIXES + tuple(q + s for q in "'’" for s in AZERBAIJANI_SUFFIXES),
        (),
        "",
    ),
    "cyrillic": (RUSSIAN_SUFFIXES, RUSSIAN_STEM_ENDINGS, "аяьй"),
    "armenian": (ARMENIAN_SUFFIXES, ARMENIAN_STEM_ENDINGS, "ի"),
}
WORDS = (
    "we talked about the water schools peace today and then listened agreed river village bridge market "
    "sülh kənd su məktəb bu gün dialoq çörək yol мир вода школа сегодня мы говорили река деревня "
    "խաղաղություն ջուր դպրոց այսօր մենք խոսեցինք գյուղ"
).split()
SEPARATORS = [" ", ", ", " (", ") ", ": ", "; ", "\n", " - ", ". ", " «", "» "]
PLACEHOLDERS = ("[email]", "[phone]", "[link]", "[handle]")


def loose(text: str) -> str:
    """Casefolded, with İ/i/ı/I as one letter, for checking that nothing is left."""
    return text.casefold().replace("\u0307", "").replace("ı", "i")


def upper(word: str) -> str:
    return word.replace("i", "İ").replace("ı", "I").upper()


@st.composite
def names(draw: st.DrawFn, script: str) -> str:
    letters = draw(st.lists(st.sampled_from(ALPHABETS[script]), min_size=3, max_size=10))
    return upper(letters[0]) + "".join(letters[1:])


@st.composite
def inflected(draw: st.DrawFn, word: str, script: str) -> str:
    endings, stem_endings, finals = ENDINGS[script]
    forms = [word] + [word + e for e in endings] + [word[:-1] + e for e in stem_endings if word[-1] in finals]
    form = draw(st.sampled_from(forms))
    return draw(st.sampled_from([form, upper(form), form.lower()]))


digits = st.integers(0, 9).map(str)
LABEL = st.from_regex(r"[a-z][a-z0-9-]{0,8}[a-z0-9]", fullmatch=True)
TLD = st.sampled_from(["az", "am", "ru", "com", "org", "net", "info"])
PHONE = st.sampled_from(
    [
        "+994 NN NNN NN NN",
        "+994NNNNNNNNN",
        "+374 NN NNNNNN",
        "+7 (NNN) NNN-NN-NN",
        "8 NNN NNN NN NN",
        "0NN NNN NN NN",
        "(0NN) NNN.NN.NN",
        "NNN-NN-NN",
        "+374-NN-NN-NN-NN",
    ]
)


@st.composite
def contacts(draw: st.DrawFn, name: str) -> str:
    kind = draw(st.sampled_from(["email", "email-with-name", "phone", "handle", "url"]))
    domain = f"{draw(LABEL)}.{draw(TLD)}"
    if kind.startswith("email"):
        local = draw(st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,10}[a-z0-9]", fullmatch=True))
        return f"{loose(name) + '.' if kind == 'email-with-name' else ''}{local}@{domain}"
    if kind == "phone":
        return re.sub("N", lambda _: draw(digits), draw(PHONE))
    if kind == "handle":
        return "@" + draw(st.from_regex(r"[a-z0-9_]{1,8}(\.[a-z0-9_]{1,5})?[a-z0-9_]", fullmatch=True))
    path = draw(st.from_regex(r"[a-zA-Z0-9_/?=&-]{0,15}[a-zA-Z0-9]", fullmatch=True))
    return draw(
        st.sampled_from(
            [
                f"https://{domain}/{path}",
                f"http://{domain}",
                f"www.{domain}/{path}",
                f"{domain}/{path}",
                f"www.{domain}",
            ]
        )
    )


@st.composite
def sessions(draw: st.DrawFn) -> tuple[str, list[Person], list[str], list[str]]:
    """A statement with people's names (inflected) and contacts among ordinary words, and
    the people, the name words and the contacts that must not survive."""
    people, secrets, tokens = [], [], []
    for index in range(draw(st.integers(1, 4))):
        script = draw(st.sampled_from(sorted(ALPHABETS)))
        first, last = draw(names(script)), draw(names(script))
        assume(not any(loose(n) in loose(w) for n in (first, last) for w in WORDS + list(PLACEHOLDERS)))
        people.append(Person(f"⟨{'ABCD'[index]}⟩", (first, f"{first} {last}")))
        secrets += [first, last]
        for _ in range(draw(st.integers(1, 3))):
            shown = draw(st.sampled_from(["first", "last", "full"]))
            if shown == "full":
                tokens.append(f"{first} {draw(inflected(last, script))}")
            else:
                tokens.append(draw(inflected(first if shown == "first" else last, script)))
            secrets.append(tokens[-1])
    found = [draw(contacts(draw(st.sampled_from(secrets[:2])))) for _ in range(draw(st.integers(0, 4)))]
    tokens += found + draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))
    tokens = draw(st.permutations(tokens))
    text = draw(st.sampled_from(["", "«", "("])) + "".join(t + draw(st.sampled_from(SEPARATORS)) for t in tokens)
    return text, people, secrets, found


@settings(max_examples=200, deadline=None)
@given(sessions())
def test_no_name_or_contact_survives(session: tuple[str, list[Person], list[str], list[str]]) -> None:
    text, people, secrets, found = session
    result = redact(text, people)
    for secret in secrets:
        assert loose(secret) not in loose(result), (secret, text, result)
    for contact in found:
        assert contact not in result, (contact, text, result)
    # Pseudonyms and the neutral words hold no digits, "@" or "/": any left is a leaked contact.
    assert not re.search(r"[\d@/]|www|https?:", result), (text, result)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.lists(st.text(min_size=1, max_size=20), max_size=4))
def test_any_text_and_any_names_give_valid_suggestions(text: str, names_: list[str]) -> None:
    found = suggest(text, [Person(f"P{i}", (n,)) for i, n in enumerate(names_)])
    assert all(0 <= s.start < s.end <= len(text) and text[s.start : s.end] == s.original for s in found)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    apply(text, [(s.start, s.end, s.replacement) for s in found])


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(ALPHABETS)).flatmap(lambda script: st.tuples(names(script), st.just(script))), st.data())
def test_every_ending_of_every_script_is_redacted_whole(named: tuple[str, str], data: st.DataObject) -> None:
    name, script = named
    word = data.draw(inflected(name, script))
    assert redact(f"({word}), ok", [Person("P", (name,))]) == "(P), ok"


def test_the_same_name_in_two_scripts_keeps_both_scripts_endings():
    # Found by the leak test: a Cyrillic "Аааааа" and a Latin "Aaaaaa" fold alike; the Latin
    # one's Azerbaijani ending must still be caught after the Cyrillic one was seen first.
    people = [Person("Participant 1", ("Аааааа",)), Person("Participant 2", ("Aaaaaa",))]
    text = "we Aaaaaa and Aaaaaaın and Аааааа and Аааааой"
    assert apply(text, [(s.start, s.end, s.replacement) for s in suggest(text, people)]).count("Participant") == 4


# --- Compatibility forms, apostrophes, written-out contacts --------------------------


@pytest.mark.parametrize("written", ["Ｎｉｇａｒ", "ＮＩＧＡＲ", "Ｎｉｇａｒın", "𝐍𝐢𝐠𝐚𝐫", "Ⓝⓘⓖⓐⓡ"])
def test_full_width_and_other_compatibility_letters_are_names_too(written: str) -> None:
    text = f"Dünən {written} danışdı."
    found = suggest(text, PEOPLE)
    assert [(s.original, s.replacement) for s in found] == [(written, "Participant 1")]


@pytest.mark.parametrize("apostrophe", ["'", "’", "ʼ", "ʻ", "‘", "`"])
def test_every_apostrophe_before_an_ending_or_inside_a_name(apostrophe: str) -> None:
    assert redact(f"Nigar{apostrophe}ın fikri") == "Participant 1 fikri"
    people = [Person("P", ("Maʼruf",)), Person("Q", ("O’Brien",))]
    assert redact(f"Ma{apostrophe}ruf, Maruf, O{apostrophe}Brien and OBrien", people) == "P, P, Q and Q"
    assert redact(f"Ani{apostrophe}s idea") == f"Participant 2{apostrophe}s idea"  # the English possessive stays


@pytest.mark.parametrize(
    "text, expected",
    [
        ("write nigar at example dot az please", "write [email] please"),
        ("nigar.a at mail dot ru or nigar (at) mail (dot) ru", "[email] or [email]"),
        ("ani[at]gmail[dot]com, ani {at} box {dot} az", "[email], [email]"),
        ("пиши nigar собака mail точка ru", "пиши [email]"),
        ("my mail is ani at gmail.com", "my mail is [email]"),
        ("ｎｉｇａｒ＠ｍａｉｌ．ａｚ", "[email]"),
        ("nigar @ mail.az", "[email]"),
    ],
)
def test_written_out_email_addresses(text: str, expected: str) -> None:
    assert redact(text, []) == expected


@pytest.mark.parametrize(
    "text",
    ["we met at school", "at the market at noon", "look at this dot", "I was at home. Then we left", "me @ home"],
)
def test_at_and_dot_in_ordinary_sentences_are_not_addresses(text: str) -> None:
    assert suggest(text, []) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("instagram nigar.a", "instagram [handle]"),
        ("telegram: ani_s", "telegram: [handle]"),
        ("tg ani_s and fb ani.hovh", "tg [handle] and fb [handle]"),
        ("пиши в инстаграм nigar_a или в телеграм: ani_s", "пиши в инстаграм [handle] или в телеграм: [handle]"),
        ("в телеграме ani_s, тг @ani_s", "в телеграме [handle], тг [handle]"),
        ("instaqramda nigar88 yazın", "instaqramda [handle] yazın"),
        ("ինստագրամ nigar.a", "ինստագրամ [handle]"),
    ],
)
def test_handles_after_a_platforms_name(text: str, expected: str) -> None:
    assert redact(text, []) == expected


@pytest.mark.parametrize(
    "text",
    ["I saw it on instagram and it was nice", "telegram is slow here", "в телеграме рос интерес", "fb, tg or vk?"],
)
def test_a_platforms_name_before_ordinary_words_is_left(text: str) -> None:
    assert suggest(text, []) == []


@pytest.mark.parametrize(
    "before", ["ß ", "ßß ", "İ ", "İİ ", "և ", "ﬁ ", "ﬃ ", "ǅ ", "Ｎ ", "ԵՒ ", "i\u0307 ", "𝐀 ", ""]
)
def test_offsets_stay_exact_after_characters_that_change_length_when_folded(before: str) -> None:
    people = [*PEOPLE, Person("R", ("Raﬁq",)), Person("G", ("Գևորգ",)), Person("S", ("Straße",))]
    text = (
        f"{before}Nigarın, {before}Нигяру ({before}Raﬁq, Rafiq) Գեւորգին {before}STRASSE, Straße nigar@mail.az {before}"
    )
    found = suggest(text, people)
    assert all(text[s.start : s.end] == s.original for s in found)
    assert [s.original for s in found] == [
        "Nigarın",
        "Нигяру",
        "Raﬁq",
        "Rafiq",
        "Գեւորգին",
        "STRASSE",
        "Straße",
        "nigar@mail.az",
    ]
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
