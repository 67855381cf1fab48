"""The blameless lint: each rule fires on what it is for and stays quiet on clean drafts."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from datetime import UTC, date, datetime, timedelta

import pytest

from incident_tui.domain.blameless_lint import GAP, RULES, lint
from incident_tui.domain.postmortem_draft import (
    LIST_FIELDS,
    Metrics,
    PostmortemDraft,
    PostmortemFields,
    Why,
)
from incident_tui.domain.records import Action, Entry, Holding, IncidentDetail, IncidentFacts

STARTED = datetime(2026, 11, 24, 8, 55, tzinfo=UTC)
MILESTONES = {
    "started_at": STARTED,
    "detected_at": STARTED + timedelta(minutes=3),
    "acknowledged_at": STARTED + timedelta(minutes=7),
    "mitigated_at": STARTED + timedelta(minutes=63),
    "resolved_at": STARTED + timedelta(minutes=85),
    "closed_at": None,
}
GOOD_WHYS = [
    Why(1, "Why were EU search results empty?", "The indexer wrote to the old shard map."),
    Why(2, "Why did it write to the old map?", "v2.14 read the map version from a stale cache."),
    Why(3, "Why was the cache stale?", "The deploy pipeline does not check the map version."),
]
_TEXT_FIELDS = {f.name for f in dataclass_fields(PostmortemFields)}
WRITTEN: dict[str, object] = {
    "summary": "EU search returned empty results for 63 min after indexer v2.14 shipped.",
    "root_cause": "The deploy pipeline did not check the shard map version.",
    "contributing_factors": ["No compatibility test between indexer and shard map."],
    "what_went_well": ["The rollback was rehearsed."],
    "what_went_poorly": ["Detection took 3 min."],
    "lucky_breaks": ["The snapshot existed."],
    "users_affected": "~12,500",
}
"""A draft the model would accept: every section written, users affected a number."""
_DETAIL_FIELDS = {f.name for f in dataclass_fields(IncidentDetail)}


def at(hh: int, mm: int, *, day: int = 24) -> datetime:
    return datetime(2026, 11, day, hh, mm, tzinfo=UTC)


def entry(when: datetime, text: str = "note", *, author: str = "tom", kind: str = "note") -> Entry:
    return Entry(id=int(when.timestamp()), occurred_at=when, recorded_at=when, kind=kind,
                 author=author, text=text)  # fmt: skip


def action(id: int = 1, **overrides: object) -> Action:
    values: dict = {
        "id": id,
        "description": "Add a shard-map compatibility test",
        "owner": "tom",
        "due_date": date(2026, 12, 1),
        "priority": "P1",
        "type": "prevent",
        "status": "open",
        "ticket": None,
        "created_at": at(10, 30),
    }
    values.update(overrides)
    return Action(**values)


def make_draft(**overrides: object) -> PostmortemDraft:
    """A clean draft of the SEV2 walk-through; overrides go to the fields, the detail,
    the milestones (`milestones={...}` is merged) or the whys, by name."""
    milestones = {**MILESTONES, **overrides.pop("milestones", {})}  # type: ignore[dict-item]
    whys = overrides.pop("whys", GOOD_WHYS)
    text = {**WRITTEN, **{k: overrides.pop(k) for k in list(overrides) if k in _TEXT_FIELDS}}
    for name in LIST_FIELDS:  # a list section given as one string is one point
        if isinstance(text[name], str):
            text[name] = [text[name]]
    every_ten_minutes = [entry(STARTED + timedelta(minutes=m)) for m in range(0, 86, 10)]
    detail_values: dict = {
        "number": 7,
        "title": "Search results empty for EU users",
        "severity": 2,
        "phase": "resolved",
        "summary": "",
        "is_drill": False,
        "declared_at": at(9, 2),
        "declared_by": "mira",
        "milestones": milestones,
        "holdings": [
            Holding("commander", "mira", at(9, 2)),
            Holding("scribe", "tom", at(9, 3)),
            Holding("comms", "ana", at(9, 4)),
        ],
        "timeline": every_ten_minutes,
        "updates": [],
        "actions": [action(1)],
    }
    unknown = set(overrides) - _DETAIL_FIELDS
    assert not unknown, f"make_draft does not know {unknown}"
    detail_values.update(overrides)
    facts = IncidentFacts(
        severity=detail_values["severity"],
        phase=detail_values["phase"],
        declared_at=detail_values["declared_at"],
        started_at=milestones["started_at"] or detail_values["declared_at"],
        resolved_at=milestones["resolved_at"],
    )
    detail = IncidentDetail(**detail_values, facts=facts)
    metrics = Metrics(
        time_to_detect=timedelta(minutes=3),
        time_to_acknowledge=timedelta(minutes=4),
        time_to_mitigate=timedelta(minutes=63),
        time_to_resolve=timedelta(minutes=85),
        impact_duration=timedelta(minutes=63),
        cadence=[],
        reconstructed=0,
        reconstructed_worst=None,
        sla_breached=False,
    )
    return PostmortemDraft(detail, PostmortemFields(**text), list(whys), metrics)  # type: ignore[arg-type]


def findings(draft: PostmortemDraft, rule: str):  # type: ignore[no-untyped-def]
    return [f for f in lint(draft) if f.rule == rule]


# --- the whole draft ---------------------------------------------------------------------


def test_a_well_kept_draft_has_nothing_to_fix() -> None:
    draft = make_draft(
        summary="EU search returned empty results for 63 min after indexer v2.14 shipped.",
        root_cause="The deploy pipeline did not check the shard map version.",
        what_went_well="Tom spotted the deploy within minutes; the rollback was rehearsed.",
        authors="Mira, Tom",
    )
    assert lint(draft) == []


def test_the_rules_are_exported_in_the_order_findings_come_in() -> None:
    draft = make_draft(
        root_cause="Human error.",
        lucky_breaks=[],
        users_affected="",
        actions=[action(1, owner=None)],
        whys=[Why(1, "Why?", "")],
        milestones={"detected_at": None, "resolved_at": STARTED + timedelta(minutes=50)},
        timeline=[],
    )
    rules = [f.rule for f in lint(draft)]
    assert rules == sorted(rules, key=RULES.index)
    assert set(rules) == set(RULES)
    assert GAP == timedelta(minutes=15)


def test_the_lint_advises_and_never_rewrites_the_draft() -> None:
    draft = make_draft(root_cause="Tom should have checked the shard map.")
    lint(draft)
    assert draft.fields.root_cause == "Tom should have checked the shard map."


# --- blame --------------------------------------------------------------------------------


def test_hindsight_about_a_teammate_is_one_finding_with_a_system_focused_suggestion() -> None:
    draft = make_draft(root_cause="Tom should have checked the shard map.")
    [finding] = lint(draft)
    assert finding.rule == "blame"
    assert finding.where == "root cause"
    assert '"should have"' in finding.message
    assert "system" in finding.suggestion
    assert "rather than" in finding.suggestion
    assert draft.fields.root_cause not in finding.suggestion


def test_blaming_a_person_is_flagged_with_a_system_focused_suggestion() -> None:
    draft = make_draft(what_went_poorly="Tom pushed a bad config to the indexer.")
    [finding] = findings(draft, "blame")
    assert finding.where == "what went poorly"
    assert '"Tom pushed a bad"' in finding.message
    assert "system" in finding.suggestion


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("The rollout was careless.", "careless"),
        ("A sloppy review let it through.", "sloppy"),
        ("Reckless deploys on Fridays.", "Reckless"),
        ("This was human error.", "human error"),
        ("Classic operator error.", "operator error"),
        ("We shouldn't have merged it.", "shouldn't have"),
        ("Someone forgot to bump the map version.", "Someone forgot"),
        ("The engineer ignored the canary.", "The engineer ignored"),
        ("He then accidentally broke the index.", "He then accidentally broke"),
        ("Mira's change caused the outage.", "Mira's change caused"),
        ("Raj did not page the database team.", "Raj did not"),
    ],
)
def test_each_kind_of_blaming_phrase_is_quoted(text: str, quoted: str) -> None:
    draft = make_draft(
        contributing_factors=text,
        holdings=[Holding("commander", "mira", at(9, 2)), Holding("commander", "raj", at(10, 5))],
    )
    [finding] = findings(draft, "blame")
    assert finding.where == "contributing factors"
    assert f'"{quoted}"' in finding.message


def test_two_reasons_in_one_sentence_are_merged_into_one_finding() -> None:
    draft = make_draft(root_cause="Tom was careless and should have checked the shard map.")
    [finding] = findings(draft, "blame")
    assert '"careless"' in finding.message
    assert '"should have"' in finding.message


def test_blame_is_found_in_the_five_whys_and_in_action_items() -> None:
    draft = make_draft(
        whys=[*GOOD_WHYS[:2], Why(3, "Why was the cache stale?", "Ana missed the warning.")],
        actions=[action(1), action(4, description="Stop sloppy deploys")],
    )
    found = findings(draft, "blame")
    assert [(f.where, f.extra.get("position")) for f in found] == [
        ("five whys", 3),
        ("action item #4", None),
    ]
    assert '"Ana missed"' in found[0].message
    assert "why #3 answer" in found[0].message
    assert '"sloppy"' in found[1].message


def test_people_are_known_from_roles_entries_owners_and_the_authors_field() -> None:
    draft = make_draft(
        timeline=[entry(STARTED + timedelta(minutes=m), author="li") for m in range(0, 86, 10)],
        actions=[action(1, owner="@kofi")],
        authors="Jo Park, Sam",
        lessons_learned="Li overlooked it. Kofi forgot it. Park missed it. Sam failed to see it.",
    )
    quoted = [f.extra["quotes"] for f in findings(draft, "blame")]
    assert quoted == [["Li overlooked"], ["Kofi forgot"], ["Park missed"], ["Sam failed to"]]


@pytest.mark.parametrize(
    "text",
    [
        "The check failed.",
        "The deploy caused errors.",
        "Tomcat broke under load.",
        "The indexer should handle an old map.",
        "We should add a test for the map version.",
        "Tom rolled back the indexer at 09:45.",
        "When Tom restarted it, the job failed to start.",
        "The error budget for users ran out.",
        "Alertmanager failed to page the second responder.",
    ],
)
def test_ordinary_system_wording_is_not_mistaken_for_blame(text: str) -> None:
    draft = make_draft(
        root_cause=text,
        timeline=[
            *[entry(STARTED + timedelta(minutes=m)) for m in range(0, 86, 10)],
            entry(STARTED, "search-eu 5xx", author="alertmanager", kind="alert"),
        ],
    )
    assert findings(draft, "blame") == []


# --- action-incomplete ----------------------------------------------------------------------


def test_an_action_item_without_owner_or_due_date_says_what_is_missing() -> None:
    draft = make_draft(actions=[action(1), action(3, owner=None, due_date=None)])
    [finding] = lint(draft)
    assert finding.rule == "action-incomplete"
    assert finding.where == "action item #3"
    assert finding.message == "action item #3 has no owner and no due date"


def test_an_action_item_without_a_type_is_flagged_once() -> None:
    draft = make_draft(actions=[action(2, type=None), action(5, type=None, owner="")])
    found = findings(draft, "action-incomplete")
    assert [(f.where, f.message) for f in found] == [
        ("action item #2", "action item #2 has no type"),
        ("action item #5", "action item #5 has no owner and no type"),
    ]


def test_complete_action_items_pass() -> None:
    draft = make_draft(actions=[action(1), action(2, type="detect", owner="ana")])
    assert findings(draft, "action-incomplete") == []


# --- few-whys ----------------------------------------------------------------------------------


def test_fewer_than_three_answered_whys_are_flagged() -> None:
    draft = make_draft(whys=[*GOOD_WHYS[:2], Why(3, "Why was the cache stale?", "  ")])
    finding, unanswered = lint(draft)
    assert (finding.rule, unanswered.rule) == ("few-whys", "unanswered-why")
    assert finding.where == "five whys"
    assert "only 2 of the five whys have a question and an answer" in finding.message
    assert "(1 incomplete)" in finding.message


def test_no_whys_at_all_are_flagged() -> None:
    [finding] = lint(make_draft(whys=[]))
    assert finding.rule == "few-whys"
    assert "no why" in finding.message


def test_three_answered_whys_are_enough() -> None:
    assert findings(make_draft(whys=GOOD_WHYS), "few-whys") == []


# --- missing-milestone -------------------------------------------------------------------------


def test_a_missing_milestone_names_the_metrics_it_blocks_and_how_to_set_it() -> None:
    [finding] = lint(make_draft(milestones={"mitigated_at": None}))
    assert finding.rule == "missing-milestone"
    assert finding.where == "milestones"
    assert finding.message == "no 'mitigated' time: time to mitigate cannot be computed"
    assert finding.suggestion == "set it with `incident-tui milestone INC-7 mitigated TIME`"


def test_one_finding_per_missing_milestone_not_per_metric() -> None:
    draft = make_draft(milestones={"detected_at": None, "acknowledged_at": None})
    found = findings(draft, "missing-milestone")
    assert [f.message for f in found] == [
        "no 'detected' time: time to detect and time to acknowledge cannot be computed",
        "no 'acknowledged' time: time to acknowledge cannot be computed",
    ]


def test_closed_is_not_needed_for_any_metric() -> None:
    assert findings(make_draft(milestones={"closed_at": None}), "missing-milestone") == []


# --- timeline-gap ---------------------------------------------------------------------------------


def test_a_silent_half_hour_while_the_incident_was_active_is_flagged() -> None:
    timeline = [entry(at(8, 55)), entry(at(9, 5)), entry(at(9, 37)), entry(at(9, 50))]
    draft = make_draft(timeline=timeline, milestones={"resolved_at": at(10, 0)})
    [finding] = lint(draft)
    assert finding.rule == "timeline-gap"
    assert finding.where == "timeline 09:05–09:37Z"
    assert finding.message == "no entry for 32 min while the incident was active"
    assert "backdate" in finding.suggestion


def test_silence_after_the_start_and_before_resolution_counts() -> None:
    timeline = [entry(at(9, 20)), entry(at(9, 30))]
    draft = make_draft(timeline=timeline, milestones={"resolved_at": at(10, 0)})
    assert [f.where for f in findings(draft, "timeline-gap")] == [
        "timeline 08:55–09:20Z",
        "timeline 09:30–10:00Z",
    ]


def test_silence_before_the_start_and_after_resolution_is_not_a_gap() -> None:
    timeline = [entry(at(7, 0)), *(entry(at(8, 55) + timedelta(minutes=m)) for m in (0, 10, 20))]
    timeline.append(entry(at(13, 0), "postmortem scheduled"))
    draft = make_draft(timeline=timeline, milestones={"resolved_at": at(9, 20)})
    assert findings(draft, "timeline-gap") == []


def test_an_unresolved_incident_is_checked_up_to_its_last_entry() -> None:
    timeline = [entry(at(9, 0)), entry(at(9, 10))]
    draft = make_draft(timeline=timeline, phase="mitigating", milestones={"resolved_at": None})
    assert findings(draft, "timeline-gap") == []


def test_a_gap_across_midnight_shows_dates_and_hours() -> None:
    timeline = [entry(at(22, 40)), entry(at(7, 10, day=25)), entry(at(7, 20, day=25))]
    draft = make_draft(
        timeline=timeline,
        milestones={"started_at": at(22, 40), "resolved_at": at(7, 20, day=25)},
    )
    [finding] = findings(draft, "timeline-gap")
    assert finding.where == "timeline 2026-11-24 22:40–2026-11-25 07:10Z"
    assert finding.message == "no entry for 8 h 30 min while the incident was active"


def test_exactly_fifteen_minutes_of_quiet_is_fine() -> None:
    timeline = [entry(at(8, 55) + timedelta(minutes=m)) for m in (0, 15, 30)]
    draft = make_draft(timeline=timeline, milestones={"resolved_at": at(9, 40)})
    assert findings(draft, "timeline-gap") == []


# --- what the model expects ---------------------------------------------------------------


def test_an_empty_section_the_model_expects_is_flagged() -> None:
    draft = make_draft(lucky_breaks=[], root_cause="  ")
    assert [f.where for f in findings(draft, "empty-section")] == [
        "root cause",
        "where we got lucky",
    ]


@pytest.mark.parametrize("written", ["", "most EU users"])
def test_users_affected_unknown_is_flagged(written: str) -> None:
    [finding] = findings(make_draft(users_affected=written), "users-affected")
    assert "the export says 0" in finding.message and "12500" in finding.suggestion


def test_a_why_with_an_empty_answer_is_flagged() -> None:
    draft = make_draft(whys=[*GOOD_WHYS, Why(4, "Why no check?", " ")])
    [finding] = findings(draft, "unanswered-why")
    assert finding.message == "why #4 has no answer"


def test_milestones_out_of_order_are_pointed_at_not_shown_negative() -> None:
    draft = make_draft(milestones={"acknowledged_at": STARTED + timedelta(minutes=1)})
    [finding] = findings(draft, "milestone-order")
    assert finding.message == "acknowledged 08:56Z is before detected 08:58Z"


def test_a_blaming_point_names_its_section_and_point() -> None:
    draft = make_draft(what_went_poorly=["Paging worked.", "Tom should have checked the map."])
    [finding] = findings(draft, "blame")
    assert (finding.where, finding.extra["point"]) == ("what went poorly", 2)
