"""Shared helpers for the benchmark scripts: time a command, print rows of measured vs goal."""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def time_command(argv: list[str], runs: int = 7, cwd: Path | None = None, env=None) -> float:
    """Median wall time of a command, in milliseconds (one warm-up run first)."""
    subprocess.run(argv, cwd=cwd, env=env, capture_output=True)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=True)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def time_call(fn, runs: int = 7) -> float:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def print_rows(rows: list[dict]) -> None:
    """One line per figure: name, measured, goal, and whether the goal is met."""
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        goal, measured = r["goal"], r["measured"]
        ok = measured <= goal
        print(f"{r['name']:<{width}}  measured {measured:8.1f} {r['unit']:<3}  goal <= {goal:8.1f} {r['unit']:<3}"
              f"  ratio {measured / goal:5.2f}  {'met' if ok else 'MISSED'}" + (f"  ({r['note']})" if r.get("note") else ""))


def python_exe() -> str:
    return sys.executable
