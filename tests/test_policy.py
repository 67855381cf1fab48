"""The severity policy and the deadlines it sets, with a frozen 'now'."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incident_tui.config import load_config
from incident_tui.domain.errors import ConfigError
from incident_tui.domain.policy import DEFAULT_POLICY, deadlines, update_due
from incident_tui.domain.records import IncidentFacts, SeverityChange, Timer

T0 = datetime(2026, 11, 24, 9, 2, tzinfo=UTC)


def at(hh: int, mm: int) -> datetime:
    return datetime(2026, 11, 24, hh, mm, tzinfo=UTC)


def facts(**kw) -> IncidentFacts:
    base = dict(
        severity=2, phase="investigating", declared_at=T0, started_at=at(8, 55), detected_at=T0
    )
    base.update(kw)
    return IncidentFacts(**base)


def by_name(f: IncidentFacts) -> dict[str, datetime]:
    return {d.name: d.due_at for d in deadlines(f, DEFAULT_POLICY)}


def test_sev2_cadences_run_from_the_declaration() -> None:
    due = by_name(facts())
    assert due["update:internal"] == at(9, 32)
    assert due["update:external"] == at(10, 2)
    assert due["update:executive"] == at(10, 2)
    assert due["acknowledge"] == at(9, 32)
    assert due["resolve"] == at(12, 55)
    assert "escalate" not in due


def test_next_update_is_one_cadence_after_the_last_update() -> None:
    due = by_name(facts(last_update={"internal": at(9, 39)}))
    assert due["update:internal"] == at(10, 9)


def test_raising_to_sev1_brings_updates_forward_but_never_later() -> None:
    # Walk-through 1: SEV2 declared 09:02, SEV1 at 09:20.
    f = facts(severity=1, severity_changes=[SeverityChange(at(9, 20), 2, 1)])
    due = by_name(f)
    assert due["update:internal"] == at(9, 32)  # earlier than 09:20 + 15
    assert due["update:external"] == at(9, 50)  # 09:20 + 30 beats 10:02
    assert due["update:executive"] == at(9, 50)
    assert due["escalate"] == at(9, 32)  # 30 min after detection


def test_lowering_severity_drops_cadences_the_new_severity_does_not_owe() -> None:
    f = facts(severity=3, severity_changes=[SeverityChange(at(9, 20), 2, 3)])
    due = by_name(f)
    assert due["update:internal"] == at(9, 32)
    assert "update:external" not in due and "update:executive" not in due


def test_an_update_after_the_change_uses_the_new_cadence() -> None:
    f = facts(
        severity=1,
        severity_changes=[SeverityChange(at(9, 20), 2, 1)],
        last_update={"internal": at(9, 30)},
    )
    assert update_due(f, DEFAULT_POLICY, "internal") == at(9, 45)


def test_acknowledged_incident_has_no_acknowledge_countdown() -> None:
    assert "acknowledge" not in by_name(facts(acknowledged_at=at(9, 5)))


def test_resolved_incident_owes_a_postmortem_in_48_hours_and_nothing_else() -> None:
    f = facts(phase="resolved", resolved_at=at(10, 20))
    due = by_name(f)
    assert due == {"postmortem": at(10, 20) + timedelta(hours=48)}
    assert by_name(facts(phase="closed", resolved_at=at(10, 20), closed_at=at(11, 0))) == {}


def test_timers_and_snoozes() -> None:
    f = facts(
        timers=[Timer(1, "check shard map", at(9, 40))],
        snoozed_until={"update:internal": at(9, 37)},
    )
    due = by_name(f)
    assert due["timer:check shard map"] == at(9, 40)
    assert due["update:internal"] == at(9, 37)


def test_deadlines_come_earliest_first() -> None:
    items = deadlines(facts(severity=1), DEFAULT_POLICY)
    assert [d.due_at for d in items] == sorted(d.due_at for d in items)
    assert items[0].seconds_left(at(9, 10)) == 7 * 60


def test_sev4_owes_no_updates() -> None:
    assert not [n for n in by_name(facts(severity=4)) if n.startswith("update:")]


def test_config_overrides_policy_numbers(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[user]\nname = "mira"\n\n[severity.2]\nacknowledge = "10m"\n\n'
        '[severity.2.updates]\ninternal = 20\nexternal = "off"\n'
    )
    config = load_config(path)
    assert config.user_name == "mira"
    due = {d.name: d.due_at for d in deadlines(facts(), config.policy)}
    assert due["update:internal"] == at(9, 22)
    assert due["acknowledge"] == at(9, 12)
    assert "update:external" not in due
    assert due["update:executive"] == at(10, 2)  # untouched


def test_malformed_config_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[user]\nname = "mira"\n[severity.1\ninternal = "5m"\n')
    with pytest.raises(ConfigError, match="line 3"):
        load_config(path)


@pytest.mark.parametrize(
    "body, words",
    [
        ('[severity.7]\nresolve = "1h"\n', "severities are 1, 2, 3 and 4"),
        ('[severity.1]\nresolve = "soon"\n', "severity.1.resolve"),
        ('[severity.1.updates]\npager = "5m"\n', "unknown setting severity.1.updates.pager"),
        ('[severity.1]\nrsolve = "1h"\n', "unknown setting"),
        ('[display]\ntimezone = "Mars/Olympus"\n', "unknown time zone"),
    ],
)
def test_bad_config_values_are_named(tmp_path: Path, body: str, words: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(body)
    with pytest.raises(ConfigError, match=words):
        load_config(path)


def test_missing_default_config_means_defaults_but_a_named_one_must_exist(tmp_path: Path) -> None:
    assert load_config().policy == DEFAULT_POLICY
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")
