"""`score` start-up of this checkout against an older commit and the minimal typer app (issue 15).

    python benchmarks/startup_before_after.py COMMIT [ROUNDS]

bench_cli.py takes medians of wall time, one command after the other, which on a shared machine
mostly measures what else ran meanwhile. This runs the minimal typer app that reads the same YAML
(bench_cli.MINIMAL_YAML_APP), `score --format json` and `score` (table) of COMMIT and of this checkout
in turn, ROUNDS times (default 11), on a copy of the Harbor County example with NO_COLOR=1 and
compiled bytecode (`_timing.installed_env`), and prints for each the minimum CPU time (user + system
of the child) and the minimum wall time, and their ratio to the minimal app's. COMMIT's code is
exported with `git archive` into a temporary folder and run from there (PYTHONPATH), with the same
Python and libraries. Both versions print the same output or the run stops.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_cli  # noqa: E402
from _timing import ROOT, installed_env  # noqa: E402


def _one(argv: list[str], env: dict, cwd: Path) -> tuple[float, float, bytes]:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{' '.join(argv)} failed (status {status})")
    return (time.perf_counter() - start) * 1000, (usage.ru_utime + usage.ru_stime) * 1000, out


def main(commit: str, rounds: int) -> None:
    py = sys.executable
    env = installed_env(dict(os.environ, NO_COLOR="1"))
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp, "old")
        old.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
        old_env = dict(env, PYTHONPATH=str(old))
        minimal = Path(tmp, "minimal_yaml.py")
        minimal.write_text(bench_cli.MINIMAL_YAML_APP)
        site = Path(tmp, "site")
        shutil.copytree(ROOT / "examples" / "harbor-county", site)
        score = [py, "-m", "readiness", "score", str(site)]
        commands = {
            "minimal typer app reading the YAML": ([py, str(minimal), "score", str(site), str(bench_cli.QUESTIONNAIRE)],
                                                   env, ROOT),
            f"score --format json ({commit})": (score + ["--format", "json"], old_env, old),
            "score --format json (this checkout)": (score + ["--format", "json"], env, ROOT),
            f"score, table ({commit})": (score, old_env, old),
            "score, table (this checkout)": (score, env, ROOT),
        }
        outputs = {}
        for name, (argv, e, cwd) in commands.items():  # warm-up: bytecode and the per-user caches filled
            _one(argv, e, cwd)
            outputs[name] = _one(argv, e, cwd)[2]
        names = list(commands)
        if outputs[names[1]] != outputs[names[2]] or outputs[names[3]] != outputs[names[4]]:
            raise SystemExit(f"{commit} and this checkout print different results")
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        wall: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):
            for name, (argv, e, cwd) in commands.items():
                w, c, _out = _one(argv, e, cwd)
                wall[name].append(w)
                cpu[name].append(c)
    base_cpu, base_wall = min(cpu[names[0]]), min(wall[names[0]])
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(f"{rounds} interleaved rounds, load average {load}")
    width = max(len(n) for n in names)
    for name in names:
        c, w = min(cpu[name]), min(wall[name])
        print(f"{name:<{width}}  min CPU {c:6.0f} ms ({c / base_cpu:.2f}x)  min wall {w:6.0f} ms ({w / base_wall:.2f}x)")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 11)
