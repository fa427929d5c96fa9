"""The typed push records of the protocol kernel: what to_wire() sends is what from_wire() reads,
the wire keeps the shape both sides signed before the kernel existed, and a malformed payload is
refused with a sentence naming what is wrong."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import protocol
from app.protocol import (
    CardApplicant,
    CardBatch,
    CardVerification,
    Channel,
    Confirmation,
    LifeStatusReport,
    MemberRemoval,
    MemberUpsert,
    Period,
    PushRecord,
    RecordKind,
    SsCheckRequest,
    Submission,
    SubmissionKind,
    SubmissionMember,
    WireError,
)
from app.rules.codes import LifeStatus
from app.rules.fees import FeeSplit, batch_totals

NUMBER = "110101199003070011"
SPLIT = FeeSplit.from_strings("26", "13", "13", "0")


def _submission(**changes: object) -> Submission:
    values: dict[str, object] = dict(
        union="813101010000000041", batch_no="JZ2026", kind=SubmissionKind.CENTRAL, plan_year=2027,
        channel=Channel.CARD, plan_type="A",
        members=[SubmissionMember(NUMBER, "王伟", "6231000000000000001", date(2027, 1, 1), date(2027, 12, 31)),
                 SubmissionMember("110101199003070038", "", None, date(2027, 7, 1), date(2027, 12, 31),
                                  Period.HALF)],
        totals=batch_totals(2, SPLIT), fee_split=SPLIT, notice_pdf_sha256="ab" * 32, nonce="n" * 32,
        timestamp="2026-12-01T00:00:00Z")
    values.update(changes)
    return Submission(**values)  # type: ignore[arg-type]


RECORDS = [
    MemberUpsert(NUMBER, {"phone": "13812345678", "name": "王伟"}, {"phone": 3}, union="813101010000000041"),
    MemberUpsert(NUMBER, {"label": None}),
    SsCheckRequest([NUMBER, "110101199003070038"], union="813101010000000041"),
    Confirmation([NUMBER]),
    CardVerification("a" * 32, [NUMBER], union="813101010000000041"),
    CardBatch("813101010000000041", "BK2026120100000001", [CardApplicant(NUMBER, "王伟")]),
    _submission(),
    _submission(replaces="JZ2025", channel=Channel.SS, kind=SubmissionKind.INSTANT_CARDED),
    MemberRemoval(NUMBER, "调离本单位", union="813101010000000041"),
    LifeStatusReport(NUMBER, LifeStatus.RETIRED, date(2026, 11, 30)),
    LifeStatusReport(NUMBER, LifeStatus.IN_SERVICE),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_every_kind_round_trips_through_canonical_json(record: protocol.Payload) -> None:
    sent = json.loads(protocol.canonical_text(record.to_wire()))
    assert protocol.PAYLOADS[record.KIND].from_wire(sent) == record


def test_payload_classes_cover_every_kind() -> None:
    assert set(protocol.PAYLOADS) == set(RecordKind)
    assert {cls.KIND for cls in protocol.PAYLOADS.values()} == set(RecordKind)


def test_the_submission_keeps_its_signed_shape() -> None:
    """Byte for byte what the client signed before the kernel: amounts as 2-decimal strings."""
    wire = _submission().to_wire()
    assert list(wire) == list(Submission.FIELDS)
    assert wire["totals"] == {"count": 2, "fee": "52.00", "city": "26.00", "district": "26.00",
                              "grassroots": "0.00"}
    assert wire["fee_split"] == {"fee": "26.00", "city": "13.00", "district": "13.00", "grassroots": "0.00"}
    assert wire["members"][1] == {"id_number": "110101199003070038", "name": "", "card_no": None,
                                  "coverage_start": "2027-07-01", "coverage_end": "2027-12-31", "period": "half"}
    assert wire["protocol"] == 1 and wire["kind"] == "central" and wire["channel"] == "card"


def test_union_is_left_out_when_it_is_the_callers_own() -> None:
    assert "union" not in Confirmation([NUMBER]).to_wire()
    assert Confirmation.from_wire({"union": "", "id_numbers": [NUMBER]}).union is None


@pytest.mark.parametrize(("raw", "fragment"), [
    ({"id_numbers": []}, "非空的证件号码列表"),
    ({"id_numbers": [NUMBER, " "]}, "非空的证件号码列表"),
    ({"id_numbers": NUMBER}, "非空的证件号码列表"),
    ({"id_numbers": [NUMBER] * (protocol.MAX_ID_NUMBERS + 1)}, "一次最多校验 20000 人"),
])
def test_id_number_lists_are_read_by_one_rule(raw: dict, fragment: str) -> None:
    for cls in (SsCheckRequest, Confirmation):
        with pytest.raises(WireError, match=fragment):
            cls.from_wire(raw)
    with pytest.raises(WireError, match=fragment):
        CardVerification.from_wire({"request_id": "r" * 16, **raw})


def test_id_number_lists_are_trimmed_upper_cased_and_deduplicated() -> None:
    numbers = [" 11010119900307001x", "11010119900307001X", NUMBER]
    assert SsCheckRequest.from_wire({"id_numbers": numbers}).id_numbers == ["11010119900307001X", NUMBER]


@pytest.mark.parametrize(("change", "fragment"), [
    (lambda w: w.pop("nonce"), "缺少字段：nonce"),
    (lambda w: w.update(kind="later"), "kind 不正确"),
    (lambda w: w.update(plan_type="Z"), "plan_type 不正确"),
    (lambda w: w.update(plan_year=True), "plan_year 应为整数"),
    (lambda w: w.update(members=[]), "名单不能为空"),
    (lambda w: w["members"].append(dict(w["members"][0])), "名单中有重复的会员：1101 \\*\\*\\*\\* \\*\\*\\*\\* 0011"),
    (lambda w: w["members"][0].update(period="quarter"), "period 应为 full 或 half"),
    (lambda w: w["members"][0].update(coverage_start="1 Jan"), "coverage_start 应为日期"),
    (lambda w: w["totals"].update(fee="many"), "totals.fee 应为金额"),
    (lambda w: w["fee_split"].pop("city"), "fee_split.city 应为金额"),
    (lambda w: w["totals"].update(count="2"), "totals.count 应为整数"),
])
def test_a_malformed_submission_says_what_is_wrong(change, fragment: str) -> None:  # type: ignore[no-untyped-def]
    wire = json.loads(protocol.canonical_text(_submission().to_wire()))
    change(wire)
    with pytest.raises(WireError, match=fragment):
        Submission.from_wire(wire)


def test_member_upsert_refuses_server_owned_and_unknown_fields() -> None:
    with pytest.raises(WireError) as owned:
        MemberUpsert.from_wire({"id_number": NUMBER, "fields": {"card_no": "1", "phone": "1"}})
    assert owned.value.detail == {"fields": ["card_no"], "message": "这些字段由服务器维护，不能由本机上传"}
    with pytest.raises(WireError) as unknown:
        MemberUpsert.from_wire({"id_number": NUMBER, "fields": {"shoe_size": "42"}})
    assert unknown.value.detail["fields"] == ["shoe_size"]
    with pytest.raises(WireError, match="非负整数"):
        MemberUpsert.from_wire({"id_number": NUMBER, "fields": {}, "base_versions": {"phone": -1}})



@pytest.mark.parametrize(("fields", "refused"), [
    ({"name": "张三", "phone": "1381234\x005678"}, "phone"),  # a control character, NUL included
    ({"name": "张三", "work_address": "路" * 201}, "work_address"),
    ({"name": "张\x1f三", "work_address": "路" * 201}, "name"),  # the first bad field in the payload's order
    ({"name": 5}, "name"),
    ({"name": "张三", "label": ["a"]}, "label"),
])
def test_member_upsert_fields_are_read_as_text_each(fields: dict[str, object], refused: str) -> None:
    with pytest.raises(WireError) as error:
        MemberUpsert.from_wire({"id_number": NUMBER, "fields": fields})
    assert error.value.detail["field"] == refused


def test_member_upsert_takes_texts_trimmed_to_the_limit_and_reads_base_versions() -> None:
    fields = {"name": "\t张三 ", "work_address": " " + "路" * 200 + "\n", "label": None}
    read = MemberUpsert.from_wire({"id_number": NUMBER, "fields": fields, "base_versions": {"name": 2, "phone": 0}})
    assert read.fields == fields and read.base_versions == {"name": 2, "phone": 0}
    assert MemberUpsert.from_wire({"id_number": NUMBER, "fields": {}, "base_versions": {}}).base_versions == {}
    for bad in ({"phone": True}, {"phone": "1"}, {"phone": 1.0}):
        with pytest.raises(WireError, match="非负整数"):
            MemberUpsert.from_wire({"id_number": NUMBER, "fields": {}, "base_versions": bad})

def test_card_batch_numbers_are_unique_after_normalising() -> None:
    with pytest.raises(WireError, match="重复的证件号码"):
        CardBatch.from_wire({"union": "X", "batch_no": "BK0001",
                             "members": [{"id_number": "11010119900307001x"}, {"id_number": "11010119900307001X"}]})


def test_push_record_envelope_and_signature() -> None:
    key = protocol.generate_device_key()
    payload = _submission().to_wire()
    record = PushRecord.signed("k" * 36, RecordKind.SUBMISSION, payload, key, b"%PDF").to_wire()
    assert record["nonce"] == payload["nonce"] and record["pdf_b64"] == "JVBERg=="
    assert protocol.verify(protocol.public_key_b64(key), payload, record["signature"])
    read = PushRecord.from_wire(record)
    assert read.kind == RecordKind.SUBMISSION and read.payload == payload
    with pytest.raises(WireError, match="未知的记录类型"):
        PushRecord.from_wire({**record, "kind": "later"})
    with pytest.raises(WireError, match="key 应为8–64位"):
        PushRecord.from_wire({**record, "key": "short"})


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2, allow_nan=False))
def test_money_is_two_decimals_and_reads_back(amount: Decimal) -> None:
    text = protocol.money(amount)
    assert text.split(".")[1].__len__() == 2
    assert protocol.read_money(text, "x") == amount


def test_server_json_documents_are_the_canonical_text() -> None:
    from server.models import JSONText

    value = {"b": [1, "工会"], "a": {"z": None, "y": True}}
    assert JSONText().db_value(value) == protocol.canonical_text(value)
    with pytest.raises(protocol.CanonicalJsonError):
        JSONText().db_value({"fee": 26.0})


@pytest.mark.parametrize(("kind", "payload", "fragment"), [
    (MemberRemoval, {"id_number": NUMBER, "reason": "  "}, "删除原因"),
    (MemberRemoval, {"id_number": NUMBER, "reason": "很长" * 101}, "删除原因"),
    (MemberRemoval, {"reason": "调离"}, "证件号码"),
    (LifeStatusReport, {"id_number": NUMBER, "life_status": "dead", "on": "2026-01-01"}, "life_status"),
    (LifeStatusReport, {"id_number": NUMBER, "life_status": "retired", "on": None}, "须填写日期"),
    (LifeStatusReport, {"id_number": NUMBER, "life_status": "in_service", "on": "2026-01-01"}, "不填日期"),
    (LifeStatusReport, {"id_number": NUMBER, "life_status": "deceased", "on": "2026-02-30"}, "应为日期"),
])
def test_member_status_records_say_what_is_wrong(kind, payload: dict, fragment: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(WireError) as refused:
        kind.from_wire(payload)
    assert fragment in str(refused.value.detail)
