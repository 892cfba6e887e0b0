"""Shared helpers for the benchmark scripts: time a command, print rows of measured vs goal."""
from __future__ import annotations

import atexit
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_PYCACHE: list[str] = []  # this run's bytecode folder, made on first use


def installed_env(env: dict | None = None) -> dict:
    """The environment for a timed process, with compiled bytecode as an installed package has it.

    pip compiles a package's modules when it installs them; a checkout (or a venv installed with
    PYTHONDONTWRITEBYTECODE=1) has none, and every process would recompile every module it imports,
    the tool's and typer's alike, which times the compiler rather than the tool. The processes write
    their bytecode into one temporary folder of this run (PYTHONPYCACHEPREFIX), never into the
    checkout or the venv; the warm-up run of `time_command` fills it."""
    if not _PYCACHE:
        _PYCACHE.append(tempfile.mkdtemp(prefix="lead-readiness-bench-pyc-"))
        atexit.register(shutil.rmtree, _PYCACHE[0], True)
    out = dict(os.environ if env is None else env)
    out.pop("PYTHONDONTWRITEBYTECODE", None)
    out["PYTHONPYCACHEPREFIX"] = _PYCACHE[0]
    return out


def time_command(argv: list[str], runs: int = 7, cwd: Path | None = None, env=None) -> float:
    """Median wall time of a command, in milliseconds (one warm-up run first), with bytecode compiled
    as an installed package's is (`installed_env`)."""
    env = installed_env(env)
    subprocess.run(argv, cwd=cwd, env=env, capture_output=True)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=True)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def time_interleaved(commands: dict[str, list[str]], rounds: int = 9, cwd: Path | None = None,
                     env=None) -> dict[str, float]:
    """The least CPU time (user + system of the child, in milliseconds) of each command over `rounds`
    rounds in which every command runs once, in turn (one warm-up round first), with bytecode
    compiled as an installed package's is. On a shared machine a command's CPU time moves much less
    than its wall time, and running the commands in turn lets a busy spell slow them all alike, so
    the ratios between them hold where medians of one command after the other do not."""
    env = installed_env(env)
    best = {name: float("inf") for name in commands}
    for round_ in range(rounds + 1):
        for name, argv in commands.items():
            proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(proc.pid, 0)
            if status != 0:
                raise subprocess.CalledProcessError(status, argv)
            if round_:
                best[name] = min(best[name], (usage.ru_utime + usage.ru_stime) * 1000)
    return best


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
        reference = r.get("reference") or str(r.get("note", "")).startswith("reference")
        verdict = "reference" if reference else "met" if measured <= goal else "MISSED"
        print(f"{r['name']:<{width}}  measured {measured:8.1f} {r['unit']:<3}  goal <= {goal:8.1f} {r['unit']:<3}"
              f"  ratio {measured / goal:5.2f}  {verdict}" + (f"  ({r['note']})" if r.get("note") else ""))


def python_exe() -> str:
    return sys.executable
