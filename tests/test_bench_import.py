"""bench/import.py states issue 10's targets against the floor it measures (the issue-4 target of
2.0× the bare parse is withdrawn), and its ratios are the ones of the times it prints."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_bench_prints_its_targets_against_the_floor(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "import.py"), "--rows", "2000", "--runs", "1",
                           "--dir", str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout

    def seconds(label: str) -> float:
        return float(re.search(rf"^  {re.escape(label)}\s+([\d.]+) s ", out, re.M).group(1))

    parse, full = seconds("bare parse, python-calamine"), seconds("full import into an empty union")
    floor = seconds("floor: parse, then write the rows as is")
    # Each ratio by the clock, then by CPU time (on a shared machine the clock counts other work too).
    to_floor = float(re.search(r"^full import / floor: ([\d.]+)×, by CPU [\d.]+× \(target ≤ 1\.25×\)$", out,
                               re.M).group(1))
    floor_to_parse = float(re.search(r"^floor / bare parse: ([\d.]+)×, by CPU [\d.]+× \(target ≤ 2\.5×\)$", out,
                                     re.M).group(1))
    # The printed times are rounded to 10 ms; the ratios come from the unrounded ones (a ratio of
    # two times each off by up to 5 ms is off by up to its relative errors' sum, and the printed
    # ratio by another 0.005).
    def near(printed: float, a: float, b: float) -> bool:
        return abs(printed - a / b) <= a / b * (0.005 / a + 0.005 / (b - 0.005)) * 1.05 + 0.006

    assert near(to_floor, full, floor)
    assert near(floor_to_parse, floor, parse)
    assert re.search(r"^peak RSS: \d+ MB \(target ≤ 400 MB\)$", out, re.M)
    assert re.search(r"^longest gap between progress reports: [\d.]+ s \(target ≤ 0\.25 s\)$", out, re.M)
    assert "target ≤ 2.0×" not in out  # the withdrawn target
