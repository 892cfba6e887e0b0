"""Officer training is done agency by agency (standard task `train_officers`, `done_for_each`): one agency
trained and another not is not done, and the plan names the agency still to train (issue 10)."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, ROOT
from readiness.assessment import assess
from readiness.errors import FileProblems
from readiness.planning import plan_for_site
from readiness.planning.tasks import check_questions, load_standard_tasks
from readiness.workspace.store import open_site

START = dt.date(2027, 1, 4)
SHERIFF = "Willow Bend County Sheriff's Office"


def _site(tmp_path: Path, pct: int, trained: dict[str, int | None]) -> Path:
    site = tmp_path / "site"
    shutil.copytree(EXAMPLES / "willow-bend-county", site)
    path = site / "answers.yaml"
    data = yaml.safe_load(path.read_text())
    data["answers"]["officers_trained_pct"] = {"value": pct}
    for agency in data["answers"]["police_agencies"]["value"]:
        agency.pop("officers_trained", None)
        if trained.get(agency["name"]) is not None:
            agency["officers_trained"] = trained[agency["name"]]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return site


def _plan(site: Path):
    opened = open_site(site)
    a = assess(opened.questionnaire, opened.answers, opened.respondents.values(), site=opened.name,
               state=opened.profile.state)
    return plan_for_site(opened, a, START)


def test_one_agency_trained_and_the_other_not_is_not_done_and_the_plan_names_the_other(tmp_path):
    # 90% of pilot-area officers answered as trained: by that answer alone training would be done
    plan = _plan(_site(tmp_path, 90, {"Willow Bend Police Department": 12, SHERIFF: None}))
    assert "train_officers" not in plan.done
    task = plan.task("train_officers")
    assert task.title.endswith(f"(still to do for {SHERIFF})"), task.title
    assert "Willow Bend Police Department" not in task.title
    plan = _plan(_site(tmp_path / "zero", 90, {"Willow Bend Police Department": 12, SHERIFF: 0}))
    assert "train_officers" not in plan.done and SHERIFF in plan.task("train_officers").title


def test_every_agency_trained_is_done(tmp_path):
    plan = _plan(_site(tmp_path, 90, {"Willow Bend Police Department": 12, SHERIFF: 8}))
    assert "train_officers" in plan.done
    assert "train_officers" not in {t.id for t in plan.tasks}


def test_with_no_agency_count_the_share_trained_decides_as_before(tmp_path):
    assert "train_officers" in _plan(_site(tmp_path, 90, {})).done
    plan = _plan(_site(tmp_path / "low", 45, {"Willow Bend Police Department": 12}))
    # a low share: the gap's task stands in for the training task, and still names the sheriff's office
    standing = [t for t in plan.tasks if t.stands_in_for == "train_officers"]
    assert standing and all(SHERIFF in t.title for t in standing), [t.title for t in standing]


def test_a_done_for_each_naming_an_unknown_question_is_reported_with_its_line(tmp_path):
    text = (ROOT / "templates" / "plans" / "standard-tasks.yaml").read_text()
    bad = tmp_path / "standard-tasks.yaml"
    bad.write_text(text.replace("done_for_each: {question: police_agencies", "done_for_each: {question: police_agency"))
    loaded = load_standard_tasks(bad)
    site = open_site(EXAMPLES / "willow-bend-county")
    with pytest.raises(FileProblems) as exc:
        check_questions(loaded, site.questionnaire.by_id)
    assert "done_for_each names unknown question 'police_agency'" in str(exc.value)
    assert "police_agencies" in str(exc.value) and f"{bad}:" in str(exc.value)  # did you mean, file and line
