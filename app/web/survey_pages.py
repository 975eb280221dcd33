"""Pages where participants answer the pre- and post-session surveys.

A seat's own cookie opens its session's survey (as it opens the waiting page); the page is
in the participant's language, says that the survey is optional and what happens to the
answers, and sends them (or a skip) to app/outcomes/answers.py. A survey that is not offered
(closed, answered or skipped already, or a staff seat) is a readable page, never an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.deps import DbDep, NowDep, PathId, require_csrf
from app.dialogues.content import languages_of
from app.dialogues.invitations import InvalidInvitation
from app.dialogues.models import DialogueSession, Seat
from app.dialogues.seat_cookie import seat_cookie_name
from app.dialogues.seats import seat_by_cookie
from app.errors import Conflict, NotFound, ValidationFailed
from app.messages import Msg
from app.outcomes import answers
from app.outcomes.models import SCALES, Phase
from app.outcomes.questionnaires import communities_of, item_words
from app.outcomes.schemas import MAX_ANSWER_CHARS, Item
from app.programmes.models import Community, Programme
from app.programmes.texts import Shown
from app.web.forms import FormState, form_page
from app.web.i18n import page_language
from app.web.redirects import see_other
from app.web.templating import render_page

router = APIRouter(dependencies=[Depends(require_csrf)], include_in_schema=False)

# What the participant's own page says after a survey was answered or skipped.
DONE_NOTES = ("answered", "skipped")


@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    text: Shown
    options: list[tuple[str, Shown]] = field(default_factory=list)
    low: int = 0
    high: int = 0


@dataclass(frozen=True)
class Circles:
    """One picture of the Inclusion of Other in the Self scale: two circles of radius IOS_R
    centred at `left` and `right`, and where their labels go (x, and the baseline y)."""

    value: int
    left: float
    right: float
    you_x: float
    you_y: float
    them_x: float
    them_y: float


# The picture's size (its viewBox), the circles' radius and the height of their centres.
IOS_WIDTH, IOS_HEIGHT, IOS_R = 120, 64, 26
IOS_MIDDLE = IOS_HEIGHT / 2
_CENTRE = IOS_WIDTH / 2
# From 1 (apart, a small gap between them) to 7 (almost one circle): the share of each
# circle that the other covers grows in equal-looking steps, as in Aron, Aron and Smollan
# (1992), figure 1.
_OVERLAPS = (0.0, 0.08, 0.2, 0.34, 0.5, 0.66, 0.82)
# Side by side, the two labels need this much room between their centres (a long word such
# as Armenian "Նրանք" is about 28 units wide); closer circles have them one above the other.
_SIDE_BY_SIDE = 34


def _covered(distance: float) -> float:
    """The share of a unit circle that another unit circle `distance` away covers."""
    if distance >= 2:
        return 0.0
    half = distance / 2
    return (2 * math.acos(half) - half * math.sqrt(4 - distance * distance)) / math.pi


def _distance_for(share: float) -> float:
    """The distance between two unit circles at which one covers `share` of the other."""
    if share <= 0:
        return 2.1  # apart, with a gap
    low, high = 0.0, 2.0
    for _ in range(50):
        middle = (low + high) / 2
        if _covered(middle) > share:
            low = middle
        else:
            high = middle
    return low


def _circles(value: int, share: float) -> Circles:
    apart = _distance_for(share) * IOS_R
    left, right = _CENTRE - apart / 2, _CENTRE + apart / 2
    if apart >= _SIDE_BY_SIDE:  # each label at its circle's centre
        you_x, them_x, you_y, them_y = left, right, IOS_MIDDLE + 3.5, IOS_MIDDLE + 3.5
    else:  # one above the other, each leaning towards its own circle
        lean = max(apart / 2, 8.0)
        you_x, them_x, you_y, them_y = _CENTRE - lean, _CENTRE + lean, IOS_MIDDLE - 3, IOS_MIDDLE + 11
    return Circles(
        value=value,
        left=round(left, 2),
        right=round(right, 2),
        you_x=round(you_x, 2),
        you_y=round(you_y, 2),
        them_x=round(them_x, 2),
        them_y=round(them_y, 2),
    )


IOS_PICTURES = [_circles(n, share) for n, share in enumerate(_OVERLAPS, start=1)]


def _phase(value: str) -> Phase:
    try:
        return Phase(value)
    except ValueError:
        raise NotFound(Msg("There is no such survey.")) from None


async def _seat_and_session(request: Request, db: DbDep, session_id: int) -> tuple[Seat, DialogueSession]:
    """The seat this browser holds in the session (its cookie), as the waiting page finds it."""
    seat = await seat_by_cookie(db, session_id=session_id, token=request.cookies.get(seat_cookie_name(session_id)))
    session = await db.get(DialogueSession, session_id) if seat is not None else None
    if seat is None or session is None:
        raise InvalidInvitation()
    request.state.seat_language = seat.language  # an error page answers in the seat's language
    return seat, session


def questions(items: list[Item], lang: str, languages: list[str], communities: list[Community]) -> list[Question]:
    """The questionnaire's items as this reader reads them."""
    by_key = {community.key: community for community in communities}
    shown: list[Question] = []
    for item in items:
        towards = by_key.get(item.towards or "")
        low, high = SCALES.get(item.kind, (0, 0))
        shown.append(
            Question(
                key=item.key,
                kind=item.kind.value,
                text=item_words(item.text, towards, lang, languages),
                options=[(option.key, item_words(option.text, towards, lang, languages)) for option in item.options],
                low=low,
                high=high,
            )
        )
    return shown


async def _survey_page(
    request: Request,
    db: DbDep,
    *,
    seat: Seat,
    session: DialogueSession,
    offer: answers.Offer,
    form: FormState,
    status_code: int = 200,
) -> Response:
    lang = page_language(request, {"seat": seat})
    languages = await languages_of(db, session=session)
    programme = await db.get(Programme, session.programme_id)
    communities = await communities_of(db, programme_id=session.programme_id)
    return render_page(
        request,
        "surveys/survey.html",
        {
            "lang": lang,
            "seat": seat,
            "session": session,
            "languages": languages,
            "phase": offer.phase.value,
            "until": offer.until,
            "questions": questions(offer.items, lang, languages, communities),
            "min_group": programme.survey_min_group if programme else 5,
            "max_chars": MAX_ANSWER_CHARS,
            "pictures": IOS_PICTURES,
            "ios": {"width": IOS_WIDTH, "height": IOS_HEIGHT, "r": IOS_R, "middle": IOS_MIDDLE},
            "form": form,
            "survey_step": True,
        },
        status_code=status_code,
    )


def _unavailable(
    request: Request, seat: Seat, session: DialogueSession, refused: Conflict, status_code: int
) -> Response:
    return render_page(
        request,
        "surveys/unavailable.html",
        {"seat": seat, "session": session, "message": refused.message, "code": refused.code},
        status_code=status_code,
    )


def _own_page(session: DialogueSession, note: str) -> Response:
    return see_other(f"/sessions/{session.id}/waiting?survey={note}")


@router.get("/sessions/{session_id}/survey/{phase}")
async def survey(session_id: PathId, phase: str, request: Request, db: DbDep, now: NowDep) -> Response:
    which = _phase(phase)
    seat, session = await _seat_and_session(request, db, session_id)
    offer = await answers.offer(db, seat=seat, session=session, phase=which, now=now)
    if offer is None:
        refused = await answers.refusal(db, seat=seat, session=session, phase=which, now=now)
        return _unavailable(request, seat, session, refused or Conflict(Msg("This survey is closed.")), 200)
    return await _survey_page(request, db, seat=seat, session=session, offer=offer, form=FormState(fields=_keys(offer)))


def _keys(offer: answers.Offer) -> frozenset[str]:
    return frozenset(item.key for item in offer.items)


@router.post("/sessions/{session_id}/survey/{phase}")
async def survey_submit(session_id: PathId, phase: str, request: Request, db: DbDep, now: NowDep) -> Response:
    which = _phase(phase)
    seat, session = await _seat_and_session(request, db, session_id)
    raw = await request.form()
    values = {key: value for key, value in raw.items() if isinstance(value, str) and key != "csrf_token"}
    try:
        async with db.begin_nested():
            await answers.submit(db, seat=seat, session=session, phase=which, values=values, now=now)
    except ValidationFailed as exc:
        offer = await answers.offer(db, seat=seat, session=session, phase=which, now=now)
        if offer is None:  # closed meanwhile
            return _unavailable(request, seat, session, Conflict(Msg("This survey is closed.")), 409)
        form = FormState(values={k: v for k, v in values.items() if k in _keys(offer)}, fields=_keys(offer))
        form.fail(exc)
        form.message = form.message or exc.message  # above the form too: the questions are many
        return await _survey_page(request, db, seat=seat, session=session, offer=offer, form=form, status_code=422)
    except Conflict as exc:
        return _unavailable(request, seat, session, exc, 409)
    return _own_page(session, "answered")


@router.post("/sessions/{session_id}/survey/{phase}/skip")
async def survey_skip(session_id: PathId, phase: str, request: Request, db: DbDep, now: NowDep) -> Response:
    which = _phase(phase)
    seat, session = await _seat_and_session(request, db, session_id)
    try:
        async with db.begin_nested():
            await answers.skip(db, seat=seat, session=session, phase=which, now=now)
    except Conflict as exc:
        return _unavailable(request, seat, session, exc, 409)
    return _own_page(session, "skipped")


form_page(
    router,
    "/sessions/{session_id}/survey/{phase}/skip",
    lambda params: "/sessions/{}/survey/{}".format(*(quote(str(params[k]), safe="") for k in ("session_id", "phase"))),
)
