"""Pages where organisers and facilitators edit questionnaires and review survey answers.

- `/programmes/{id}/questionnaires/{phase}`: every question with its kind, its text in each
  of the programme's languages, a choice's options, a box to remove it, and a question to add
  (organisers and facilitators of the programme).
- `/sessions/{id}/survey-texts`: the session's free-text answers, for its facilitators to
  release (with the transcripts' redaction suggestions applied, editable) or withhold.
- `/sessions/{id}/survey-answers`: each respondent's answers, labelled "Respondent 1", … ,
  only where the programme allows it (never organisers).
"""

from __future__ import annotations

import re
from typing import Any

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.deps import CurrentUser, DbDep, NowDep, require_csrf
from app.dialogues.content import programme_languages
from app.dialogues.deps import SessionFacilitatorDep
from app.errors import AppError
from app.messages import Msg
from app.outcomes import questionnaires, review
from app.outcomes.models import SCALES, ItemKind, Phase, TextReview
from app.outcomes.schemas import COMMUNITY_PLACEHOLDER, MAX_ITEMS, MAX_OPTIONS, Item
from app.programmes.deps import ProgrammeMemberDep
from app.programmes.models import Community
from app.programmes.service import ProgrammeAccess
from app.programmes.texts import Shown, pick, unknown_languages
from app.web.forms import FormState, errors_into, form_page
from app.web.i18n import CONTENT_LANGUAGE_NAMES, page_language
from app.web.redirects import see_other
from app.web.templating import render_page

router = APIRouter(dependencies=[Depends(require_csrf)], include_in_schema=False)

# Empty option slots a new choice question offers, and an existing choice's spare slot.
NEW_OPTION_SLOTS = 4
_ITEM_KIND = re.compile(r"^item-(\d{1,3})-kind$")
_ITEM_FIELDS = frozenset({"key", "kind", "text", "towards", "options"})
NEW = "new"


def question_text(item: Item, lang: str, languages: list[str], communities: list[Community]) -> Shown:
    """An item's text for this reader, "{community}" read as the community's label."""
    towards = next((c for c in communities if c.key == item.towards), None)
    return questionnaires.item_words(item.text, towards, lang, languages)


# Reading the form ------------------------------------------------------------------------


def _texts_in(values: dict[str, str], name: str) -> dict[str, str]:
    """Every `<name>__<language>` field, whatever the language (a language the programme does
    not have is refused by name, not dropped)."""
    prefix = f"{name}__"
    return {key[len(prefix) :]: value for key, value in values.items() if key.startswith(prefix)}


def _option_slots(values: dict[str, str], prefix: str) -> list[int]:
    found = re.compile(rf"^{re.escape(prefix)}-option-(\d{{1,2}})-(?:key|text__.+)$")
    return sorted({int(m.group(1)) for key in values if (m := found.match(key))})


def _fresh_key(base: str, taken: set[str]) -> str:
    number = 1
    while f"{base}_{number}" in taken:
        number += 1
    return f"{base}_{number}"


def _options(values: dict[str, str], prefix: str) -> list[dict[str, Any]]:
    """A choice's options as typed: one left with no text in any language is left out; a new
    one gets a key from a counter."""
    options: list[dict[str, Any]] = []
    taken = {values.get(f"{prefix}-option-{j}-key", "") for j in _option_slots(values, prefix)}
    for j in _option_slots(values, prefix):
        texts = _texts_in(values, f"{prefix}-option-{j}-text")
        if not any(text.strip() for text in texts.values()):
            continue
        key = values.get(f"{prefix}-option-{j}-key", "").strip()
        if not key:
            key = _fresh_key("option", taken)
            taken.add(key)
        options.append({"key": key, "text": texts})
    return options


def _raw_item(values: dict[str, str], prefix: str, key: str, kind: str) -> dict[str, Any]:
    raw: dict[str, Any] = {"key": key, "kind": kind, "text": _texts_in(values, f"{prefix}-text")}
    if kind in (ItemKind.thermometer, ItemKind.closeness):
        raw["towards"] = values.get(f"{prefix}-towards", "").strip() or None
    if kind == ItemKind.choice:
        raw["options"] = _options(values, prefix)
    return raw


def _check_item(
    form: FormState, prefix: str, raw: dict[str, Any], *, languages: list[str], communities: list[Community]
) -> Item | None:
    """One question by the schema's rules and the programme's (its community, its
    languages), each problem next to its field."""
    try:
        item = Item.model_validate(raw)
    except ValidationError as exc:
        probe = FormState(fields=_ITEM_FIELDS)
        errors_into(probe, exc)
        for name, message in probe.errors.items():
            form.errors.setdefault(f"{prefix}-{name}", message)
        if probe.message and not probe.errors:
            form.errors.setdefault(prefix, probe.message)
        return None
    ok = True
    if item.towards is not None and item.towards not in {c.key for c in communities}:
        form.errors.setdefault(
            f"{prefix}-towards", Msg("This programme has no community '{key}'.", key=item.towards[:40])
        )
        ok = False
    for name, texts in [("text", item.text), *(("options", o.text) for o in item.options)]:
        unknown = unknown_languages(texts, languages)
        if unknown:
            form.errors.setdefault(
                f"{prefix}-{name}",
                Msg("'{language}' is not a language of this programme.", language=unknown[0][:20]),
            )
            ok = False
    return item if ok else None


def read_questionnaire(
    values: dict[str, str], *, languages: list[str], communities: list[Community]
) -> tuple[list[Item] | None, FormState, list[dict[str, Any]]]:
    """The questions a submitted form keeps (and the one it adds), or None with every problem
    next to its field; and the rows to show the form again with."""
    indices = sorted({int(m.group(1)) for key in values if (m := _ITEM_KIND.match(key))})
    rows: list[dict[str, Any]] = []
    items: list[Item] = []
    form = FormState(values=values)
    keys: dict[str, str] = {}  # key → the first question's prefix with it
    for i in indices:
        prefix = f"item-{i}"
        key, kind = values.get(f"{prefix}-key", "").strip(), values.get(f"{prefix}-kind", "").strip()
        rows.append({"prefix": prefix, "key": key, "kind": kind, "options": _option_rows(values, prefix, kind)})
        if values.get(f"{prefix}-remove"):
            continue
        if key in keys:
            form.errors.setdefault(prefix, Msg("Each question needs its own key."))
            continue
        keys[key] = prefix
        item = _check_item(
            form, prefix, _raw_item(values, prefix, key, kind), languages=languages, communities=communities
        )
        if item is not None:
            items.append(item)
    new_kind = values.get(f"{NEW}-kind", "").strip()
    if new_kind:
        base = new_kind if new_kind in {k.value for k in ItemKind} else "question"
        key = _fresh_key(base, set(keys) | {row["key"] for row in rows})
        item = _check_item(
            form, NEW, _raw_item(values, NEW, key, new_kind), languages=languages, communities=communities
        )
        if item is not None:
            items.append(item)
    if len(items) > MAX_ITEMS:
        form.message = Msg("A questionnaire has at most {n} questions.", n=MAX_ITEMS)
    form.fields = frozenset(form.errors) | {NEW}
    if form.errors and not form.message:
        form.message = Msg("Some fields are not valid.")
    return (None if form.errors or form.message else items), form, rows


def _option_rows(values: dict[str, str], prefix: str, kind: str) -> list[dict[str, Any]]:
    if kind != ItemKind.choice:
        return []
    slots = _option_slots(values, prefix)
    return [{"prefix": f"{prefix}-option-{j}", "key": values.get(f"{prefix}-option-{j}-key", "")} for j in slots]


def questionnaire_values(items: list[Item]) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Stored questions as form fields, and their rows (a choice has a spare option slot)."""
    values: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        prefix = f"item-{i}"
        values[f"{prefix}-key"], values[f"{prefix}-kind"] = item.key, item.kind.value
        values[f"{prefix}-towards"] = item.towards or ""
        values.update({f"{prefix}-text__{code}": text for code, text in item.text.items()})
        options = []
        if item.kind is ItemKind.choice:
            for j, option in enumerate([*item.options, None]):
                option_prefix = f"{prefix}-option-{j}"
                values[f"{option_prefix}-key"] = option.key if option else ""
                if option:
                    values.update({f"{option_prefix}-text__{code}": text for code, text in option.text.items()})
                options.append({"prefix": option_prefix, "key": option.key if option else ""})
        rows.append({"prefix": prefix, "key": item.key, "kind": item.kind.value, "options": options})
    return values, rows


# The questionnaire's page -----------------------------------------------------------------


async def _questionnaire_page(
    request: Request,
    db: DbDep,
    access: ProgrammeAccess,
    phase: Phase,
    now: Any,
    *,
    form: FormState | None = None,
    rows: list[dict[str, Any]] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    programme = access.programme
    found = await questionnaires.current(db, programme=programme, phase=phase, now=now)
    answered = await questionnaires.answered(db, questionnaire=found)
    if form is None or rows is None:
        values, rows = questionnaire_values(questionnaires.items_of(found))
        form = FormState(values=values)
    languages = programme_languages(programme)
    lang = page_language(request, {})
    return render_page(
        request,
        "questionnaires/edit.html",
        {
            "programme": programme,
            "access": access,
            "is_organiser": access.role.value == "organiser",
            "phase": phase.value,
            "version": found.version,
            "answered": answered,
            "rows": rows,
            "form": form,
            "communities": await questionnaires.communities_of(db, programme_id=programme.id),
            "kinds": [kind.value for kind in ItemKind],
            "about_community": (ItemKind.thermometer.value, ItemKind.closeness.value),
            "new_option_slots": [f"{NEW}-option-{j}" for j in range(NEW_OPTION_SLOTS)],
            "max_options": MAX_OPTIONS,
            "placeholder": COMMUNITY_PLACEHOLDER,
            "notice": notice,
            "lang": lang,
            "languages": languages,
            "language_names": CONTENT_LANGUAGE_NAMES,
        },
        status_code=status_code,
    )


@router.get("/programmes/{programme_id}/questionnaires/{phase}")
async def questionnaire_page(
    request: Request, phase: str, access: ProgrammeMemberDep, db: DbDep, now: NowDep, done: str = ""
) -> Response:
    notice = Msg("The questionnaire was saved.") if done == "saved" else None
    return await _questionnaire_page(request, db, access, questionnaires.phase_of(phase), now, notice=notice)


@router.post("/programmes/{programme_id}/questionnaires/{phase}")
async def questionnaire_submit(
    request: Request, phase: str, access: ProgrammeMemberDep, user: CurrentUser, db: DbDep, now: NowDep
) -> Response:
    """Save the questions: in place while nobody has answered, else as a new version. Every
    problem is answered at once next to its field, with what was typed."""
    which = questionnaires.phase_of(phase)
    raw = await request.form()
    values = {k: v for k, v in raw.items() if isinstance(v, str) and k != "csrf_token"}
    communities = await questionnaires.communities_of(db, programme_id=access.programme.id)
    items, form, rows = read_questionnaire(
        values, languages=programme_languages(access.programme), communities=communities
    )
    if items is not None:
        try:
            async with db.begin_nested():
                await questionnaires.save(
                    db, programme=access.programme, phase=which, items=items, actor_id=user.id, now=now
                )
            return see_other(f"/programmes/{access.programme.id}/questionnaires/{which.value}?done=saved")
        except AppError as exc:
            errors_into(form, exc)
            form.message = form.message or exc.message
    return await _questionnaire_page(request, db, access, which, now, form=form, rows=rows, status_code=422)


# The review of free texts -----------------------------------------------------------------


async def _texts_page(
    request: Request,
    db: DbDep,
    access: SessionFacilitatorDep,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    session, programme = access.session, access.programme
    languages = programme_languages(programme)
    lang = page_language(request, {})
    communities = await questionnaires.communities_of(db, programme_id=programme.id)
    texts = await review.texts_for_review(db, session=session)
    return render_page(
        request,
        "questionnaires/texts.html",
        {
            "session": session,
            "programme": programme,
            "texts": texts,
            "question": lambda item: question_text(item, lang, languages, communities),
            "typed": typed or {},
            "errors": errors or {},
            "notice": notice,
            "counts": {state: sum(1 for t in texts if t.review is state) for state in TextReview},
            "lang": lang,
            "languages": languages,
            "language_names": CONTENT_LANGUAGE_NAMES,
        },
        status_code=status_code,
    )


TEXT_NOTICES = {
    "released": Msg("The answer was released: organisers can read it as you left it."),
    "withheld": Msg("The answer was withheld: organisers will not see it."),
}


@router.get("/sessions/{session_id}/survey-texts")
async def survey_texts_page(request: Request, access: SessionFacilitatorDep, db: DbDep, done: str = "") -> Response:
    return await _texts_page(request, db, access, notice=TEXT_NOTICES.get(done))


@router.post("/sessions/{session_id}/survey-texts/{ref}/release")
async def survey_text_release(
    request: Request, ref: str, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> Response:
    raw = await request.form()
    text = str(raw.get("text", ""))
    try:
        async with db.begin_nested():
            await review.release(db, session=access.session, ref=ref[:64], text=text, user_id=user.id, now=now)
        return see_other(f"/sessions/{access.session.id}/survey-texts?done=released#text-{ref[:64]}")
    except AppError as exc:
        if exc.status_code != 422:
            raise
        message = next((d["message"] for d in exc.details or [] if d.get("field") == "text"), exc.message)
    return await _texts_page(request, db, access, typed={ref: text}, errors={ref: message}, status_code=422)


@router.post("/sessions/{session_id}/survey-texts/{ref}/withhold")
async def survey_text_withhold(
    ref: str, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> Response:
    await review.withhold(db, session=access.session, ref=ref[:64], user_id=user.id, now=now)
    return see_other(f"/sessions/{access.session.id}/survey-texts?done=withheld#text-{ref[:64]}")


# Answers one respondent at a time ----------------------------------------------------------


@router.get("/sessions/{session_id}/survey-answers")
async def survey_answers_page(request: Request, access: SessionFacilitatorDep, db: DbDep) -> Response:
    session, programme = access.session, access.programme
    found = await review.respondents(db, session=session, programme=programme)
    languages = programme_languages(programme)
    lang = page_language(request, {})
    communities = await questionnaires.communities_of(db, programme_id=programme.id)
    by_id = {c.id: c for c in communities}
    locale = "en_GB" if lang == "en" else lang

    def shown(item: Item, given: review.Given | None) -> dict[str, Any]:
        """One answer as the page writes it: `text` (in `language` when it is a facilitator's
        text) or a `state` word."""
        if given is None:
            return {"state": "none"}
        if item.kind in SCALES and given.number is not None:
            return {"text": format_decimal(given.number, format="#,##0.##", locale=locale)}
        if item.kind is ItemKind.choice and given.choice is not None:
            option = next((o for o in item.options if o.key == given.choice), None)
            if option is None:
                return {"text": given.choice}
            picked = pick(option.text, lang, languages)
            return {"text": picked.text, "language": picked.language}
        if item.kind is ItemKind.text:
            if given.review is TextReview.released and given.text:
                return {"text": given.text, "quoted": True}
            return {"state": (given.review or TextReview.pending).value}
        return {"state": "none"}

    return render_page(
        request,
        "questionnaires/answers.html",
        {
            "session": session,
            "programme": programme,
            "items": found.items,
            "people": found.people,
            "community_of": lambda person: by_id.get(person.community_id),
            "question": lambda item: question_text(item, lang, languages, communities),
            "shown": shown,
            "phases": (Phase.pre, Phase.post),
            "lang": lang,
            "languages": languages,
            "language_names": CONTENT_LANGUAGE_NAMES,
        },
    )


# A reload or Back after an error, or a typed address, meets the form's page, never a 405.
for _action in (
    "/sessions/{session_id}/survey-texts/{ref}/release",
    "/sessions/{session_id}/survey-texts/{ref}/withhold",
):
    form_page(router, _action, "/sessions/{session_id}/survey-texts".format_map)
