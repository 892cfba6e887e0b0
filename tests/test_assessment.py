"""Scoring, gates, gaps and respondent aggregation, table-driven and by property."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness.assessment import assess
from readiness.assessment.model import stage_for
from readiness.assessment.scoring import question_score
from readiness.questionnaire.loader import load_questionnaire
from readiness.workspace.models import Answer

from conftest import MINI

Q = load_questionnaire(MINI)


@dataclass
class R:
    name: str
    role: str | None = None
    agency: str | None = None
    date: str | None = None
    answers: dict = field(default_factory=dict)


def A(value=None, status="answered"):
    return Answer(value=value, status=status)


@pytest.mark.parametrize("qid,value,expected", [
    ("da_non_filing", "written", 1.0),
    ("da_non_filing", "verbal", 0.4),
    ("da_non_filing", "no", 0.0),
    ("intake_days", 14, 1.0),
    ("intake_days", 30, 1.0),
    ("intake_days", 31, 0.5),
    ("intake_days", 90, 0.0),
    ("ssp_in_county", True, 1.0),
    ("ssp_in_county", False, 0.0),
    ("naloxone_points", ["pharmacy"], 0.4),
    ("naloxone_points", ["pharmacy", "health_dept", "ssp"], 1.0),
    ("naloxone_points", [], 0.0),
    ("support_diversion", 1, 0.0),
    ("support_diversion", 3, 0.5),
    ("support_diversion", 5, 1.0),
    ("county_name", "Anywhere", None),
])
def test_question_scores(qid, value, expected):
    got = question_score(Q.question(qid), value)
    assert got == pytest.approx(expected) if expected is not None else got is None


@pytest.mark.parametrize("score,stage", [
    (0, "Exploring"), (29.9, "Exploring"), (30, "Building partnerships"), (50, "Planning"),
    (69.9, "Planning"), (70, "Ready with conditions"), (85, "Ready to launch"), (100, "Ready to launch"),
    (None, "Not assessed"),
])
def test_stage_bands(score, stage):
    assert stage_for(score) == stage


FULL = {
    "da_non_filing": A("written"), "intake_days": A(21), "ssp_in_county": A(True),
    "naloxone_points": A(["pharmacy", "health_dept", "ssp"]),
}
SUPPORTIVE = [R("Chief A", "Police Chief", answers={"support_diversion": A(5)}),
              R("DA B", "District Attorney", answers={"support_diversion": A(5)})]


def test_everything_met_is_launch_ready():
    a = assess(Q, FULL, SUPPORTIVE, site="T")
    assert a.score == 100 and a.stage == "Ready to launch" and a.launch_ready
    assert [g.status for g in a.gates] == ["passed"] and not a.gaps and not a.disagreements


def test_failed_gate_caps_the_stage_and_blocks_launch():
    answers = dict(FULL, da_non_filing=A("verbal"))
    a = assess(Q, answers, SUPPORTIVE)
    assert a.gates[0].status == "failed"
    assert not a.launch_ready and a.stage == "Ready with conditions"
    assert a.score == 77.5
    assert a.gaps[0].question == "da_non_filing" and a.gaps[0].blocks_launch


def test_dont_know_scores_zero_and_becomes_a_verify_gap():
    a = assess(Q, dict(FULL, intake_days=A(status="unknown")), SUPPORTIVE)
    gap = next(g for g in a.gaps if g.question == "intake_days")
    assert gap.kind == "verify" and gap.title.startswith("Verify:")
    assert a.domain("prosecution").score == pytest.approx(75.0)  # (3*1 + 1*0) / 4
    assert a.domain("prosecution").unknown == 1


def test_not_applicable_leaves_the_denominator():
    a = assess(Q, dict(FULL, intake_days=A(status="not_applicable")), SUPPORTIVE)
    assert a.domain("prosecution").score == 100 and a.domain("prosecution").applicable == 1


def test_unknown_gate_blocks_launch():
    a = assess(Q, dict(FULL, da_non_filing=A(status="unknown")), SUPPORTIVE)
    assert a.gates[0].status == "unknown" and not a.launch_ready


def test_condition_switches_questions_on_and_off():
    a = assess(Q, dict(FULL, ssp_in_county=A(True)), SUPPORTIVE)
    assert not a.questions["ssp_nearest"].applicable
    a = assess(Q, dict(FULL, ssp_in_county=A(False)), SUPPORTIVE)
    assert a.questions["ssp_nearest"].applicable
    assert any(g.question == "ssp_in_county" for g in a.gaps)


def test_respondents_are_averaged_and_disagreement_flagged():
    people = [R("Sheriff C", "Sheriff", answers={"support_diversion": A(5)}),
              R("DA D", "District Attorney", answers={"support_diversion": A(1)})]
    a = assess(Q, FULL, people)
    assert a.questions["support_diversion"].score == pytest.approx(0.5)
    (dis,) = a.disagreements
    assert dis.question == "support_diversion" and dis.spread == 1.0
    assert {x.respondent: x.display for x in dis.answers} == {"Sheriff C": "5 - Strongly supportive",
                                                              "DA D": "1 - Strongly opposed"}


def test_small_spread_is_not_a_disagreement():
    people = [R("A", answers={"support_diversion": A(4)}), R("B", answers={"support_diversion": A(5)})]
    assert not assess(Q, FULL, people).disagreements


def test_completeness_counts_answered_over_applicable():
    a = assess(Q, {"da_non_filing": A("written")}, [])
    live = [r for r in a.questions.values() if r.applicable]
    assert a.completeness == pytest.approx(round(1 / len(live), 3))
    assert a.confidence == "low"


# ---------------------------------------------------------------- properties

VALUES = {
    "da_non_filing": st.sampled_from(["written", "verbal", "no"]),
    "intake_days": st.integers(1, 365),
    "ssp_in_county": st.booleans(),
    "naloxone_points": st.lists(st.sampled_from(["pharmacy", "health_dept", "ssp"]), unique=True),
}
answer_sets = st.fixed_dictionaries({}, optional={
    k: st.one_of(v.map(A), st.just(A(status="unknown")), st.just(A(status="not_applicable")))
    for k, v in VALUES.items()})
respondent_sets = st.lists(st.integers(1, 5), max_size=4).map(
    lambda xs: [R(f"P{i}", answers={"support_diversion": A(x)}) for i, x in enumerate(xs)])


@settings(max_examples=200, deadline=None)
@given(answer_sets, respondent_sets)
def test_scores_stay_between_0_and_100(answers, people):
    a = assess(Q, answers, people)
    for d in a.domains:
        assert d.score is None or 0 <= d.score <= 100
    assert a.score is None or 0 <= a.score <= 100
    assert 0 <= a.completeness <= 1
    if a.launch_ready:
        assert all(g.status in ("passed", "not_applicable") for g in a.gates)
    if any(g.status in ("failed", "unknown") for g in a.gates):
        assert not a.launch_ready and a.stage != "Ready to launch"


ORDERED = {
    "da_non_filing": ["no", "verbal", "written"],
    "intake_days": [90, 40, 30],
    "ssp_in_county": [False, True],
}


@settings(max_examples=200, deadline=None)
@given(answer_sets, st.sampled_from(sorted(ORDERED)), st.data())
def test_a_better_answer_never_lowers_its_domain_score(answers, qid, data):
    ladder = ORDERED[qid]
    i = data.draw(st.integers(0, len(ladder) - 2))
    worse = assess(Q, dict(answers, **{qid: A(ladder[i])}), [])
    better = assess(Q, dict(answers, **{qid: A(ladder[i + 1])}), [])
    domain = Q.question(qid).domain
    assert better.domain(domain).score >= worse.domain(domain).score
    assert better.score >= worse.score
