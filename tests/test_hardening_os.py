"""What the operating system refuses is the user's to fix, not a bug: one clear line with the path
and the documented exit code, never "unexpected internal problem", and no file changed.

- A full disk (ENOSPC, simulated in os.fsync / os.write), a read-only folder (EROFS), a permission
  error (tests run as root, who ignores permission bits, so PermissionError is raised by a patch);
- standard output closed, full (/dev/full) or a pipe whose reader went away (`score | head -1`:
  quiet, exit 141 as Unix tools);
- a far-future `plan --start`, a consultant reference.docx without section properties, two `demo`
  runs racing for the same folder.
"""
from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, MINI, invoke, snapshot

EXE = str(Path(sys.executable).with_name("lead-readiness"))
ENV = {**os.environ, "NO_COLOR": "1"}


@pytest.fixture
def site(tmp_path) -> Path:
    site = tmp_path / "site"
    assert invoke("new", site, "--name", "Test County", "--state", "NC", "--questionnaire", MINI).exit_code == 0
    assert invoke("answer", site, "county_name", "Test County").exit_code == 0
    return site


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: ") and "internal problem" not in lines[0] and "Traceback" not in stderr
    return lines[0]


def _no_temporaries(folder: Path) -> None:
    assert not [p for p in folder.rglob("*.tmp")], list(folder.rglob("*.tmp"))


# ---------------------------------------------------------------- disk full, read-only, permissions


def test_full_disk_while_saving_an_answer_names_the_file_and_keeps_the_old_one(site, monkeypatch):
    before = snapshot(site)

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    result = invoke("answer", site, "county_name", "Hill County")
    assert result.exit_code == 1
    line = _one_line(result.stderr)
    assert f"cannot use {site / 'answers.yaml'}: no space left on device (free some disk space" in line
    assert snapshot(site) == before
    _no_temporaries(site)


def test_full_disk_during_a_build_is_one_located_line(tmp_path, monkeypatch):
    site = tmp_path / "harbor"
    shutil.copytree(EXAMPLES / "harbor-county", site)

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    result = invoke("build", site, "--only", "readiness_report")
    assert result.exit_code == 1
    line = _one_line(result.stderr)
    assert "no space left on device (free some disk space" in line and str(site) in line
    assert not (site / "drafts" / "v001").exists()


def test_read_only_folder_is_reported_with_the_path(site, monkeypatch):
    import readiness.files as files

    before = snapshot(site)

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(site / "answers.yaml"))

    monkeypatch.setattr(files.os, "replace", read_only)
    result = invoke("answer", site, "county_name", "Hill County")
    assert result.exit_code == 1
    line = _one_line(result.stderr)
    assert f"cannot use {site / 'answers.yaml'}: read-only file system (the disk is read-only" in line
    assert snapshot(site) == before


def test_permission_denied_writing_is_reported_with_the_path(site, monkeypatch):
    import readiness.files as files

    before = snapshot(site)

    def denied(*args, dir=None, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(Path(dir) / ".answers.yaml.x.tmp"))

    monkeypatch.setattr(files.tempfile, "mkstemp", denied)
    result = invoke("answer", site, "county_name", "Hill County")
    assert result.exit_code == 1
    line = _one_line(result.stderr)
    assert str(site) in line and "permission denied (check the permissions" in line
    assert snapshot(site) == before


def test_permission_denied_reading_is_a_located_problem(site, monkeypatch):
    import readiness.files as files

    real_open = os.open

    def denied(path, flags, *args):
        if str(path).endswith("answers.yaml"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(files.os, "open", denied)
    result = invoke("score", site)
    assert result.exit_code == 1
    line = _one_line(result.stderr)
    assert line == (f"Error: {site / 'answers.yaml'}: answers file cannot be read: permission denied "
                    "(check the file's permissions, or ask whoever shares the folder)")


def test_permission_error_from_the_lock_file_is_not_an_internal_problem(site, monkeypatch):
    import builtins

    real_open = builtins.open

    def denied(path, *args, **kwargs):
        if str(path).endswith(".lock"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", denied)
    result = invoke("answer", site, "county_name", "Hill County")
    assert result.exit_code == 1
    assert "lock" in _one_line(result.stderr) and "permission denied" in result.stderr


# ---------------------------------------------------------------- standard output


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_broken_pipe_exits_quietly(site, fmt):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written, as `| head -1` after one line
    try:
        result = subprocess.run([EXE, "score", str(site), "--format", fmt], stdout=write_end,
                                stderr=subprocess.PIPE, text=True, env=ENV, timeout=60)
    finally:
        os.close(write_end)
    assert result.returncode == 141
    assert result.stderr == ""


def test_score_piped_into_head_prints_one_line_and_nothing_on_stderr(site):
    result = subprocess.run(f"'{EXE}' score '{site}' | head -1; exit ${{PIPESTATUS[0]}}", shell=True,
                            executable="/bin/bash", capture_output=True, text=True, env=ENV, timeout=60)
    assert result.returncode in (0, 141)
    assert result.stdout.startswith("Test County") and result.stdout.count("\n") == 1
    assert result.stderr == ""


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_closed_standard_output_is_one_clear_line(site, fmt):
    command = ["plan", str(site), "--format", fmt]
    result = subprocess.run(["bash", "-c", 'exec "$@" >&-', "_", EXE, *command], capture_output=True, text=True,
                            env=ENV, timeout=60)
    assert result.returncode == 1
    assert _one_line(result.stderr).startswith("Error: standard output is closed, so the result cannot be printed")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_full_standard_output_is_one_clear_line(site, fmt):
    with open("/dev/full", "w") as full:
        result = subprocess.run([EXE, "score", str(site), "--format", fmt], stdout=full, stderr=subprocess.PIPE,
                                text=True, env=ENV, timeout=60)
    assert result.returncode == 1
    assert _one_line(result.stderr) == ("Error: cannot write the result to standard output: no space left on "
                                        "device (send the output to another file or device)")


# ---------------------------------------------------------------- located messages


@pytest.mark.parametrize("start", ["9999-12-31", "9999-01-01", "0001-01-01"])
def test_far_plan_start_is_refused_with_the_option_named(site, start):
    result = invoke("plan", site, "--start", start)
    assert result.exit_code == 1
    assert _one_line(result.stderr).startswith(f"Error: --start '{start}' is out of range")


def test_reference_docx_without_section_properties_still_builds(tmp_path):
    import docx

    site = tmp_path / "harbor"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    templates = tmp_path / "templates"
    templates.mkdir()
    ref = docx.Document()
    body = ref.element.body
    for el in list(body):
        body.remove(el)  # no w:sectPr at all: no page size, margins, header or footer
    ref.save(str(templates / "reference.docx"))
    result = invoke("build", site, "--only", "mou", "--templates", templates)
    assert result.exit_code == 0, result.output
    out = docx.Document(str(site / "drafts" / "v001" / "mou.docx"))
    section = out.sections[-1]
    assert (round(section.page_width.inches, 2), round(section.page_height.inches, 2)) == (8.5, 11)
    assert "DRAFT v1" in " ".join(p.text for p in section.header.paragraphs)


def test_two_demo_runs_racing_for_one_folder_both_succeed(tmp_path, monkeypatch):
    from readiness.documents import demo

    out = tmp_path / "demo"
    real_copytree = shutil.copytree

    def rival_wins(src, dst, *args, **kwargs):
        result = real_copytree(src, dst, *args, **kwargs)
        if Path(dst).name == "site" and not out.exists():  # the top call, not copytree's own recursion
            real_copytree(src, out, *args, **kwargs)  # the other `demo` finishes its copy first
        return result

    monkeypatch.setattr(demo.shutil, "copytree", rival_wins)
    folder, copied = demo.prepare_demo(out)
    assert (folder, copied) == (out, False)  # it builds in the site the other run made
    assert (out / "site.yaml").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["demo"]  # its own copy is cleaned up


def test_demo_folder_taken_by_a_file_in_a_race_is_a_located_message(tmp_path, monkeypatch):
    from readiness.documents import demo
    from readiness.errors import WorkspaceError

    out = tmp_path / "demo"
    real_copytree = shutil.copytree

    def rival_file(src, dst, *args, **kwargs):
        result = real_copytree(src, dst, *args, **kwargs)
        if Path(dst).name == "site" and not out.exists():
            out.mkdir()
            (out / "notes.txt").write_text("someone else's")
        return result

    monkeypatch.setattr(demo.shutil, "copytree", rival_file)
    with pytest.raises(WorkspaceError, match="the demo site could not be put there"):
        demo.prepare_demo(out)
    assert (out / "notes.txt").read_text() == "someone else's"
