"""A sample war room to explore: three incidents built through the operations, relative to now."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from incident_tui import ops
from incident_tui.store import locations
from incident_tui.store.database import Database

DEMO_DB_NAME = "demo.db"


def demo_db_path() -> Path:
    """The demo's own database, next to (never instead of) the user's real one."""
    return locations.data_dir() / DEMO_DB_NAME


def seed_demo(db: Database, *, now: datetime) -> int:
    """Fill `db` with a resolved SEV2 from yesterday, an active SEV3 and, newest, an ongoing
    SEV1 (scenario 1 of the walk-throughs); returns the number of the SEV1."""
    now = now.astimezone(UTC)
    _seed_resolved_yesterday(db, now)
    _seed_slow_reports(db, now)
    return _seed_search_outage(db, now)


def _before(now: datetime) -> Callable[[float], datetime]:
    """`t(m)`: the instant `m` minutes before `now`."""

    def t(minutes: float) -> datetime:
        return now - timedelta(minutes=minutes)

    return t


def _seed_resolved_yesterday(db: Database, now: datetime) -> int:
    day = now.date() - timedelta(days=1)

    def t(hh: int, mm: int) -> datetime:
        return datetime.combine(day, time(hh, mm), tzinfo=UTC)

    key = ops.declare(
        db,
        title="Webhook deliveries delayed",
        severity=2,
        author="raj",
        now=t(14, 10),
        commander="raj",
        started_at=t(13, 58),
        summary="Outbound webhooks queued for up to 40 minutes after a broker failover.",
    )
    ops.hand_over_role(db, key=key, role="scribe", holder="li", author="raj", now=t(14, 12))
    ops.log_entry(
        db,
        key=key,
        kind="alert",
        text="Alert: webhook queue age > 10 min",
        author="li",
        at=t(14, 5),
        now=t(14, 13),
    )
    ops.set_phase(db, key=key, phase="investigating", author="raj", now=t(14, 15))
    ops.post_update(
        db,
        key=key,
        audience="internal",
        text="Webhook deliveries are delayed; investigating the message broker.",
        author="raj",
        now=t(14, 25),
    )
    ops.log_entry(
        db,
        key=key,
        kind="finding",
        text="Broker failover left consumers attached to the old primary",
        author="li",
        now=t(14, 38),
    )
    ops.set_phase(db, key=key, phase="identified", author="raj", now=t(14, 40))
    ops.log_entry(
        db,
        key=key,
        kind="action",
        text="Restarted webhook consumers against the new primary",
        author="raj",
        now=t(14, 48),
    )
    ops.set_phase(db, key=key, phase="mitigating", author="raj", now=t(14, 50))
    ops.set_phase(db, key=key, phase="monitoring", author="raj", now=t(15, 5))
    ops.post_update(
        db,
        key=key,
        audience="external",
        text="Webhook deliveries were delayed; the backlog is drained and deliveries are "
        "on time again. We are monitoring.",
        author="raj",
        now=t(15, 8),
    )
    ops.log_entry(
        db,
        key=key,
        text="Queue age back under 5 s for 30 minutes",
        author="li",
        now=t(15, 38),
    )
    ops.set_phase(db, key=key, phase="resolved", author="raj", now=t(15, 40))
    ops.add_action(
        db,
        key=key,
        description="Consumers follow broker failover without a restart",
        author="raj",
        now=t(15, 45),
        owner="li",
        priority="P1",
        type="prevent",
    )
    return key


def _seed_slow_reports(db: Database, now: datetime) -> int:
    t = _before(now)
    key = ops.declare(
        db,
        title="Slow admin reports",
        severity=3,
        author="sam",
        now=t(180),
        commander="sam",
        started_at=t(215),
        summary="Admin CSV reports take minutes instead of seconds; a retry works.",
    )
    ops.log_entry(
        db,
        key=key,
        kind="alert",
        text="p95 of /admin/reports above 30 s",
        author="sam",
        at=t(200),
        now=t(179),
    )
    ops.set_phase(db, key=key, phase="investigating", author="sam", now=t(170))
    ops.hand_over_role(db, key=key, role="tech_lead", holder="ola", author="sam", now=t(165))
    ops.log_entry(
        db,
        key=key,
        kind="finding",
        text="Reports query lost its index hint after the ORM upgrade",
        author="ola",
        now=t(120),
    )
    ops.post_update(
        db,
        key=key,
        audience="internal",
        text="Admin reports are slow (workaround: retry). Cause found; fix in review.",
        author="sam",
        now=t(110),
    )
    return key


def _seed_search_outage(db: Database, now: datetime) -> int:
    t = _before(now)
    key = ops.declare(
        db,
        title="Search results empty for EU users",
        severity=2,
        author="mira",
        now=t(45),
        commander="mira",
        started_at=t(52),
        summary="Search returns no results for many EU queries; checkout product lookup "
        "depends on search.",
    )

    def log(
        minutes: float, text: str, author: str, kind: str = "note", at: float | None = None
    ) -> int:
        entry = ops.log_entry(
            db,
            key=key,
            text=text,
            author=author,
            kind=kind,
            now=t(minutes),
            at=t(at) if at is not None else None,
        )
        return entry.id

    ops.hand_over_role(db, key=key, role="scribe", holder="tom", author="mira", now=t(44.5))
    log(44, "PagerDuty: search-eu 5xx rate > 25% for 5 min", "tom", "alert", at=50)
    log(43, "Deploy log: indexer v2.14 rolled out to eu-west and eu-central", "tom", at=58)
    log(42.5, "EU search error rate rises to 30% (dashboard search-eu/overview)", "tom", at=52)
    ops.set_phase(db, key=key, phase="investigating", author="mira", now=t(42))
    ops.hand_over_role(db, key=key, role="tech_lead", holder="raj", author="mira", now=t(41.5))
    ops.hand_over_role(db, key=key, role="comms", holder="ana", author="mira", now=t(41))
    ops.hand_over_role(db, key=key, role="sme:search", holder="li", author="mira", now=t(40))
    log(39, "Search API pods healthy; the failures come from the query fan-out to shards", "raj")
    log(37, "Synthetic check search-eu-basic failing from Frankfurt and Dublin", "tom", "alert", 38)
    log(36, "Empty results, not errors, for ~60% of EU queries; US and APAC normal", "li")
    log(34, "EU tenants are routed to shards 40-47, which the shard map no longer lists", "raj")
    log(33, "Support: first customer tickets about empty search (3 so far)", "tom", at=46)
    shard_map = log(31, "indexer v2.14 writes to the old shard map", "li", "finding")
    ops.pin_entry(db, key=key, entry_id=shard_map, pinned=True, author="mira", now=t(30.5))
    ops.set_phase(db, key=key, phase="identified", author="mira", now=t(30))
    log(29, "No roll-forward: prepare a rollback of indexer-eu to v2.13", "mira", "decision")
    log(27, "Rollback plan: drain indexer-eu, deploy v2.13, restore the shard map snapshot", "raj")
    ops.post_update(
        db,
        key=key,
        audience="internal",
        text="EU search returns empty results for ~60% of queries since impact began. Cause "
        "identified: indexer v2.14 writes to the old shard map. Rollback being prepared. "
        "Next update in 15 min.",
        author="ana",
        now=t(25),
    )
    log(23, "PagerDuty: checkout-eu conversion down 40%", "tom", "alert", at=24)
    log(22, "Checkout product lookup goes through search: EU checkout is affected too", "raj")
    ops.set_severity(db, key=key, severity=1, author="mira", now=t(20))
    log(19.5, "Raised to SEV1: all EU checkout affected; paging the director on call", "mira")
    ops.post_update(
        db,
        key=key,
        audience="external",
        text="Some customers in Europe see no search results and cannot complete checkout. "
        "We have identified the cause and are rolling out a fix. Next update within 30 minutes.",
        author="ana",
        now=t(18),
    )
    log(16, "Drained indexer-eu; index writes paused", "raj", "action")
    rollback = log(
        15,
        "Roll back indexer-eu to v2.13; US stays on v2.14 (its shard map is new)",
        "mira",
        "decision",
    )
    ops.pin_entry(db, key=key, entry_id=rollback, pinned=True, author="mira", now=t(14.5))
    log(13, "Rollback started: indexer-eu → v2.13", "raj", "action", at=14)
    log(11, "Shard map snapshot from before the deploy found; restore takes ~10 min", "li")
    log(9, "Director on call joined the bridge", "tom", at=20)
    log(8, "Shard map restore started from the last good snapshot", "li", "action")
    log(6, "Rollback done on 3 of 6 indexer-eu pods", "raj")
    ops.add_action(
        db,
        key=key,
        description="Add a shard-map compatibility test to the indexer release pipeline",
        author="mira",
        now=t(5),
        owner="tom",
        due_date=(now + timedelta(days=7)).date(),
        priority="P1",
        type="prevent",
    )
    ops.add_action(
        db,
        key=key,
        description="Alert on the empty-result rate per region, not only on 5xx",
        author="li",
        now=t(4.5),
    )
    ops.start_timer(
        db,
        key=key,
        duration=timedelta(minutes=10),
        label="check shard map after rollback",
        author="mira",
        now=t(4),
    )
    log(3, "search-eu 5xx down to 12%", "tom", "alert")
    log(2, "Empty-result rate in EU down to 35% and falling", "li")
    log(1, "Drafting the next internal update", "ana")
    return key
