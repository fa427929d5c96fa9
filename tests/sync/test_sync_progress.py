"""A sync's progress and its cancel against a real server on a loopback port (issue #13 item 8):
progress counts for 上传 a/b and 下载 c/d, and a cancel — mid-push or mid-pull — that loses
nothing: the next sync finishes the work with the same outcome as one that was never cancelled."""
from __future__ import annotations

from datetime import date

import pytest

from app.models import Member, SyncState
from app.services import members as member_service
from app.sync import engine as sync_engine
from app.sync.engine import SyncCancelled, SyncEngine
from tests.sync import test_sync_e2e as e2e
from tests.sync.test_sync_e2e import MEMBERS, login

# The end-to-end tests' fixtures: a demo server on loopback and an engine signed in to it.
server_url, engine = e2e.server_url, e2e.engine

EDITED = 35


def _server_labels(url: str) -> dict[str, str]:
    """Every member's label as another PC of the union pulls it now."""
    client, _ = login(url)
    labels: dict[str, str] = {}
    since = 0
    while True:
        page = client.changes(since)
        for change in page["changes"]:
            if change["entity"] == "member":
                labels[change["key"]] = change["data"].get("label") or ""
        since = page["next"]
        if not page["more"]:
            return labels


def _cancel_after_first(syncing: SyncEngine, stage: str, seen: list[tuple[str, int, int]]):
    """A progress callback that records each step and cancels at the first of `stage`."""
    def progress(at: str, done: int, total: int) -> None:
        seen.append((at, done, total))
        if at == stage:
            syncing.cancel()
    return progress


def test_a_first_pull_counts_its_pages_and_a_cancel_loses_none(engine: SyncEngine,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_engine, "PULL_PAGE", 10)
    seen: list[tuple[str, int, int]] = []
    with pytest.raises(SyncCancelled):
        engine.sync(_cancel_after_first(engine, "下载", seen))
    [(stage, done, total)] = seen
    assert stage == "下载" and 0 < done < total and total >= MEMBERS
    kept = Member.select().count()
    assert 0 < kept < MEMBERS  # the first page stayed, with its cursor
    assert SyncState.get(SyncState.scope == engine.scope).cursor == done

    counts: list[tuple[str, int, int]] = []
    report = engine.sync(lambda *step: counts.append(step))
    assert Member.select().count() == MEMBERS and report.pulled == total - done
    downloads = [c for c in counts if c[0] == "下载"]
    assert [d for _, d, _ in downloads] == sorted(d for _, d, _ in downloads)  # counts only go up
    assert downloads[-1][1] == downloads[-1][2] == total - done  # this sync's own changes, a of a


def test_a_cancel_mid_push_loses_nothing(engine: SyncEngine, server_url: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    engine.sync()
    monkeypatch.setattr(sync_engine, "PUSH_CHUNK", 10)
    edited = list(Member.select().where(Member.id_type == "mainland").order_by(Member.id).limit(EDITED))
    assert len(edited) == EDITED
    for n, m in enumerate(edited):
        member_service.update_member(m.id, {"label": f"进度{n}"}, actor="clerk", plan_year=2027,
                                     today=date.today())
    seen: list[tuple[str, int, int]] = []
    with pytest.raises(SyncCancelled):
        engine.sync(_cancel_after_first(engine, "上传", seen))
    assert seen == [("上传", 10, EDITED)]
    assert sync_engine.pending_changes() == EDITED - 10
    on_server = _server_labels(server_url)
    assert sum(1 for m in edited if on_server[m.id_number].startswith("进度")) == 10

    counts: list[tuple[str, int, int]] = []
    report = engine.sync(lambda *step: counts.append(step))
    assert report.refused == 0 and sync_engine.pending_changes() == 0
    assert [c for c in counts if c[0] == "上传"] == [("上传", 10, 25), ("上传", 20, 25), ("上传", 25, 25)]
    on_server = _server_labels(server_url)
    assert [on_server[m.id_number] for m in edited] == [f"进度{n}" for n in range(EDITED)]
    assert all(Member.get_by_id(m.id).sync_state == "sent" for m in edited)
