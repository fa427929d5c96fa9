"""The push's chunks overlap (app/sync/pushing.py): the next chunk is claimed and sent before the
answers of one answered for good are written, and an answer to send again stops that, so the row
goes again in the same push, in outbox order. A fake server answers; no network."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest

from app.models import Member, Outbox
from app.paths import Profile
from app.sync import engine as sync_engine
from app.sync import member_queue
from app.sync import pushing
from app.sync.client import PreparedPush, ServerProblem
from app.sync.engine import SyncEngine, SyncReport
from app.sync.pushing import Sending, answered_for_good
from tests.sync.test_member_queue import ORG, _fill


class FakeServer:
    """Accepts every record, but answers `internal` to the keys in `flaky` the first time.
    `before(n)` runs as request n (from 1) arrives, `after(n)` once it is taken, before its answer."""

    def __init__(self, flaky: set[str] | None = None, before: Callable[[int], object] | None = None,
                 after: Callable[[int], None] | None = None, relaying: bool = False) -> None:
        self.relaying = relaying  # hands its answer's raw JSON to a PreparedPush, as ServerClient does
        self.flaky = flaky or set()
        self.sent: list[list[str]] = []
        self.numbers: list[str] = []
        self.before, self.after = before, after

    def push(self, fingerprint: str | None, records: list[Any]) -> list[dict[str, Any]]:
        if isinstance(records, PreparedPush):
            records.going.set()  # as ServerClient.push
        if self.before:
            self.before(len(self.sent) + 1)
        keys = [r["key"] for r in records]
        self.sent.append(keys)
        self.numbers += [r["payload"]["id_number"] for r in records]
        if self.after:
            self.after(len(self.sent))
        answers = []
        for key in keys:
            if key in self.flaky:
                self.flaky.discard(key)
                answers.append({"key": key, "status": "refused", "problem": "internal"})
            else:
                answers.append({"key": key, "status": "ok", "receipt": {"versions": {"name": 1}}})
        if self.relaying and isinstance(records, PreparedPush) and records.answered is not None:
            records.answered(json.dumps({"results": answers}, separators=(",", ":")).encode())
        return answers


def _engine(client: FakeServer, union_id: int, events: list[tuple[str, list[int]]]) -> SyncEngine:
    engine = SyncEngine(client, union_id=union_id, org_code=ORG)  # type: ignore[arg-type]
    claim, apply = engine._claim, engine._apply_results

    def claiming(*args: Any) -> list[Sending]:
        rows = claim(*args)
        events.append(("claim", [r.id for r in rows]))
        return rows

    def applying(rows: list[Sending], *args: Any) -> None:
        events.append(("apply", [r.id for r in rows]))
        apply(rows, *args)

    engine._claim, engine._apply_results = claiming, applying  # type: ignore[method-assign]
    return engine


def _keys() -> list[str]:
    return [r.key for r in Outbox.select(Outbox.key).order_by(Outbox.id)]


def test_the_next_chunk_goes_before_the_answers_are_written(profile: Profile, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_engine, "PUSH_CHUNK", 2)
    union_id = _fill(5)
    member_queue.queue_member_changes(union_id, ORG)
    keys, ids = _keys(), [r.id for r in Outbox.select(Outbox.id).order_by(Outbox.id)]
    server, events = FakeServer(), []
    report = SyncReport()
    _engine(server, union_id, events).push(report)
    assert server.sent == [keys[0:2], keys[2:4], keys[4:5]]
    assert events == [("claim", ids[0:2]), ("claim", ids[2:4]), ("apply", ids[0:2]), ("claim", ids[4:5]),
                      ("apply", ids[2:4]), ("claim", []), ("apply", ids[4:5]), ("claim", [])]
    assert report.pushed == 5 and Outbox.select().count() == 0
    assert Member.select().where(Member.sync_state == "sent").count() == 5


def test_an_answer_to_send_again_goes_again_in_order(profile: Profile, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_engine, "PUSH_CHUNK", 2)
    union_id = _fill(5)
    member_queue.queue_member_changes(union_id, ORG)
    keys = _keys()
    server, events = FakeServer({keys[1]}), []
    report = SyncReport()
    _engine(server, union_id, events).push(report)
    # The first chunk's second row was not taken: its answers written, the outbox read from its start.
    assert server.sent == [keys[0:2], keys[1:3], keys[3:5]]
    assert report.pushed == 5 and Outbox.select().count() == 0
    assert Member.select().where(Member.sync_state == "sent").count() == 5


def test_a_big_first_push_queues_its_members_while_the_server_works(profile: Profile,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_engine, "PUSH_CHUNK", 2)
    monkeypatch.setattr(member_queue, "QUEUE_CHUNK", 3)
    union_id = _fill(7)
    numbers = [m.id_number for m in Member.select(Member.id_number).order_by(Member.id)]
    server, events = FakeServer(), []
    engine = _engine(server, union_id, events)
    steps: list[tuple[int, int, int]] = []
    report = SyncReport()
    engine.push(report, lambda _stage, done, total: steps.append((done, total)), queueing=engine.queueing())
    # Each member once, in member order. Only the first chunk of members (3) was queued before the
    # first request; the next was queued while the second request (the 3rd member) was on its way.
    assert server.numbers == numbers
    assert [len(keys) for keys in server.sent] == [2, 1, 2, 2] and steps == [(2, 7), (3, 7), (5, 7), (7, 7)]
    assert report.pushed == 7 and Outbox.select().count() == 0 and member_queue.waiting(union_id) == []
    assert Member.select().where(Member.sync_state == "sent").count() == 7


def test_a_big_first_push_keeps_the_outbox_short(profile: Profile, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_engine, "PUSH_CHUNK", 2)
    monkeypatch.setattr(member_queue, "QUEUE_CHUNK", 3)
    union_id = _fill(30)
    numbers = [m.id_number for m in Member.select(Member.id_number).order_by(Member.id)]

    outbox: list[int] = []  # the outbox's rows as each request arrives
    server = FakeServer(before=lambda _n: outbox.append(Outbox.select().count()))
    engine = _engine(server, union_id, [])
    report = SyncReport()
    engine.push(report, queueing=engine.queueing())
    # Members are queued as the requests take them, not all ahead of them (the outbox grew to 13
    # rows here): at most the request on its way, the one before it (its answers being written),
    # less than a request's rows waiting and a chunk of members queued behind them.
    assert server.numbers == numbers and len(outbox) == 16
    assert max(outbox) <= 2 + 2 + 1 + 3
    assert report.pushed == 30 and Outbox.select().count() == 0 and member_queue.waiting(union_id) == []
    assert Member.select().where(Member.sync_state == "sent").count() == 30


@pytest.mark.parametrize("relaying", [False, True])
def test_a_chunk_claimed_ahead_and_never_sent_goes_next_time_once(profile: Profile, monkeypatch: pytest.MonkeyPatch,
                                                                    relaying: bool) -> None:
    union_id, keys, numbers = _queued(6, monkeypatch)
    events: list[tuple[str, list[int]]] = []
    engine: SyncEngine | None = None

    def cancel(n: int) -> None:  # cancel is clicked while the second request is on its way
        if n == 2 and engine is not None:
            engine.cancel()

    server = FakeServer(before=cancel, relaying=relaying)  # relaying: a cancel stops the push thread's sending too
    engine = _engine(server, union_id, events)
    with pytest.raises(sync_engine.SyncCancelled):
        engine.push(SyncReport())
    # The third chunk was claimed while the second was on its way, then not sent: it stays
    # "sending" (its bytes frozen) and every answer received was written.
    assert server.sent == [keys[0:2], keys[2:4]] and ("claim", [r.id for r in _rows(keys[4:6])]) in events
    assert [r.state for r in Outbox.select().order_by(Outbox.id)] == ["sending", "sending"]
    assert Member.select().where(Member.sync_state == "sent").count() == 4

    engine.cancelled.clear()
    report = SyncReport()
    engine.push(report)
    assert server.sent == [keys[0:2], keys[2:4], keys[4:6]] and server.numbers == numbers
    assert report.pushed == 2 and Outbox.select().count() == 0
    assert Member.select().where(Member.sync_state == "sent").count() == 6


def test_a_failed_request_after_a_chunk_claimed_ahead_loses_nothing(profile: Profile,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    union_id, keys, numbers = _queued(8, monkeypatch)

    def drop(n: int) -> None:  # the connection drops once, after the server took the second request
        if n == 2:
            raise ServerProblem("network", 0)

    server = FakeServer(after=drop)
    engine = _engine(server, union_id, [])
    with pytest.raises(ServerProblem):
        engine.push(SyncReport())
    # The server took the second chunk but its answer was lost; the third was claimed meanwhile.
    assert Outbox.select().where(Outbox.state == "sending").count() == 4
    engine.push(SyncReport())
    # Sent again under the same keys (one effect each on a real server), then the rest, in order.
    assert server.sent == [keys[0:2], keys[2:4], keys[2:4], keys[4:6], keys[6:8]]
    assert server.numbers == numbers[0:4] + numbers[2:8]
    assert Outbox.select().count() == 0 and Member.select().where(Member.sync_state == "sent").count() == 8


def test_only_member_upserts_are_claimed_ahead(profile: Profile, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_engine, "PUSH_CHUNK", 2)
    union_id = _fill(6)
    ids = [m.id for m in Member.select(Member.id).order_by(Member.id)]
    member_queue.queue_chunk(union_id, ORG, ids[:4])
    # A row of another kind between the members (a batch is priced and stamped as it goes).
    other = Outbox.create(key="life-status-1", kind="life_status", payload='{"id_number":"310101199001010000"}',
                          payload_sha256="0" * 64)
    member_queue.queue_chunk(union_id, ORG, ids[4:])
    keys, rows = _keys(), [r.id for r in Outbox.select(Outbox.id).order_by(Outbox.id)]
    server, events = FakeServer(), []
    _engine(server, union_id, events).push(SyncReport())
    assert server.sent == [keys[0:2], keys[2:4], keys[4:6], keys[6:7]]
    # Claimed only after the answers to the request before it were written, from the outbox's start.
    first = next(i for i, (what, claimed) in enumerate(events) if what == "claim" and other.id in claimed)
    assert events[first - 1] == ("apply", rows[2:4]) and events[first] == ("claim", rows[4:6])
    assert Outbox.get_by_id(other.id).state == "sent" and Outbox.select().count() == 1
    assert Member.select().where(Member.sync_state == "sent").count() == 6


def _relaying(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Semaphore, list[list[str] | None]]:
    """A semaphore released as each chunk claimed ahead is offered to the push threads, and for
    each answer read, the keys of the chunk it sent on (Relay.take), or None."""
    offers, taken = threading.Semaphore(0), []
    offer, take = pushing.Relay.offer, pushing.Relay.take

    def offering(self: pushing.Relay, *args: Any) -> None:
        offer(self, *args)
        offers.release()

    def taking(self: pushing.Relay) -> Any:
        relayed = take(self)
        taken.append([r.key for r in relayed[1]] if relayed is not None else None)
        return relayed

    monkeypatch.setattr(pushing.Relay, "offer", offering)
    monkeypatch.setattr(pushing.Relay, "take", taking)
    return offers, taken


def test_an_accepted_answer_sends_the_next_chunk_on_at_once(profile: Profile, monkeypatch: pytest.MonkeyPatch) -> None:
    union_id, keys, numbers = _queued(8, monkeypatch)
    offers, taken = _relaying(monkeypatch)
    # Requests 2 and 3 wait until the chunk after them was offered (claimed while they are on
    # their way), then answer: that chunk is sent from the push thread, before the answer is decoded.
    server = FakeServer(before=lambda n: 2 <= n <= 3 and offers.acquire(timeout=10), relaying=True)
    report = SyncReport()
    _engine(server, union_id, []).push(report)
    assert server.sent == [keys[0:2], keys[2:4], keys[4:6], keys[6:8]] and server.numbers == numbers
    # Nothing was offered at the first answer, nor at the last (the answers of two push threads).
    assert taken.count(None) == 2 and sorted(t for t in taken if t) == sorted([keys[4:6], keys[6:8]])
    assert report.pushed == 8 and Outbox.select().count() == 0
    assert Member.select().where(Member.sync_state == "sent").count() == 8


def test_an_answer_to_send_again_sends_nothing_on(profile: Profile, monkeypatch: pytest.MonkeyPatch) -> None:
    union_id, keys, numbers = _queued(8, monkeypatch)
    offers, taken = _relaying(monkeypatch)
    server = FakeServer({keys[2]}, before=lambda n: n == 2 and offers.acquire(timeout=10), relaying=True)
    report = SyncReport()
    _engine(server, union_id, []).push(report)
    # The chunk offered while the second request was on its way stayed: the row to send again
    # went first, in outbox order, then the rest (the chunk claimed ahead under its keys, once).
    assert taken[:2] == [None, None] and server.sent[:3] == [keys[0:2], keys[2:4], keys[2:5:2]]
    assert sorted(k for sent in server.sent for k in sent) == sorted(keys + [keys[2]])
    assert report.pushed == 8 and Outbox.select().count() == 0
    assert Member.select().where(Member.sync_state == "sent").count() == 8


def _queued(count: int, monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[str], list[str]]:
    """`count` members queued, two to a request: the union, the rows' keys, the members' numbers."""
    monkeypatch.setattr(sync_engine, "PUSH_CHUNK", 2)
    union_id = _fill(count)
    member_queue.queue_member_changes(union_id, ORG)
    return union_id, _keys(), [m.id_number for m in Member.select(Member.id_number).order_by(Member.id)]


def _rows(keys: list[str]) -> list[Outbox]:
    return list(Outbox.select().where(Outbox.key.in_(keys)).order_by(Outbox.id))


def test_answered_for_good() -> None:
    row = Sending(1, "k1", "member_upsert", "{}", "", "sending", 1, None, None)
    submission = Sending(2, "k2", "submission", "{}", "", "sending", 1, None, None)
    assert answered_for_good([row], {"k1": {"status": "ok"}})
    assert answered_for_good([row], {"k1": {"status": "refused", "problem": "conflict"}})
    assert not answered_for_good([row], {})
    assert not answered_for_good([row], {"k1": {"status": "refused", "problem": "internal"}})
    assert not answered_for_good([submission], {"k2": {"status": "refused", "problem": "stale_timestamp"}})


def test_all_accepted_reads_only_plain_acceptances() -> None:
    ok = b'{"results":[{"key":"a","status":"ok","receipt":{}},{"key":"b","status":"ok","receipt":{}}]}'
    assert pushing.all_accepted(ok, 2) and not pushing.all_accepted(ok, 3)
    assert not pushing.all_accepted(b'{"results":[{"key":"a","status":"ok"},{"key":"b","status":"refused"}]}', 2)
    assert not pushing.all_accepted(b'{"results":[{"key":"a","status": "ok"}]}', 1)  # other spacing: decoded
    nested = b'{"results":[{"key":"a","status":"ok","receipt":{"status":"under_review"}}]}'
    assert not pushing.all_accepted(nested, 1)
    assert not pushing.all_accepted(b'{"results":[{"key":"a","status":"error","message":"\\"status\\":\\"ok\\""}]}', 1)
