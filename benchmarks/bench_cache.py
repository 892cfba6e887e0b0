"""What each per-user cache saves (readiness/cache.py), beside the goals of design.md section 8.

Every cache is untrusted input, so each must earn its risk. Each row runs the same work with all
caches on, with one cache turned off, and with LEAD_READINESS_NO_CACHE=1 (as in a first run on a
machine); the note says what that cache saves. Runs are interleaved (one of each configuration per
round, the median of the rounds), so a busy machine slows every configuration alike.

- build_cli_*: `lead-readiness build` of the Harbor County example as a fresh process: the work a
  user waits for. Goal: under 2 s (design.md section 8); with every cache off under 1.5 s (issue 15).
- score_cli_*: `lead-readiness score --format json` as a fresh process (the bundled questionnaire
  comes checked from its cache entry, or through the parsed-YAML cache when that is off). Yardstick
  rows; bench_cli.py holds the goal.
- questionnaire_1000_load_*: reading and validating a generated 1,000-question questionnaire
  in-process (bench_questionnaire.py's file), with and without the parsed-YAML cache. Goal 0.3 s.

    python benchmarks/bench_cache.py
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _timing import ROOT, installed_env, print_rows  # noqa: E402

BUILD_GOAL_MS = 2000.0
BUILD_UNCACHED_GOAL_MS = 1500.0  # issue 15: a build with caches off stays under 1.5 s
LOAD_GOAL_MS = 300.0
ROUNDS = 7

# Turn one cache off in a process: each cache's folder lookup answers "no cache".
OFF = {
    "templates": "from readiness.documents import environment as m; m._bytecode_cache = lambda: None",
    "yaml": "from readiness import files as m; m._cache_path = lambda text: None",
    "charts": "from readiness import charts as m; m._cache_dir = lambda: None",
    "checked": "from readiness.questionnaire import checked as m; m._entry_path = lambda path, content: None",
}
LABEL = {"templates": "compiled templates", "yaml": "parsed YAML", "charts": "drawn charts",
         "checked": "checked questionnaires"}
CLI = "{patch}; import runpy, sys; sys.argv = ['lead-readiness'] + sys.argv[1:]; runpy.run_module('readiness', run_name='__main__')"


def _interleaved(commands: dict[str, tuple[list[str], dict]], rounds: int = ROUNDS) -> dict[str, float]:
    """Median wall time in ms of each command, run round-robin after one warm-up each."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for argv, env in commands.values():
        subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, check=True)
    for _ in range(rounds):
        for name, (argv, env) in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, check=True)
            samples[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def _configs(args: list[str]) -> dict[str, tuple[list[str], dict]]:
    env = installed_env(dict(os.environ, NO_COLOR="1"))
    env.pop("LEAD_READINESS_NO_CACHE", None)
    py = sys.executable
    configs = {"on": ([py, "-c", CLI.format(patch="pass"), *args], env)}
    for cache, patch in OFF.items():
        configs[cache] = ([py, "-c", CLI.format(patch=patch), *args], env)
    configs["off"] = ([py, "-c", CLI.format(patch="pass"), *args], dict(env, LEAD_READINESS_NO_CACHE="1"))
    return configs


def _saves(off_ms: float, on_ms: float) -> str:
    return f"this cache saves {off_ms - on_ms:+.0f} ms ({(off_ms - on_ms) / off_ms:+.0%} of the time without it)"


def _cli_rows(kind: str, times: dict[str, float], goal: float, off_goal: float, reference: bool) -> list[dict]:
    extra = {"reference": True} if reference else {}
    on = times["on"]
    rows = [{"name": f"{kind}_cached", "measured": on, "goal": goal, "unit": "ms",
             "note": ("reference; " if reference else "") + "every cache on, as in any run after the first", **extra}]
    for cache in OFF:
        rows.append({"name": f"{kind}_without_{cache}", "measured": times[cache], "goal": goal, "unit": "ms",
                     "note": ("reference; " if reference else "") + f"{LABEL[cache]} off: "
                             + _saves(times[cache], on), **extra})
    rows.append({"name": f"{kind}_uncached", "measured": times["off"], "goal": off_goal, "unit": "ms",
                 "note": ("reference; " if reference else "") + "LEAD_READINESS_NO_CACHE=1: all caches together save "
                         f"{times['off'] - on:+.0f} ms", **extra})
    return rows


def _questionnaire_rows(tmp: Path) -> list[dict]:
    import yaml
    from bench_questionnaire import QUESTIONS, make_questionnaire

    from readiness import files
    from readiness.questionnaire import conditions, loader

    path = tmp / "big.yaml"
    path.write_text(yaml.safe_dump(make_questionnaire(), sort_keys=False))

    def load():
        loader._load_cached.cache_clear()
        conditions.compile_condition.cache_clear()
        loader.load_questionnaire(path)

    real = files._cache_path
    load()  # writes the entry
    samples: dict[str, list[float]] = {"on": [], "off": []}
    for _ in range(ROUNDS):
        for name in ("on", "off"):
            files._cache_path = real if name == "on" else (lambda text: None)
            start = time.perf_counter()
            load()
            samples[name].append((time.perf_counter() - start) * 1000)
    files._cache_path = real
    on, off = (statistics.median(samples[k]) for k in ("on", "off"))
    note = f"{QUESTIONS} questions ({path.stat().st_size / 1000:.0f} kB)"
    return [
        {"name": "questionnaire_1000_load_cached", "measured": on, "goal": LOAD_GOAL_MS, "unit": "ms",
         "note": f"{note}; parsed YAML from the cache"},
        {"name": "questionnaire_1000_load_uncached", "measured": off, "goal": LOAD_GOAL_MS, "unit": "ms",
         "note": f"{note}; YAML parsed: " + _saves(off, on)},
    ]


def run() -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        site = tmp / "harbor-county"
        shutil.copytree(ROOT / "examples" / "harbor-county", site)
        build = _interleaved(_configs(["build", str(site)]), rounds=5)
        rows += _cli_rows("build_cli", build, BUILD_GOAL_MS, BUILD_UNCACHED_GOAL_MS, reference=False)
        configs = _configs(["score", str(site), "--format", "json"])  # score uses only the parsed-YAML cache
        score = _interleaved({k: configs[k] for k in ("on", "yaml", "checked", "off")})
        score.update(templates=score["on"], charts=score["on"])
        rows += [r for r in _cli_rows("score_cli", score, score["off"], score["off"], reference=True)
                 if r["name"] in ("score_cli_cached", "score_cli_without_yaml", "score_cli_without_checked",
                                  "score_cli_uncached")]
        rows += _questionnaire_rows(tmp)
    return rows


def main() -> None:
    print_rows(run())


if __name__ == "__main__":
    main()
