"""The texts Roundtable ships for facilitators to start from, in its four interface languages.

The first-meeting agenda template and the default ground rules are content like any other
(maps {language: text}); a session copies them and its facilitators may change them. The
Russian, Azerbaijani and Armenian texts were written with machine assistance and await a
native speaker's review (docs/translations.md). Wording rules: no place name of either side,
no adjective for a community, nothing that presumes guilt or victimhood.
"""

from __future__ import annotations

from typing import Any

from app.dialogues.models import AgendaKind

# A first meeting between people who have not met: arrive, agree how to talk, hear each
# other once, rest, reflect. Nothing in it is about either side's narrative.
FIRST_MEETING_TEXTS: list[dict[str, Any]] = [
    {
        "kind": AgendaKind.check_in,
        "planned_minutes": 10,
        "title": {
            "en": "Welcome and check-in",
            "ru": "Приветствие и вступительный круг",
            "az": "Salamlaşma və açılış dövrəsi",
            "hy": "Բարի գալուստ և բացման շրջան",
        },
        "prompt": {
            "en": "Share the name you chose for today and one word for how you are arriving.",
            "ru": "Назовите имя, которое вы выбрали на сегодня, и одним словом скажите, с каким настроением вы пришли.",
            "az": "Bu gün üçün seçdiyiniz adı bildirin və hansı əhval-ruhiyyə ilə gəldiyinizi bir sözlə ifadə edin.",
            "hy": "Նշեք այսօրվա համար ձեր ընտրած անունը և մեկ բառով ասեք, թե ինչ տրամադրությամբ եք եկել։",
        },
    },
    {
        "kind": AgendaKind.round,
        "planned_minutes": 20,
        "title": {
            "en": "Hopes for this dialogue",
            "ru": "Наши надежды на этот диалог",
            "az": "Bu dialoqla bağlı ümidlərimiz",
            "hy": "Այս երկխոսության հետ կապված մեր հույսերը",
        },
        "prompt": {
            "en": "What do you hope this group can do together?",
            "ru": "Что, как вы надеетесь, эта группа сможет сделать вместе?",
            "az": "Bu qrupun birlikdə nələr edə biləcəyinə ümid edirsiniz?",
            "hy": "Ի՞նչ կցանկանայիք, որ այս խումբը կարողանա անել միասին։",
        },
    },
    {
        "kind": AgendaKind.discussion,
        "planned_minutes": 15,
        "title": {
            "en": "Ground rules in our own words",
            "ru": "Правила общения своими словами",
            "az": "Ünsiyyət qaydaları öz sözlərimizlə",
            "hy": "Շփման կանոնները՝ մեր սեփական բառերով",
        },
        "prompt": {
            "en": "Which ground rule matters most to you, and why?",
            "ru": "Какое из правил общения для вас важнее всего и почему?",
            "az": "Ünsiyyət qaydalarından hansı sizin üçün ən vacibdir və niyə?",
            "hy": "Շփման կանոններից ո՞րն է ձեզ համար ամենակարևորը և ինչո՞ւ։",
        },
    },
    {
        "kind": AgendaKind.break_,
        "planned_minutes": 10,
        "title": {"en": "Break", "ru": "Перерыв", "az": "Fasilə", "hy": "Ընդմիջում"},
        "prompt": {},
    },
    {
        "kind": AgendaKind.round,
        "planned_minutes": 30,
        "title": {
            "en": "Being heard",
            "ru": "Когда нас слышат",
            "az": "Eşidilmək hissi",
            "hy": "Երբ մեզ լսում են",
        },
        "prompt": {
            "en": "Tell us about a time you felt heard by someone you did not expect to understand you.",
            "ru": "Расскажите о случае, когда вас услышал человек, от которого вы не ожидали понимания.",
            "az": "Sizi başa düşəcəyini gözləmədiyiniz bir insanın sizi eşitdiyini hiss etdiyiniz bir məqamı bizimlə bölüşün.",
            "hy": "Պատմեք մի դեպքի մասին, երբ ձեզ լսեց մի մարդ, ումից չէիք սպասում, որ կհասկանա ձեզ։",
        },
    },
    {
        "kind": AgendaKind.poll,
        "planned_minutes": 5,
        "title": {
            "en": "How was this for you?",
            "ru": "Как вам эта встреча?",
            "az": "Bu görüş sizin üçün necə keçdi?",
            "hy": "Ինչպե՞ս անցավ հանդիպումը ձեզ համար",
        },
        "prompt": {
            "en": "How safe did you feel speaking today?",
            "ru": "Насколько безопасно вам было высказываться сегодня?",
            "az": "Bu gün fikirlərinizi bölüşərkən özünüzü nə dərəcədə təhlükəsiz hiss etdiniz?",
            "hy": "Որքանո՞վ էիք ձեզ ապահով զգում այսօր խոսելիս։",
        },
    },
    {
        "kind": AgendaKind.check_out,
        "planned_minutes": 10,
        "title": {
            "en": "Check-out",
            "ru": "Завершающий круг",
            "az": "Yekun dövrəsi",
            "hy": "Եզրափակիչ շրջան",
        },
        "prompt": {
            "en": "One word or one sentence you take with you.",
            "ru": "Одно слово или одна фраза, которые вы унесёте с собой.",
            "az": "Bu görüşdən özünüzlə apardığınız bir söz və ya bir cümlə.",
            "hy": "Մեկ բառ կամ մեկ նախադասություն, որը տանում եք ձեզ հետ։",
        },
    },
]

# One version of the rules holds every language; the numbered lines match across them, so a
# facilitator can point to "rule 4" whatever language each person reads.
DEFAULT_GROUND_RULES: dict[str, str] = {
    "en": """\
1. Speak for yourself, from your own experience.
2. Listen to understand, not to answer.
3. Respect the dignity of every person here and of all peoples; no insults or slurs.
4. What is said here stays here: do not share anyone's words or identity outside this session.
5. You may pass, or ask for a break, at any time.
6. The facilitators may pause the conversation to keep it safe for everyone.""",
    "ru": """\
1. Говорите от своего имени, исходя из собственного опыта.
2. Слушайте, чтобы понять, а не чтобы ответить.
3. Уважайте достоинство каждого присутствующего и всех народов; никаких оскорблений и уничижительных слов.
4. Сказанное здесь остаётся здесь: не пересказывайте ничьих слов за пределами этой встречи и не раскрывайте, кто в ней участвует.
5. Вы можете в любой момент пропустить свою очередь или попросить перерыв.
6. Фасилитаторы могут приостановить разговор, чтобы он оставался безопасным для всех.""",
    "az": """\
1. Öz adınızdan, öz təcrübənizə əsaslanaraq danışın.
2. Cavab vermək üçün deyil, anlamaq üçün dinləyin.
3. Burada olan hər kəsin və bütün xalqların ləyaqətinə hörmət edin; təhqirə və aşağılayıcı sözlərə yol verməyin.
4. Burada deyilənlər burada qalır: heç kimin sözlərini bu görüşdən kənarda paylaşmayın və kimlərin iştirak etdiyini açıqlamayın.
5. İstənilən vaxt növbənizi ötürə və ya fasilə istəyə bilərsiniz.
6. Fasilitatorlar hər kəs üçün təhlükəsiz mühiti qorumaq məqsədilə söhbəti müvəqqəti dayandıra bilərlər.""",
    "hy": """\
1. Խոսեք ձեր անունից՝ ելնելով ձեր սեփական փորձից։
2. Լսեք, որպեսզի հասկանաք, այլ ոչ թե պատասխանեք։
3. Հարգեք այստեղ գտնվող յուրաքանչյուր մարդու և բոլոր ժողովուրդների արժանապատվությունը՝ առանց վիրավորանքների և նվաստացնող խոսքերի։
4. Այստեղ ասվածը մնում է այստեղ․ այս հանդիպումից դուրս մի՛ փոխանցեք որևէ մեկի խոսքերը և մի՛ բացահայտեք, թե ովքեր են մասնակցում։
5. Ցանկացած պահի կարող եք բաց թողնել ձեր հերթը կամ ընդմիջում խնդրել։
6. Ֆասիլիտատորները կարող են ժամանակավորապես դադարեցնել զրույցը, որպեսզի այն բոլորի համար անվտանգ մնա։""",
}
