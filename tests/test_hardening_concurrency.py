"""Two processes writing one site at once never corrupt it or lose each other's work.

Each worker process runs its `answer` commands back to back in one interpreter (the CLI called 30
times), so the writes come every few milliseconds and really do overlap with the other worker's.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, invoke
from test_hardening_crash import check_drafts

pytestmark = pytest.mark.slow

ENV = {**os.environ, "NO_COLOR": "1"}

WORKER = """
import json, sys
from readiness.cli import app
site, jobs = sys.argv[1], json.loads(sys.argv[2])
failed = []
for job in jobs:
    try:
        if app(["answer", site, *job], prog_name="lead-readiness", standalone_mode=False):
            failed.append(job)  # an `Error:` exit code, returned rather than raised here
    except SystemExit as exc:
        if exc.code:
            failed.append(job)
    except Exception as exc:
        failed.append([*job, repr(exc)])
print(json.dumps(failed))
"""


def _cli_value(question, value) -> str | None:
    if question.type == "yes_no":
        return "yes" if value else "no"
    if question.type in ("choice", "text", "date"):
        return str(value)
    if question.type == "number":
        return str(value)
    return None


def _jobs(count: int) -> dict[str, tuple[str, str]]:
    """`count` site questions of the real questionnaire with Harbor County's answers, as CLI values."""
    from readiness.workspace.store import open_site

    harbor = open_site(EXAMPLES / "harbor-county")
    out = {}
    for qid, answer in harbor.answers.items():
        question = harbor.questionnaire.by_id[qid]
        text = _cli_value(question, answer.value) if answer.status == "answered" else None
        if text is not None:
            out[qid] = (qid, text)
        if len(out) == count:
            break
    assert len(out) == count
    return out


def _start(site: Path, jobs: list) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WORKER, str(site), json.dumps(jobs)], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen) -> None:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1]) == [], err


def test_two_processes_answering_sixty_questions_at_once(tmp_path):
    from readiness.workspace.store import open_site

    site = tmp_path / "site"
    assert invoke("new", site, "--name", "Race County", "--state", "NC").exit_code == 0
    jobs = _jobs(60)
    items = list(jobs.values())
    first, second = _start(site, items[0::2]), _start(site, items[1::2])
    _finish(first)
    _finish(second)
    opened = open_site(site)
    harbor = open_site(EXAMPLES / "harbor-county")
    assert set(opened.answers) == set(jobs), set(jobs) - set(opened.answers)
    for qid in jobs:
        assert opened.answers[qid].value == harbor.answers[qid].value, qid


def test_two_processes_answering_for_the_same_respondent_at_once(tmp_path):
    from readiness.workspace.store import open_site

    site = tmp_path / "site"
    assert invoke("new", site, "--name", "Race County", "--state", "NC").exit_code == 0
    q = open_site(site).questionnaire
    scales = [x.id for x in q.questions if x.scope == "respondent" and x.type == "scale"]
    who = ["--respondent", "Chief Ana Ruiz", "--role", "Police Chief"]
    # Each process answers its own three questions ten times over: the last value of each must win.
    one = [[scales[n % 3], str(1 + n % 5), *who] for n in range(30)]
    two = [[scales[3 + n % 3], str(5 - n % 4), *who] for n in range(30)]
    first, second = _start(site, one), _start(site, two)
    _finish(first)
    _finish(second)
    chief = open_site(site).respondents["chief-ana-ruiz"]
    last = {qid: int(value) for qid, value, *_ in one + two}
    assert {qid: a.value for qid, a in chief.answers.items()} == last
    assert chief.role == "Police Chief"


def test_two_builds_at_once_and_answers_meanwhile(tmp_path):
    """Two `build` processes and an answering process on one site: distinct versions, both complete."""
    import shutil

    from readiness.workspace.store import open_site

    site = tmp_path / "harbor"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    cli = [sys.executable, "-m", "readiness", "build", str(site)]
    builds = [subprocess.Popen(cli, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(2)]
    answering = _start(site, [["caseload_cap", str(n)] for n in range(15, 30)])
    for proc in builds:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    _finish(answering)
    assert check_drafts(site) == [1, 2]
    manifests = [json.loads((site / "drafts" / f"v00{n}" / "manifest.json").read_text()) for n in (1, 2)]
    assert [m["version"] for m in manifests] == [1, 2]
    assert open_site(site).answers["caseload_cap"].value == 29
