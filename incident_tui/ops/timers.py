"""Countdowns people set: timers, their dismissal, and snoozes of an update deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from incident_tui.domain.errors import IncidentError, NotFound
from incident_tui.domain.instants import (
    length_of_time,
)
from incident_tui.ops.rows import find_incident, valid_name
from incident_tui.ops.system_entries import add_system_entry
from incident_tui.store import models as m
from incident_tui.store.database import Database


@dataclass(frozen=True)
class TimerStarted:
    id: int
    label: str
    due_at: datetime


def start_timer(
    db: Database,
    *,
    key: str | int,
    duration: timedelta,
    label: str,
    author: str,
    now: datetime,
) -> TimerStarted:
    """An ad-hoc countdown of `duration` from now."""
    label = valid_name(label, "timer label")
    length_of_time(duration, what="a timer's duration")
    author = valid_name(author, "author")

    def work(session: Session) -> TimerStarted:
        incident = find_incident(session, key)
        timer = m.Timer(
            incident_id=m.saved_id(incident),
            label=label,
            due_at=now + duration,
            started_at=now,
            started_by=author,
        )
        session.add(timer)
        session.flush()
        return TimerStarted(m.saved_id(timer), label, timer.due_at)

    return db.write(work)


def cancel_timer(db: Database, *, key: str | int, label: str, author: str, now: datetime) -> str:
    """Dismiss the open timers called `label` (rung or not); logged. What was done, in a line."""
    author = valid_name(author, "author")

    def work(session: Session) -> str:
        incident = find_incident(session, key)
        timers = session.exec(
            select(m.Timer)
            .where(m.Timer.incident_id == incident.id)
            .where(m.Timer.label == label)
            .where(col(m.Timer.cancelled_at).is_(None))
        ).all()
        if not timers:
            running = session.exec(
                select(m.Timer.label)
                .where(m.Timer.incident_id == incident.id)
                .where(col(m.Timer.cancelled_at).is_(None))
            ).all()
            names = ", ".join(repr(name) for name in sorted(set(running))) or "none"
            raise NotFound(f"no running timer {label!r}; running: {names}")
        for timer in timers:
            timer.cancelled_at = now
        rang = any(t.due_at <= now for t in timers)
        text = f"Timer done: {label}" + (" (it had rung)" if rang else " (before it rang)")
        add_system_entry(session, incident, "status", text, author=author, at=now, now=now)
        return text

    return db.write(work)


def snooze_deadline(
    db: Database,
    *,
    key: str | int,
    deadline: str,
    due_at: datetime,
    minutes: int,
    author: str,
    now: datetime,
) -> str:
    """Push a countdown (currently due at `due_at`) back by 5, 10 or 15 minutes; logged."""
    if minutes not in (5, 10, 15):
        raise IncidentError("a countdown snoozes for 5, 10 or 15 minutes")
    author = valid_name(author, "author")
    until = max(due_at, now) + timedelta(minutes=minutes)

    def work(session: Session) -> str:
        incident = find_incident(session, key)
        session.add(
            m.DeadlineSnooze(
                incident_id=m.saved_id(incident),
                deadline=deadline,
                until=until,
                snoozed_at=now,
                snoozed_by=author,
            )
        )
        text = f"Snoozed {deadline} {minutes} min (now due {until:%H:%M}Z)"
        add_system_entry(session, incident, "status", text, author=author, at=now, now=now)
        return text

    return db.write(work)
