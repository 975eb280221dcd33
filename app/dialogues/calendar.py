"""A session's calendar entry as an iCalendar (.ics) file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from icalendar import Calendar, Event

from app.dialogues.models import DialogueSession
from app.dialogues.sessions import ends_at
from app.programmes.texts import pick_text


def session_ics(
    session: DialogueSession,
    *,
    programme_name: str,
    url: str,
    now: datetime,
    language: str,
    languages: Sequence[str],
) -> bytes:
    """The entry in `language` (the reader's), else in the first of the programme's languages
    the session's title has: a calendar holds one text, not a choice."""
    calendar = Calendar()
    calendar.add("prodid", "-//Roundtable//Dialogue sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"session-{session.id}@roundtable")
    event.add("dtstamp", now)
    event.add("dtstart", session.starts_at)
    event.add("dtend", ends_at(session))
    event.add("summary", pick_text(session.title, language, languages))
    description = pick_text(session.description, language, languages).strip()
    event.add("description", f"{programme_name}\n\n{description}".strip() if description else programme_name)
    event.add("url", url)
    event.add("status", "CANCELLED" if session.status.value == "cancelled" else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
