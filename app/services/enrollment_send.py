"""Just before a queued batch is first sent: price it as the server will (RULES.md "Fees").

An instant batch prepared offline on day D carries the coverage of a batch received on D; the
server decides from the Shanghai date it receives the batch on, and refuses a copy that disagrees
(`coverage_mismatch`, `price_mismatch`). So the sync engine calls `reprice_for_send` with the
server's date for every submission it is about to send for the first time: the roster's coverage,
全年/半年, the totals, the notice PDF and the outbox payload are made again for that date, and the
clerk is told what changed (the returned sentence, also kept as the batch's note). A central batch
covers the whole year whatever the day: nothing to do. Runs inside the engine's write transaction.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date
from pathlib import Path

from app.models import Batch, BatchMember, Outbox, Setting, Union
from app.models.outbox import rewrite
from app.protocol import Period, Submission
from app.rules.coverage import KIND_CENTRAL, Coverage, coverage_for
from app.rules.fees import format_yuan, roster_totals
from app.rules.problems import RuleError
from app.services import audit
from app.services.campaign import campaign


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def reprice_for_send(outbox_id: int, received_on: date) -> str | None:
    """Make the queued submission `outbox_id` what the server decides for a batch received on
    `received_on`; a sentence saying what changed, or None when nothing did."""
    row = Outbox.get_by_id(outbox_id)
    batch = Batch.get_or_none(Batch.outbox == row.id)
    info = campaign(batch.plan_year) if batch is not None else None
    if batch is None or info is None or batch.kind == KIND_CENTRAL or row.state != "to_send":
        return None
    payload = Submission.from_wire(json.loads(row.payload))
    try:
        cover = coverage_for(batch.kind, batch.plan_year, received_on, info.half_year)
    except RuleError as exc:  # too late for this plan year: the server refuses it, say why now
        return f"批次 {batch.batch_no}：{exc.problem.message}"
    before = payload.members[0]
    if all((m.coverage_start, m.coverage_end, m.period) == (cover.start, cover.end, cover.period)
           for m in payload.members):
        return None
    split = info.split(batch.plan_type)
    totals = roster_totals([cover.period] * len(payload.members), split, info.half_year.price_factor)
    pdf = _notice(batch, cover, totals, received_on)
    payload = dataclasses.replace(
        payload, totals=totals, fee_split=split, notice_pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        members=[dataclasses.replace(m, coverage_start=cover.start, coverage_end=cover.end, period=Period(cover.period))
                 for m in payload.members])
    rewrite(row, payload)
    label = {"full": "全年", "half": "半年"}
    note = (f"批次 {batch.batch_no} 按上级工会服务器收到的日期（{_day(received_on)}）重新计算：保障日期由"
            f"{_day(before.coverage_start)}起（{label[before.period]}）改为{_day(cover.start)}起（{label[cover.period]}），"
            f"保障费用由{format_yuan(payload_fee(batch))}元改为{format_yuan(totals.fee)}元；告知书已更新。")
    BatchMember.update(coverage_start=cover.start, coverage_end=cover.end, period=cover.period).where(
        BatchMember.batch == batch.id).execute()
    batch.totals = json.dumps(payload.to_wire()["totals"])
    batch.notice_sha256, batch.note = payload.notice_pdf_sha256, note
    batch.save()
    audit.record("sync", "enrollment.repriced", note=note)
    return note


def payload_fee(batch: Batch) -> str:
    """The fee total the batch carried until now (its stored totals)."""
    return json.loads(batch.totals or "{}").get("fee", "0")


def _notice(batch: Batch, cover: Coverage, totals, received_on: date) -> bytes:
    """The batch's notice made again with the server's dates, written over the old one."""
    from app.services import notices  # reportlab loads only when a notice is made

    rows = BatchMember.select().where(BatchMember.batch == batch.id).order_by(BatchMember.id)
    roster = [notices.RosterRow(name=r.name, id_number=r.id_number, card_no=r.card_no, coverage_start=cover.start,
                                coverage_end=cover.end, period=cover.period, channel=batch.channel) for r in rows]
    counts = {"card": 0, "ss": 0, batch.channel: len(roster)}
    fingerprint = Setting.get_or_none(Setting.key == "device_fingerprint")
    info = campaign(batch.plan_year)
    pdf = notices.grassroots_notice_pdf(notices.GrassrootsNotice(
        union_name=Union.get_by_id(batch.union_id).name, plan_year=batch.plan_year, plan_type=batch.plan_type,
        card_count=counts["card"], ss_count=counts["ss"], payment_deadline=info.payment_deadline,
        coverage_start=cover.start, coverage_end=cover.end, issued_on=received_on, batch_no=batch.batch_no,
        signature_fingerprint=fingerprint.value if fingerprint else "", totals=totals, roster=roster,
        replaces=batch.replaces, kind=batch.kind))
    notices.save_notice(pdf, Path(batch.notice_path).parent, batch.batch_no)
    return pdf
