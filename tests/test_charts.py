"""Charts: the radar and timeline PNGs, their alt text, and matplotlib staying out of fast commands."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from PIL import Image

from conftest import EXAMPLES, ROOT
from readiness import charts, forked
from readiness.assessment import assess
from readiness.planning import plan_for_site
from readiness.workspace.store import open_site

START = dt.date(2027, 1, 4)


def load(name: str):
    site = open_site(EXAMPLES / name)
    a = assess(site.questionnaire, site.answers, site.respondents.values(), site=site.name, state=site.profile.state)
    return site, a, plan_for_site(site, a, START)


def test_radar_chart_is_a_150_dpi_png_with_alt_text_listing_every_score(tmp_path):
    site, a, _ = load("pine-ridge-county")
    scores = [(d.title, d.score) for d in a.domains]
    path = charts.radar_chart(scores, tmp_path / "radar.png", title="Readiness by domain")
    with Image.open(path) as im:
        assert im.format == "PNG"
        assert round(im.info["dpi"][0]) == charts.DPI == 150
        assert im.size[0] > 900
    alt = charts.radar_alt_text(site.name, scores)
    assert alt.startswith("Radar chart of domain scores for Pine Ridge County")
    for d in a.domains:
        assert f"{d.title} {d.score:.0f}" in alt


def test_radar_alt_text_says_when_a_domain_is_not_scored():
    assert "Funding not scored" in charts.radar_alt_text("X", [("Funding", None), ("Other", 50.0)])


def test_timeline_chart_is_a_png_and_its_alt_text_gives_launch_and_phases(tmp_path):
    _, _, plan = load("cedar-falls-county")
    path = charts.timeline_chart(plan, tmp_path / "timeline.png", title="Timeline")
    with Image.open(path) as im:
        assert im.format == "PNG" and round(im.info["dpi"][0]) == 150
    alt = charts.timeline_alt_text(plan)
    assert f"launch on {plan.launch:%B} {plan.launch.day}, {plan.launch.year}" in alt
    assert "Agreements" in alt and f"{len(plan.tasks)} tasks" in alt


def test_long_plans_fold_minor_gap_tasks_but_keep_gates_and_the_launch_path():
    _, _, plan = load("pine-ridge-county")
    assert len(plan.tasks) > charts.MAX_TIMELINE_ROWS
    rows = charts.timeline_rows(plan)
    assert len(rows) <= charts.MAX_TIMELINE_ROWS
    kept = {r["id"] for r in rows}
    assert set(plan.launch_path) <= kept
    assert {t.id for t in plan.gate_tasks} <= kept
    folded = sum(int(r["label"].split("(")[-1].split()[0]) for r in rows if r["summary"])
    assert folded + len([r for r in rows if not r["summary"]]) == len(plan.tasks)


def test_short_plans_are_drawn_whole():
    _, _, plan = load("harbor-county")
    assert len(charts.timeline_rows(plan)) == len(plan.tasks)


def _modules_after(code: str, **env_vars: str) -> str:
    env = dict(os.environ, NO_COLOR="1", **env_vars)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("args", [
    ["--help"],
    ["score", str(EXAMPLES / "harbor-county"), "--format", "json"],
    ["score", str(EXAMPLES / "cedar-falls-county")],
    ["interview", "--help"],
    ["plan", str(EXAMPLES / "harbor-county"), "--format", "csv"],
    ["compare", str(EXAMPLES / "harbor-county"), str(EXAMPLES / "pine-ridge-county")],
])
def test_matplotlib_is_not_imported_by_fast_commands(args):
    code = (
        "import sys\n"
        "from readiness.cli import app\n"
        "try:\n"
        f"    app({args!r}, prog_name='lead-readiness')\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print('matplotlib' in sys.modules)\n"
    )
    assert _modules_after(code) == "False"


def test_drawing_a_chart_does_import_matplotlib():
    code = ("import sys, tempfile, pathlib\n"
            "from readiness import charts\n"
            "assert 'matplotlib' not in sys.modules\n"
            "charts.radar_chart([('A', 50.0), ('B', 80.0), ('C', None)], "
            "pathlib.Path(tempfile.mkdtemp()) / 'r.png', title='t')\n"
            "print('matplotlib' in sys.modules)\n")
    assert _modules_after(code, LEAD_READINESS_NO_CACHE="1") == "True"


def test_an_unchanged_chart_is_copied_from_the_cache_without_importing_matplotlib(tmp_path):
    code = ("import sys, pathlib\n"
            "from readiness import charts\n"
            f"out = pathlib.Path({str(tmp_path)!r}) / sys.argv[1]\n"
            "charts.radar_chart([('A', 50.0), ('B', 80.0), ('C', 20.0)], out, title='Cached')\n"
            "print('matplotlib' in sys.modules)\n")
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    runs = [subprocess.run([sys.executable, "-c", code, name], capture_output=True, text=True, env=env, cwd=ROOT)
            for name in ("first.png", "second.png")]
    assert [r.stdout.strip() for r in runs] == ["True", "False"], [r.stderr for r in runs]
    assert (tmp_path / "first.png").read_bytes() == (tmp_path / "second.png").read_bytes()
    assert list((tmp_path / "cache" / "lead-readiness" / "charts").glob("radar-*.chart"))


def test_a_changed_score_draws_a_new_chart(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    charts.radar_chart([("A", 50.0), ("B", 80.0), ("C", 20.0)], tmp_path / "a.png", title="t")
    charts.radar_chart([("A", 55.0), ("B", 80.0), ("C", 20.0)], tmp_path / "b.png", title="t")
    assert (tmp_path / "a.png").read_bytes() != (tmp_path / "b.png").read_bytes()
    assert len(list((tmp_path / "cache" / "lead-readiness" / "charts").glob("radar-*.chart"))) == 2


def test_the_chart_cache_keeps_only_the_newest_charts(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(charts, "CACHE_KEEP", 2)
    for n in range(4):
        charts.radar_chart([("A", float(n)), ("B", 50.0), ("C", 60.0)], tmp_path / f"{n}.png", title="t")
    assert len(list((tmp_path / "cache" / "lead-readiness" / "charts").glob("*.chart"))) == 2


# ---------------------------------------------------------------- drawn by the chart child (readiness/forked.py)

needs_fork = pytest.mark.skipif(not forked.can_fork(), reason="the chart child needs fork and two CPUs")


def _fail(*args):
    raise RuntimeError("the child breaks")


def _build_example(tmp_path, name: str):
    import shutil

    from readiness.documents.build import build_site

    site = tmp_path / name
    shutil.copytree(EXAMPLES / "harbor-county", site)
    result = build_site(site, today=START)
    return {p.name: p.read_bytes() for p in result.folder.glob("*.png")}


def test_a_build_whose_chart_child_fails_has_the_same_charts(tmp_path, monkeypatch):
    monkeypatch.setenv("LEAD_READINESS_NO_CACHE", "1")
    drawn = _build_example(tmp_path, "normal")
    monkeypatch.setattr(forked, "_child_runs", _fail)
    fallback = _build_example(tmp_path, "broken-child")
    assert len(drawn) == 2  # the radar chart and the timeline
    assert fallback == drawn


@needs_fork
def test_a_build_draws_its_charts_outside_the_main_process(tmp_path):
    """matplotlib (half a second to import) is imported by the chart child only; the build process
    renders and writes the documents meanwhile."""
    code = ("import sys, shutil, pathlib\n"
            "from readiness.documents.build import build_site\n"
            f"site = pathlib.Path({str(tmp_path / 'site')!r})\n"
            f"shutil.copytree({str(EXAMPLES / 'harbor-county')!r}, site)\n"
            "result = build_site(site)\n"
            "assert len(list(result.folder.glob('*.png'))) == 2\n"
            "print('matplotlib' in sys.modules)\n")
    assert _modules_after(code, LEAD_READINESS_NO_CACHE="1") == "False"


def test_a_build_failing_after_the_charts_started_stops_their_child(tmp_path, monkeypatch):
    import shutil

    from readiness.documents import build as build_module
    from readiness.errors import ReadinessError

    monkeypatch.setenv("LEAD_READINESS_NO_CACHE", "1")
    started = []
    real_init = forked.ForkedJobs.__init__

    def recording(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        started.append(self)

    def no_folder(*args):
        raise ReadinessError("the drafts folder cannot be written")

    monkeypatch.setattr(forked.ForkedJobs, "__init__", recording)
    monkeypatch.setattr(build_module.versions, "temporary_folder", no_folder)
    site = tmp_path / "site"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    with pytest.raises(ReadinessError, match="cannot be written"):
        build_module.build_site(site)
    assert started and all(work.pid is None and work.folder is None for work in started)
