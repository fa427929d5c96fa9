"""A PC does not pull its own member edits back (server/feed.py, app/sync/engine.py): after its
push, its pull skips them and its cursor still reaches the feed's end; another PC gets them."""
from __future__ import annotations

from datetime import date

from app.models import Member, SyncState
from app.services import members as member_service
from app.sync.engine import SyncEngine
from tests.sync.test_sync_e2e import engine, login, server_member, server_url  # noqa: F401 (fixtures)


def test_own_edits_are_not_pulled_back(engine: SyncEngine, server_url: str) -> None:  # noqa: F811
    engine.sync()
    edited = list(Member.select().where(Member.id_type == "mainland").order_by(Member.id).limit(3))
    for i, member in enumerate(edited):
        member_service.update_member(member.id, {"phone": f"1391234560{i}"}, actor="clerk", plan_year=2027,
                                     today=date.today())
    report = engine.sync()
    assert report.pushed == 3 and report.refused == 0
    assert report.pulled == 0  # the three changes are this PC's own
    client, _ = login(server_url)
    latest = client.changes(0, 1)["latest"]
    assert SyncState.get(SyncState.scope == engine.scope).cursor == report.cursor == latest
    for i, member in enumerate(edited):
        assert server_member(server_url, member.id_number)["phone"] == f"1391234560{i}"
        assert Member.get_by_id(member.id).sync_state == "sent"
