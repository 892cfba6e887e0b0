"""Every benchmark in one run, each figure beside its goal from design.md section 8.

    python benchmarks/run_all.py            # all of them (about two minutes on 2 cores)
    python benchmarks/run_all.py cli docx   # only bench_cli.py and bench_docx.py

First it measures this machine against the one the goals were set on (design.md: `python -c pass`
~18 ms, a minimal typer app's `--help` ~240 ms), so a missed goal can be told apart from a slow
machine. Then it runs each `benchmarks/bench_*.py` module's `run()` in a fresh interpreter (so one
benchmark's imports and caches do not flatter the next) and prints its rows; the package's bytecode is
compiled first, as an installed package's is. Rows marked
`reference` are measurements to compare against, not goals. The last line says how many goals
were met.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _timing import time_command  # noqa: E402
from bench_cli import MINIMAL_APP  # noqa: E402  (the same baseline app as the CLI benchmark)

DESIGN_BARE_MS = 18.0  # design.md section 8, the machine the goals were set on
DESIGN_TYPER_HELP_MS = 240.0
MARK = "@@ROWS@@"
RUNNER = f"""
import json, sys
sys.path.insert(0, {str(HERE)!r}); sys.path.insert(0, {str(HERE.parent)!r})
import importlib
rows = importlib.import_module(sys.argv[1]).run()
print({MARK!r} + json.dumps(rows, default=float))
"""


def baseline() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        app = Path(tmp, "minimal.py")
        app.write_text(MINIMAL_APP)
        bare = time_command([sys.executable, "-c", "pass"], runs=11)
        typer_help = time_command([sys.executable, str(app), "--help"], runs=7)
    return [
        {"name": "machine: python -c pass", "measured": bare, "goal": DESIGN_BARE_MS, "unit": "ms",
         "note": f"reference; design machine {DESIGN_BARE_MS:.0f} ms", "reference": True},
        {"name": "machine: minimal typer app --help", "measured": typer_help, "goal": DESIGN_TYPER_HELP_MS, "unit": "ms",
         "note": f"reference; design machine {DESIGN_TYPER_HELP_MS:.0f} ms", "reference": True},
    ]


def modules(only: list[str]) -> list[str]:
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if only:
        names = [n for n in names if n.removeprefix("bench_") in only or n in only]
    return names


def run_module(name: str) -> tuple[list[dict], str | None, float]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", RUNNER, name], capture_output=True, text=True, cwd=HERE.parent)
    seconds = time.perf_counter() - start
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK):]), None, seconds
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
    return [], f"failed (exit {proc.returncode}): {tail[0]}", seconds


def is_reference(row: dict) -> bool:
    return bool(row.get("reference")) or str(row.get("note", "")).startswith("reference")


def line(row: dict, width: int) -> str:
    goal, measured, unit = float(row["goal"]), float(row["measured"]), row.get("unit", "ms")
    if is_reference(row):
        verdict = f"x{measured / goal:4.2f} of design"
    else:
        verdict = f"ratio {measured / goal:4.2f}  " + ("met" if measured <= goal else "MISSED")
    note = f"  ({row['note']})" if row.get("note") else ""
    return (f"  {row['name']:<{width}}  {measured:8.1f} {unit:<3} goal <= {goal:8.1f} {unit:<3} {verdict}{note}")


def main(argv: list[str]) -> int:
    print("lead-readiness benchmarks: measured beside the goals of design.md section 8\n")
    # An installed package has its bytecode compiled; a checkout run with PYTHONDONTWRITEBYTECODE=1 would
    # recompile every changed module in every process. Measure the tool, not the compiler.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "readiness")], capture_output=True)
    machine = baseline()
    width = 44
    print("baseline (this machine, same run)")
    for row in machine:
        print(line(row, width))
    factor = machine[1]["measured"] / DESIGN_TYPER_HELP_MS
    print(f"  this machine runs a typer start-up at {factor:.2f}x the design machine's time\n")
    met = total = 0
    failures = []
    for name in modules(argv):
        rows, error, seconds = run_module(name)
        print(f"{name} ({seconds:.0f} s)")
        if error:
            print(f"  {error}")
            failures.append(name)
            continue
        for row in rows:
            print(line(row, width))
            if not is_reference(row):
                total += 1
                met += float(row["measured"]) <= float(row["goal"])
        print()
    if failures:
        print(f"benchmarks that did not run: {', '.join(failures)}")
    print(f"{met} of {total} goals met")
    return 0 if met == total and not failures else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
