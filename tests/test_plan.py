"""The implementation plan: standard tasks, gap tasks, the schedule, the launch date, and `plan`."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, ROOT, invoke, snapshot
from readiness.assessment import assess
from readiness.assessment.model import Assessment, GapItem
from readiness.errors import FileProblems, ReadinessError
from readiness.planning import plan_for_site
from readiness.planning.export import CSV_COLUMNS, to_csv, to_dict
from readiness.planning.schedule import build_plan
from readiness.planning.tasks import StandardTasks, load_standard_tasks
from readiness.workspace.store import open_site

START = dt.date(2027, 1, 4)  # a Monday
TASKS_FILE = ROOT / "templates" / "plans" / "standard-tasks.yaml"


# ---------------------------------------------------------------- helpers


def site_plan(folder: Path, start: dt.date = START):
    site = open_site(folder)
    a = assess(site.questionnaire, site.answers, site.respondents.values(), site=site.name, state=site.profile.state)
    return plan_for_site(site, a, start)


def set_answer(folder: Path, qid: str, value) -> None:
    path = folder / "answers.yaml"
    data = yaml.safe_load(path.read_text())
    data["answers"][qid] = {"value": value}
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def gap(question: str, phase: str, weeks: int, blocks: bool = False, severity: str = "high") -> GapItem:
    return GapItem(question, "d", severity, f"title {question}", f"Do {question}.", "Owner", phase, weeks, "gap",
                   blocks, 0.0)


def assessment(*gaps: GapItem) -> Assessment:
    return Assessment("Test County", "NC", "q", "1.0.0", 50.0, "Planning", False, 1.0, "high", (), (), tuple(gaps), ())


SMALL = {
    "phases": [{"id": "exploration", "title": "Exploration", "opens_after": []},
               {"id": "design", "title": "Design", "opens_after": ["a"]},
               {"id": "agreements", "title": "Agreements", "opens_after": ["a"]},
               {"id": "hiring_training", "title": "Hiring", "opens_after": ["b"]},
               {"id": "launch", "title": "Launch", "opens_after": ["b"]},
               {"id": "stabilize", "title": "Stabilize", "opens_after": ["go"]}],
    "launch_task": "go",
    "tasks": [
        {"id": "a", "title": "Task a", "phase": "exploration", "owner": "PM", "weeks": 2},
        {"id": "b", "title": "Task b", "phase": "agreements", "owner": "DA", "weeks": 3, "depends_on": ["a"],
         "covers": ["q_b"]},
        {"id": "go", "title": "Launch", "phase": "launch", "owner": "PCG", "weeks": 0, "depends_on": ["b"]},
        {"id": "after", "title": "After", "phase": "stabilize", "owner": "PCG", "weeks": 4, "depends_on": ["go"]},
    ],
}


def small() -> StandardTasks:
    return StandardTasks.model_validate(SMALL)


# ---------------------------------------------------------------- scheduling rules


def test_tasks_start_when_their_dependencies_end_and_dates_follow_the_start():
    plan = build_plan(assessment(), small(), START)
    a, b, go, after = (plan.task(i) for i in ("a", "b", "go", "after"))
    assert (a.start, a.end) == (START, START + dt.timedelta(weeks=2))
    assert b.start == a.end and b.end == b.start + dt.timedelta(weeks=3)
    assert plan.launch == go.start == b.end == START + dt.timedelta(weeks=5)
    assert after.start == plan.launch
    assert plan.launch_path == ("a", "b", "go")
    assert plan.weeks_to_launch == 5


def test_a_gap_on_a_covered_question_stands_in_for_the_standard_task():
    plan = build_plan(assessment(gap("q_b", "agreements", 8, blocks=True)), small(), START)
    ids = {t.id for t in plan.tasks}
    assert "b" not in ids and "gap:q_b" in ids
    stand_in = plan.task("gap:q_b")
    assert stand_in.depends_on == ("a",) and stand_in.stands_in_for == "b" and stand_in.gate
    assert plan.task("go").depends_on == ("gap:q_b",)
    assert plan.launch == START + dt.timedelta(weeks=2 + 8)


def test_a_free_gap_starts_when_its_phase_opens_and_only_gates_hold_up_launch():
    plan = build_plan(assessment(gap("x", "hiring_training", 20), gap("y", "hiring_training", 6, blocks=True)),
                      small(), START)
    x, y = plan.task("gap:x"), plan.task("gap:y")
    assert x.start == y.start == plan.task("b").end  # hiring opens after b
    assert not x.blocks_launch and y.blocks_launch and y.gate
    assert plan.launch == y.end  # the gate-blocking gap pushes launch; the 20-week gap does not
    assert x.end > plan.launch


def test_failed_gate_pushes_launch_out_and_resolving_it_brings_launch_back():
    slow = build_plan(assessment(gap("g", "agreements", 12, blocks=True)), small(), START)
    fast = build_plan(assessment(), small(), START)
    assert slow.launch > fast.launch
    assert "gap:g" in slow.launch_path


def test_a_launch_requirement_planned_after_launch_is_moved_before_it():
    plan = build_plan(assessment(gap("late", "stabilize", 3, blocks=True)), small(), START)
    late = plan.task("gap:late")
    assert late.phase == "launch" and late.end <= plan.launch


def test_stabilize_gaps_follow_launch():
    plan = build_plan(assessment(gap("s", "stabilize", 10)), small(), START)
    assert plan.task("gap:s").start == plan.launch


def test_done_tasks_are_left_out_and_listed():
    data = dict(SMALL, tasks=[dict(t) for t in SMALL["tasks"]])
    data["tasks"][0]["done_when"] = "ready"
    plan = build_plan(assessment(), StandardTasks.model_validate(data), START, values={"ready": True})
    assert "a" not in {t.id for t in plan.tasks} and plan.done == ("a",) and plan.done_titles == ("Task a",)
    assert plan.task("b").start == START  # a done task counts as ended on the start date


def test_phase_windows_cover_their_tasks():
    plan = build_plan(assessment(gap("x", "hiring_training", 20)), small(), START)
    hiring = next(p for p in plan.phases if p.id == "hiring_training")
    assert hiring.end == plan.task("gap:x").end and hiring.tasks == 1
    assert next(p for p in plan.phases if p.id == "design").start is None


def test_first_tasks_are_those_starting_within_the_window():
    plan = build_plan(assessment(gap("s", "stabilize", 10)), small(), START)
    assert [t.id for t in plan.first_tasks(days=14)] == ["a"]
    assert "gap:s" not in [t.id for t in plan.first_tasks(days=30)]


# ---------------------------------------------------------------- the example sites


def test_resolving_the_da_gate_in_cedar_falls_moves_launch_earlier(example_copy):
    folder = example_copy("cedar-falls-county")
    before = site_plan(folder)
    assert "gap:da_non_filing" in before.launch_path
    set_answer(folder, "da_non_filing", "written")
    after = site_plan(folder)
    assert "gap:da_non_filing" not in {t.id for t in after.tasks}
    assert after.launch < before.launch


def test_example_plans_put_every_gate_task_before_launch():
    for name in ("harbor-county", "pine-ridge-county", "cedar-falls-county", "willow-bend-county"):
        plan = site_plan(EXAMPLES / name)
        assert plan.gate_tasks, name
        for task in plan.gate_tasks:
            assert task.end <= plan.launch and task.blocks_launch, (name, task.id)
        assert plan.launch_path[-1] == "go_live"


def test_a_better_prepared_site_launches_sooner():
    harbor, pine = site_plan(EXAMPLES / "harbor-county"), site_plan(EXAMPLES / "pine-ridge-county")
    assert harbor.launch < pine.launch and len(harbor.tasks) < len(pine.tasks)


# ---------------------------------------------------------------- the standard tasks file


def write_tasks(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "standard-tasks.yaml"
    path.write_text(text)
    return path


def test_bundled_standard_tasks_load_and_name_real_questions():
    loaded = load_standard_tasks(TASKS_FILE)
    assert [p.id for p in loaded.spec.phases][0] == "exploration" and loaded.spec.launch_task == "go_live"


def test_unknown_key_in_standard_tasks_is_located(tmp_path):
    text = yaml.safe_dump(SMALL, sort_keys=False).replace("owner: DA", "owner: DA\n  wekks: 3")
    with pytest.raises(FileProblems) as exc:
        load_standard_tasks(write_tasks(tmp_path, text))
    assert "standard-tasks.yaml:" in str(exc.value) and "unknown key 'wekks'" in str(exc.value)
    assert "did you mean 'weeks'" in str(exc.value)


def test_unknown_dependency_and_cycle_are_located(tmp_path):
    bad = yaml.safe_dump(SMALL, sort_keys=False).replace("- a\n  covers", "- aa\n  covers")
    with pytest.raises(FileProblems, match=r"standard-tasks.yaml:\d+: .*depends on unknown task 'aa'"):
        load_standard_tasks(write_tasks(tmp_path, bad))
    data = dict(SMALL, tasks=[dict(t) for t in SMALL["tasks"]])
    data["tasks"][0]["depends_on"] = ["b"]
    with pytest.raises(FileProblems, match="in a circle: a -> b -> a"):
        load_standard_tasks(write_tasks(tmp_path, yaml.safe_dump(data, sort_keys=False)))


def test_covers_must_name_questions_of_the_site(example_copy, tmp_path):
    folder = example_copy("harbor-county")
    templates = tmp_path / "consultant"
    (templates / "plans").mkdir(parents=True)
    text = TASKS_FILE.read_text().replace("covers: [point_people_named]", "covers: [point_people_nmed]")
    (templates / "plans" / "standard-tasks.yaml").write_text(text)
    result = invoke("plan", folder, "--templates", templates)
    assert result.exit_code == 1
    assert "standard-tasks.yaml:" in result.stderr and "covers unknown question 'point_people_nmed'" in result.stderr
    assert "did you mean 'point_people_named'" in result.stderr and "Traceback" not in result.stderr


# ---------------------------------------------------------------- the command


def test_plan_csv_has_a_header_row_and_one_row_per_task():
    result = invoke("plan", EXAMPLES / "pine-ridge-county", "--start", "2027-01-04", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == CSV_COLUMNS
    body = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert len(body) == len(site_plan(EXAMPLES / "pine-ridge-county").tasks)
    launch = next(r for r in body if r["task_id"] == "go_live")
    assert launch["blocks_launch"] == "yes" and launch["weeks"] == "0"
    assert all(dt.date.fromisoformat(r["start"]) >= START for r in body)
    assert any(r["source_gap"] == "dsa_signed" for r in body)


def test_plan_json_is_stable():
    result = invoke("plan", EXAMPLES / "harbor-county", "--start", "2027-01-04", "--format", "json")
    data = json.loads(result.stdout)
    assert set(data) == {"site", "start", "launch", "weeks_to_launch", "target_launch", "target_shortfall_weeks",
                         "phases", "launch_path", "tasks", "done"}
    assert data["start"] == "2027-01-04" and data["launch_path"][-1] == "go_live"
    assert data == to_dict(site_plan(EXAMPLES / "harbor-county"))


def test_plan_markdown_and_table_formats():
    md = invoke("plan", EXAMPLES / "cedar-falls-county", "--start", "2027-01-04", "--format", "markdown")
    assert md.exit_code == 0 and md.stdout.startswith("# Implementation plan: Cedar Falls County")
    assert "## Path to launch" in md.stdout and "| Task | Phase |" in md.stdout
    table = invoke("plan", EXAMPLES / "cedar-falls-county", "--start", "2027-01-04")
    assert table.exit_code == 0 and "Path to launch" in table.stdout


def test_start_defaults_to_today():
    data = json.loads(invoke("plan", EXAMPLES / "harbor-county", "--format", "json").stdout)
    assert data["start"] == dt.date.today().isoformat()


@pytest.mark.parametrize("args, message", [
    (["--start", "2027-13-01"], "Error: --start '2027-13-01' is not a date"),
    (["--start", "next week"], "Error: --start 'next week' is not a date"),
])
def test_bad_start_is_an_error_without_traceback(args, message):
    result = invoke("plan", EXAMPLES / "harbor-county", *args)
    assert result.exit_code == 1 and result.stderr.startswith(message) and "Traceback" not in result.stderr


def test_plan_of_a_broken_site_names_file_and_line_and_changes_nothing(example_copy):
    folder = example_copy("harbor-county")
    (folder / "answers.yaml").write_text("answers:\n  da_non_filing: maybe\n")
    before = snapshot(folder)
    result = invoke("plan", folder)
    assert result.exit_code == 1
    assert "answers.yaml:2: answer to 'da_non_filing'" in result.stderr
    assert snapshot(folder) == before


def test_plan_of_a_missing_site():
    result = invoke("plan", "/nonexistent/site")
    assert result.exit_code == 1 and result.stderr.startswith("Error: site folder not found")


def test_csv_escapes_commas_and_quotes():
    plan = build_plan(assessment(), StandardTasks.model_validate(
        dict(SMALL, tasks=[dict(SMALL["tasks"][0], title='Meet "partners", then report')] + SMALL["tasks"][1:])), START)
    row = next(r for r in csv.DictReader(io.StringIO(to_csv(plan))) if r["task_id"] == "a")
    assert row["task"] == 'Meet "partners", then report'


def test_a_cycle_through_phase_openings_is_a_clear_error():
    data = dict(SMALL, phases=[dict(p) for p in SMALL["phases"]])
    data["phases"][4]["opens_after"] = ["go"]  # launch's gap tasks would wait for launch itself
    with pytest.raises(ReadinessError, match="in a circle"):
        build_plan(assessment(gap("x", "launch", 2, blocks=True)), StandardTasks.model_validate(data), START)


def test_examples_folder_is_not_touched_by_plan():
    before = snapshot(EXAMPLES)
    invoke("plan", EXAMPLES / "pine-ridge-county", "--format", "json")
    assert snapshot(EXAMPLES) == before



def test_bundled_tasks_work_with_a_questionnaire_that_lacks_their_questions(mini_site):
    result = invoke("plan", mini_site, "--start", "2027-01-04", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    ids = {t["id"] for t in data["tasks"]}
    assert {"convene_partners", "form_pcg", "sign_mou", "go_live"} <= ids  # nothing can be shown done
