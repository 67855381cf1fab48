"""`incident-tui watch` without `--json`: one readable line per event."""

from __future__ import annotations

from typing import Any

from incident_tui.domain.text import one_line


def _said(event: dict[str, Any]) -> str:
    name = event["event"]
    if name.startswith("entry."):
        e = event["entry"]
        words = f"#{e['id']} {e['kind']} · {e['author']}: {e['text']}"
        if name == "entry.added":
            return words + (" [pinned]" if e["pinned"] else "")
        return f"{words} (by {event['by']})"
    if name == "incident.declared":
        return f"SEV{event['severity']} {event['title']} (by {event['by']})"
    if name == "phase.changed":
        return f"{event['from']} → {event['to']} (by {event['by']})"
    if name == "severity.changed":
        return f"SEV{event['from']} → SEV{event['to']} (by {event['by']})"
    if name == "milestone.changed":
        return f"{event['milestone']} {event['from'] or '-'} → {event['to'] or '-'}"
    if name == "role.assigned":
        was = f", was {event['previous']}" if event["previous"] else ""
        return f"{event['role']}: {event['holder']} (by {event['by']}{was})"
    if name == "role.vacated":
        return f"{event['role']} vacated (was {event['previous']})"
    if name == "update.posted":
        u = event["update"]
        return f"{u['audience']} · {u['author']}: {u['text']}"
    if name in ("action.added", "action.updated"):
        a = event["action"]
        words = f"#{a['id']} {a['priority']} {a['status']}: {a['description']}"
        if a["owner"]:
            words += f" @{a['owner']}"
        return f"{words} ({event['changes']})" if name == "action.updated" else words
    return ""


def event_line(event: dict[str, Any]) -> str:
    """`2026-11-24T09:02:00Z  INC-3  update.posted      external · ana: We are on it`"""
    drill = " (drill)" if event.get("drill") else ""
    return f"{event['at']}  {event['incident']}{drill}  {event['event']:<17}  " + one_line(
        _said(event), 400
    )
