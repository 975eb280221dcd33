"""A session's calendar entry as an iCalendar (.ics) file."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event

from app.dialogues.models import DialogueSession
from app.dialogues.sessions import ends_at


def session_ics(session: DialogueSession, *, programme_name: str, url: str, now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Roundtable//Dialogue sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"session-{session.id}@roundtable")
    event.add("dtstamp", now)
    event.add("dtstart", session.starts_at)
    event.add("dtend", ends_at(session))
    event.add("summary", session.title)
    description = session.description.strip()
    event.add("description", f"{programme_name}\n\n{description}".strip() if description else programme_name)
    event.add("url", url)
    event.add("status", "CANCELLED" if session.status.value == "cancelled" else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
