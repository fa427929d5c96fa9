"""Frozen build benchmark: the one-folder app's size and its start-up next to the venv's.

Needs `make dist` first (dist/union-clerk/). Prints the folder's size and file count, then the
time from spawning each program to its main window shown and painted (offscreen, the same
demo profile, runs alternated) for the frozen `union-clerk` and for `union-clerk` from .venv,
and their ratio. Target (issue 17): frozen / venv ≤ 1.3.

    python bench/frozen_startup.py [--app dist/union-clerk] [--members 2000] [--runs 7]
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from member_list import Took, compile_app, medt, time_process  # noqa: E402 - the same spawn-to-"shown" timer as bench/member_list.py


def folder_figures(app: Path) -> tuple[float, int]:
    files = [p for p in app.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files) / 2**20, len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--app", type=Path, default=ROOT / "dist" / "union-clerk")
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv")
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    frozen = args.app / "union-clerk"
    venv = args.venv / "bin" / "union-clerk"
    for program in (frozen, venv):
        if not program.exists():
            sys.exit(f"{program} not found: run `make dist` (frozen) and `make venv` first")

    size_mb, files = folder_figures(args.app)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    with tempfile.TemporaryDirectory(prefix="union-clerk-frozen-bench-") as tmp:
        profile = Path(tmp) / "profile"
        os.environ["HOME"] = tmp  # QSettings and caches of these runs stay in the throwaway folder
        subprocess.run([str(args.app / "union-clerk-cli"), "--profile", str(profile), "demo-data",
                        "--count", str(args.members)], check=True, capture_output=True)
        cmd = ["--profile", str(profile), "--quit-after-show"]
        compile_app()
        time_process([str(frozen), *cmd])  # warm the page cache for both
        time_process([str(venv), *cmd])
        frozen_times, venv_times = [], []
        for _ in range(args.runs):
            frozen_times.append(time_process([str(frozen), *cmd]))
            venv_times.append(time_process([str(venv), *cmd]))

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, "
          f"Python {platform.python_version()}")
    print(f"frozen folder {args.app}: {size_mb:.0f} MB in {files} files")
    print(f"profile: {args.members} demo members; runs: {args.runs}, alternated (medians)")
    print(report(frozen_times, venv_times))


def report(frozen_times: list[Took], venv_times: list[Took]) -> str:
    """The start-up lines: medians of both programs (ms by the clock, CPU ms) and their ratios."""
    frozen, venv = medt(frozen_times), medt(venv_times)
    return "\n".join([
        f"start-up to the painted main window, union-clerk from the venv: {venv}",
        f"start-up to the painted main window, frozen union-clerk:        {frozen}",
        f"ratio frozen / venv: {frozen.wall / venv.wall:.2f}, by CPU {frozen.cpu / venv.cpu:.2f}   (target ≤ 1.3)",
    ])


if __name__ == "__main__":
    main()
