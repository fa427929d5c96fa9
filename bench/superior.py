"""The superior side at scale: a district with N grassroots batches of M members each (default
2,000 × 100 = 200,000 members) on a fresh SQLite database, built with the server's own code
(unions, accounts, a campaign; each batch a real signed payload stored as the server stores it).

Measured, through the server's functions (the HTTP routes call exactly these):
- the 待审批 list's first page (100 rows, with its total);
- a filter (单位名称 contains a name that matches 1 union);
- approving 500 batches at once (添加至待提交: every signature verified again);
- the 待提交 totals line (after approving all N);
- 提交列表中的参保信息 (every batch → 已完成, each change in its union's feed) and the district notice
  PDF rendered from the receipt (the faster of two renderings: the first one of the process loads
  the font; one page of totals whatever the district's size, so its ratio stays about 1).
Each is printed with its ratio to the same operation on a district of B batches (default 20),
measured in the same run, so the figure says how it scales, whatever the machine.

    python bench/superior.py [--batches 2000] [--members 100] [--baseline 20]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import platform
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app import protocol
from app.protocol import canonical_text, payload_sha256
from server import accounts
from server.demo import demo_submission
from server.settings import ServerContext

PDF = b"%PDF-1.4\n% bench notice\n%%EOF\n"


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def build(root: Path, batches: int, members: int) -> tuple[ServerContext, Any, list[str]]:
    """A fresh database: city → district → N grassroots unions, one signed batch each."""
    from server.db import open_database, session, write_tx
    from server.demo import create_campaign
    from server.migrations import migrate
    from server.models import Device, Submission, Union

    open_database(f"sqlite:///{root / 'bench.db'}")
    migrate()
    ctx = ServerContext()
    today = ctx.now().date()
    key = protocol.generate_device_key()
    with session():
        city = accounts.create_union(ctx, name="上海市总工会", org_code="B0", union_type="市总工会", level="city", parent=None)
        district = accounts.create_union(ctx, name="某区总工会", org_code="B1", union_type="区总工会", level="district",
                                         parent=city)
        reviewer = accounts.create_user(ctx, username="bench-district", password="bench-Password-1x", union=district,
                                        role="reviewer")
        create_campaign(ctx, today.year + 1, today)
        numbers: list[str] = []
        with write_tx():
            clerk_union = Union.create(name="占位", org_code="B2", union_type="工会委员会", level="grassroots",
                                       parent=district, path="", created=ctx.now_naive())
            clerk_union.path = f"{district.path}{clerk_union.id}/"
            clerk_union.save()
            clerk = accounts.User.create(username="bench-clerk", union=clerk_union, role="clerk", password_hash="x",
                                         created=ctx.now_naive())
            device = Device.create(user=clerk, public_key=protocol.public_key_b64(key), fingerprint="bench",
                                   created=ctx.now_naive())
            for i in range(batches):
                union = Union.create(name=f"上海第{i:05d}号有限公司工会委员会", org_code=f"G{i:06d}", union_type="工会委员会",
                                     level="grassroots", parent=district, path="", created=ctx.now_naive())
                union.path = f"{district.path}{union.id}/"
                union.save()
                ids = [f"3101011990{i:05d}{j:03d}"[:18] for j in range(members)]
                payload = demo_submission(union.org_code, today.year + 1, ids, PDF, batch_no=f"B{i:06d}",
                                          nonce=secrets.token_hex(16),
                                          timestamp=protocol.format_timestamp(ctx.now())).to_wire()
                Submission.create(union=union, user=clerk, device=device, batch_no=f"B{i:06d}", kind="central",
                                  plan_year=today.year + 1, channel="card" if i % 5 else "ss", plan_type="A",
                                  member_count=members, totals=json.loads(canonical_text(payload["totals"])),
                                  payload=canonical_text(payload), payload_sha256=payload_sha256(payload),
                                  signature=protocol.sign(key, payload), pdf=PDF,
                                  pdf_sha256=hashlib.sha256(PDF).hexdigest(), received=ctx.now_naive())
                numbers.append(f"B{i:06d}")
    return ctx, reviewer, numbers


def measure(batches: int, members: int) -> dict[str, float]:
    from server.db import session
    from server.superior import district, review
    from app.protocol.superior import ReviewQueue
    from app.services.district import save_district_notice

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        built = time.perf_counter()
        ctx, reviewer, numbers = build(root, batches, members)
        figures = {"build": time.perf_counter() - built}
        with session():
            figures["first page"], page = _timed(lambda: review.list_batches(reviewer, ReviewQueue.PENDING,
                                                                             review.ReviewFilter(), 0, 100))
            assert page["total"] == batches
            figures["filter"], hit = _timed(lambda: review.list_batches(
                reviewer, ReviewQueue.PENDING, review.ReviewFilter(name=f"第{batches // 2:05d}号"), 0, 100))
            assert hit["total"] == 1
            first = numbers[: min(500, batches)]
            figures["approve 500"], answer = _timed(lambda: review.approve(ctx, reviewer, first))
            assert answer["approved"] == len(first)
            for start in range(len(first), batches, 500):
                review.approve(ctx, reviewer, numbers[start:start + 500])
            figures["totals"], totals = _timed(lambda: district.totals(ctx, reviewer, None))
            assert totals["count"] == batches * members
            figures["submit"], receipt = _timed(lambda: district.submit(ctx, reviewer, "王经办", "13812345678", None))
            # The first notice of the process loads the font: the warm one of two is the figure.
            figures["notice pdf"] = min(_timed(lambda: save_district_notice(receipt, root / "notice.pdf"))[0]
                                        for _ in range(2))
        figures["line"] = totals["line"]  # type: ignore[assignment]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=2000)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--baseline", type=int, default=20)
    args = parser.parse_args()
    print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}")
    base = measure(args.baseline, args.members)
    big = measure(args.batches, args.members)
    print(f"district of {args.batches} batches × {args.members} members (baseline {args.baseline} batches)")
    print(f"  totals line: {big['line']}")
    for name in ("first page", "filter", "approve 500", "totals", "submit", "notice pdf"):
        ratio = big[name] / base[name] if base[name] else float("nan")
        print(f"  {name:<12} {big[name] * 1000:9.1f} ms   baseline {base[name] * 1000:8.1f} ms   ratio {ratio:6.1f}×")
    print(f"  (building the database took {big['build']:.1f} s)")


if __name__ == "__main__":
    main()
