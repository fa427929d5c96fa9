"""下载集中参保统计表 at scale: a district of N grassroots unions (default 2,000), each with one central
batch of M members (default 50), on a fresh SQLite database built with the server's own code
(bench/superior.py's `build`), and the same for a baseline district of B unions (default 200) in
the same run, so the ratio shows how the cost grows whatever the machine.

Measured:
- server: the rows and totals (`server.superior.statistics`, what GET /district/statistics runs)
  plus encoding them as the JSON answer;
- client: decoding that JSON and writing the .xlsx formatted for printing
  (`app.services.spreadsheets.statistics.save_statistics`);
with the rows written, the JSON size and the file size; and a district saving its split (保障金额设置:
audited, and the campaign into every one of its unions' feeds). The .xlsx is opened again with openpyxl to
check its totals row against the database.

    python bench/stats_xlsx.py [--unions 2000] [--members 50] [--baseline 200]
"""
from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from superior import build


def measure(unions: int, members: int) -> dict[str, Any]:
    from openpyxl import load_workbook

    from app.services.spreadsheets.statistics import save_statistics
    from server.db import session
    from server.models import Submission
    from server.superior import fees
    from server.superior.statistics import statistics

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        started = time.perf_counter()
        ctx, reviewer, _numbers = build(root, unions, members)
        with session():
            Submission.update(fee_split={"fee": "26.00", "city": "13.00", "district": "13.00",
                                         "grassroots": "0.00"}).execute()
        figures: dict[str, Any] = {"build": time.perf_counter() - started}
        start = time.perf_counter()
        with session():
            body = json.dumps(statistics(ctx, reviewer, None), ensure_ascii=False)
        figures["server"] = time.perf_counter() - start
        start = time.perf_counter()
        done = save_statistics(json.loads(body), root / "统计表.xlsx")
        figures["client"] = time.perf_counter() - start
        figures.update(rows=done["rows"], json_bytes=len(body.encode("utf-8")), xlsx_bytes=done["bytes"])
        start = time.perf_counter()
        with session():  # 保障金额设置 saved: audited, and into every union's feed
            fees.set_split(ctx, reviewer, "A", {"district": "10", "grassroots": "3"})
        figures["fee split"] = time.perf_counter() - start
        total = [c.value for c in list(load_workbook(root / "统计表.xlsx", read_only=True).active.iter_rows(
            min_row=4 + done["rows"], max_row=4 + done["rows"]))[0]]
        assert total[0] == "合计" and total[7] == unions * members, total
        assert Decimal(str(total[9])) == Decimal(26 * unions * members), total
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unions", type=int, default=2000)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--baseline", type=int, default=200)
    args = parser.parse_args()
    print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}")
    base = measure(args.baseline, args.members)
    big = measure(args.unions, args.members)
    print(f"集中参保统计表: district of {args.unions} unions × {args.members} members "
          f"(baseline {args.baseline} unions, same run)")
    for name in ("server", "client", "fee split"):
        ratio = big[name] / base[name] if base[name] else float("nan")
        print(f"  {name:<9} {big[name] * 1000:9.1f} ms   baseline {base[name] * 1000:8.1f} ms   ratio {ratio:6.1f}×"
              f"   ({big[name] / big['rows'] * 1e6:6.1f} µs a row)")
    whole, whole_base = big["server"] + big["client"], base["server"] + base["client"]
    print(f"  stats sum {whole * 1000:9.1f} ms   baseline {whole_base * 1000:8.1f} ms   ratio {whole / whole_base:6.1f}×"
          f"   (rows ratio {big['rows'] / base['rows']:.1f}×)")
    print(f"  rows {big['rows']} (baseline {base['rows']}); JSON {big['json_bytes'] / 1024:.0f} KiB; "
          f".xlsx {big['xlsx_bytes'] / 1024:.0f} KiB (baseline {base['xlsx_bytes'] / 1024:.0f} KiB)")
    print(f"  (building the databases took {base['build'] + big['build']:.1f} s)")


if __name__ == "__main__":
    main()
