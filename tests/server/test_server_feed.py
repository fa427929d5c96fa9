"""A feed that stays small (server/feed.py), on SQLite and PostgreSQL: a PC does not pull its own
member upserts back; compaction keeps every change a counted device has not passed, and a device
away longer than the window gets the latest change of each entity it missed; a compaction run
reads only what changed since the last one (each union's mark) and keeps what one full run would.
A member's feed change is its row's place (server/changes.py): each member once, at its latest;
the compaction tests' superseded changes are the check results a job worker feeds (change rows)."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from server.changes import emit_change
from server.db import session, write_tx
from server.feed import Compaction, compact, compact_feeds
from server.models import Change, FeedCursor, Member, Union
from server.pruning import prune
from union_server_testkit import Server, Session, mainland_id, member_upsert

NUMBERS = [mainland_id("19660606", i) for i in range(1, 4)]
#: Feed changes a round of `_history` makes: each member's upsert and its check result.
ROUND = 2 * len(NUMBERS)


def _pull(clerk: Session, since: int, device: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {"since": since, "limit": 5000}
    if device:
        params["device"] = device
    response = clerk.get("/changes", **params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _upsert(clerk: Session, number: str, fields: dict[str, Any], base: dict[str, int] | None = None) -> None:
    answer = clerk.push(member_upsert(number, fields, base))[0]
    assert answer["status"] == "ok", answer


def _checked(server: Server, clerk: Session, number: str, phone: str) -> None:
    """A check result of the member, as a job worker feeds it (a change row)."""
    with session(), write_tx():
        union = Union.get(Union.org_code == clerk.org_code)
        emit_change(server.ctx, union.id, "ss_check", number, {"phone": phone})


def _history(server: Server, clerk: Session, rounds: int, prefix: str = "1580000") -> None:
    """Three new members, each then given `rounds` new phone numbers; each upsert followed by a
    check result carrying the same phone."""
    for r in range(rounds + 1):
        for k, number in enumerate(NUMBERS):
            phone = f"{prefix}{k:02d}{r:02d}"
            if r == 0 and prefix == "1580000":
                _upsert(clerk, number, {"name": f"压缩{k}", "id_type": "身份证", "phone": phone})
            else:
                _upsert(clerk, number, {"phone": phone}, {"phone": r if prefix == "1580000" else r + 1})
            _checked(server, clerk, number, phone)


def test_a_pc_does_not_pull_its_own_upserts(server: Server, clerk: Session) -> None:
    mine = clerk.fingerprint
    before = _pull(clerk, 0, mine)["latest"]
    _history(server, clerk, 1)
    own = _pull(clerk, before, mine)
    assert {c["entity"] for c in own["changes"]} == {"ss_check"}
    assert own["next"] == own["latest"] > before and not own["more"]
    # Another PC of the same clerk, and a pull without naming the PC, get them: each member once.
    clerk.register_device()
    other = _pull(clerk, before, clerk.fingerprint)
    assert sorted(c["key"] for c in other["changes"] if c["entity"] == "member") == sorted(NUMBERS)
    assert len([c for c in _pull(clerk, before, None)["changes"] if c["entity"] == "member"]) == 3
    with session():  # each PC's cursor is the `since` of its latest pull
        assert sorted(c.seq for c in FeedCursor.select()) == [before, before]


def test_another_pcs_change_is_not_hidden_by_a_pcs_later_push(server: Server, clerk: Session) -> None:
    """A member's row keeps one place in the feed: when a PC pushes a member another PC changed
    after this PC's cursor, the member's place the other PC's change gave it stays as a change
    row (this PC's pulls skip the row's new place, its own, and would never learn the other's
    change); when this PC has passed the other's change, nothing stays behind."""
    first = clerk.fingerprint
    start = _pull(clerk, 0, first)["latest"]
    _upsert(clerk, NUMBERS[0], {"name": "回声", "id_type": "身份证", "phone": "15800009900"})
    second = clerk.register_device()
    _upsert(clerk, NUMBERS[0], {"label": "第二台"}, {"label": 0})  # the second PC's change
    clerk.fingerprint = first
    _upsert(clerk, NUMBERS[0], {"phone": "15800009901"}, {"phone": 1})  # the first PC, not caught up
    back = [c for c in _pull(clerk, start, first)["changes"] if c["entity"] == "member"]
    assert [(c["data"]["label"], c["data"]["phone"]) for c in back] == [("第二台", "15800009900")]
    whole = [c["data"] for c in _pull(clerk, start, second)["changes"] if c["entity"] == "member"]
    # Its own change's place left out; the first PC's creation it had not passed either stayed.
    assert [(c["label"], c["phone"]) for c in whole] == [(None, "15800009900"), ("第二台", "15800009901")]
    latest = _pull(clerk, 0, None)["latest"]
    _pull(clerk, latest, first)  # caught up: its next push is its own
    _upsert(clerk, NUMBERS[0], {"phone": "15800009902"}, {"phone": 3})
    assert [c for c in _pull(clerk, latest, first)["changes"] if c["entity"] == "member"] == []
    assert [c["key"] for c in _pull(clerk, latest, second)["changes"] if c["entity"] == "member"] == [NUMBERS[0]]
    with session():
        assert Change.select().where((Change.entity == "member") & (Change.entity_key == NUMBERS[0])).count() == 2


def _keyed(page: dict[str, Any]) -> list[tuple[int, str, str, str]]:
    return [(c["seq"], c["entity"], c["key"], c["data"]["phone"]) for c in page["changes"] if c["key"] in NUMBERS]


def test_compaction_keeps_what_a_counted_device_has_not_passed(server: Server, clerk: Session) -> None:
    first = clerk.fingerprint
    clerk.register_device()  # the clerk's second PC: its pushes are news to the first
    start = _pull(clerk, 0, first)["latest"]
    _history(server, clerk, 3)
    # The first PC has passed the members' creation and first change, not the rest.
    passed = start + 2 * ROUND
    _pull(clerk, passed, first)
    _pull(clerk, _pull(clerk, 0, None)["latest"], clerk.fingerprint)  # the second PC is up to date
    unpassed = _pull(clerk, passed, None)
    assert compact(server.ctx) > 0
    assert _pull(clerk, passed, None) == unpassed  # nothing the first PC has not passed went
    whole = _keyed(_pull(clerk, 0, None))
    # Before the floor, each entity keeps only what a later change does not supersede (none here).
    assert [c for c in whole if c[0] <= passed] == []
    assert sorted(entity for _, entity, _, _ in whole) == ["member"] * 3 + ["ss_check"] * 6
    assert prune(server.ctx)["changes"] == 0  # compacted already: nothing more to do


def test_a_member_change_row_goes_when_its_row_takes_a_later_place(server: Server, clerk: Session) -> None:
    """A member change kept as a change row (made outside a push's batch before its row had a
    place, or kept whole in one) is deleted by compaction once the member's row has a later place
    under the floor; above the floor it stays."""
    mine = clerk.fingerprint
    _history(server, clerk, 0)
    with session(), write_tx():
        union = Union.get(Union.org_code == clerk.org_code)
        Member.update(feed_seq=None).where(Member.id_number.in_(NUMBERS)).execute()
        for number in NUMBERS:  # a member change row, as a step-13 server stored it whole
            Union.update(change_seq=Union.change_seq + 1).where(Union.id == union.id).execute()
            seq = Union.select(Union.change_seq).where(Union.id == union.id).scalar()
            Change.create(union=union.id, seq=seq, entity="member", entity_key=number, payload={"phone": "旧"},
                          created=server.ctx.now_naive())
    _history(server, clerk, 1, prefix="1580001")
    latest = _pull(clerk, 0, None)["latest"]
    _pull(clerk, latest - ROUND, mine)
    compact(server.ctx)
    with session():
        assert Change.select().where((Change.entity == "member") & Change.entity_key.in_(NUMBERS)).count() == 0
    members = [c for c in _pull(clerk, 0, None)["changes"] if c["entity"] == "member" and c["key"] in NUMBERS]
    assert [c["data"]["phone"] for c in members] == [f"15800010{k}01" for k in range(3)]


def test_a_device_away_longer_than_the_window_gets_the_latest_of_each(server: Server, clerk: Session) -> None:
    away = clerk.fingerprint
    start = _pull(clerk, 0, away)["latest"]
    _history(server, clerk, 1)
    early = start + 2
    _pull(clerk, early, away)  # the away PC has passed one member's creation and check
    clerk.register_device()
    for k, number in enumerate(NUMBERS):
        _upsert(clerk, number, {"phone": f"1570000{k:02d}99"}, {"phone": 2})
        _checked(server, clerk, number, f"1570000{k:02d}99")
    latest = _pull(clerk, 0, None)["latest"]
    _pull(clerk, latest, clerk.fingerprint)
    # Still counted: nothing it has not passed may go (each member's row, the places the other PC's
    # pushes moved it from, which that PC had not passed, and every check result).
    compact(server.ctx)
    kept = _keyed(_pull(clerk, early, None))
    assert len(kept) == 2 * len(NUMBERS) + 3 * len(NUMBERS) - 1
    # Away longer than the window: it no longer holds the feed back.
    with session():
        seen = server.ctx.now_naive() - timedelta(days=server.ctx.settings.feed_window_days + 1)
        FeedCursor.update(seen=seen).where(FeedCursor.seq == early).execute()
    assert compact(server.ctx) > 0
    back = _keyed(_pull(clerk, early, away))
    # One change per entity, each its latest state (the other PC's last phone numbers).
    assert sorted((entity, key, phone) for _, entity, key, phone in back) == sorted(
        (entity, n, f"1570000{k:02d}99") for k, n in enumerate(NUMBERS) for entity in ("member", "ss_check"))
    # A new PC's first pull gets each entity once.
    with session():
        total = Change.select().count()
        entities = Change.select(Change.union, Change.entity, Change.entity_key).distinct().count()
    assert total == entities


def _feed() -> list[tuple[int, str, str]]:
    with session():
        return list(Change.select(Change.seq, Change.entity, Change.entity_key).order_by(Change.seq).tuples())


def _kept_by_a_full_run(below: int) -> list[int]:
    """The changes a compaction of the whole feed with this floor keeps: those above the floor and
    the latest of each entity."""
    feed = _feed()
    latest = {(entity, key): seq for seq, entity, key in feed}
    return [seq for seq, entity, key in feed if seq > below or latest[(entity, key)] == seq]


def test_a_second_run_reads_only_what_changed_since(server: Server, clerk: Session) -> None:
    mine = clerk.fingerprint
    _history(server, clerk, 2)
    latest = _pull(clerk, 0, mine)["latest"]
    _pull(clerk, latest, mine)  # up to date: the floor is the feed's end
    expected, before = _kept_by_a_full_run(latest), len(_feed())
    first = compact_feeds(server.ctx)  # (the server's database is the module's: other tests' feed too)
    assert first.deleted == before - len(expected) >= 2 * len(NUMBERS)
    assert 0 < first.scanned <= latest
    assert [seq for seq, _, _ in _feed()] == expected
    assert compact_feeds(server.ctx) == Compaction(0, 0, 0)  # nothing new: nothing read, nothing deleted
    for k, number in enumerate(NUMBERS):
        _checked(server, clerk, number, f"1590000{k:02d}00")
    newest = _pull(clerk, latest, mine)["next"]
    # Only the three new changes are read; each supersedes its member's last one, under the floor.
    assert compact_feeds(server.ctx) == Compaction(1, newest - latest, len(NUMBERS))
    assert [seq for seq, _, _ in _feed()] == _kept_by_a_full_run(latest)
    _pull(clerk, newest, mine)  # the floor rises over them: they are read again, nothing supersedes them
    assert compact_feeds(server.ctx) == Compaction(1, newest - latest, 0)
    assert compact_feeds(server.ctx) == Compaction(0, 0, 0)


def test_runs_as_the_floor_moves_keep_what_one_full_run_would(server: Server, clerk: Session) -> None:
    slow = clerk.fingerprint
    pusher = clerk.register_device()  # the PC that pushes and keeps up; the first one lags two changes
    _history(server, clerk, 1)
    for step in range(3):
        latest = _pull(clerk, 0, None)["latest"]
        _pull(clerk, latest, pusher)
        _pull(clerk, latest - 2, slow)
        unpassed = _pull(clerk, latest - 2, None)
        expected = _kept_by_a_full_run(latest - 2)
        compact(server.ctx)
        assert [seq for seq, _, _ in _feed()] == expected
        assert _pull(clerk, latest - 2, None) == unpassed  # nothing the slow PC has not passed went
        for k, number in enumerate(NUMBERS):
            _upsert(clerk, number, {"phone": f"1590000{k:02d}{step:02d}"}, {"phone": 2 + step})
            _checked(server, clerk, number, f"1590000{k:02d}{step:02d}")
    # A new PC holds the floor at 0 until it pulls: meanwhile nothing goes, then the feed catches up.
    new = clerk.register_device()
    before = _feed()
    compact(server.ctx)
    assert _feed() == before
    latest = _pull(clerk, 0, None)["latest"]
    for device in (slow, pusher, new):
        _pull(clerk, latest, device)
    expected = _kept_by_a_full_run(latest)
    assert compact(server.ctx) > 0
    assert [seq for seq, _, _ in _feed()] == expected
