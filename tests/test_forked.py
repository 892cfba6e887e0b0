"""Work beside the build in one forked child (readiness/forked.py): whatever the child does, every
file is there, made here when the child fails, hangs or cannot be started."""
from __future__ import annotations

import os
import time

import pytest

from readiness import forked

needs_fork = pytest.mark.skipif(not forked.can_fork(), reason="the child needs fork and two CPUs")


def _writer(in_child=None):
    """A job writing a small file that says which process wrote it; in the child it does `in_child` first."""
    parent = os.getpid()

    def job(path):
        if os.getpid() != parent and in_child is not None:
            in_child()
        path.write_bytes(b"child" if os.getpid() != parent else b"parent")
        return path

    return job


def _fail():
    raise RuntimeError("the child breaks")


@needs_fork
def test_the_child_does_every_job_in_a_second_process_and_leaves_nothing_behind(tmp_path):
    with forked.ForkedJobs({"a": _writer(), "b": _writer()}, suffix=".png", within=tmp_path) as work:
        assert work.pid is not None and work.pid != os.getpid()
        folder = work.folder
        assert work.take("b", tmp_path / "b.png").read_bytes() == b"child"  # in any order
        assert work.take("a", tmp_path / "a.png").read_bytes() == b"child"
    assert work.pid is None and folder is not None and not folder.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "b.png"]


def test_a_failing_child_still_gives_every_file(tmp_path):
    with forked.ForkedJobs({"a": _writer(_fail), "b": _writer()}) as work:
        assert work.take("a", tmp_path / "a").read_bytes() == b"parent"
        assert work.take("b", tmp_path / "b").read_bytes() == b"parent"  # the child stopped at the first


def test_what_a_failing_child_finished_is_used(tmp_path):
    with forked.ForkedJobs({"a": _writer(), "b": _writer(_fail)}) as work:
        assert work.take("b", tmp_path / "b").read_bytes() == b"parent"
        assert work.take("a", tmp_path / "a").read_bytes() == (b"child" if work.folder else b"parent")


def test_a_hanging_child_is_stopped_and_its_work_done_here(tmp_path, monkeypatch):
    monkeypatch.setattr(forked, "TIMEOUT", 0.5)
    work = forked.ForkedJobs({"a": _writer(lambda: time.sleep(600))})
    pid = work.pid
    started = time.monotonic()
    assert work.take("a", tmp_path / "a").read_bytes() == b"parent"
    assert time.monotonic() - started < 60
    assert work.pid is None
    if pid is not None:  # reaped: not left running
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    work.close()


def test_without_fork_every_job_runs_here(tmp_path, monkeypatch):
    monkeypatch.setattr(forked, "can_fork", lambda: False)
    with forked.ForkedJobs({"a": _writer()}) as work:
        assert work.pid is None
        assert work.take("a", tmp_path / "a").read_bytes() == b"parent"


@needs_fork
def test_closing_early_stops_the_child(tmp_path):
    work = forked.ForkedJobs({"a": _writer(lambda: time.sleep(600))})
    pid = work.pid
    work.close()
    assert work.pid is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
