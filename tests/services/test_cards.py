"""The card service offline: local checks, the queue and its summary, expiry correction with its
audit trail, the submit rule, card batches in the outbox, and what the sync engine hands over."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from app.models import AuditEntry, Member, Outbox
from app.models.queries import QueueFilter
from app.models.tables import CardBatch, CardBatchMember, CardQueue
from app.paths import Profile
from app.rules.codes import CardStatus, Category, IdType, LifeStatus
from app.services import cards
from app.services.errors import ClerkError, ValidationFailed
from app.sync import cards as card_sync

TODAY = date.today()
PLAN_YEAR = TODAY.year + 1


GOOD = {
    "name": "王伟", "id_type": "mainland", "id_number": "610104196209276908", "id_expiry": "长期",
    "birth_date": "1962-09-27", "phone": "13812345678", "work_address": "上海市黄浦区南京东路一百号",
    "category": "linked_enterprise", "life_status": "in_service", "card_status": "none", "card_no": None,
}
YOUNG = {**GOOD, "id_number": "310101199001011234", "birth_date": "1990-01-01", "id_expiry": "2033-01-01"}


@pytest.mark.parametrize(("changes", "fragment"), [
    ({}, None),
    ({"id_expiry": (TODAY - timedelta(days=1)).isoformat()}, "过期，不能办理会员卡"),
    ({"id_expiry": None}, "必须填写身份证有效期"),
    ({"id_expiry": (TODAY + timedelta(days=365 * 25)).isoformat()}, "不可能是真实的有效期"),
    ({"id_expiry": "长期", "id_number": "310101199001011234", "birth_date": "1990-01-01"}, "长期身份证只发给46岁"),
    ({"id_number": "610104196209276909"}, "校验不通过"),
    ({"id_number": "610104620927690"}, "15位旧身份证号码"),
    ({"work_address": ""}, "必须填写工作单位详细地址"),
    ({"work_address": "上海市黄浦"}, "至少需要7个汉字"),
    ({"work_address": "上海市黄浦区南京东路一百号上海建朗信息科技有限公司三楼"}, "最多只能有19个汉字"),
    ({"phone": None}, "手机号码为空"),
    ({"phone": "021-63212345"}, "不能填座机号码"),
    ({"category": "flexible"}, "申工社"),
    ({"life_status": "retired"}, "只有在职会员"),
    ({"card_status": "issued", "card_no": "6231000000000000017"}, "已有会员卡（6231 **** 0017）"),
    ({"card_status": "applying"}, "正在办理中"),
    ({"name": " "}, "姓名为空"),
])
def test_local_checks(changes: dict, fragment: str | None) -> None:
    check = cards.check_member({**GOOD, **changes}, TODAY)
    if fragment is None:
        assert check.result == cards.PASSED and check.reason == ""
    else:
        assert check.result == cards.FAILED
        assert fragment in check.reason, check.reason


def test_local_checks_other_documents_and_several_reasons() -> None:
    passport = {**GOOD, "id_type": IdType.PASSPORT, "id_number": "E12345678", "birth_date": None,
                "id_expiry": (TODAY + timedelta(days=900)).isoformat()}
    assert cards.check_member(passport, TODAY).result == cards.PASSED
    both = cards.check_member({**YOUNG, "phone": "", "work_address": ""}, TODAY)
    assert len(both.reasons) == 2 and both.reason.index("工作单位") < both.reason.index("手机号码")


def test_expiry_warning_within_90_days() -> None:
    soon = (TODAY + timedelta(days=30)).isoformat()
    assert cards.check_member({**YOUNG, "id_expiry": soon}, TODAY).result == cards.PASSED
    assert cards.expiry_flag(soon, TODAY) == "id_expiring"
    assert "还有30天" in cards.expiry_warning(soon, TODAY)
    assert cards.expiry_flag("长期", TODAY) is None and cards.expiry_warning("2099-01-01", TODAY) == ""
    assert cards.expiry_flag((TODAY - timedelta(days=1)).isoformat(), TODAY) == "id_expired"


def test_preview_expiry_accepts_every_form_and_refuses_impossible_dates() -> None:
    birth = date(1990, 1, 1)
    for raw in ("2033-01-01", "2033/1/1", "20330101", "2033.01.01", "2033年1月1日", "2013.01.01-2033.01.01"):
        stored, message, error = cards.preview_expiry(raw, birth, date(2025, 1, 1))
        assert (stored, error) == ("2033-01-01", False) and "2033-01-01" in message
    assert cards.preview_expiry("长期", date(1960, 1, 1), date(2025, 1, 1))[0] == "长期"
    stored, message, error = cards.preview_expiry("2033-02-30", birth, date(2025, 1, 1))
    assert stored is None and error and "不是真实存在的日期" in message
    stored, message, error = cards.preview_expiry("长期", birth, date(2025, 1, 1))
    assert stored is None and error and "46岁" in message
    stored, message, error = cards.preview_expiry("2020-01-01", birth, date(2025, 1, 1))
    assert stored == "2020-01-01" and not error and "过期" in message  # a fact: saved, then it fails
    assert cards.preview_expiry("", birth, TODAY)[2]


# ---- with a database ------------------------------------------------------------------------------

def _candidates(n: int) -> list[Member]:
    """Members who pass the local checks."""
    query = (Member.select().where((Member.card_status == CardStatus.NONE)
                                   & (Member.category == Category.LINKED_ENTERPRISE)
                                   & (Member.life_status == LifeStatus.IN_SERVICE)).order_by(Member.id).dicts())
    ids = [r["id"] for r in query if cards.check_member(r, TODAY).result == cards.PASSED][:n]
    assert len(ids) == n
    return [Member.get_by_id(i) for i in ids]


def _queue(demo_profile: Profile, n: int = 10) -> list[Member]:
    members = _candidates(n)
    result = cards.add_to_queue(1, [m.id for m in members], actor="clerk", today=TODAY)
    assert result.added == len(members) == n
    return members


def _pass_on_server(ids: list[int] | None = None) -> None:
    """What a sync does: request the check, and the server's answer is pulled."""
    card_sync.queue_server_checks(1, "ORG")
    checks = []
    for out in Outbox.select().where(Outbox.kind == "card_verification"):
        payload = json.loads(out.payload)
        checks += [{"id_number": n, "request_id": payload["request_id"], "result": "passed"} for n in payload["id_numbers"]]
    card_sync.apply_card_checks(1, checks)


def test_add_refuses_who_cannot_apply_and_says_why(demo_profile: Profile) -> None:
    carded = Member.select().where(Member.card_status == CardStatus.ISSUED).first()
    flexible = Member.select().where((Member.category == Category.FLEXIBLE) & (Member.card_status == "none")).first()
    retired = Member.select().where((Member.life_status == LifeStatus.RETIRED) & (Member.card_status == "none")).first()
    [ok] = _candidates(1)
    result = cards.add_to_queue(1, [ok.id, carded.id, flexible.id] + ([retired.id] if retired else []),
                                actor="clerk", today=TODAY)
    assert result.added == 1
    reasons = dict(result.refused)
    assert reasons[carded.name] == "已有会员卡" and "申工社" in reasons[flexible.name]
    again = cards.add_to_queue(1, [ok.id], actor="clerk", today=TODAY)
    assert (again.added, again.already) == (0, 1)
    assert "已在待办会员列表中" in again.message()
    assert AuditEntry.select().where(AuditEntry.action == "card.queue.add").count() == 1


def test_summary_line_and_rows(demo_profile: Profile) -> None:
    members = _queue(demo_profile, 12)
    expired = members[0]
    Member.update(id_expiry=(TODAY - timedelta(days=3)).isoformat()).where(Member.id == expired.id).execute()
    cards.refresh_verification(1, TODAY)
    s = cards.queue_summary(1)
    assert s.text() == f"待办会员共：12人；校验通过：0人；未通过：{s.failed}人。" and s.failed >= 1
    rows = cards.list_queue(1, QueueFilter(result=cards.FAILED), today=TODAY)
    failed = next(r for r in rows if r.member_id == expired.id)
    assert failed.result_label == "未通过" and "过期" in failed.note
    assert "****" in failed.masked_id and expired.id_number not in failed.masked_id
    waiting = cards.list_queue(1, QueueFilter(result=cards.UNVERIFIED), today=TODAY)
    assert waiting and all(r.note == cards.WAITING_FOR_SYNC for r in waiting)
    by_id = cards.list_queue(1, QueueFilter(text=expired.id_number[-6:]), today=TODAY)
    assert [r.member_id for r in by_id] == [expired.id]
    assert cards.count_queued(1, QueueFilter(text=expired.name)) >= 1


def test_submit_refuses_and_names_who_is_failed_or_unverified(demo_profile: Profile) -> None:
    members = _queue(demo_profile, 8)
    Member.update(work_address="").where(Member.id == members[0].id).execute()
    cards.refresh_verification(1, TODAY)
    state = cards.submit_state(1)
    assert not state.can_submit
    assert state.button_text() == "提交办卡（1人未通过，7人未校验）"
    text = state.explanation()
    assert members[0].name in text and "工作单位详细地址" in text and "7人未校验" in text
    assert text.endswith(cards.SUBMIT_HINT)
    with pytest.raises(ClerkError) as caught:
        cards.submit_batch(1, actor="clerk", today=TODAY)
    assert members[0].name in caught.value.message
    assert CardBatch.select().count() == 0 and Outbox.select().where(Outbox.kind == "card_batch").count() == 0
    _pass_on_server()
    assert cards.queue_summary(1).passed == 7
    assert cards.remove_unpassed(1, actor="clerk") == 1
    assert cards.submit_state(1).can_submit and cards.submit_state(1).button_text() == "提交办卡"


def test_empty_queue_cannot_be_submitted(demo_profile: Profile) -> None:
    state = cards.submit_state(1)
    assert not state.can_submit and "为空" in state.explanation()


def test_submit_makes_a_batch_in_the_outbox_and_empties_the_queue(demo_profile: Profile) -> None:
    members = _queue(demo_profile, 5)
    _pass_on_server()
    batch = cards.submit_batch(1, actor="clerk", today=TODAY)
    assert batch.count == 5 and batch.batch_no.startswith("BK")
    assert CardQueue.select().count() == 0
    row = CardBatch.get(CardBatch.batch_no == batch.batch_no)
    assert row.status == "queued" and row.member_count == 5
    out = Outbox.get_by_id(row.outbox_id)
    payload = json.loads(out.payload)
    assert out.kind == "card_batch" and out.state == "to_send"
    assert payload["batch_no"] == batch.batch_no and payload["union"] == "91310101MA1FL0XX1X"
    assert {m["id_number"] for m in payload["members"]} == {m.id_number for m in members}
    [listed] = cards.card_batches(1)
    assert listed.status_label == "待发送" and "联网同步时自动提交" in listed.outcome_text
    # The card page shows them as being applied for meanwhile.
    info = cards.card_members_by_ids([members[0].id], TODAY)
    assert info[0].card_status == "办卡中"
    # Nor can they be queued again while their batch is open.
    assert cards.add_to_queue(1, [members[0].id], actor="clerk", today=TODAY).refused[0][1] == "会员卡正在办理中"


def test_correct_expiry_is_validated_audited_marked_and_reverified(demo_profile: Profile) -> None:
    [m] = _queue(demo_profile, 1)
    Member.update(id_expiry=(TODAY - timedelta(days=10)).isoformat(), sync_state="sent",
                  dirty_fields="[]").where(Member.id == m.id).execute()
    cards.refresh_verification(1, TODAY)
    q = CardQueue.get(CardQueue.member == m.id)
    assert q.result == cards.FAILED
    with pytest.raises(ValidationFailed) as caught:
        cards.correct_expiry(q.id, "2033-02-30", actor="clerk", plan_year=PLAN_YEAR, today=TODAY)
    assert "不是真实存在的日期" in caught.value.message
    new = (TODAY + timedelta(days=3000)).isoformat()
    row = cards.correct_expiry(q.id, new.replace("-", "/"), actor="clerk", plan_year=PLAN_YEAR, today=TODAY)
    assert row.id_expiry == new and row.result == cards.UNVERIFIED and row.reason == cards.WAITING_FOR_SYNC
    saved = Member.get_by_id(m.id)
    assert saved.id_expiry == new and saved.sync_state == "to_send" and "id_expiry" in json.loads(saved.dirty_fields)
    entry = AuditEntry.get((AuditEntry.member == m.id) & (AuditEntry.field == "id_expiry"))
    assert entry.actor == "clerk" and entry.new_value == new and entry.old_value.startswith(str(TODAY.year))


def test_member_data_changed_elsewhere_is_checked_again(demo_profile: Profile) -> None:
    [m] = _queue(demo_profile, 1)
    _pass_on_server()
    assert CardQueue.get(CardQueue.member == m.id).result == cards.PASSED
    Member.update(work_address="上海市").where(Member.id == m.id).execute()  # e.g. by an import
    report = cards.refresh_verification(1, TODAY)
    assert report.checked == 1 and report.changed == 1
    q = CardQueue.get(CardQueue.member == m.id)
    assert q.result == cards.FAILED and "汉字" in q.reason and q.server_result == cards.SERVER_NONE
    Member.update(work_address="上海市徐汇区漕溪北路八十八号").where(Member.id == m.id).execute()
    cards.refresh_verification(1, TODAY)
    q = CardQueue.get(CardQueue.member == m.id)
    assert q.result == cards.UNVERIFIED and q.server_result == cards.SERVER_TO_REQUEST  # asked again
    assert cards.refresh_verification(1, TODAY).checked == 0  # nothing stale now


def test_server_requests_are_chunked_and_answers_matched(demo_profile: Profile, monkeypatch) -> None:
    members = _queue(demo_profile, 6)
    monkeypatch.setattr(card_sync, "MAX_REQUEST_IDS", 4)
    assert card_sync.queue_server_checks(1, "ORG") == 2
    rows = list(Outbox.select().where(Outbox.kind == "card_verification").order_by(Outbox.id))
    payloads = [json.loads(r.payload) for r in rows]
    assert [len(p["id_numbers"]) for p in payloads] == [4, 2] and payloads[0]["union"] == "ORG"
    assert cards.queue_summary(1).unverified == 6
    assert {q.reason for q in CardQueue.select()} == {cards.WAITING_FOR_SERVER}
    first, second = payloads
    # An answer to a superseded request is ignored; a failure shows the server's reason.
    applied = card_sync.apply_card_checks(1, [
        {"id_number": first["id_numbers"][0], "request_id": first["request_id"], "result": "failed",
         "reason": "姓名与证件号码不一致。"},
        {"id_number": first["id_numbers"][1], "request_id": "stale", "result": "passed"},
        {"id_number": second["id_numbers"][0], "request_id": second["request_id"], "result": "passed"},
    ])
    assert applied == 2
    failed = CardQueue.get(CardQueue.member == next(m.id for m in members if m.id_number == first["id_numbers"][0]))
    assert failed.result == cards.FAILED and failed.reason == "服务器校验未通过：姓名与证件号码不一致。"
    assert cards.queue_summary(1).passed == 1
    assert card_sync.queue_server_checks(1, "ORG") == 0  # nothing due again


def test_refused_request_and_stuck_member_sync_are_said(demo_profile: Profile) -> None:
    members = _queue(demo_profile, 3)
    Member.update(sync_state="conflict").where(Member.id == members[0].id).execute()
    assert card_sync.queue_server_checks(1, "ORG") == 1
    assert CardQueue.get(CardQueue.member == members[0].id).reason == cards.SYNC_BLOCKED
    out = Outbox.get(Outbox.kind == "card_verification")
    card_sync.push_answered("card_verification", json.loads(out.payload), problem="提交的数据不完整或格式不对。")
    q = CardQueue.get(CardQueue.member == members[1].id)
    assert q.result == cards.UNVERIFIED and "服务器未受理校验请求" in q.reason and "重新校验" in q.reason
    assert card_sync.queue_server_checks(1, "ORG") == 0  # not resent on its own …
    cards.reverify([q.id], TODAY, actor="clerk")  # … but on 重新校验
    assert card_sync.queue_server_checks(1, "ORG") == 1


def test_batch_answers_and_outcomes(demo_profile: Profile) -> None:
    members = _queue(demo_profile, 3)
    _pass_on_server()
    batch = cards.submit_batch(1, actor="clerk", today=TODAY)
    payload = json.loads(Outbox.get(Outbox.kind == "card_batch").payload)
    card_sync.push_answered("card_batch", payload, receipt={"status": "issuing"})
    assert CardBatch.get(CardBatch.batch_no == batch.batch_no).status == "issuing"
    card_sync.apply_card_batches(1, [{"batch_no": batch.batch_no, "status": "done", "issued": 2, "refused": 1, "members": [
        {"id_number": members[0].id_number, "outcome": "issued", "card_no": "6231800000000000015"},
        {"id_number": members[1].id_number, "outcome": "issued", "card_no": "6231800000000000023"},
        {"id_number": members[2].id_number, "outcome": "refused", "reason": "制卡照片不清晰。"},
    ]}])
    [row] = cards.card_batches(1)
    assert row.status_label == "已完成" and row.outcome_text == "已发卡2人，未通过1人。"
    outcome = {r.name: r for r in cards.batch_members(row.id)}
    assert outcome[members[0].name].card_no == "6231 **** 0015"
    assert outcome[members[2].name].outcome_label == "未通过" and outcome[members[2].name].reason == "制卡照片不清晰。"
    assert cards.requeue_refused(row.id, actor="clerk", today=TODAY).added == 1


def test_refused_batch_is_said_and_its_members_can_go_back_in_the_queue(demo_profile: Profile) -> None:
    members = _queue(demo_profile, 2)
    _pass_on_server()
    batch = cards.submit_batch(1, actor="clerk", today=TODAY)
    payload = json.loads(Outbox.get(Outbox.kind == "card_batch").payload)
    card_sync.push_answered("card_batch", payload, problem="办卡名单中有会员在服务器上还没有记录。")
    row = CardBatch.get(CardBatch.batch_no == batch.batch_no)
    assert row.status == "refused" and "还没有记录" in row.problem
    [listed] = cards.card_batches(1)
    assert listed.status_label == "未受理" and listed.outcome_text == row.problem
    assert {r.outcome for r in CardBatchMember.select()} == {"refused"}
    assert CardQueue.select().count() == 0
    assert cards.requeue_refused(row.id, actor="clerk", today=TODAY).added == 2
    assert {q.member_id for q in CardQueue.select()} == {m.id for m in members}


def test_batch_from_another_pc_is_listed(demo_profile: Profile) -> None:
    [m] = _candidates(1)
    card_sync.apply_card_batches(1, [{"batch_no": "BK-OTHER-PC", "status": "issuing", "issued": 0, "refused": 0,
                                  "members": [{"id_number": m.id_number, "outcome": "pending"}]}])
    [row] = cards.card_batches(1)
    assert row.batch_no == "BK-OTHER-PC" and row.member_count == 1
    assert cards.batch_members(row.id)[0].name == m.name


def test_card_information_lists_in_service_linked_enterprise_members_only(demo_profile: Profile) -> None:
    from app.models.queries import CardMemberFilter

    total = cards.count_card_info(1, CardMemberFilter())
    expected = Member.select().where((Member.category == Category.LINKED_ENTERPRISE)
                                     & (Member.life_status == LifeStatus.IN_SERVICE)).count()
    assert total == expected < Member.select().count()
    rows = cards.card_members(1, CardMemberFilter(card_status="issued"), limit=500, today=TODAY)
    assert rows and all(r.card_status == "已办卡" and r.card_no.startswith("6231 **** ") for r in rows)
    none = cards.card_members(1, CardMemberFilter(card_status="none"), limit=500, today=TODAY)
    assert all(r.card_no == "" and r.card_status == "未办卡" for r in none)
    flagged = [r for r in cards.card_members(1, CardMemberFilter(), limit=500, today=TODAY) if r.expiry_flag]
    assert flagged and all(r.flag_text.startswith("证件") for r in flagged)
