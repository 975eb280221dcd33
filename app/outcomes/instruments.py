"""The default questionnaires, from established instruments of intergroup-contact research, in
the four interface languages and in neutral wording (docs/outcomes.md says where each comes
from). The same numeric items are asked before and after, so each has a change; a
thermometer and a closeness item is asked about every community of the programme alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.dialogues.content import builtin_in
from app.outcomes.models import ItemKind, Phase
from app.programmes.models import Community

Texts = dict[str, str]

# The feeling thermometer (Converse and Presser 1986; Haddock, Zanna and Esses 1993).
WARMTH: Texts = {
    "en": "How warm or cold do you feel towards people of {community}? 0 means very cold, "
    "50 neither warm nor cold, 100 very warm.",
    "ru": "Насколько тепло или холодно вы относитесь к людям сообщества «{community}»? 0 — очень "
    "холодно, 50 — ни тепло, ни холодно, 100 — очень тепло.",
    "az": "«{community}» icmasının insanlarına qarşı nə dərəcədə isti və ya soyuq münasibət "
    "bəsləyirsiniz? 0 — çox soyuq, 50 — nə isti, nə soyuq, 100 — çox isti.",
    "hy": "Որքա՞ն ջերմ կամ սառն եք վերաբերվում «{community}» համայնքի մարդկանց։ 0՝ շատ սառը, "
    "50՝ ո՛չ ջերմ, ո՛չ սառը, 100՝ շատ ջերմ։",
}
# The Inclusion of Other in the Self scale (Aron, Aron and Smollan 1992), towards a group
# (Tropp and Wright 2001).
CLOSENESS: Texts = {
    "en": "Which picture best describes how close you feel to people of {community}? "
    "One circle is you, the other is them.",
    "ru": "Какая картинка лучше всего показывает, насколько близкими вы себя чувствуете к людям "
    "сообщества «{community}»? Один круг — это вы, другой — они.",
    "az": "Hansı şəkil «{community}» icmasının insanlarına özünüzü nə dərəcədə yaxın hiss "
    "etdiyinizi ən yaxşı göstərir? Bir dairə sizsiniz, digəri — onlar.",
    "hy": "Ո՞ր նկարն է ամենալավը ցույց տալիս, թե որքան մոտ եք ձեզ զգում «{community}» "
    "համայնքի մարդկանց։ Մի շրջանը դուք եք, մյուսը՝ նրանք։",
}
# Outgroup trust (after Tam, Hewstone et al. 2009), hope for peace and the belief that
# dialogue matters (after Cohen-Chen, Halperin et al. 2014): 1 strongly disagree … 7
# strongly agree.
AGREEMENTS: list[tuple[str, Texts]] = [
    (
        "trust",
        {
            "en": "I trust that the people of the other community in this dialogue mean what they say.",
            "ru": "Я верю, что люди другого сообщества в этом диалоге говорят то, что думают.",
            "az": "İnanıram ki, bu dialoqda digər icmanın insanları düşündüklərini deyirlər.",
            "hy": "Վստահ եմ, որ այս երկխոսության մեջ մյուս համայնքի մարդիկ ասում են այն, ինչ մտածում են։",
        },
    ),
    (
        "hope",
        {
            "en": "I am hopeful that our communities can live side by side in peace.",
            "ru": "Я надеюсь, что наши сообщества смогут жить рядом в мире.",
            "az": "Ümid edirəm ki, icmalarımız yan-yana sülh içində yaşaya bilər.",
            "hy": "Հույս ունեմ, որ մեր համայնքները կարող են կողք կողքի ապրել խաղաղության մեջ։",
        },
    ),
    (
        "difference",
        {
            "en": "Dialogue like this can make a difference for our communities.",
            "ru": "Такой диалог может что-то изменить для наших сообществ.",
            "az": "Belə dialoq icmalarımız üçün nəyisə dəyişə bilər.",
            "hy": "Նման երկխոսությունը կարող է ինչ-որ բան փոխել մեր համայնքների համար։",
        },
    ),
]
BEFORE: Texts = {
    "en": "Have you taken part in a dialogue between our communities before?",
    "ru": "Участвовали ли вы раньше в диалоге между нашими сообществами?",
    "az": "Əvvəllər icmalarımız arasında dialoqda iştirak etmisinizmi?",
    "hy": "Նախկինում մասնակցե՞լ եք մեր համայնքների միջև երկխոսության։",
}
BEFORE_OPTIONS: list[tuple[str, Texts]] = [
    (
        "never",
        {
            "en": "No, this is the first time",
            "ru": "Нет, впервые",
            "az": "Xeyr, ilk dəfədir",
            "hy": "Ոչ, առաջին անգամն է",
        },
    ),
    ("once", {"en": "Once", "ru": "Один раз", "az": "Bir dəfə", "hy": "Մեկ անգամ"}),
    ("several", {"en": "Several times", "ru": "Несколько раз", "az": "Bir neçə dəfə", "hy": "Մի քանի անգամ"}),
]
AGAIN: Texts = {
    "en": "Would you take part in a dialogue like this again?",
    "ru": "Приняли бы вы участие в таком диалоге ещё раз?",
    "az": "Belə bir dialoqda yenidən iştirak edərdinizmi?",
    "hy": "Կմասնակցե՞իք նման երկխոսության կրկին։",
}
AGAIN_OPTIONS: list[tuple[str, Texts]] = [
    ("yes", {"en": "Yes", "ru": "Да", "az": "Bəli", "hy": "Այո"}),
    ("unsure", {"en": "Not sure", "ru": "Не знаю", "az": "Bilmirəm", "hy": "Չգիտեմ"}),
    ("no", {"en": "No", "ru": "Нет", "az": "Xeyr", "hy": "Ոչ"}),
]
HOPES: Texts = {
    "en": "What do you hope this dialogue will bring?",
    "ru": "Чего вы ждёте от этого диалога?",
    "az": "Bu dialoqdan nə gözləyirsiniz?",
    "hy": "Ի՞նչ եք ակնկալում այս երկխոսությունից։",
}
NOTE: Texts = {
    "en": "Is there anything you would like the organisers to know?",
    "ru": "Хотите ли вы что-нибудь сообщить организаторам?",
    "az": "Təşkilatçılara bildirmək istədiyiniz nəsə varmı?",
    "hy": "Կա՞ որևէ բան, որ կցանկանայիք հայտնել կազմակերպիչներին։",
}


def default_items(phase: Phase, communities: Sequence[Community], languages: Sequence[str]) -> list[dict[str, Any]]:
    """The default questionnaire of one phase for a programme's communities and languages."""
    items: list[dict[str, Any]] = []
    for community in communities:
        items.append(
            {
                "key": f"warmth_{community.key}",
                "kind": ItemKind.thermometer.value,
                "text": builtin_in(WARMTH, languages),
                "towards": community.key,
                "options": [],
            }
        )
    for community in communities:
        items.append(
            {
                "key": f"closeness_{community.key}",
                "kind": ItemKind.closeness.value,
                "text": builtin_in(CLOSENESS, languages),
                "towards": community.key,
                "options": [],
            }
        )
    for key, texts in AGREEMENTS:
        items.append(
            {
                "key": key,
                "kind": ItemKind.agreement.value,
                "text": builtin_in(texts, languages),
                "towards": None,
                "options": [],
            }
        )
    question, options, free = (BEFORE, BEFORE_OPTIONS, HOPES) if phase is Phase.pre else (AGAIN, AGAIN_OPTIONS, NOTE)
    key = "before" if phase is Phase.pre else "again"
    items.append(
        {
            "key": key,
            "kind": ItemKind.choice.value,
            "text": builtin_in(question, languages),
            "towards": None,
            "options": [{"key": k, "text": builtin_in(t, languages)} for k, t in options],
        }
    )
    items.append(
        {
            "key": "hopes" if phase is Phase.pre else "note",
            "kind": ItemKind.text.value,
            "text": builtin_in(free, languages),
            "towards": None,
            "options": [],
        }
    )
    return items
