"""Alerts in: one webhook payload (an `AlertGroup`) declares an incident or attaches to
the one its group already has, and adds an `alert` entry per alert state not seen
before — all in one transaction.

De-duplication is by a stored key per alert state (source, fingerprint, status,
startsAt): a repeated notification or a retried delivery adds nothing; an alert joining
the group adds its entry; a resolved alert adds one entry saying so. The group key maps
to its incident while the incident is open; a group that fires again after its incident
was resolved declares a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from incident_tui.domain.alert_payloads import FIRING, Alert, AlertGroup
from incident_tui.domain.alert_routes import AlertRoute, plan_for
from incident_tui.domain.alert_text import entry_text
from incident_tui.domain.text import one_line
from incident_tui.domain.vocabulary import OPEN_PHASES, incident_key
from incident_tui.ops.declaring import add_incident
from incident_tui.ops.milestones import detected_by_alert
from incident_tui.ops.rows import MAX_TITLE, valid_name, valid_text
from incident_tui.store import models as m
from incident_tui.store.database import Database

AUTHORS = {
    "alertmanager": "alertmanager",
    "grafana": "grafana",
    "pagerduty": "pagerduty",
    "generic": "webhook",
}
"""Who the entries are by: the sender (the postmortem's lint reads an author that only
ever posted alerts as a hook, not a person)."""


@dataclass(frozen=True)
class AlertsTaken:
    """What one payload did: the incident (None when nothing needed one), whether it was
    declared for it, the entries added and the alert states already seen."""

    key: str | None
    declared: bool
    added: int
    duplicates: int
    alerts: int

    def as_json(self) -> dict:
        return {
            "incident": self.key,
            "declared": self.declared,
            "entries_added": self.added,
            "duplicates": self.duplicates,
        }

    def line(self) -> str:
        if self.key is None:
            return f"nothing to do: {self.alerts} resolved alert(s) of a group with no incident"
        done = "declared, " if self.declared else ""
        seen = f" ({self.duplicates} already seen)" if self.duplicates else ""
        entries = "entry" if self.added == 1 else "entries"
        return f"{self.key}: {done}{self.added} alert {entries} added{seen}"


def _start_key(alert: Alert) -> str:
    return alert.starts_at.isoformat() if alert.starts_at else ""


def _when(alert: Alert, now: datetime) -> datetime:
    """When the entry happened: firing at its start, resolved at its end; a time the
    sender did not give, or one ahead of our clock, is now."""
    at = alert.starts_at if alert.status == FIRING else alert.ends_at
    return now if at is None or at > now else at


def _open_incident_titled(session: Session, words: str) -> m.Incident | None:
    """The newest open incident whose title contains `words` (any case)."""
    wanted = words.casefold()
    rows = session.exec(
        select(m.Incident)
        .where(col(m.Incident.phase).in_(OPEN_PHASES))
        .order_by(col(m.Incident.id).desc())
    ).all()
    return next((row for row in rows if wanted in row.title.casefold()), None)


def take_alerts(
    db: Database,
    group: AlertGroup,
    *,
    now: datetime,
    routes: tuple[AlertRoute, ...] = (),
) -> AlertsTaken:
    """Take in one payload, in one transaction (committed when this returns)."""
    author = valid_name(AUTHORS.get(group.source, group.source), "author")
    unique: dict[tuple[str, str, str], Alert] = {}
    for alert in group.alerts:
        unique.setdefault((alert.fingerprint, alert.status, _start_key(alert)), alert)

    def work(session: Session) -> AlertsTaken:
        known = set(
            session.exec(
                select(m.AlertReceipt.fingerprint, m.AlertReceipt.status, m.AlertReceipt.starts_at)
                .where(m.AlertReceipt.source == group.source)
                .where(col(m.AlertReceipt.fingerprint).in_({f for f, _, _ in unique}))
            ).all()
        )
        new = [(key, alert) for key, alert in unique.items() if key not in known]
        duplicates = len(group.alerts) - len(new)
        link = session.exec(
            select(m.AlertGroupLink)
            .where(m.AlertGroupLink.source == group.source)
            .where(m.AlertGroupLink.group_key == group.group_key)
        ).first()
        incident = session.get(m.Incident, link.incident_id) if link else None
        if not new:
            key = incident_key(m.saved_id(incident)) if incident else None
            return AlertsTaken(key, False, 0, duplicates, len(group.alerts))
        firing = [alert for _, alert in new if alert.status == FIRING]
        declared = False
        if incident is None or (firing and incident.phase not in OPEN_PHASES):
            if not firing:  # only resolved alerts, and no incident to tell
                return AlertsTaken(None, False, 0, duplicates, len(group.alerts))
            incident, declared = _incident_for(session, group, firing, routes, author, now)
            if link is None:
                link = m.AlertGroupLink(
                    source=group.source,
                    group_key=group.group_key,
                    incident_id=m.saved_id(incident),
                    first_seen_at=now,
                    last_seen_at=now,
                )
                session.add(link)
            link.incident_id = m.saved_id(incident)
        assert link is not None
        link.last_seen_at = now
        number = m.saved_id(incident)
        for (fingerprint, status, starts), alert in new:
            at = _when(alert, now)
            entry = m.TimelineEntry(
                incident_id=number,
                occurred_at=at,
                recorded_at=now,
                kind="alert",
                author=author,
                text=valid_text(entry_text(alert), "alert text"),
            )
            session.add(entry)
            session.flush()
            session.add(
                m.AlertReceipt(
                    source=group.source,
                    fingerprint=fingerprint,
                    status=status,
                    starts_at=starts,
                    incident_id=number,
                    entry_id=m.saved_id(entry),
                    received_at=now,
                )
            )
            if alert.status == FIRING:
                detected_by_alert(session, number, at, author=author, now=now)
        incident.updated_at = now
        return AlertsTaken(incident_key(number), declared, len(new), duplicates, len(group.alerts))

    return db.write(work)


def _incident_for(
    session: Session,
    group: AlertGroup,
    firing: list[Alert],
    routes: tuple[AlertRoute, ...],
    author: str,
    now: datetime,
) -> tuple[m.Incident, bool]:
    """The open incident a route attaches the group to, else a new one (declared)."""
    plan = plan_for(group, routes)
    if plan.attach:
        found = _open_incident_titled(session, plan.attach)
        if found is not None:
            return found, False
    title = one_line(valid_text(plan.title, "title", limit=MAX_TITLE))
    started = min(_when(alert, now) for alert in firing)
    incident = add_incident(
        session,
        title=title,
        severity=plan.severity,
        author=author,
        now=now,
        commander=None,
        started=started,
    )
    return incident, True
