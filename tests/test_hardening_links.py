"""Links and special files: a site never reads or writes through a link that leads out of it, and
nothing waits on a named pipe or reads a device.

- `site.yaml`, `answers.yaml`, `respondents/` (and each file in it) and `drafts/` that are links
  leading outside the site are refused with a message naming the link and its target; nothing is
  written at the target.
- A draft version folder that is a link, and a draft file that is a link, are refused by `diff`,
  which therefore never prints a file from outside the site.
- A FIFO, a device or a socket where a file is expected is refused before it is read (the check is
  made on the open descriptor, not on `st_size`, which is 0 for /dev/zero and a FIFO), and a read
  never goes past the size limit.
- A hand-damaged `manifest.json` gives a located message, not an internal error.

Commands that used to hang run in a child process with a timeout.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINI, invoke, snapshot

EXE = str(Path(sys.executable).with_name("lead-readiness"))
SECRET = "SECRET-LINE-FROM-OUTSIDE-THE-SITE"


def _run(*args, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "NO_COLOR": "1"}, stdin=subprocess.DEVNULL)


@pytest.fixture
def site(tmp_path) -> Path:
    site = tmp_path / "site"
    assert invoke("new", site, "--name", "Test County", "--state", "NC", "--questionnaire", MINI).exit_code == 0
    assert invoke("answer", site, "county_name", "Test County").exit_code == 0
    assert invoke("answer", site, "support_diversion", "4", "--respondent", "Ana Ruiz").exit_code == 0
    return site


@pytest.fixture
def outside(tmp_path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "secret.txt").write_text(SECRET + "\n")
    return folder


def _link_away(site: Path, name: str, outside: Path) -> Path:
    """Move `site/name` outside and leave a link in its place."""
    target = outside / name.replace("/", "-")
    os.rename(site / name, target)
    os.symlink(target, site / name)
    return target


# ---------------------------------------------------------------- links leading out of the site


@pytest.mark.parametrize("name, what", [("answers.yaml", "answers file"), ("respondents", "respondents folder"),
                                        ("site.yaml", "site file")])
def test_site_file_or_folder_linked_outside_is_refused(site, outside, name, what):
    target = _link_away(site, name, outside)
    before = snapshot(outside)
    for args in (["score", site], ["answer", site, "county_name", "Other County"]):
        result = invoke(*args)
        assert result.exit_code == 1, result.output
        assert f"{what} is a link to {target.resolve()}, outside the site folder" in result.stderr
    assert snapshot(outside) == before


def test_respondent_file_linked_outside_is_refused(site, outside):
    [path] = (site / "respondents").glob("*.yaml")
    target = _link_away(site, f"respondents/{path.name}", outside)
    result = invoke("score", site)
    assert result.exit_code == 1
    assert f"respondent file is a link to {target.resolve()}" in result.stderr


def test_drafts_folder_linked_outside_is_refused_by_build_and_diff(site, outside):
    (outside / "drafts").mkdir()
    os.symlink(outside / "drafts", site / "drafts")
    for args in (["build", site, "--only", "readiness_report"], ["diff", site]):
        result = invoke(*args)
        assert result.exit_code == 1, result.output
        assert "drafts folder is a link to" in result.stderr and "outside the site folder" in result.stderr
    assert list((outside / "drafts").iterdir()) == []  # nothing was built out there


def test_link_inside_the_site_is_still_followed(site):
    os.rename(site / "answers.yaml", site / "answers-real.yaml")
    os.symlink("answers-real.yaml", site / "answers.yaml")
    assert invoke("score", site).exit_code == 0


# ---------------------------------------------------------------- diff never prints a file from outside


def _fake_version(site: Path, number: int, text: str) -> Path:
    folder = site / "drafts" / f"v{number:03d}"
    folder.mkdir(parents=True)
    (folder / "mou.md").write_text(text)
    manifest = {"date": "2027-01-04", "answers": {},
                "documents": [{"id": "mou", "title": "MOU", "names": {"md": "mou.md"}, "files": {}, "open_items": []}]}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_diff_refuses_a_draft_file_that_links_outside(site, outside):
    _fake_version(site, 1, "# MOU\n\nold\n")
    v2 = _fake_version(site, 2, "# MOU\n\nnew\n")
    (v2 / "mou.md").unlink()
    os.symlink(outside / "secret.txt", v2 / "mou.md")
    result = invoke("diff", site)
    assert result.exit_code == 1
    assert SECRET not in result.stdout + result.stderr
    assert "mou.md: draft Markdown is a link; links are not followed here" in result.stderr


def test_diff_refuses_a_version_folder_that_is_a_link(site, outside):
    _fake_version(site, 1, "# MOU\n\nold\n")
    real = _fake_version(site, 2, "# MOU\n\n" + SECRET + "\n")
    os.rename(real, outside / "v002")
    os.symlink(outside / "v002", site / "drafts" / "v002")
    result = invoke("diff", site)
    assert result.exit_code == 1
    assert SECRET not in result.stdout + result.stderr
    assert "draft v002 is a link to" in result.stderr


def test_diff_does_not_wait_on_a_draft_file_that_is_a_fifo(site):
    _fake_version(site, 1, "# MOU\n\nold\n")
    v2 = _fake_version(site, 2, "# MOU\n\nnew\n")
    (v2 / "mou.md").unlink()
    os.mkfifo(v2 / "mou.md")
    result = _run("diff", site, timeout=30)
    assert result.returncode == 1
    assert "mou.md: draft Markdown is a named pipe (FIFO), not a regular file" in result.stderr


def test_version_number_taken_by_a_broken_link_is_never_built_over(site, outside):
    (site / "drafts").mkdir()
    os.symlink(outside / "gone", site / "drafts" / "v001")
    from readiness.documents.versions import next_version

    assert next_version(site) == 2


# ---------------------------------------------------------------- FIFOs, devices, sockets


def test_questionnaire_that_is_a_fifo_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "q.yaml"
    os.mkfifo(fifo)
    result = _run("new", tmp_path / "s", "--name", "X", "--state", "NC", "--questionnaire", fifo, timeout=30)
    assert result.returncode == 1
    assert f"Error: {fifo}: questionnaire is a named pipe (FIFO), not a regular file" in result.stderr


def test_answers_file_that_is_a_fifo_is_refused_without_waiting(site):
    (site / "answers.yaml").unlink()
    os.mkfifo(site / "answers.yaml")
    result = _run("score", site, timeout=30)
    assert result.returncode == 1
    assert "answers.yaml: answers file is a named pipe (FIFO), not a regular file" in result.stderr


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_answers_given_as_an_endless_device_are_refused_before_reading(site, device):
    before = snapshot(site)
    result = _run("interview", site, "--answers", device, "--no-input", timeout=30)
    assert result.returncode == 1
    assert f"{device}: answers file is a device, not a regular file" in result.stderr
    assert snapshot(site) == before


def test_respondent_file_that_is_a_socket_is_refused(site, tmp_path):
    path = site / "respondents" / "zz-socket.yaml"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        result = invoke("score", site)
    assert result.exit_code == 1
    assert "is a socket, not a regular file" in result.stderr


def test_read_stops_past_the_limit_whatever_the_size_claims(tmp_path, monkeypatch):
    from readiness import files
    from readiness.errors import FileProblems

    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: 1\n" * 2000)
    real_fstat = os.fstat

    class Small:  # a file system that reports 0 bytes, as /proc files and devices do
        def __init__(self, st):
            self.st_mode, self.st_size = st.st_mode, 0

    monkeypatch.setattr(files.os, "fstat", lambda fd: Small(real_fstat(fd)))
    reads = []
    real_read = os.read
    monkeypatch.setattr(files.os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    with pytest.raises(FileProblems, match="too large"):
        files.read_text(path, "answers file", limit=1000)
    assert sum(reads) <= 1001


# ---------------------------------------------------------------- damaged manifests


@pytest.mark.parametrize("damage, where", [
    ({"documents": ["mou"]}, "documents[0]"),
    ({"documents": [{"id": "mou", "names": "mou.md"}]}, "documents[0].names"),
    ({"documents": [{"id": "mou", "open_items": 3}]}, "documents[0].open_items"),
    ({"documents": [], "answers": ["a"]}, "answers"),
    ({"documents": [], "questionnaire": "mini"}, "questionnaire"),
    ({"documents": [], "date": 20270104}, "date"),
])
def test_damaged_manifest_gives_a_located_message(site, damage, where):
    _fake_version(site, 1, "# MOU\n\nold\n")
    v2 = _fake_version(site, 2, "# MOU\n\nnew\n")
    (v2 / "manifest.json").write_text(json.dumps(damage))
    result = invoke("diff", site)
    assert result.exit_code == 1
    assert f"v002/manifest.json: {where}: manifest is damaged" in result.stderr
    assert "internal problem" not in result.stderr


def test_manifest_that_is_a_link_outside_is_not_read(site, outside):
    _fake_version(site, 1, "# MOU\n\nold\n")
    v2 = _fake_version(site, 2, "# MOU\n\nnew\n")
    (outside / "manifest.json").write_text((v2 / "manifest.json").read_text())
    (v2 / "manifest.json").unlink()
    os.symlink(outside / "manifest.json", v2 / "manifest.json")
    result = invoke("diff", site)
    assert result.exit_code == 1 and "manifest is a link" in result.stderr


def test_lint_does_not_wait_on_a_template_that_is_a_fifo(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    os.mkfifo(templates / "stuck.md.j2")
    result = _run("lint", "--templates", templates, timeout=60)
    assert result.returncode == 3
    assert "stuck.md.j2: template is a named pipe (FIFO), not a regular file" in result.stdout
