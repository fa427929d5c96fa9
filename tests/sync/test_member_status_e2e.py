"""会员管理 against a real server: a member removed with a reason (gone here and on the server, the
removal in the union's feed), a removal refused while the member is enrolled (here already, and by
the server for a PC that did not know — the member comes back whole), a member marked retired and
back in service, and the member's history."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.models import AuditEntry, Member, Outbox
from app.models.tables import RemovedMember
from app.paths import Profile
from app.services import enrollment, member_status
from app.services.errors import ClerkError
from app.sync import account
from app.sync.client import ServerClient
from server.embedded import DEMO_CLERK, DEMO_PASSWORD, start_demo_server


@pytest.fixture
def signed(tmp_path: Path, profile: Profile, file_keyring) -> Iterator[account.SignedIn]:
    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=30)
    signed = account.sign_in(url, DEMO_CLERK, DEMO_PASSWORD, profile_root=profile.root)
    signed.engine.sync()
    yield signed
    stop()


def feed(engine) -> list[dict]:
    """The union's change feed as another PC of the union reads it."""
    client = ServerClient(engine.client.base_url)
    client.login(DEMO_CLERK, DEMO_PASSWORD)
    out, since = [], 0
    while True:
        page = client.changes(since)
        out += page["changes"]
        since = page["next"]
        if not page["more"]:
            return out


def latest_member(engine, id_number: str) -> dict:
    records = [c["data"] for c in feed(engine) if c["entity"] == "member" and c["key"] == id_number]
    return records[-1] if records else {}


def eligible_ids(engine, year: int) -> list[int]:
    for c in enrollment.members_for_count(engine.union_id, year, "card", "flagged"):
        enrollment.settle_retirement(c.id, "working", plan_year=year, actor=DEMO_CLERK)
    return [c.id for c in enrollment.members_for_count(engine.union_id, year, "card", "eligible")]


def test_removed_member_is_gone_here_and_on_the_server(signed: account.SignedIn) -> None:
    engine = signed.engine
    member = Member.select().where(Member.union == engine.union_id).order_by(Member.id).first()
    number = member.id_number
    assert member_status.remove_members(engine.union_id, [member.id], "  调离本单位 ", actor=DEMO_CLERK,
                                        today=date.today()) == 1
    assert Member.get_or_none(Member.id_number == number) is None
    removal = RemovedMember.get(RemovedMember.id_number == number)
    assert (removal.state, removal.reason) == ("sending", "调离本单位")
    entry = AuditEntry.get(AuditEntry.action == "member.delete")
    assert entry.note == "调离本单位" and number not in entry.old_value  # the ID is masked

    report = engine.sync()
    assert report.refused == 0, report.errors
    assert RemovedMember.get(RemovedMember.id_number == number).state == "removed"
    removals = [c for c in feed(engine) if c["entity"] == "member_removal" and c["key"] == number]
    assert removals and removals[0]["data"]["reason"] == "调离本单位"
    # A second sync (the feed carries the member's older changes and their removal) keeps them gone.
    engine.sync()
    assert Member.get_or_none(Member.id_number == number) is None
    assert [r.state for r in member_status.removed(engine.union_id)] == ["已删除"]


def test_enrolled_member_cannot_be_removed(signed: account.SignedIn, profile: Profile, monkeypatch) -> None:
    engine = signed.engine
    year = enrollment.require_campaign().plan_year
    people = eligible_ids(engine, year)[:2]
    sent = enrollment.submit(enrollment.draft(engine.union_id, year, "A", member_ids=people), actor=DEMO_CLERK,
                             documents=profile.documents, fingerprint=engine.device_fingerprint)
    assert engine.sync().refused == 0
    with pytest.raises(ClerkError) as refused:
        member_status.remove_members(engine.union_id, people[:1], "重复录入", actor=DEMO_CLERK, today=date.today())
    assert f"批次 {sent.batch_no}" in refused.value.message and "保障期内不能删除" in refused.value.message
    assert Member.get_by_id(people[0])

    # A PC that did not know (its batches elsewhere): the server refuses and the member comes back.
    member = Member.get_by_id(people[0])
    before = {f: getattr(member, f) for f in ("name", "phone", "card_no", "work_address", "birth_date")}
    history_before = AuditEntry.select().where(AuditEntry.member == member.id).count()
    monkeypatch.setattr(member_status, "enrolled_batches", lambda ids, today: {})
    member_status.remove_members(engine.union_id, [member.id], "重复录入", actor=DEMO_CLERK, today=date.today())
    assert Member.get_or_none(Member.id == member.id) is None
    report = engine.sync()
    assert report.refused == 1 and "保障期内不能删除" in report.errors[0]
    back = Member.get(Member.id_number == member.id_number)
    assert {f: getattr(back, f) for f in before} == before
    removal = RemovedMember.get(RemovedMember.id_number == member.id_number)
    assert removal.state == "refused" and "不能删除" in removal.problem
    assert Outbox.get(Outbox.id == removal.outbox_id).problem == "member_enrolled"
    # Its history came back with it: the old entries, the removal and its refusal.
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.member == back.id)]
    assert len(actions) == history_before + 2 and {"member.delete", "member.delete.refused"} <= set(actions)
    words = [e.action for e in member_status.history(back.id)]
    assert "提交参保" in words and "删除" in words


def test_marked_retired_goes_up_and_stays(signed: account.SignedIn) -> None:
    engine = signed.engine
    member = Member.select().where((Member.union == engine.union_id) & (Member.life_status == "in_service")).first()
    retired_on = date.today() - timedelta(days=40)
    with pytest.raises(ClerkError):
        member_status.set_life_status(engine.union_id, [member.id], "retired", date.today() + timedelta(days=1),
                                      actor=DEMO_CLERK, today=date.today())
    assert member_status.set_life_status(engine.union_id, [member.id], "retired", retired_on, actor=DEMO_CLERK,
                                         today=date.today()) == 1
    local = Member.get_by_id(member.id)
    assert (local.life_status, local.life_status_date) == ("retired", retired_on)
    assert engine.sync().refused == 0
    on_server = latest_member(engine, member.id_number)
    assert (on_server["life_status"], on_server["retired_on"]) == ("retired", retired_on.isoformat())
    local = Member.get_by_id(member.id)
    assert (local.life_status, local.life_status_date) == ("retired", retired_on)

    # A mistake undone: back in service, here and there.
    member_status.set_life_status(engine.union_id, [member.id], "in_service", None, actor=DEMO_CLERK,
                                  today=date.today())
    engine.sync()
    assert latest_member(engine, member.id_number)["life_status"] == "in_service"
    assert Member.get_by_id(member.id).life_status == "in_service"
    entries = [e for e in member_status.history(member.id) if e.action == "状态变更"]
    assert [(e.old, e.new) for e in entries] == [(f"退休（{retired_on.isoformat()}）", "在职"),
                                                 ("在职", f"退休（{retired_on.isoformat()}）")]
