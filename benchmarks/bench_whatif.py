"""What-if, against the budgets it must stay inside.

Rows:
- best_moves_<site>: the report's "answers that would bring launch closest", in-process: each
  candidate question (unmet launch requirements, then gap tasks on the path to launch; at most
  report/whatif.MAX_TRIED) tried with its best answer, assessed and planned. Goal 250 ms, an eighth
  of the whole build's 2 s (design.md section 8).
- per_try_<site>: the same, per answer tried, against one `score` + `plan` of the site in-process
  (assess_site and plan_for_site, standard tasks loaded): a try reuses the loaded tasks, so it costs
  less than that (goal: at most 1.1x, the margin for timing noise; with one candidate the tasks'
  loading is all in that one try). A goal that holds on a busy machine too.
- score_what_if_cli: `lead-readiness score SITE --what-if dsa_signed=yes` as a fresh process, against
  1.3x `score --format json` measured in the same run (a what-if scores and plans the site twice).

    python benchmarks/bench_whatif.py
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _timing import ROOT, print_rows, time_call, time_command  # noqa: E402

MOVES_GOAL_MS = 250.0
SITES = ("harbor-county", "pine-ridge-county", "cedar-falls-county", "willow-bend-county")


def run() -> list[dict]:
    from readiness.report import whatif
    from readiness.resources import template_folders
    from readiness.workspace.store import open_site

    rows = []
    start = dt.date(2027, 1, 4)
    for name in SITES:
        site = open_site(ROOT / "examples" / name)
        dirs = template_folders(site, None)
        today = whatif.outlook(site, start, dirs)
        tried = len(whatif.candidates(site, today.assessment, today.plan))
        measured = time_call(lambda site=site, today=today, dirs=dirs: whatif.best_moves(site, today, start, dirs))
        once = time_call(lambda site=site, dirs=dirs: whatif.outlook(site, start, dirs))
        rows.append({"name": f"best_moves_{name}", "measured": measured, "goal": MOVES_GOAL_MS, "unit": "ms",
                     "note": f"{tried} answers tried, {measured / max(1, tried):.1f} ms each"})
        rows.append({"name": f"per_try_{name}", "measured": measured / max(1, tried), "goal": 1.1 * once, "unit": "ms",
                     "note": f"one score + plan takes {once:.1f} ms"})
    py = sys.executable
    env = dict(os.environ, NO_COLOR="1")
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "harbor-county"
        shutil.copytree(ROOT / "examples" / "harbor-county", site)
        score = time_command([py, "-m", "readiness", "score", str(site), "--format", "json"], env=env, cwd=ROOT)
        what = time_command([py, "-m", "readiness", "score", str(site), "--format", "json", "--what-if",
                             "dsa_signed=yes"], env=env, cwd=ROOT)
        rows.append({"name": "score_what_if_cli", "measured": what, "goal": 1.3 * score, "unit": "ms",
                     "note": f"{what / score:.2f}x `score --format json` ({score:.0f} ms), goal 1.3x"})
    return rows


if __name__ == "__main__":
    print_rows(run())
