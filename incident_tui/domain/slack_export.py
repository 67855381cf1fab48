"""A Slack channel export read as timeline lines: the channel's folder holds one JSON
file per day (`2026-11-24.json`: a list of messages with `ts`, `user`, `text`) and the
export's `users.json` gives the names. Slack's markup becomes plain text: `<@U123>` the
person's name, `<#C1|incident>` `#incident`, `<https://x|label>` `label (https://x)`,
`&amp;` `&`. Joins, leaves and other channel housekeeping are left out."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from incident_tui.domain.errors import IncidentError
from incident_tui.domain.text import clean

SKIPPED_SUBTYPES = frozenset(
    {
        "channel_join",
        "channel_leave",
        "channel_topic",
        "channel_purpose",
        "channel_name",
        "channel_archive",
        "channel_unarchive",
        "group_join",
        "group_leave",
        "pinned_item",
        "unpinned_item",
    }
)

_MARKUP = re.compile(r"<([^<>]*)>")
_DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")


@dataclass(frozen=True)
class ChatLine:
    at: datetime
    who: str
    text: str


def is_day_file(name: str) -> bool:
    return bool(_DAY_FILE.match(name))


def _json(text: str | bytes, name: str) -> Any:
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise IncidentError(f"{name} is not JSON we can read ({error})") from None


def user_names(users_json: str | bytes | None) -> dict[str, str]:
    """Slack user id → the name people know: display name, else real name, else handle."""
    if users_json is None:
        return {}
    users = _json(users_json, "users.json")
    if not isinstance(users, list):
        raise IncidentError("users.json is not a Slack export's user list (not a JSON list)")
    names: dict[str, str] = {}
    for user in users:
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            continue
        found = user.get("profile")
        profile: dict[str, Any] = found if isinstance(found, dict) else {}
        for name in (
            profile.get("display_name"),
            profile.get("real_name"),
            user.get("real_name"),
            user.get("name"),
        ):
            if isinstance(name, str) and name.strip():
                names[user["id"]] = clean(name).strip()
                break
    return names


def plain(text: str, names: Mapping[str, str]) -> str:
    """Slack's markup as plain text."""

    def one(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + (label or names.get(target[1:], target[1:]))
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])  # <!here>, <!channel>
        return f"{label} ({target})" if label and label != target else target

    text = _MARKUP.sub(one, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def chat_lines(days: Mapping[str, str | bytes], names: Mapping[str, str]) -> list[ChatLine]:
    """Every message of the day files (`name` → content), oldest first; a message with
    no text (a file alone, a deleted message) is left out."""
    lines: list[tuple[float, int, ChatLine]] = []
    order = 0
    for name in sorted(days):
        messages = _json(days[name], name)
        if not isinstance(messages, list):
            raise IncidentError(f"{name} is not a Slack channel's day (not a JSON list)")
        for position, message in enumerate(messages, start=1):
            if not isinstance(message, dict) or message.get("subtype") in SKIPPED_SUBTYPES:
                continue
            try:
                stamp = float(message["ts"])
                at = datetime.fromtimestamp(stamp, UTC)
            except (KeyError, TypeError, ValueError, OverflowError, OSError):
                raise IncidentError(f"{name}: message {position} has no readable ts") from None
            text = plain(str(message.get("text") or ""), names).strip()
            if not text:
                continue
            user = message.get("user")
            who = (
                names.get(user, user)
                if isinstance(user, str)
                else message.get("username") or message.get("bot_id") or "slack"
            )
            order += 1
            lines.append((stamp, order, ChatLine(at, clean(str(who)).strip() or "slack", text)))
    lines.sort(key=lambda item: (item[0], item[1]))
    return [line for _stamp, _order, line in lines]
