"""A chart child started early (readiness/forked.py `warm`, by `build` with caches off): it imports
matplotlib beside the build's start and draws the charts it is sent later. Whatever it does, the build
has both charts, drawn the same as without it, and no child process is left behind."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
from pathlib import Path

import pytest

from readiness import charts, forked
from readiness.documents.build import build_site

from conftest import EXAMPLES, invoke

needs_fork = pytest.mark.skipif(not forked.can_fork(), reason="the child needs fork and two CPUs")
CHARTS = ("readiness-report-radar.png", "implementation-plan-timeline.png")
TODAY = dt.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _no_cache_and_no_child_left(monkeypatch):
    monkeypatch.setenv("LEAD_READINESS_NO_CACHE", "1")  # the charts are drawn, never copied
    children: list[int] = []  # every child the build forks
    fork = os.fork

    def recorded() -> int:
        pid = fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recorded)
    yield
    assert forked._warm is None  # the test's build stopped or used it
    for pid in children:  # each one waited for: none left running, nor a zombie
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def _site(tmp_path: Path, label: str) -> Path:
    """A fresh copy of the example site (each build here is its first version)."""
    return Path(shutil.copytree(EXAMPLES / "harbor-county", tmp_path / label / "harbor-county"))


def _charts(folder) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in CHARTS}


def _drawn_here(tmp_path, monkeypatch) -> dict[str, bytes]:
    with monkeypatch.context() as m:
        m.setattr(forked, "can_fork", lambda: False)
        return _charts(build_site(_site(tmp_path, "here"), today=TODAY).folder)


def _adoptions(monkeypatch) -> list[bool]:
    """Records whether each ForkedJobs given specs took them to the warm child."""
    taken: list[bool] = []
    adopt = forked.ForkedJobs._adopt

    def spy(self, specs):
        taken.append(adopt(self, specs))
        return taken[-1]

    monkeypatch.setattr(forked.ForkedJobs, "_adopt", spy)
    return taken


@needs_fork
def test_a_warm_child_draws_the_same_charts_as_a_build_without_children(tmp_path, monkeypatch):
    here = _drawn_here(tmp_path, monkeypatch)
    taken = _adoptions(monkeypatch)
    assert forked.warm(charts.prepare_drawing)
    result = build_site(_site(tmp_path, "warm"), today=TODAY)
    assert taken == [True]  # the warm child drew them
    assert _charts(result.folder) == here
    assert not [p for p in result.folder.iterdir() if p.name.startswith(".lead-readiness-child-")]


@needs_fork
def test_a_warm_child_that_dies_still_gives_both_charts(tmp_path, monkeypatch):
    here = _drawn_here(tmp_path, monkeypatch)
    assert forked.warm(charts.prepare_drawing)
    assert forked._warm is not None
    os.kill(forked._warm.pid, signal.SIGKILL)
    result = build_site(_site(tmp_path, "warm"), today=TODAY)
    assert _charts(result.folder) == here


@needs_fork
def test_a_warm_child_that_fails_while_drawing_still_gives_both_charts(tmp_path, monkeypatch):
    here = _drawn_here(tmp_path, monkeypatch)
    parent, draw = os.getpid(), charts._draw_timeline

    def breaks_in_the_child(*args):
        if os.getpid() != parent:
            raise RuntimeError("the timeline breaks in the child")
        return draw(*args)

    monkeypatch.setattr(charts, "_draw_timeline", breaks_in_the_child)
    taken = _adoptions(monkeypatch)
    assert forked.warm(charts.prepare_drawing)
    result = build_site(_site(tmp_path, "warm"), today=TODAY)
    assert taken == [True]  # it took the charts, drew the radar, then failed: the timeline is drawn here
    assert _charts(result.folder) == here


@needs_fork
def test_a_warm_child_whose_preparation_fails_still_gives_both_charts(tmp_path, monkeypatch):
    here = _drawn_here(tmp_path, monkeypatch)

    def breaks() -> None:
        raise RuntimeError("matplotlib is broken in the child")

    assert forked.warm(breaks)
    result = build_site(_site(tmp_path, "warm"), today=TODAY)
    assert _charts(result.folder) == here


def test_without_fork_no_child_is_started_and_the_charts_are_drawn_here(tmp_path, monkeypatch):
    monkeypatch.setattr(forked, "can_fork", lambda: False)
    assert not forked.warm(charts.prepare_drawing)
    result = build_site(_site(tmp_path, "warm"), today=TODAY)
    assert all((result.folder / name).read_bytes().startswith(b"\x89PNG") for name in CHARTS)


@needs_fork
def test_a_build_that_needs_no_chart_stops_the_warm_child_at_once(tmp_path, monkeypatch):
    assert forked.warm(charts.prepare_drawing)
    result = build_site(_site(tmp_path, "warm"), only=["mou"], today=TODAY)
    assert forked._warm is None  # stopped when the documents were chosen, not at the end
    assert not any((result.folder / name).exists() for name in CHARTS)


@needs_fork
def test_a_build_whose_charts_are_cached_stops_the_warm_child(tmp_path, monkeypatch):
    monkeypatch.delenv("LEAD_READINESS_NO_CACHE")
    site = _site(tmp_path, "warm")
    first = _charts(build_site(site, today=TODAY).folder)  # fills the chart cache
    taken = _adoptions(monkeypatch)
    assert forked.warm(charts.prepare_drawing)
    result = build_site(site, today=TODAY)
    assert taken == [] and forked._warm is None
    assert _charts(result.folder) == first


def test_build_with_caches_off_prints_the_same_and_leaves_no_child(tmp_path, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(forked, "can_fork", lambda: False)
        alone = invoke("build", _site(tmp_path, "a"), "--plain")
    taken = _adoptions(monkeypatch)
    result = invoke("build", _site(tmp_path, "b"), "--plain")
    assert taken == ([True] if forked.can_fork() else [])  # the child the command started drew the charts
    assert result.exit_code == 0 == alone.exit_code, result.output
    assert forked._warm is None
    assert result.stderr == alone.stderr
    def said(out: str, label: str) -> str:  # the same words, the site's folder aside
        return "".join(out.split()).replace(str(tmp_path / label), "SITE")

    assert said(result.stdout, "b") == said(alone.stdout, "a")
