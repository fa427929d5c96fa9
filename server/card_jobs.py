"""Card work in the background: verifying applications and issuing cards, over two adapters.

`CardJob`s are claimed as leases like SS-check jobs (server/leases.py): one due job at a time,
taken again after `job_lease_seconds` if its worker died. The adapters are looked up outside the write transaction;
the results, the members' changes and the feed entries are written in one transaction with the
job's completion.

Adapters:
- `IdentityRegistry`: what the population registry knows of an ID number (name, deceased). The
  default, `NoIdentityRegistry`, knows nothing — the checks then rest on the server's records.
- `CardIssuer`: makes the cards. It must be idempotent per (batch_no, id_number): a job whose
  lease ran out is run again. The demo issuer (`DemoCardIssuer`) numbers cards 6231… (19 digits,
  a Luhn check digit) from the batch member's row id, so a re-run gives the same numbers; its
  delay is `Settings.card_issue_delay_seconds` (0 in the demo and the tests).
`configure(identity=…, issuer=…)` replaces them for the whole process (a deployment's start-up,
a test).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from app.protocol import CardBatchStatus, CardCheckResult, CardOutcome, Entity
from app.rules.codes import CardStatus
from server.campaigns import shanghai_today
from server.card_withdrawals import withdrawal_pending
from server.cards import IdentityRecord, check_application, emit_batch
from server.changes import emit_change, member_record
from server.db import session, write_tx
from server.leases import DONE, QUEUED, claim, still_ours
from server.members import find_members
from server.models import CardBatch, CardBatchMember, CardJob, Union
from server.settings import ServerContext

log = logging.getLogger("union_server.cards")


class IdentityRegistry(Protocol):
    def lookup(self, id_numbers: list[str]) -> dict[str, IdentityRecord]:
        """What the registry knows of these numbers (numbers it does not know are left out)."""
        ...


class NoIdentityRegistry:
    """No population registry connected: nothing is known, nothing is contradicted."""

    def lookup(self, id_numbers: list[str]) -> dict[str, IdentityRecord]:
        return {}


@dataclass(frozen=True)
class Application:
    """One member's card application as the issuer receives it."""

    row_id: int  # the batch member's row: stable across re-runs
    id_number: str
    name: str


@dataclass(frozen=True)
class IssueResult:
    card_no: str | None  # None: refused
    reason: str = ""


class CardIssuer(Protocol):
    def issue(self, union_code: str, batch_no: str, applications: list[Application]) -> dict[str, IssueResult]:
        """An outcome per id_number (one left out stays pending and is asked again next run)."""
        ...


def luhn_digit(digits: str) -> str:
    """The Luhn check digit of a bank-card number's other digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


class DemoCardIssuer:
    """Issues every application a 19-digit number 6231 8 <13-digit row id> <Luhn digit>."""

    def issue(self, union_code: str, batch_no: str, applications: list[Application]) -> dict[str, IssueResult]:
        out = {}
        for app in applications:
            body = f"62318{app.row_id:013d}"
            out[app.id_number] = IssueResult(body + luhn_digit(body))
        return out


@dataclass
class Adapters:
    identity: IdentityRegistry
    issuer: CardIssuer


ADAPTERS = Adapters(identity=NoIdentityRegistry(), issuer=DemoCardIssuer())


def configure(*, identity: IdentityRegistry | None = None, issuer: CardIssuer | None = None) -> Adapters:
    """Replace the adapters (for the whole process); returns the previous ones."""
    previous = Adapters(ADAPTERS.identity, ADAPTERS.issuer)
    if identity is not None:
        ADAPTERS.identity = identity
    if issuer is not None:
        ADAPTERS.issuer = issuer
    return previous


# --- claiming and running ------------------------------------------------------------------------


def run_verification(ctx: ServerContext, job: CardJob, identity: IdentityRegistry) -> int:
    """Check each member of a "verify" job and publish a card_check per member."""
    numbers = list(job.id_numbers or [])
    known = identity.lookup(numbers)
    now = ctx.now_naive()
    today = shanghai_today(ctx)
    with write_tx():
        current = still_ours(job)
        if current is None:
            return 0
        members = find_members(job.union_id, numbers)
        for number in numbers:
            problems = check_application(members.get(number), today, known.get(number))
            emit_change(ctx, job.union_id, Entity.CARD_CHECK, number, {
                "id_number": number,
                "request_id": job.request_id,
                "result": CardCheckResult.FAILED if problems else CardCheckResult.PASSED,
                "code": problems[0].code if problems else None,
                "reason": "".join(p.reason for p in problems),
                "checked_at": now.isoformat() + "Z",
            })
        current.status, current.finished = DONE, now
        current.save()
    return len(numbers)


def run_issue(ctx: ServerContext, job: CardJob, issuer: CardIssuer) -> int:
    """Hand a batch's pending members to the card issuer and publish the cards."""
    batch = CardBatch.get_by_id(job.batch_id)
    if withdrawal_pending(batch.id):  # 撤销办卡批次 asked: no card is made before the district decides
        with write_tx():
            current = still_ours(job)
            if current is not None:
                current.status, current.claimed_by, current.claimed_at = QUEUED, None, None
                current.not_before = ctx.now_naive() + timedelta(seconds=max(ctx.settings.card_issue_delay_seconds, 60))
                current.save()
        return 0
    pending = list(CardBatchMember.select().where((CardBatchMember.batch == batch)
                                                  & (CardBatchMember.outcome == CardOutcome.PENDING))
                   .order_by(CardBatchMember.id))
    union = Union.get_by_id(batch.union_id)
    results = issuer.issue(union.org_code, batch.batch_no,
                           [Application(row.id, row.id_number, row.name or "") for row in pending]) if pending else {}
    now = ctx.now_naive()
    with write_tx():
        current = still_ours(job)
        if current is None:
            return 0
        numbers = [row.id_number for row in pending]
        members = find_members(batch.union_id, numbers)
        issued = 0
        for row in pending:
            result = results.get(row.id_number)
            if result is None:
                continue
            member = members.get(row.id_number)
            if result.card_no:
                row.outcome, row.card_no, row.reason = CardOutcome.ISSUED, result.card_no, None
                issued += 1
                if member is not None:
                    member.card_no, member.card_status = result.card_no, str(CardStatus.ISSUED)
            else:
                row.outcome, row.reason = CardOutcome.REFUSED, result.reason or "发卡机构未予办理，请核对会员信息后重新申请。"
                if member is not None and member.card_status == CardStatus.APPLYING:
                    member.card_status = str(CardStatus.NONE)
            row.decided = now
            row.save()
            if member is not None:
                member.updated = now
                member.save()
                emit_change(ctx, batch.union_id, Entity.MEMBER, member.id_number, member_record(member))
        batch = CardBatch.get_by_id(batch.id)
        left = CardBatchMember.select().where((CardBatchMember.batch == batch)
                                              & (CardBatchMember.outcome == CardOutcome.PENDING)).count()
        batch.issued = CardBatchMember.select().where((CardBatchMember.batch == batch)
                                                      & (CardBatchMember.outcome == CardOutcome.ISSUED)).count()
        batch.refused = CardBatchMember.select().where((CardBatchMember.batch == batch)
                                                       & (CardBatchMember.outcome == CardOutcome.REFUSED)).count()
        batch.status = CardBatchStatus.ISSUING if left else CardBatchStatus.DONE
        batch.updated = now
        batch.save()
        emit_batch(ctx, batch)
        if left:  # the issuer left some undecided: ask again later
            current.status, current.claimed_by, current.claimed_at = QUEUED, None, None
            current.not_before = now + timedelta(seconds=max(ctx.settings.card_issue_delay_seconds, 60))
        else:
            current.status, current.finished = DONE, now
        current.save()
    log.info("card batch %s: %d issued now, %d left", batch.batch_no, issued, left)
    return issued


def run_pending(ctx: ServerContext, worker: str, adapters: Adapters | None = None) -> int:
    """Run due card jobs until none is left; returns how many ran."""
    adapters = adapters or ADAPTERS
    done = 0
    while True:
        with session():
            job = claim(CardJob, ctx, worker)
            if job is None:
                return done
            if job.kind == "verify":
                count = run_verification(ctx, job, adapters.identity)
            else:
                count = run_issue(ctx, job, adapters.issuer)
        log.info("card job %s (%s) done: %d members", job.id, job.kind, count)
        done += 1


__all__ = ["ADAPTERS", "Adapters", "Application", "CardIssuer", "DemoCardIssuer", "IdentityRegistry",
           "IssueResult", "NoIdentityRegistry", "configure", "luhn_digit", "run_pending"]
