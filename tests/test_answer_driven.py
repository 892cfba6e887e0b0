"""Issue 10: gaps, actions and the plan follow the answer actually given; provisional stages; what
people said reaches the readiness report."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, ROOT, invoke
from readiness.assessment import assess
from readiness.errors import FileProblems
from readiness.planning import plan_for_site
from readiness.jurisdiction import wording
from readiness.questionnaire.loader import load_questionnaire
from readiness.questionnaire.wording import localize
from readiness.workspace.models import Answer
from readiness.workspace.store import open_site

BUNDLED = ROOT / "questionnaires" / "lead-site-readiness.yaml"
# As a North Carolina site reads it: `{prosecutor}` and the other titles filled in from NC's profile.
Q = localize(load_questionnaire(BUNDLED), wording("NC"))
START = dt.date(2027, 1, 4)


def score_json(folder: Path) -> dict:
    result = invoke("score", folder, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# Pine Ridge's answers switch on every conditional question (no syringe program in the county, ...)
BASE = {k: Answer(**v) for k, v in yaml.safe_load(
    (EXAMPLES / "pine-ridge-county" / "answers.yaml").read_text())["answers"].items()}


def gap_for(answers: dict, qid: str):
    given = dict(BASE, **{k: Answer(value=v) for k, v in answers.items()})
    a = assess(Q, given, site="Test County", state="NC")
    return next((g for g in a.gaps if g.question == qid), None), a


# ---------------------------------------------------------------- every example


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if (p / "site.yaml").exists()))
def test_no_passed_gate_has_a_critical_gap_and_titles_are_not_questions(example):
    data = score_json(EXAMPLES / example)
    passed = {g["id"] for g in data["gates"] if g["status"] == "passed"}
    texts = {q.id: q.text.rstrip("?") for q in Q.questions}
    for g in data["gaps"]:
        assert not (g["question"] in passed and g["severity"] == "critical"), g
        if g["kind"] == "gap":
            assert g["title"] != texts[g["question"]], g  # a short statement, not the question
            assert len(g["title"]) <= 80, g
        else:  # a verify item says what to find out once, in its title
            assert g["title"].startswith("Verify: ")
            assert texts[g["question"]] not in g["action"]


def test_the_contracted_provider_is_never_asked_to_select_a_provider():
    contracted = [p for p in EXAMPLES.iterdir() if (p / "answers.yaml").exists()
                  and yaml.safe_load((p / "answers.yaml").read_text())["answers"].get("cm_contracted", {}).get(
                      "value") in ("hiring", "staffed")]
    assert {p.name for p in contracted} >= {"cedar-falls-county"}
    for folder in contracted:
        data = score_json(folder)
        gate = next(g for g in data["gates"] if g["id"] == "cm_contracted")
        assert gate["status"] == "passed"
        for g in data["gaps"]:
            assert "select a case management provider" not in (g["action"] + g["title"]).lower(), g
        cm = [g for g in data["gaps"] if g["question"] == "cm_contracted"]
        if cm:  # Cedar Falls: the contract is signed, hiring is under way
            assert cm[0]["title"] == "Case managers not yet in post" and cm[0]["severity"] == "high"
            assert "signed provider contract" in cm[0]["action"]


# ---------------------------------------------------------------- per-answer actions


BY_ANSWER = [(q.id, key) for q in Q.questions if q.gap for key in q.gap.by_answer]


def test_every_choice_question_with_a_gate_or_several_failing_answers_has_by_answer():
    for q in Q.questions:
        if not q.gap or q.type != "choice":
            continue
        failing = [c for c in q.choices if c.score < q.gap.below - 1e-9]
        if q.gate or len(failing) > 1:
            assert q.gap.by_answer, q.id
        assert q.gap.title, q.id


@pytest.mark.parametrize("qid,key", BY_ANSWER)
def test_each_per_answer_mapping_is_what_the_assessment_says(qid, key):
    question = Q.question(qid)
    override = question.gap.by_answer[key]
    value = (key == "yes") if question.type == "yes_no" else key
    gap, a = gap_for({qid: value}, qid)
    assert gap is not None and gap.kind == "gap"
    assert gap.title == (override.title or question.gap.title)
    assert gap.action == (override.action or question.gap.action)
    assert gap.weeks == (override.weeks or question.gap.weeks)
    expected = override.severity or question.gap.severity
    gate = next((g for g in a.gates if g.id == qid), None)
    if gate is not None and gate.status == "passed" and expected == "critical":
        expected = "high"
    assert gap.severity == expected
    if gate is not None and gate.status == "passed":
        assert gap.severity != "critical" and not gap.blocks_launch


@pytest.mark.parametrize("qid,value,must,must_not", [
    ("da_non_filing", "verbal", "Turn the DA's verbal support into a written commitment", "Meet the elected DA"),
    ("da_non_filing", "no", "hear the office's concerns", "verbal support"),
    ("low_barrier_practice", "practice_only", "Write the provider's existing low-barrier", "remove abstinence"),
    ("low_barrier_practice", "conditions", "remove abstinence requirements", "existing low-barrier"),
    ("cm_contracted", "hiring", "Complete hiring under the signed provider contract", "Select a case management"),
    ("cm_contracted", "negotiating", "Finish negotiating", "Select a case management"),
    ("cm_contracted", "none", "Select a case management provider", "Finish negotiating"),
    ("le_mou_general_order", "order_only", "general order already in force", "Finalise the general order"),
    ("le_mou_general_order", "mou_only", "conform to the signed MOU", "signature on the MOU"),
    ("lme_mco_support", "informal", "Turn the LME/MCO's support into a written commitment", "Meet the LME/MCO"),
    ("eligibility_approved", "one_party", "party that has not yet approved", "Write the eligibility"),
])
def test_the_action_depends_on_the_answer(qid, value, must, must_not):
    gap, _ = gap_for({qid: value}, qid)
    assert must in gap.action and must_not not in gap.action


def test_a_met_requirement_without_by_answer_severity_is_still_not_critical():
    gap, a = gap_for({"caseload_cap": 22}, "caseload_cap")
    assert next(g for g in a.gates if g.id == "caseload_cap").status == "passed"
    assert gap.severity != "critical" and gap.title == "Caseload cap above 20 per case manager"


def test_verify_item_names_the_question_once():
    a = assess(Q, dict(BASE, dsa_signed=Answer(status="unknown")), site="T", state="NC")
    gap = next(g for g in a.gaps if g.question == "dsa_signed")
    assert gap.kind == "verify" and gap.title.startswith("Verify: Is a data-sharing agreement signed")
    assert gap.action == "Find out and record the answer."


def _questionnaire_with_gap(tmp_path: Path, gap: str) -> Path:
    path = tmp_path / "q.yaml"
    path.write_text(f"""id: t
version: 1.0.0
title: T
domains:
  - {{id: d, title: D}}
questions:
  - id: c
    domain: d
    text: Is it done?
    type: choice
    choices:
      - {{value: full, label: Full, score: 1}}
      - {{value: part, label: Part, score: 0.8}}
      - {{value: none, label: None, score: 0}}
    gate: {{title: Done, pass_at: 0.8}}
    gap:
{gap}
""")
    return path


def test_by_answer_with_an_unknown_answer_is_refused_with_its_line(tmp_path):
    path = _questionnaire_with_gap(tmp_path, """      severity: high
      action: Do the whole thing now.
      owner: PM
      by_answer:
        partial: {title: Half done}""")
    with pytest.raises(FileProblems) as err:
        load_questionnaire(path)
    text = str(err.value)
    assert "partial" in text and "full, part, none" in text and "q.yaml" in text


def test_by_answer_cannot_make_a_met_requirement_critical(tmp_path):
    path = _questionnaire_with_gap(tmp_path, """      severity: high
      action: Do the whole thing now.
      owner: PM
      by_answer:
        part: {severity: critical, action: Finish the remaining part.}""")
    with pytest.raises(FileProblems) as err:
        load_questionnaire(path)
    assert "cannot be critical" in str(err.value)


def test_by_answer_rejects_unknown_keys_and_the_schema_documents_it(tmp_path):
    path = _questionnaire_with_gap(tmp_path, """      severity: high
      action: Do the whole thing now.
      owner: PM
      by_answer:
        part: {titel: Half done}""")
    with pytest.raises(FileProblems) as err:
        load_questionnaire(path)
    assert "titel" in str(err.value)
    result = invoke("schema", "questionnaire")
    schema = json.loads(result.stdout)
    defs = schema["$defs"]
    assert "by_answer" in defs["Gap"]["properties"] and "title" in defs["Gap"]["properties"]
    assert set(defs["GapAnswer"]["properties"]) == {"title", "action", "severity", "owner", "phase", "weeks"}
    assert defs["GapAnswer"].get("additionalProperties") is False


# ---------------------------------------------------------------- the plan


def set_answers(folder: Path, **values) -> None:
    path = folder / "answers.yaml"
    data = yaml.safe_load(path.read_text())
    for qid, value in values.items():
        data["answers"][qid] = {"value": value}
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def site_plan(folder: Path):
    site = open_site(folder)
    a = assess(site.questionnaire, site.answers, site.respondents.values(), site=site.name, state=site.profile.state)
    return a, plan_for_site(site, a, START)


def test_trained_officers_and_an_order_in_force_are_done_and_do_not_set_launch(example_copy):
    folder = example_copy("cedar-falls-county")
    _, before = site_plan(folder)
    assert "train_officers" not in before.done  # 45% trained: training is still to do
    assert "gap:officers_trained_pct" in before.launch_path

    set_answers(folder, officers_trained_pct=90, le_mou_general_order="both")
    a, plan = site_plan(folder)
    assert next(g for g in a.gates if g.id == "le_mou_general_order").status == "passed"
    assert {"train_officers", "sign_mou"} <= set(plan.done)
    ids = {t.id for t in plan.tasks}
    assert not ids & {"train_officers", "sign_mou", "gap:officers_trained_pct", "gap:le_mou_general_order"}
    assert not set(plan.launch_path) & {"train_officers", "sign_mou"}
    assert plan.launch <= before.launch
    titles = " ".join(t.title for t in plan.tasks).lower()
    assert "train officers and supervisors" not in titles and "sign the mou" not in titles


def test_an_order_already_in_force_is_checked_for_conformity_not_redrafted(example_copy):
    folder = example_copy("cedar-falls-county")  # general order approved, MOU not signed
    _, plan = site_plan(folder)
    task = plan.task("gap:le_mou_general_order")
    assert task.stands_in_for == "sign_mou"
    assert "general order already in force" in task.title and "amend" in task.title
    assert "Finalise the general order" not in task.title and task.weeks == 4


def test_signed_agreements_and_a_contracted_provider_are_done(example_copy):
    folder = example_copy("pine-ridge-county")
    set_answers(folder, roi_approved=True, dsa_signed=True, cm_contracted="staffed", case_manager_fte=2)
    _, plan = site_plan(folder)
    assert {"consent_and_data", "case_management_contract"} <= set(plan.done)
    assert not {t.id for t in plan.tasks} & {"gap:roi_approved", "gap:dsa_signed", "gap:cm_contracted"}


# ---------------------------------------------------------------- provisional stages


@pytest.fixture
def half_answered(example_copy) -> Path:
    """Harbor County with only some of its answers: a well-prepared county half-way through."""
    folder = example_copy("harbor-county")
    path = folder / "answers.yaml"
    data = yaml.safe_load(path.read_text())
    keep = list(data["answers"])[: len(data["answers"]) // 2]
    data["answers"] = {k: data["answers"][k] for k in keep}
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return folder


def test_low_completeness_makes_the_stage_provisional_everywhere(half_answered):
    data = score_json(half_answered)
    overall = data["overall"]
    assert overall["completeness"] < 0.7 and overall["confidence"] == "low"
    assert overall["provisional"] is True
    assert overall["stage_label"] == (f"{overall['stage']} (provisional: {overall['completeness']:.0%} "
                                      "of applicable questions answered)")
    assert overall["score_answered_only"] > overall["score"] + 20
    assert set(overall) >= {"score", "stage", "launch_ready", "completeness", "confidence"}

    md = invoke("score", half_answered, "--format", "markdown").stdout
    assert f"**Stage:** {overall['stage_label']}" in md
    assert f"**Score on answered questions only:** {overall['score_answered_only']:.0f} / 100" in md

    table = invoke("--plain", "score", half_answered).stdout
    assert "(provisional:" in " ".join(table.split())
    assert f"{overall['score_answered_only']:.1f}/100" in table


def test_a_complete_site_is_not_provisional():
    data = score_json(EXAMPLES / "harbor-county")
    assert data["overall"]["provisional"] is False
    assert data["overall"]["stage_label"] == data["overall"]["stage"]
    assert data["overall"]["score_answered_only"] >= data["overall"]["score"]


def test_the_readme_describes_provisional_stages_and_the_new_keys():
    readme = (ROOT / "README.md").read_text()
    assert '"provisional": false' in readme and '"score_answered_only"' in readme
    assert "(provisional: 49% of applicable questions answered)" in readme
    assert "by_answer:" in readme


def build_report(folder: Path) -> str:
    result = invoke("build", folder, "--only", "readiness_report")
    assert result.exit_code == 0, result.output
    newest = sorted((folder / "drafts").iterdir())[-1]
    return (newest / "readiness-report.md").read_text()


def test_the_report_shows_both_scores_when_provisional(half_answered):
    data = score_json(half_answered)["overall"]
    text = build_report(half_answered)
    section = text.split("## 2. Overall readiness", 1)[1].split("### 2.1", 1)[0]
    assert "The stage is provisional" in section
    assert f"On the questions answered so far the county scores {data['score_answered_only']:.0f}" in section
    assert f"**Overall score:** {data['score']:.0f} / 100" in section


# ---------------------------------------------------------------- what we heard


def test_notes_evidence_and_interviewees_reach_the_report_attributed_and_dated(example_copy):
    folder = example_copy("harbor-county")
    path = folder / "answers.yaml"
    data = yaml.safe_load(path.read_text())
    data["answers"]["dsa_signed"].update(note="Counsel for *the* DA wants a [retention] clause.",
                                         by="Jordan_Ellis <PM>", at="2026-10-02T14:00:00")
    data["answers"]["pcg_formed"]["evidence"] = "ROSTER-EVIDENCE-2026"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    resp = folder / "respondents" / "angela-morrow.yaml"
    rdata = yaml.safe_load(resp.read_text())
    rdata["answers"]["resp_staff_time"]["note"] = "Two case managers can attend every case conference."
    rdata["answers"]["resp_concerns"]["note"] = "PRIVATE-CONCERN-NOTE"
    resp.write_text(yaml.safe_dump(rdata, sort_keys=False))

    text = build_report(folder)
    heard = text.split("## 11. What we heard", 1)[1]
    assert ("Note: Counsel for \\*the\\* DA wants a \\[retention\\] clause. "
            "(Jordan\\_Ellis \\<PM>, October 2, 2026)") in heard
    assert ("Note: Two case managers can attend every case conference. "
            "(Dr. Angela Morrow, Executive Director, October 7, 2026)") in heard
    assert "Evidence: ROSTER-EVIDENCE-2026" in heard and "### Governance and shared intent" in heard
    # resp_concerns is sensitive: neither the concern nor its note appears anywhere in the report
    assert "PRIVATE-CONCERN-NOTE" not in text
    assert "trust may drop if officers attend case conferences" not in text
    assert "sensitive questions" in heard


def test_by_answer_on_a_yes_no_question_and_the_fallback_to_the_gap(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("""id: t
version: 1.0.0
title: T
domains:
  - {id: d, title: D}
questions:
  - id: signed
    domain: d
    text: Is the agreement signed?
    type: yes_no
    gap:
      title: Agreement not signed
      severity: high
      action: Draft the agreement and sign it.
      owner: PM
      by_answer:
        "no": {action: Take the agreed draft to each party for signature.}
""")
    q = load_questionnaire(path)
    a = assess(q, {"signed": Answer(value=False)}, site="T", state="NC")
    gap = a.gaps[0]
    assert gap.title == "Agreement not signed"  # not given for the answer: the gap's own
    assert gap.action == "Take the agreed draft to each party for signature."
    assert assess(q, {"signed": Answer(value=True)}, site="T", state="NC").gaps == ()


def test_a_signed_contract_with_hiring_under_way_plans_the_hiring_not_the_contract(example_copy):
    folder = example_copy("cedar-falls-county")  # cm_contracted: contract signed, hiring under way
    _, plan = site_plan(folder)
    assert "case_management_contract" in plan.done and "hire_staff" not in plan.done
    task = plan.task("gap:cm_contracted")
    assert task.stands_in_for == "hire_staff" and task.title.startswith("Complete hiring")

    set_answers(folder, cm_contracted="negotiating")  # no contract yet: sign it, then hire
    _, plan = site_plan(folder)
    assert plan.task("gap:cm_contracted").stands_in_for == "case_management_contract"
    hire = plan.task("hire_staff")
    assert "gap:cm_contracted" in hire.depends_on and hire.start >= plan.task("gap:cm_contracted").end

    set_answers(folder, cm_contracted="staffed")
    _, plan = site_plan(folder)
    assert {"case_management_contract", "hire_staff"} <= set(plan.done)
