"""Answers collected under an older questionnaire version are carried over, never dropped silently."""
from pathlib import Path

import yaml

from readiness.assessment import assess
from readiness.workspace.store import open_site

from conftest import MINI, ROOT, invoke


def _v110(tmp_path: Path) -> Path:
    """Version 1.1.0 of the mini questionnaire renames intake_days and drops naloxone_points."""
    text = MINI.read_text().replace("version: 1.0.0", "version: 1.1.0").replace("id: intake_days",
                                                                                  "id: intake_window_days")
    start = text.index("  - id: naloxone_points")
    end = text.index("  - id: support_diversion")
    text = text[:start] + text[end:]
    text += "migrations:\n  - from_version: 1.0.0\n    renamed: {intake_days: intake_window_days}\n"
    path = tmp_path / "mini-1.1.yaml"
    path.write_text(text)
    return path


def _switch(site: Path, questionnaire: Path, ref: str) -> None:
    """Move a site to another questionnaire on purpose, as the README says: edit site.yaml."""
    data = yaml.safe_load((site / "site.yaml").read_text())
    data.update(questionnaire=ref, questionnaire_file=str(questionnaire))
    (site / "site.yaml").write_text(yaml.safe_dump(data, sort_keys=False))


def test_renamed_id_keeps_its_answer_and_unmapped_answers_are_kept(mini_site, tmp_path):
    for args in (["intake_days", "21"], ["naloxone_points", "pharmacy"], ["da_non_filing", "written"]):
        assert invoke("answer", mini_site, *args).exit_code == 0
    new_q = _v110(tmp_path)
    site = open_site(mini_site, new_q)
    assert site.answers["intake_window_days"].value == 21
    assert "naloxone_points" in site.unmapped
    assert any("'intake_days' is now 'intake_window_days'" in n for n in site.notices)
    assert any("'naloxone_points' has no question" in n for n in site.notices)
    a = assess(site.questionnaire, site.answers, site.respondents.values())
    assert a.questions["intake_window_days"].score == 1.0

    # Once the site is switched to the new version (site.yaml), answering rewrites the file with the new
    # id and keeps the old answer aside.
    _switch(mini_site, new_q, "mini@1.1.0")
    result = invoke("answer", mini_site, "ssp_in_county", "yes")
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((mini_site / "answers.yaml").read_text())
    assert data["questionnaire"] == "mini@1.1.0"
    assert data["answers"]["intake_window_days"]["value"] == 21 and "intake_days" not in data["answers"]
    assert data["unmapped"]["naloxone_points"]["value"] == ["pharmacy"]
    again = open_site(mini_site)
    assert again.answers["intake_window_days"].value == 21 and "naloxone_points" in again.unmapped


def test_score_says_the_answers_come_from_an_older_version(mini_site, tmp_path):
    invoke("answer", mini_site, "intake_days", "21")
    result = invoke("score", mini_site, "--questionnaire", _v110(tmp_path))
    assert result.exit_code == 0
    assert "collected under version 1.0.0" in result.stderr


def test_questions_new_in_1_1_0_are_asked_only_where_there_is_something_to_add():
    """A county with every service in county, no peers planned and no names yet is asked none of them."""
    from readiness import resources
    from readiness.questionnaire.conditions import applicable_ids, condition_values
    from readiness.questionnaire.loader import load_questionnaire
    from readiness.workspace.models import Answer

    q = load_questionnaire(resources.bundled_questionnaire())
    assert q.version == "1.3.0" and [m.from_version for m in q.migrations] == ["1.0.0", "1.1.0", "1.2.0"]
    new = {"cm_director_title", "health_director_title", "eligibility_offenses_pending", "peer_staff",
           "out_of_county_services"}
    assert new <= set(q.by_id)
    nothing = {"ssp_in_county": Answer(value=True), "moud_access": Answer(value="in_county"),
               "low_barrier_beds": Answer(value=True), "peer_specialists": Answer(value="none")}
    live = applicable_ids(q, condition_values(q, nothing, []), nothing)
    assert not (new & live)
    more = {**nothing, "ssp_in_county": Answer(value=False), "peer_specialists": Answer(value="certified"),
            "cm_director": Answer(value="Ana Ruiz"), "eligibility_offenses": Answer(value=["trespass"])}
    live = applicable_ids(q, condition_values(q, more, []), more)
    assert {"out_of_county_services", "peer_staff", "cm_director_title", "eligibility_offenses_pending"} <= live


def test_a_site_of_1_1_0_keeps_its_neighbourhood_briefed_answer_under_the_us_spelled_id(example_copy):
    """1.2.0 renames neighbourhood_briefed to neighborhood_briefed; a 1.1.0 site's answer carries over."""
    site = example_copy("harbor-county")
    (site / "site.yaml").write_text((site / "site.yaml").read_text().replace("@1.3.0", "@1.1.0"))
    answers = site / "answers.yaml"
    answers.write_text(answers.read_text().replace("  neighborhood_briefed:\n", "  neighbourhood_briefed:\n"))
    opened = open_site(site)
    assert opened.questionnaire.version == "1.3.0"
    assert opened.answers["neighborhood_briefed"].value is True and not opened.unmapped
    assert any("'neighbourhood_briefed' is now 'neighborhood_briefed'" in n for n in opened.notices)
    a = assess(opened.questionnaire, opened.answers, opened.respondents.values())
    assert a.questions["neighborhood_briefed"].score == 1.0
    # Answering under the current version rewrites the file with the new id.
    _switch(site, ROOT / "questionnaires" / "lead-site-readiness.yaml", "lead-site-readiness@1.3.0")
    assert invoke("answer", site, "comms_plan", "yes").exit_code == 0
    data = yaml.safe_load(answers.read_text())["answers"]
    assert data["neighborhood_briefed"]["value"] is True and "neighbourhood_briefed" not in data


def test_the_old_phase_id_stabilise_still_loads_as_stabilize(tmp_path):
    """A consultant's questionnaire or standard-tasks file written before the US spelling still loads."""
    from readiness.planning.tasks import PhaseSpec, StandardTask
    from readiness.questionnaire.loader import load_questionnaire

    text = MINI.read_text()
    assert "phase: agreements" in text
    old = tmp_path / "old-phases.yaml"
    old.write_text(text.replace("phase: agreements", "phase: stabilise", 1))
    q = load_questionnaire(old)
    assert "stabilize" in {x.gap.phase for x in q.questions if x.gap}
    assert PhaseSpec(id="stabilise", title="Stabilise").id == "stabilize"
    task = StandardTask(id="review", title="Review the pilot", phase="stabilise", owner="PCG", weeks=2)
    assert task.phase == "stabilize"


def test_every_example_of_1_2_0_reads_under_1_3_0_with_every_answer_kept(example_copy):
    """1.3.0 only adds questions (who signs for defense counsel and the behavioral-health authority)."""
    for name in ("harbor-county", "pine-ridge-county", "cedar-falls-county", "willow-bend-county"):
        site = example_copy(name)
        (site / "site.yaml").write_text((site / "site.yaml").read_text().replace("@1.3.0", "@1.2.0"))
        raw = yaml.safe_load((site / "answers.yaml").read_text())["answers"]
        opened = open_site(site)
        assert opened.questionnaire.version == "1.3.0", name
        assert not opened.unmapped, name
        assert set(raw) == set(opened.answers), name
        for qid, entry in raw.items():
            assert opened.answers[qid].status == entry.get("status", "answered"), (name, qid)
            if "value" in entry:
                assert opened.answers[qid].value == entry["value"], (name, qid)
