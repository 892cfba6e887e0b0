"""`compare` of 100 sites against design.md §8: under 2 s.

The 100 sites are copies of the three example sites with varied answers (a seeded random choice
of other valid answers for about a quarter of each site's scored questions), so their scores,
gates and gaps differ as real sites would.

Rows:
- compare_100_cli: `lead-readiness compare` over the 100 sites as a fresh process (imports included).
- compare_100_inprocess: the core comparison alone (open, check and assess every site).

    python benchmarks/bench_compare.py
"""
from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _timing import ROOT, print_rows, time_call, time_command  # noqa: E402

GOAL_MS = 2000.0
SITES = 100


def _other_value(question, rnd: random.Random):
    t = question.type
    if t == "yes_no":
        return rnd.random() < 0.5
    if t == "choice":
        return rnd.choice(question.choices).value
    if t == "multi":
        return [c.value for c in question.choices if rnd.random() < 0.5]
    if t == "scale":
        spec = question.scale
        return rnd.randint(spec.min if spec else 1, spec.max if spec else 5)
    if t == "number" and question.number and question.number.bands:
        lo = question.number.min if question.number.min is not None else 0
        hi = question.number.max if question.number.max is not None else lo + 100
        return rnd.randint(int(lo), int(hi))
    return None


def make_sites(folder: Path, count: int = SITES, seed: int = 5) -> list[Path]:
    """`count` site folders under `folder`, copies of the examples with varied answers."""
    from readiness.questionnaire.loader import load_questionnaire
    from readiness.resources import bundled_questionnaire

    q = load_questionnaire(bundled_questionnaire())
    examples = sorted(p for p in (ROOT / "examples").iterdir() if (p / "site.yaml").is_file())
    rnd = random.Random(seed)
    out = []
    for n in range(count):
        source = examples[n % len(examples)]
        dest = folder / f"site-{n:03d}"
        shutil.copytree(source, dest, ignore=shutil.ignore_patterns("drafts", ".*.lock"))
        site_file = dest / "site.yaml"
        profile = yaml.safe_load(site_file.read_text())
        profile["name"] = f"Bench County {n:03d} (fictional)"
        site_file.write_text(yaml.safe_dump(profile, sort_keys=False))
        answers_file = dest / "answers.yaml"
        data = yaml.safe_load(answers_file.read_text())
        for qid in data["answers"]:
            question = q.by_id.get(qid)
            if question is None or not question.is_scorable or rnd.random() > 0.25:
                continue
            value = _other_value(question, rnd)
            if value is not None:
                data["answers"][qid] = {"value": value}
        answers_file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
        out.append(dest)
    return out


def run() -> list[dict]:
    from readiness.report.compare import compare_sites

    env = dict(os.environ, NO_COLOR="1")
    with tempfile.TemporaryDirectory() as tmp:
        sites = make_sites(Path(tmp))
        rows, failures = compare_sites(sites)
        assert not failures and len(rows) == SITES, failures[:1]
        cli = [sys.executable, "-m", "readiness", "compare", *map(str, sites), "--format", "json"]
        measured_cli = time_command(cli, runs=5, env=env, cwd=ROOT)
        measured_core = time_call(lambda: compare_sites(sites), runs=5)
        spread = f"scores {min(r.score for r in rows):.0f} to {max(r.score for r in rows):.0f}"
    return [
        {"name": "compare_100_cli", "measured": measured_cli, "goal": GOAL_MS, "unit": "ms",
         "note": f"{SITES} varied copies of the examples, fresh process; {spread}"},
        {"name": "compare_100_inprocess", "measured": measured_core, "goal": GOAL_MS, "unit": "ms",
         "note": "open, check and assess every site"},
    ]


if __name__ == "__main__":
    print_rows(run())
