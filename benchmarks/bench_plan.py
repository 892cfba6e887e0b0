"""`plan`, the report and plan outputs, and the whole `build` of each example site, against
design.md §8 (the whole build under 2 s).

Rows:
- plan_cli: `lead-readiness plan SITE --format csv` as a fresh process, against 1.3x `score --format
  json` measured in the same run (the plan adds the standard tasks and the schedule to a score).
- report_and_plan_<site>: the report and plan documents alone, in-process (plan, both charts, both templates,
  both DOCX, CSV), with the chart cache on (an unchanged chart is copied, as in any rebuild).
- report_and_plan_uncached_<site>: the same with LEAD_READINESS_NO_CACHE=1, so both charts are drawn.
- build_cli_<site>: `lead-readiness build SITE` as a fresh process (imports included): every pack
  document, the report, the plan and the charts; charts cached as in any rebuild.
- build_cli_new_charts_<site>: the same with the chart cache emptied before each run, as in a
  rebuild after answers changed the scores or the plan: matplotlib is imported and both charts
  drawn (compiled templates still come from their cache).
- build_cli_uncached_<site>: LEAD_READINESS_NO_CACHE=1, as in the very first build on a machine:
  every template compiled and both charts drawn.

    python benchmarks/bench_plan.py
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

BUILD_GOAL_MS = 2000.0
SITES = ("harbor-county", "pine-ridge-county")
# Empties the chart cache, then runs the CLI with the remaining arguments.
NEW_CHARTS = ("import shutil, sys, runpy; from readiness import charts; "
              "folder = charts._cache_dir(); folder and shutil.rmtree(folder, ignore_errors=True); "
              "sys.argv = ['lead-readiness'] + sys.argv[1:]; runpy.run_module('readiness', run_name='__main__')")


def _report_and_plan_once(site_dir: Path, out: Path) -> None:
    """The report and the plan alone: plan, render, charts, CSV, DOCX (what the old build hook did)."""
    from readiness.assessment import assess
    from readiness.documents import build as B
    from readiness.documents.context import site_context
    from readiness.documents.environment import make_environment
    from readiness.documents.pack import load_pack
    from readiness.report.outputs import Supplies
    from readiness.workspace.store import open_site

    today = dt.date(2027, 1, 4)
    site = open_site(site_dir)
    pack = load_pack(B.template_folders(site))
    a = assess(site.questionnaire, site.answers, site.respondents.values(), site=site.name, state=site.profile.state)
    supplies = Supplies.for_site(site, a, today, pack.folders)
    chosen = [d for d in pack.documents if d.needs or d.attachments]
    docs, _ = B.render_documents(make_environment(pack.folders), pack, chosen, site_context(site, a, B.state_dirs(pack)),
                                 1, today, supplies)
    folder = Path(tempfile.mkdtemp(dir=out))
    B.write_documents(docs, folder, 1, today, pack.reference_docx, supplies)


def run() -> list[dict]:
    py = sys.executable
    env = dict(os.environ, NO_COLOR="1")
    uncached = dict(env, LEAD_READINESS_NO_CACHE="1")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name in SITES:
            shutil.copytree(ROOT / "examples" / name, tmp / name)
        score = time_command([py, "-m", "readiness", "score", str(tmp / SITES[0]), "--format", "json"], env=env,
                             cwd=ROOT)
        plan = time_command([py, "-m", "readiness", "plan", str(tmp / SITES[0]), "--format", "csv"], env=env,
                            cwd=ROOT)
        rows.append({"name": "plan_cli", "measured": plan, "goal": 1.3 * score, "unit": "ms",
                     "note": f"{plan / score:.2f}x `score --format json` ({score:.0f} ms), goal 1.3x"})
        out = tmp / "out"
        out.mkdir()
        for name in SITES:
            site = tmp / name
            rows.append({"name": f"report_and_plan_{name}", "measured": time_call(lambda site=site: _report_and_plan_once(site, out)),
                         "goal": BUILD_GOAL_MS, "unit": "ms", "note": "the report and plan documents in-process, charts cached"})
            os.environ["LEAD_READINESS_NO_CACHE"] = "1"
            try:
                measured = time_call(lambda site=site: _report_and_plan_once(site, out), runs=3)
            finally:
                del os.environ["LEAD_READINESS_NO_CACHE"]
            rows.append({"name": f"report_and_plan_uncached_{name}", "measured": measured, "goal": BUILD_GOAL_MS,
                         "unit": "ms", "note": "the report and plan documents in-process, both charts drawn"})
        for name in SITES:
            cli = [py, "-m", "readiness", "build", str(tmp / name)]
            rows.append({"name": f"build_cli_{name}", "measured": time_command(cli, runs=5, env=env, cwd=ROOT),
                         "goal": BUILD_GOAL_MS, "unit": "ms",
                         "note": "fresh process: 12 documents, report, plan, charts (cached)"})
            rows.append({"name": f"build_cli_new_charts_{name}",
                         "measured": time_command([py, "-c", NEW_CHARTS, "build", str(tmp / name)], runs=5, env=env,
                                                  cwd=ROOT),
                         "goal": BUILD_GOAL_MS, "unit": "ms",
                         "note": "fresh process, charts drawn (chart cache emptied), templates cached"})
            rows.append({"name": f"build_cli_uncached_{name}",
                         "measured": time_command(cli, runs=5, env=uncached, cwd=ROOT),
                         "goal": BUILD_GOAL_MS, "unit": "ms",
                         "note": "fresh process, nothing cached: matplotlib imported, charts drawn"})
    return rows


if __name__ == "__main__":
    print_rows(run())
