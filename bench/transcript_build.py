"""What building and anonymising a transcript costs, without the database.

Builds a session's `Material` in memory (the real SQLModel classes, constructed directly
with ids set): 20 seats in two communities (a facilitator, a co-facilitator and 18
participants), N statements (10,000 by default) in English, Azerbaijani, Russian and
Armenian, some naming participants (with grammatical endings) or giving e-mail addresses,
phone numbers and links, a few hidden, spread over the agenda items, with two rounds, two
closed polls and some of the facilitators' redaction decisions. Then it times, best and
median of --runs:

- `assemble()` (which redacts every statement), as the first build of a session in a
  process (`re`'s cache of compiled patterns emptied before each run) and again with
  the session's patterns already compiled;
- `Matcher()` alone and `review.found_in()` (suggestions and possible names: what the review page and each decision run);
- the exports of the released document: Markdown, CSV, JSON;
- two baselines in the same process: `json.dumps` of the raw texts, and a plain loop that
  makes one entry per statement without redacting it.

Machines are shared and noisy: compare the ratios to the baselines between runs rather
than the milliseconds. The output is checked as well: if a real name, a contact or a name
form in the script it was registered in is still in the document (spans a facilitator
kept aside), the benchmark says so and exits with status 1.

    .venv/bin/python bench/transcript_build.py [--count 10000] [--runs 5] [--json out.json] [--profile]

The goal (transcripts issue): a transcript of 10,000 statements built and anonymised in
under one second. Results: docs/performance.md, "Transcripts".
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import json
import os
import platform
import pstats
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.dialogues.models import (
    AgendaItem,
    AgendaKind,
    DialogueSession,
    Seat,
    SeatRole,
    SeatStatus,
    SessionStatus,
)
from app.events.models import Statement
from app.facilitation.models import Poll, PollStatus, Round, RoundStatus, RoundTurn, TurnOutcome
from app.programmes.models import Community, Programme
from app.transcripts import export
from app.transcripts.build import Material, assemble, people, speakers
from app.transcripts.models import Redaction
from app.transcripts.redact import Matcher
from app.transcripts.review import found_in

GOAL_SECONDS = 1.0
GOAL_COUNT = 10_000
STARTS_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

# Participants: (display name, real name on the invitation, forms of the name as they are
# used in running text: cases and possessives in the language the person writes in).
PEOPLE = {
    "a": [
        ("Nare", "Nare Petrosyan", ["Nare", "Նարեն", "Նարեի", "Nareyə", "Наре"]),
        ("Aram", "Aram Hakobyan", ["Aram", "Արամը", "Արամին", "Арама", "Араму"]),
        ("Anahit", "Anahit Sargsyan", ["Anahit", "Անահիտը", "Анаит", "Anahitin"]),
        ("Tigran", "Tigran Grigoryan", ["Tigran", "Тиграну", "Тиграном", "Տիգրանի"]),
        ("Lilit", "Lilit Avetisyan", ["Lilit", "Լիլիթը", "Лилит", "Lilitin"]),
        ("Davit", "Davit Mkrtchyan", ["Davit", "Դավիթը", "Давиду", "Davitə"]),
        ("Мариам", "Mariam Harutyunyan", ["Мариам", "Мариами", "Mariam", "Մարիամը"]),
        ("Gor", "Gor Vardanyan", ["Gor", "Գորը", "Гору", "Gora"]),
        ("Սոնա", "Sona Karapetyan", ["Սոնա", "Սոնային", "Сона", "Sona"]),
    ],
    "b": [
        ("Leyla", "Leyla Məmmədova", ["Leyla", "Leylanın", "Leylaya", "Лейлы", "Лейле"]),
        ("Elvin", "Elvin Hüseynov", ["Elvin", "Elvinə", "Elvinin", "Эльвину", "Էլվինը"]),
        ("Günay", "Günay Əliyeva", ["Günay", "Günayın", "Günaya", "Гюнай"]),
        ("Rəşad", "Rəşad Quliyev", ["Rəşad", "Rəşadın", "Rəşada", "Рашаду"]),
        ("Aysel", "Aysel Həsənova", ["Aysel", "Ayselin", "Ayselə", "Айсель"]),
        ("Orxan", "Orxan Cəfərov", ["Orxan", "Orxanın", "Orxana", "Орхана"]),
        ("Нигяр", "Nigar İsmayılova", ["Нигяр", "Нигяры", "Nigar", "Nigarın"]),
        ("Kamran", "Kamran Rzayev", ["Kamran", "Kamranın", "Камрану", "Kamrana"]),
        ("Səbinə", "Səbinə Abdullayeva", ["Səbinə", "Səbinənin", "Сабина", "Sabina"]),
    ],
}
# The facilitator sits by their account (no invitation, so no real name reaches `load()`);
# the co-facilitator came by invitation, with a real name on it.
FACILITATORS = [("Maria", None, SeatRole.facilitator), ("Jonas", "Jonas Lindqvist", SeatRole.co_facilitator)]

# Statement texts by language. {name} is one of a participant's forms; {email}, {phone}
# and {url} are contacts; most statements have none of these.
PLAIN = {
    "en": [
        "I think we agree more than we expected on the question of water.",
        "For me the hardest part is hearing the same story told so differently.",
        "Can we come back to what was said about the schools before the break?",
        "My grandmother lived in the next village; she always spoke of the market there.",
        "I am not sure I understood. Do you mean the road or the border crossing?",
        "Thank you. This is the first time I have heard it put that way.",
    ],
    "az": [
        "Məncə, su məsələsində gözlədiyimizdən daha çox razıyıq.",
        "Mənim üçün ən çətini eyni hekayəni bu qədər fərqli eşitməkdir.",
        "Fasilədən əvvəl məktəblər haqqında deyilənlərə qayıda bilərikmi?",
        "Nənəm qonşu kənddə yaşayırdı, həmişə oradakı bazardan danışardı.",
        "Bu, ilk dəfədir ki, bunu belə eşidirəm. Təşəkkür edirəm.",
    ],
    "ru": [
        "Мне кажется, в вопросе воды мы согласны больше, чем ожидали.",
        "Самое трудное для меня — слышать одну и ту же историю так по-разному.",
        "Можно вернуться к тому, что говорили о школах до перерыва?",
        "Моя бабушка жила в соседнем селе и всегда рассказывала о тамошнем рынке.",
        "Спасибо. Я впервые слышу, чтобы это сказали так.",
    ],
    "hy": [
        "Կարծում եմ՝ ջրի հարցում մենք ավելի համաձայն ենք, քան սպասում էինք։",
        "Ինձ համար ամենադժվարը նույն պատմությունն այդքան տարբեր լսելն է։",
        "Կարո՞ղ ենք վերադառնալ դպրոցների մասին ասվածին՝ ընդմիջումից առաջ։",
        "Տատիկս ապրում էր հարևան գյուղում և միշտ պատմում էր այնտեղի շուկայի մասին։",
        "Շնորհակալություն։ Առաջին անգամ եմ այսպես լսում։",
    ],
}
NAMED = {
    "en": ["I agree with {name}: the schools matter most.", "What {name} said about the market stayed with me."],
    "az": ["{name} ilə razıyam, məktəblər daha vacibdir.", "Bayaq {name} dediyi söz məni düşündürdü."],
    "ru": ["Я согласна с тем, что сказал {name}.", "То, что рассказал {name}, меня тронуло."],
    "hy": ["Համաձայն եմ {name} ասածի հետ։", "{name} պատմածը ինձ հուզեց։"],
}
CONTACT = [
    "If anyone wants the photos, write to me at {email}.",
    "Мой номер {phone}, звоните после сессии.",
    "Nömrəm {phone}, yazın mənə.",
    "The report I mentioned is at {url} if you want to read it.",
    "Իմ էլ. հասցեն {email} է, գրեք։",
    "Here is the article: {url} — and my mail is {email}.",
]
DOMAINS = ["mail.ru", "gmail.com", "yandex.ru", "box.az", "yahoo.com"]
PHONES = ["+374 91 23 45 {n:02d}", "+994 50 123 45 {n:02d}", "+7 (912) 345-67-{n:02d}", "055 12 34 {n:02d}"]
URLS = ["https://example.org/report-{n}", "www.example.am/news/{n}", "http://example.az/x?id={n}"]


def make_material(count: int, *, seed: int = 20261122) -> tuple[Material, list[str]]:
    """The material, and the strings that must not reach the document."""
    rng = random.Random(seed)
    programme = Programme(
        id=1,
        name="Neighbours in dialogue",
        description="",
        languages=["en", "ru", "az", "hy"],
        retention_days=90,
        withdrawal_hours=72,
        created_at=STARTS_AT,
        updated_at=STARTS_AT,
    )
    communities = [
        Community(
            id=1,
            programme_id=1,
            key="a",
            position=0,
            labels={"en": "Community A", "ru": "Сообщество A", "az": "İcma A", "hy": "Համայնք Ա"},
        ),
        Community(
            id=2,
            programme_id=1,
            key="b",
            position=1,
            labels={"en": "Community B", "ru": "Сообщество B", "az": "İcma B", "hy": "Համայնք Բ"},
        ),
    ]
    session = DialogueSession(
        id=1,
        programme_id=1,
        title={"en": "Third meeting: everyday life"},
        description={},
        starts_at=STARTS_AT,
        time_zone="Asia/Tbilisi",
        planned_minutes=180,
        capacity=20,
        status=SessionStatus.ended,
        show_communities=True,
        keep_transcript=True,
        last_seq=0,
        created_at=STARTS_AT,
        updated_at=STARTS_AT,
    )
    kinds = [
        (AgendaKind.check_in, "Welcome and check-in"),
        (AgendaKind.round, "Hopes for this dialogue"),
        (AgendaKind.discussion, "Water and roads"),
        (AgendaKind.break_, "Break"),
        (AgendaKind.discussion, "Schools and languages"),
        (AgendaKind.round, "Being heard"),
        (AgendaKind.poll, "How was this for you?"),
        (AgendaKind.check_out, "Check-out"),
    ]
    items = [
        AgendaItem(id=10 + n, session_id=1, position=n, kind=kind, title={"en": title}, prompt={}, planned_minutes=20)
        for n, (kind, title) in enumerate(kinds)
    ]

    seats: dict[int, Seat] = {}
    real_names: dict[int, str] = {}
    pseudonyms = rng.sample(range(1, 61), 18)
    seat_id = 100
    for number, (display, real, role) in enumerate(FACILITATORS, start=1):
        seat_id += 1
        if real is None:
            seats[seat_id] = _seat(seat_id, role, None, display, f"Facilitator {number}", user_id=number)
        else:
            seats[seat_id] = _seat(seat_id, role, 1, display, f"Facilitator {number}", invitation_id=seat_id)
            real_names[seat_id] = real
    speakers_by_language: dict[str, list[int]] = {"en": [], "az": [], "ru": [], "hy": []}
    name_forms: list[str] = []
    for community_id, key in ((1, "a"), (2, "b")):
        for display, real, names in PEOPLE[key]:
            seat_id += 1
            seats[seat_id] = _seat(
                seat_id,
                SeatRole.participant,
                community_id,
                display,
                f"Participant {pseudonyms.pop()}",
                invitation_id=seat_id,
            )
            real_names[seat_id] = real
            name_forms.extend(names)
            languages = ["en", "ru", "hy" if key == "a" else "az"]
            for language in languages:
                speakers_by_language[language].append(seat_id)
    facilitator_ids = [s for s in seats if seats[s].role in (SeatRole.facilitator, SeatRole.co_facilitator)]

    started_at = STARTS_AT + timedelta(minutes=3)
    spacing = 180 * 60 / max(count, 1)  # spread over three hours
    span = [(0, None)] + [(int(count * (n + 1) / (len(items) + 1)), items[n].id) for n in range(len(items))]
    statements: list[Statement] = []
    contacts: list[str] = []
    for n in range(count):
        agenda_item_id = next(item_id for first, item_id in reversed(span) if n >= first)
        roll = rng.random()
        if roll < 0.05:
            seat, language = rng.choice(facilitator_ids), "en"
        else:
            language = rng.choice(("en", "az", "ru", "hy"))
            seat = rng.choice(speakers_by_language[language])
        text = rng.choice(PLAIN[language])
        kind = rng.random()
        if kind < 0.15:
            text = rng.choice(NAMED[language]).format(name=rng.choice(name_forms)) + " " + text
        elif kind < 0.20:
            email = (
                f"{rng.choice(['nare.p', 'elvin88', 'g.aliyeva', 'tigran_g', 'aysel'])}{n % 100}@{rng.choice(DOMAINS)}"
            )
            phone = rng.choice(PHONES).format(n=n % 100)
            url = rng.choice(URLS).format(n=n)
            contacts.extend((email, phone))
            text = rng.choice(CONTACT).format(email=email, phone=phone, url=url)
        if rng.random() < 0.10:
            text = text + " " + " ".join(rng.choice(PLAIN[language]) for _ in range(rng.randint(1, 4)))
        statement_id = 1000 + n
        reply_to = rng.choice(statements[-20:]).id if statements and rng.random() < 0.2 else None
        created_at = started_at + timedelta(seconds=n * spacing)
        hidden = rng.random() < 0.005
        statements.append(
            Statement(
                id=statement_id,
                session_id=1,
                seat_id=seat,
                client_id=f"c-{n}",
                text=text,
                reply_to_id=reply_to,
                seq=n + 1,
                created_at=created_at,
                agenda_item_id=agenda_item_id,
                hidden_at=created_at + timedelta(seconds=30) if hidden else None,
                hidden_reason="personal attack" if hidden else None,
            )
        )

    rounds = []
    participants = [s for s in seats if seats[s].role is SeatRole.participant]
    outcomes = [TurnOutcome.spoke] * 6 + [TurnOutcome.passed, TurnOutcome.skipped, TurnOutcome.timed_out]
    for number, item in enumerate((items[1], items[5]), start=1):
        first = next(s for s in statements if s.agenda_item_id == item.id)
        rnd = Round(
            id=number,
            session_id=1,
            agenda_item_id=item.id,
            number=number,
            prompt=item.title,
            turn_seconds=90,
            status=RoundStatus.ended,
            started_at=first.created_at - timedelta(seconds=5),
            ended_at=first.created_at + timedelta(minutes=20),
        )
        order = rng.sample(participants, len(participants))
        turns = [
            RoundTurn(
                id=number * 100 + position,
                round_id=number,
                seat_id=seat,
                position=position,
                outcome=rng.choice(outcomes),
            )
            for position, seat in enumerate(order)
        ]
        rounds.append((rnd, turns))
    poll_item = items[6]
    poll_at = next(s for s in statements if s.agenda_item_id == poll_item.id).created_at
    polls = [
        (
            Poll(
                id=1,
                session_id=1,
                agenda_item_id=poll_item.id,
                question={"en": "How safe did you feel speaking today?"},
                options=[{"en": o} for o in ("Very safe", "Mostly safe", "Not always", "Not safe")],
                multiple=False,
                anonymous=True,
                status=PollStatus.closed,
                opened_at=poll_at,
                closed_at=poll_at + timedelta(minutes=2),
            ),
            [7, 8, 3, 0],
        ),
        (
            Poll(
                id=2,
                session_id=1,
                agenda_item_id=poll_item.id,
                question={"en": "Which topics next time?"},
                options=[{"en": o} for o in ("Water", "Schools", "Roads", "Elders' stories")],
                multiple=True,
                anonymous=True,
                status=PollStatus.closed,
                opened_at=poll_at + timedelta(minutes=3),
                closed_at=None,
            ),
            [9, 12, 4, 10],
        ),
    ]

    material = Material(
        session=session,
        programme=programme,
        communities=communities,
        items=items,
        seats=seats,
        real_names=real_names,
        statements=statements,
        decisions={},
        rounds=rounds,
        polls=polls,
        started_at=started_at,
    )
    # The facilitators' review: one automatic suggestion in fifty rejected, and a manual
    # span hidden in one statement in two hundred.
    decided = datetime(2026, 11, 21, tzinfo=UTC)
    found = found_in(material).sure
    decisions: dict[int, list[Redaction]] = {}
    next_id = 1
    for statement_id, suggestions in found.items():
        for s in suggestions:
            if rng.random() < 0.02:
                decisions.setdefault(statement_id, []).append(
                    Redaction(
                        id=next_id,
                        session_id=1,
                        statement_id=statement_id,
                        start=s.start,
                        end=s.end,
                        kind=s.kind,
                        replacement=s.replacement,
                        accepted=False,
                        decided_by=1,
                        decided_at=decided,
                    )
                )
                next_id += 1
    for statement in statements[::200]:
        if statement.hidden_at is None and len(statement.text) > 12:
            decisions.setdefault(statement.id, []).append(
                Redaction(
                    id=next_id,
                    session_id=1,
                    statement_id=statement.id,
                    start=2,
                    end=10,
                    kind="manual",
                    replacement="[redacted]",
                    accepted=True,
                    reason="identifying detail",
                    decided_by=1,
                    decided_at=decided,
                )
            )
            next_id += 1
    material.decisions = decisions
    # Strings that must not reach the document: real names, e-mail addresses, phone numbers.
    return material, sorted(set(contacts) | set(real_names.values()))


def _seat(
    seat_id: int,
    role: SeatRole,
    community_id: int | None,
    display: str,
    pseudonym: str,
    *,
    user_id: int | None = None,
    invitation_id: int | None = None,
) -> Seat:
    return Seat(
        id=seat_id,
        session_id=1,
        invitation_id=invitation_id,
        user_id=user_id,
        community_id=community_id,
        role=role,
        display_name=display,
        display_name_key=display.casefold(),
        pseudonym=pseudonym,
        status=SeatStatus.left,
        cookie_hash=f"{seat_id:064d}",
        language="en",
        consent_rules_version=1,
        consent_language="en",
        consented_at=STARTS_AT,
        joined_at=STARTS_AT,
        admitted_at=STARTS_AT,
    )


def plain_loop(material: Material) -> list[dict[str, Any]]:
    """The baseline: one entry per statement as `assemble` makes it, without redaction."""
    start = material.started_at or material.session.starts_at
    out = []
    for statement in material.statements:
        seat = material.seats[statement.seat_id]
        out.append(
            {
                "speaker": seat.pseudonym,
                "role": seat.role.value,
                "text": statement.text,
                "offset_seconds": max(0, int((statement.created_at - start).total_seconds())),
            }
        )
    return out


def timed(fn: Callable[[], Any], runs: int, before: Callable[[], Any] | None = None) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(runs):
        if before is not None:
            before()
        gc.collect()
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return times, result


def leaks(material: Material, document: dict[str, Any], probes: list[str]) -> tuple[list[str], list[str]]:
    """What the document's statements still hold of the material's real names and contacts
    (`probes`) and of the participants' name forms (as whole words), statement by
    statement, leaving out what a facilitator kept there (a rejected suggestion)."""
    # A statement's number is its place among all the session's statements (hidden and
    # withdrawn ones leave theirs unused), as assemble() numbers them.
    stable = material.numbers or {s.id: place for place, s in enumerate(material.statements, start=1)}
    by_number = {stable[s.id]: s for s in material.statements}
    forms = {f for group in PEOPLE.values() for _d, _r, names in group for f in names}
    words = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(forms, key=len, reverse=True))) + r")(?!\w)")
    left: set[str] = set()
    names: set[str] = set()
    for section in document["sections"]:
        for entry in section["entries"]:
            if entry["type"] != "statement":
                continue
            statement = by_number[entry["number"]]
            kept = [statement.text[d.start : d.end] for d in material.decisions.get(statement.id, ()) if not d.accepted]
            text = entry["text"]
            left |= {p for p in probes if p in text and not any(p in k or k in p for k in kept)}
            names |= set(words.findall(text)) - {w for k in kept for w in words.findall(k)}
    return sorted(left), sorted(names)


def _script(text: str) -> str:
    letter = next((c for c in text if c.isalpha()), "a")
    return "cyrillic" if "\u0400" <= letter < "\u0530" else "armenian" if "\u0530" <= letter < "\u0590" else "latin"


def other_script(form: str) -> bool:
    """Whether a name form is written in a script the person's names were not registered in
    (a Latin "Tigran" written "Тиграну" in a Russian sentence)."""
    for group in PEOPLE.values():
        for display, real, names in group:
            if form in names:
                return _script(form) not in {_script(display), _script(real)}
    return False


def code_identity() -> dict[str, str]:
    """The commit, and digests of app/ and app/transcripts/ as they are on disk (as
    bench/run.py does): others change the working tree, so the commit alone does not say
    what was measured."""
    root = Path(__file__).resolve().parent.parent
    commit = "unknown"
    try:
        head = (root / ".git" / "HEAD").read_text().strip()
        commit = head
        if head.startswith("ref: "):
            ref = root / ".git" / head[5:]
            commit = (
                ref.read_text().strip()
                if ref.exists()
                else next(
                    (
                        line.split()[0]
                        for line in (root / ".git" / "packed-refs").read_text().splitlines()
                        if line.endswith(" " + head[5:])
                    ),
                    "unknown",
                )
            )
    except OSError:
        pass

    def digest(folder: Path) -> str:
        h = hashlib.sha256()
        for path in sorted(folder.rglob("*.py")):
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
        return h.hexdigest()[:12]

    return {
        "commit": commit,
        "app_digest": digest(root / "app"),
        "transcripts_digest": digest(root / "app" / "transcripts"),
    }


def main(args: argparse.Namespace) -> dict[str, Any]:
    began = time.perf_counter()
    material, probes = make_material(args.count)
    setup = time.perf_counter() - began
    texts = [s.text for s in material.statements]
    runs = args.runs
    summary = "We spoke about water, schools and roads."
    points = ["Meet again in spring.", "Share the photos through the facilitators."]
    labels = speakers(material.seats.values())

    def build() -> dict[str, Any]:
        return assemble(material, summary=summary, agreed_points=points)

    # "Cold": a session this process has not built before. `re` caches compiled patterns
    # (512 at most, process-wide), so the Matcher's patterns are compiled only the first
    # time; re.purge() before each run (outside the timing) makes every run the first.
    cold, warm = "assemble(), first build in the process", "assemble(), patterns already compiled"
    figures: dict[str, list[float]] = {}
    figures["baseline: json.dumps of the raw texts"], _ = timed(lambda: json.dumps(texts, ensure_ascii=False), runs)
    figures["baseline: plain loop, no redaction"], _ = timed(lambda: plain_loop(material), runs)
    figures["Matcher() alone, first build"], _ = timed(lambda: Matcher(people(material, labels)), runs, re.purge)
    figures[cold], _ = timed(build, runs, re.purge)
    figures[warm], document = timed(build, runs)
    # The review page runs assemble() and then this; each accept/reject runs this alone.
    figures["found_in() (review, each decision)"], _ = timed(lambda: found_in(material), runs)
    document.update(version=1, released_at="2026-11-21T10:00:00+00:00", released_by="Facilitator 1")
    figures["export: Markdown"], markdown = timed(lambda: export.to_markdown(document), runs)
    figures["export: CSV"], csv_text = timed(lambda: export.to_csv(document), runs)
    figures["export: JSON"], json_text = timed(lambda: export.to_json(document), runs)

    base = statistics.median(figures["baseline: plain loop, no redaction"])
    dumps = statistics.median(figures["baseline: json.dumps of the raw texts"])
    entries = sum(len(s["entries"]) for s in document["sections"])
    hidden = sum(1 for s in material.statements if s.hidden_at is not None)
    replaced = sum(len(e.get("redactions", ())) for s in document["sections"] for e in s["entries"])
    left, names_left = leaks(material, document, probes)

    print(
        f"transcript of {args.count:,} statements ({hidden} hidden, {sum(len(v) for v in material.decisions.values())} "
        f"redaction decisions), {len(material.seats)} seats; material built in {setup:.1f} s; {runs} runs each; "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs"
    )
    code = code_identity()
    print(
        f"code: commit {code['commit'][:12]}, app/ digest {code['app_digest']}, "
        f"app/transcripts/ digest {code['transcripts_digest']}"
    )
    print(f"{'':42} {'best ms':>9} {'median ms':>10} {'÷ loop':>8} {'÷ dumps':>8}")
    for name, times in figures.items():
        median = statistics.median(times)
        print(f"{name:42} {min(times) * 1000:9.1f} {median * 1000:10.1f} {median / base:8.1f} {median / dumps:8.1f}")
    verdicts = {}
    for name in (cold, warm):
        median = statistics.median(figures[name])
        if args.count != GOAL_COUNT:  # the first build has a fixed cost: no scaling to 10,000
            print(f"{name}: median {median:.3f} s for {args.count:,} (the goal is judged at {GOAL_COUNT:,})")
            continue
        verdicts[name] = median < GOAL_SECONDS
        print(
            f"goal ({GOAL_COUNT:,} statements in under {GOAL_SECONDS:.0f} s), {name}: "
            f"{'met' if verdicts[name] else 'MISSED'} (median {median:.3f} s)"
        )
    print(
        f"document: {entries:,} entries, {document['counts']['statements']:,} statements, {replaced:,} spans replaced; "
        f"Markdown {len(markdown.encode()) / 1e6:.1f} MB, CSV {len(csv_text.encode()) / 1e6:.1f} MB, "
        f"JSON {len(json_text.encode()) / 1e6:.1f} MB"
    )
    print(
        f"left in the statements (not counting spans a facilitator kept): {len(left)} real names or contacts"
        + (f" ({', '.join(left[:5])})" if left else "")
    )
    same = [n for n in names_left if not other_script(n)]
    other = [n for n in names_left if other_script(n)]
    print(
        f"name forms left: {len(same)} in the script the name was registered in"
        + (f" ({', '.join(same[:8])})" if same else "")
        + f", {len(other)} written in another script"
        + (f" ({', '.join(other[:8])}…)" if other else "")
    )

    result = {
        "count": args.count,
        "runs": runs,
        "hidden": hidden,
        "seats": len(material.seats),
        "figures_seconds": {
            name: {"best": min(t), "median": statistics.median(t), "all": t} for name, t in figures.items()
        },
        "ratios_to_plain_loop": {name: statistics.median(t) / base for name, t in figures.items()},
        "ratios_to_json_dumps": {name: statistics.median(t) / dumps for name, t in figures.items()},
        "goal_seconds": GOAL_SECONDS,
        "goal_count": GOAL_COUNT,
        "goal_met": dict(verdicts.items()),
        "entries": entries,
        "spans_replaced": replaced,
        "left_real_names_or_contacts": left,
        "left_name_forms_same_script": [n for n in names_left if not other_script(n)],
        "left_name_forms_other_script": [n for n in names_left if other_script(n)],
        "sizes_bytes": {"md": len(markdown.encode()), "csv": len(csv_text.encode()), "json": len(json_text.encode())},
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        **code,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if left or same:
        print(
            "WARNING: the document is not anonymised: real names, contacts or name forms that the "
            "redaction should have replaced are in it (exit status 1)."
        )
        result["not_anonymised"] = True
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False))
    if args.profile:
        for label, before in (("first build", re.purge), ("patterns already compiled", None)):
            if before:
                before()
            profile = cProfile.Profile()
            profile.runcall(build)
            print(f"\n--- cProfile of assemble(), {label} (cumulative) ---")
            pstats.Stats(profile).sort_stats("cumulative").print_stats(14)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of assemble(), cold and warm")
    arguments = parser.parse_args()
    arguments.count = max(100, arguments.count)
    arguments.runs = max(1, arguments.runs)
    sys.exit(1 if main(arguments).get("not_anonymised") else 0)
