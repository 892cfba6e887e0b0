"""Crash safety: SIGKILL at many points of an `interview`, an `answer` and a `build`.

After every kill the site still opens, every answer completed before the kill is intact, and no file
a reader expects whole is half written: answers.yaml parses, drafts/ holds only complete vNNN folders
(whose manifest.json parses and lists files that exist with matching hashes) and perhaps the hidden
`.vNNN.tmp-*` folder of the killed build, which the next build removes.

Kill points are spread over each command's run (a command spends most of its time importing, so
extra points sit near the end, where it writes), plus one exactly inside each atomic write: a wrapper
pauses the process just before its final rename and the test kills it there.
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES
from keys import keys_for

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.slow

PY = sys.executable
ENV = {**os.environ, "NO_COLOR": "1", "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
EXE = str(Path(sys.executable).with_name("lead-readiness"))
KILLS: list[str] = []  # every kill point, for the count

# Runs the CLI with one function made to pause forever just before it renames its finished work into
# place, announcing the pause on stderr, so a test can SIGKILL the process at exactly that moment.
PAUSE_BEFORE_RENAME = """
import os, sys, time
target, real = {target!r}, getattr(os, {function!r})
def paused(src, dst, *args, **kwargs):
    if os.path.basename(str(dst)) == target:
        sys.stderr.write("PAUSED-BEFORE-RENAME\\n"); sys.stderr.flush(); time.sleep(60)
    return real(src, dst, *args, **kwargs)
setattr(os, {function!r}, paused)
sys.argv[0] = "lead-readiness"
from readiness.cli import app
app(prog_name="lead-readiness")
"""


# ---------------------------------------------------------------- what must hold after every kill


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_drafts(site: Path) -> list[int]:
    """Only complete version folders (and temporaries); returns the version numbers."""
    drafts = site / "drafts"
    numbers = []
    if not drafts.exists():
        return numbers
    for entry in sorted(drafts.iterdir()):
        if entry.name.startswith(".v") and ".tmp-" in entry.name:
            continue  # a killed build's temporary folder: allowed, removed by the next build
        assert entry.is_dir() and entry.name.startswith("v"), f"unexpected {entry}"
        manifest = json.loads((entry / "manifest.json").read_text(encoding="utf-8"))
        listed = 0
        for item in manifest["documents"]:
            listed_files = [(name, item["files"][fmt]) for fmt, name in item["names"].items()]
            listed_files += [(a["name"], a["sha256"]) for a in item.get("attachments", [])]
            for name, digest in listed_files:
                path = entry / name
                assert path.is_file(), f"{path} is listed in the manifest but missing"
                assert sha256(path) == digest, f"{path} does not match its manifest hash"
                listed += 1
        assert listed > 0
        numbers.append(int(entry.name[1:]))
    return numbers


def check_site(site: Path, must_have: dict) -> dict:
    """The site opens; every answer in `must_have` (id -> value) is there unchanged. Returns id -> value."""
    from readiness.workspace.store import open_site

    opened = open_site(site)
    got = {qid: a.value for qid, a in opened.answers.items()}
    for qid, value in must_have.items():
        assert qid in got and got[qid] == value, (qid, value, got.get(qid))
    yaml.safe_load((site / "answers.yaml").read_text(encoding="utf-8"))  # whole, parseable YAML
    check_drafts(site)
    return got


def killed_after(argv: list[str], delay: float, cwd: Path | None = None) -> int | None:
    """Start a command, SIGKILL it after `delay` seconds (if still running); its exit code if it finished."""
    proc = subprocess.Popen(argv, env=ENV, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return None


def killed_at_pause(argv: list[str], target: str, function: str) -> None:
    code = PAUSE_BEFORE_RENAME.format(target=target, function=function)
    proc = subprocess.Popen([PY, "-c", code, *argv], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        for line in proc.stderr:
            if "PAUSED-BEFORE-RENAME" in line:
                break
        else:
            pytest.fail(f"the command never reached its rename: exit {proc.wait()}")
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
        proc.stderr.close()


def timed(argv: list[str], runs: int = 2) -> float:
    """The command's shortest run time, so that kills planned before its end do land before it."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=ENV, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def kill_delays(duration: float, spread: int, near_end: int) -> list[float]:
    """`spread` points over the first four fifths of the run and `near_end` in its last fifth, where the
    writing happens (a process that finishes first is not counted as killed)."""
    over = [duration * 0.8 * (i + 0.5) / spread for i in range(spread)]
    end = [duration * (0.8 + 0.2 * i / max(near_end - 1, 1)) for i in range(near_end)]
    return over + end


@pytest.fixture
def harbor(tmp_path) -> Path:
    import shutil

    site = tmp_path / "harbor"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    return site


# ---------------------------------------------------------------- answer


def test_sigkill_during_answer(harbor):
    original = check_site(harbor, {})
    cli = [PY, "-m", "readiness", "answer", str(harbor)]
    duration = timed(cli + ["county_name", "Warm-up County"])
    kept = check_site(harbor, {"county_name": "Warm-up County"})
    before = len(KILLS)
    # On a busy machine a later run can be much quicker than the timed ones, so kills planned near
    # its end find it finished; then more kills are planned early in the run, until six have landed.
    spare = [duration * 0.6 * (k + 0.5) / 12 for k in range(12)]
    delays = kill_delays(duration, spread=6, near_end=5)
    n = 0
    while delays:
        delay = delays.pop(0)
        n += 1
        value = f"Kill Point County {n}"
        finished = killed_after(cli + ["county_name", value], delay)
        if finished is None:
            KILLS.append(f"answer +{delay * 1000:.0f} ms")
        got = check_site(harbor, {k: v for k, v in kept.items() if k != "county_name"})
        assert got["county_name"] in (kept["county_name"], value), got["county_name"]  # old or new, never half
        if finished == 0:
            assert got["county_name"] == value
        kept = got
        if not delays and len(KILLS) - before < 6 and spare:
            delays = [spare.pop(0)]
    assert set(kept) == set(original)  # no answer lost along the way
    assert len(KILLS) - before >= 6


def test_sigkill_inside_the_atomic_write_of_answers(harbor):
    before = (harbor / "answers.yaml").read_bytes()
    killed_at_pause(["answer", str(harbor), "county_name", "Paused County"], "answers.yaml", "replace")
    KILLS.append("answer: between the fsynced temporary file and its rename")
    assert (harbor / "answers.yaml").read_bytes() == before  # the old file, whole
    check_site(harbor, {"county_name": "Harbor County"})
    leftovers = [p.name for p in harbor.iterdir() if p.name.startswith(".answers.yaml.") and p.name.endswith(".tmp")]
    assert len(leftovers) == 1  # the finished temporary file, which readers never look at
    # The next answer works normally.
    assert subprocess.run([PY, "-m", "readiness", "answer", str(harbor), "county_name", "After County"],
                          env=ENV, capture_output=True).returncode == 0
    check_site(harbor, {"county_name": "After County"})


# ---------------------------------------------------------------- build


def test_sigkill_during_build(harbor):
    cli = [PY, "-m", "readiness", "build", str(harbor)]
    # v001 and v002, whole; the shorter (warm: charts and templates cached) sets the kill points, so
    # they land while a build is still running.
    duration = timed(cli, runs=2)
    assert check_drafts(harbor) == [1, 2]
    before = len(KILLS)
    answers = check_site(harbor, {})
    delays = kill_delays(duration, spread=6, near_end=4)
    extra = [duration * f for f in (0.15, 0.3, 0.45, 0.6, 0.25, 0.5)]  # if a busy machine let some finish
    while delays:
        delay = delays.pop(0)
        if killed_after(cli, delay) is None:
            KILLS.append(f"build +{delay * 1000:.0f} ms")
        elif len(KILLS) - before < 6 and extra:
            delays.append(extra.pop(0))
        check_site(harbor, answers)
    assert len(KILLS) - before >= 6
    versions = check_drafts(harbor)
    assert versions == list(range(1, len(versions) + 1))  # complete folders, numbered without gaps
    result = subprocess.run(cli, env=ENV, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert check_drafts(harbor) == list(range(1, len(versions) + 2))
    assert not [p for p in (harbor / "drafts").iterdir() if ".tmp-" in p.name]  # leftovers cleaned


def test_sigkill_inside_the_publishing_rename_of_a_build(harbor):
    cli = [PY, "-m", "readiness", "build", str(harbor)]
    subprocess.run(cli, env=ENV, capture_output=True, check=True)
    killed_at_pause(["build", str(harbor)], "v002", "rename")
    KILLS.append("build: between the finished temporary folder and its rename to v002")
    assert check_drafts(harbor) == [1]
    assert [p.name[:9] for p in (harbor / "drafts").iterdir() if ".tmp-" in p.name] == [".v002.tmp"]
    subprocess.run(cli, env=ENV, capture_output=True, check=True)
    assert check_drafts(harbor) == [1, 2]
    assert not [p for p in (harbor / "drafts").iterdir() if ".tmp-" in p.name]


# ---------------------------------------------------------------- interview


def test_sigkill_during_interviews(tmp_path):
    """Six sittings, each killed just after an Enter (0 to 80 ms later), and a seventh killed two seconds
    after it, when even a busy machine has saved the answer: each resumes where the last died."""
    from readiness.workspace.store import open_site

    site = tmp_path / "site"
    assert subprocess.run([EXE, "new", str(site), "--name", "Kill County", "--state", "NC"], env=ENV,
                          capture_output=True).returncode == 0
    q = open_site(site).questionnaire
    filled = [x.id for x in q.questions if x.from_site]  # filled in from `new` as the first sitting opens
    questions = [x for x in q.questions if x.scope == "site" and not x.when and not x.from_site][:20]
    kept: dict = {}
    for sitting, delay in enumerate((0.0, 0.005, 0.015, 0.03, 0.05, 0.08, 2.0)):
        done = len(kept) - len(filled) if kept else 0  # answers typed in earlier sittings
        child = pexpect.spawn(EXE, ["interview", str(site)], env=ENV, dimensions=(40, 120), timeout=20,
                              encoding="utf-8")
        if done:
            child.expect_exact(f"Resuming at question {len(filled) + done + 1} of")
        for question in questions[done:done + 2]:  # two answers each sitting: one surely saved...
            child.expect_exact(question.text[:50])
            child.send(keys_for(question))
        time.sleep(delay)  # ...the second perhaps being saved right now
        os.kill(child.pid, signal.SIGKILL)
        child.expect(pexpect.EOF)
        child.close()
        KILLS.append(f"interview sitting {sitting + 1}: {delay * 1000:.0f} ms after Enter")
        got = check_site(site, kept)
        ids = filled + [x.id for x in questions]
        at = len(filled) + done
        assert set(got) in ({*ids[:at + 1]}, {*ids[:at + 2]}), (sorted(got), done)
        kept = got
        if delay >= 1:  # the last sitting's second answer had time to be saved
            assert len(got) == at + 2, (sorted(got), done)
    assert len(kept) >= 8


def test_enough_kill_points():
    """Runs last in this module (pytest keeps file order): counts the kill points above."""
    print(f"\nSIGKILL points: {len(KILLS)}\n  " + "\n  ".join(KILLS))
    if not any(k.startswith("interview") for k in KILLS):
        pytest.skip("run the whole module to count the kill points")
    assert len(KILLS) >= 20
