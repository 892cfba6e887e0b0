"""The render context: how facts render, compare and iterate, placeholders and open items, built-ins."""
from __future__ import annotations

import datetime as dt

import pytest

from conftest import MINI
from readiness.assessment import assess
from readiness.documents.context import BUILTIN_NAMES, DocInfo, build_context
from readiness.documents.environment import make_environment, render_string
from readiness.documents.facts import md_escape
from readiness.errors import TemplateError
from readiness.questionnaire.loader import load_questionnaire
from readiness.questionnaire.models import Questionnaire
from readiness.workspace.models import Answer

DOC = DocInfo("letter", "A letter", 3, dt.date(2026, 11, 30), "the District Attorney")

EXTRA = Questionnaire.model_validate({
    "id": "extra", "version": "1.0.0", "title": "Types not in the mini questionnaire",
    "domains": [{"id": "d", "title": "D"}],
    "questions": [
        {"id": "support", "domain": "d", "text": "How supportive?", "type": "scale",
         "scale": {"min": 1, "max": 5}, "fact": "police.support"},
        {"id": "ratio", "domain": "d", "text": "Which ratio?", "type": "number",
         "number": {"integer": False}, "fact": "caseload.ratio"},
        {"id": "history", "domain": "d", "text": "Any history we must not print?", "type": "text",
         "sensitive": True, "fact": "secret.history"},
        {"id": "head", "domain": "d", "text": "Who heads the DA's office?", "type": "text",
         "placeholder": "name of the elected District Attorney", "fact": "da.name"},
    ],
})


def mini():
    return load_questionnaire(MINI)


def variables(answers: dict, q=None, state: str = "NC", respondents=()) -> tuple[dict, object]:
    q = q or mini()
    stored = {k: v if isinstance(v, Answer) else Answer(value=v) for k, v in answers.items()}
    a = assess(q, stored, respondents, site="Test County", state=state)
    ctx = build_context(q, stored, respondents, a, site_name="Test County", state=state)
    return ctx.for_document(DOC), ctx


def render(source: str, answers: dict | None = None, q=None, state: str = "NC") -> str:
    values, _ = variables(answers or {}, q, state)
    return render_string(make_environment([]), source, values)


# ---------------------------------------------------------------- each question type


@pytest.mark.parametrize("answers, source, expected", [
    ({"county_name": "Harbor County"}, "{{ county.name }}", "Harbor County"),
    ({"ssp_in_county": True}, "{{ ssp.in_county }}", "Yes"),
    ({"ssp_in_county": False}, "{{ ssp.in_county }}", "No"),
    ({"da_non_filing": "verbal"}, "{{ da.non_filing }}", "Verbal support only"),
    ({"da_non_filing": "verbal"}, "{{ da.non_filing.value }}", "verbal"),
    ({"intake_days": 30}, "{{ intake.window_days }}", "30"),
    ({"intake_days": 30}, "{{ intake.window_days + 5 }}", "35"),
    ({"launch_date": "2027-03-01"}, "{{ pilot.launch_target }}", "March 1, 2027"),
    ({"launch_date": "2027-03-01"}, "{{ pilot.launch_target.value }}", "2027-03-01"),
    ({"partners": [{"name": "Riverton PD", "kind": "police"}, {"name": "Health Dept", "head_name": "Dr. Adams"}]},
     "{{ partners }}", "Riverton PD, Police; Health Dept, Dr. Adams"),
])
def test_fact_renders_the_readable_answer(answers, source, expected):
    assert render(source, answers) == expected


def test_scale_number_and_float_facts():
    q = EXTRA
    assert render("{{ police.support }}", {"support": 4}, q) == "4"
    assert render("{{ caseload.ratio }}", {"ratio": 2.5}, q) == "2.5"
    assert render("{{ caseload.ratio }}", {"ratio": 20.0}, q) == "20"


def test_multi_fact_renders_labels_and_iterates_options():
    q = Questionnaire.model_validate({
        "id": "m", "version": "1.0.0", "title": "M", "domains": [{"id": "d", "title": "D"}],
        "questions": [{"id": "offenses", "domain": "d", "text": "Which offenses?", "type": "multi",
                       "fact": "eligibility.offenses",
                       "choices": [{"value": "possession", "label": "Drug possession"},
                                   {"value": "sex_work", "label": "Sex work"},
                                   {"value": "trespass", "label": "Trespass"}]}]})
    answers = {"offenses": ["possession", "sex_work", "trespass"]}
    assert render("{{ eligibility.offenses }}", answers, q) == "Drug possession, Sex work and Trespass"
    assert render("{% for o in eligibility.offenses %}[{{ o }}|{{ o.value }}]{% endfor %}", answers, q) == \
        "[Drug possession|possession][Sex work|sex_work][Trespass|trespass]"
    assert render("{{ 'sex_work' in eligibility.offenses }} {{ 'theft' in eligibility.offenses }}", answers, q) == \
        "True False"
    assert render("{{ eligibility.offenses | bullets }}", answers, q) == "- Drug possession\n- Sex work\n- Trespass"
    assert render("{{ eligibility.offenses | length }}", answers, q) == "3"


def test_records_iterate_as_entries_with_placeholder_for_missing_field():
    answers = {"partners": [{"name": "Riverton PD", "kind": "police"}]}
    out = render("{% for p in partners %}{{ p.name }} / {{ p.head_name }} / {{ p.kind }} / "
                 "{{ p.kind == 'police' }}{% endfor %}", answers)
    assert out == "Riverton PD / [TO CONFIRM: Head's name for Riverton PD] / Police / True"


def test_comparisons_and_truthiness_use_the_raw_value():
    answers = {"da_non_filing": "written", "intake_days": 30, "ssp_in_county": False}
    assert render("{{ da.non_filing == 'written' }} {{ intake.window_days > 25 }} {{ intake.window_days <= 29 }}",
                  answers) == "True True False"
    assert render("{% if ssp.in_county %}yes{% else %}no{% endif %}", answers) == "no"
    # unanswered: falsy, never above or below a number, equal to none
    assert render("{{ pilot.launch_target is unanswered }} {{ not pilot.launch_target }} "
                  "{{ intake.window_days > 5 }}", {}) == "True True False"


def test_text_answers_are_escaped_for_markdown():
    assert render("{{ county.name }}", {"county_name": "Smith | Jones *County*"}) == r"Smith \| Jones \*County\*"
    assert md_escape("# One\nTwo") == r"\# One Two"
    assert md_escape("snake_case stays") == "snake_case stays"


# ---------------------------------------------------------------- placeholders and open items


def test_unanswered_fact_is_a_placeholder_and_an_open_item():
    values, ctx = variables({"county_name": "Test County"})
    out = render_string(make_environment([]), "{{ county.name }}: {{ intake.window_days }} days; "
                        "launch {{ pilot.launch_target }}; again {{ intake.window_days }}", values)
    assert "[TO CONFIRM: How many days does a referred person have to complete intake]" in out
    assert ctx.open_items(out) == [
        {"text": "How many days does a referred person have to complete intake", "question": "intake_days"},
        {"text": "Target launch date", "question": "launch_date"},
    ]


def test_placeholder_text_comes_from_the_question():
    assert render("{{ da.name }}", {}, EXTRA) == "[TO CONFIRM: name of the elected District Attorney]"


def test_dont_know_and_skipped_render_as_placeholders():
    answers = {"da_non_filing": Answer(status="unknown"), "intake_days": Answer(status="skipped")}
    assert render("{{ da.non_filing }} {{ intake.window_days }}", answers).count("[TO CONFIRM:") == 2
    assert render("{{ da.non_filing is answered }}", answers) == "False"


def test_unanswered_lists_iterate_nothing_and_filters_keep_the_placeholder():
    assert render("{% for p in partners %}x{% endfor %}", {}) == ""
    assert render("{{ partners | join_and }}", {}) == "[TO CONFIRM: Which agencies are partners]"
    assert render("{{ partners | bullets }}", {}) == "- [TO CONFIRM: Which agencies are partners]"


def test_condition_false_fact_is_not_applicable():
    values, _ = variables({"ssp_in_county": True, "ssp_nearest": "Coastal Outreach"})
    out = render_string(make_environment([]), "{{ ssp.name.status }} {{ ssp.name is answered }}", values)
    assert out == "not_applicable False"


def test_sensitive_fact_is_withheld():
    assert render("{{ secret.history }}|{{ secret.history is answered }}", {"history": "private"}, EXTRA) == \
        "[withheld]|False"


# ---------------------------------------------------------------- built-ins


def test_site_doc_and_filters():
    out = render("{{ site.name }}, {{ site.state_name }} ({{ site.state }}); {{ doc.title }} v{{ doc.version }} "
                 "{{ doc.date }} for {{ doc.audience }}; {{ ['a', 'b', 'c'] | join_and }}; "
                 "{{ '2026-11-30' | date_long }}; {{ plural(1, 'day', 'days') }} {{ 2 | plural('day', 'days') }}")
    assert out == ("Test County, North Carolina (NC); A letter v3 November 30, 2026 for the District Attorney; "
                   "a, b and c; November 30, 2026; day days")


def test_assessment_gap_and_gate_functions():
    answers = {"da_non_filing": "verbal", "ssp_in_county": False}
    out = render("{{ has_gap('da_non_filing') }} {{ gap('da_non_filing').action }} {{ gate('da_non_filing').status }} "
                 "{{ has_gap('county_name') }} {{ gap('county_name') is none }} "
                 "{{ assessment.failed_gates | map(attribute='title') | join }} {{ assessment.launch_ready }}",
                 answers)
    assert out == ("True Ask the DA for a signed non-filing letter. failed False True "
                   "Prosecutor non-filing commitment False")


def test_gap_with_unknown_question_is_a_located_error():
    with pytest.raises(TemplateError) as info:
        render("\n{{ gap('da_nonfiling') }}", {})
    assert str(info.value).startswith("<template>:2: gap('da_nonfiling'): no question 'da_nonfiling'")
    assert "did you mean 'da_non_filing'?" in str(info.value)


def test_state_law_citations_nc_and_elsewhere():
    nc = render("{{ state_law.good_samaritan.cite }}|{{ state_law.syringe_services.cite }}|"
                "{{ state_law.naloxone_access.cite }}")
    assert "§ 90-96.2" in nc and "§ 90-113.27" in nc and "§ 90-106.2" in nc
    assert "TO CONFIRM" in render("{{ state_law.expunction.cite }}")  # not researched: counsel supplies it
    values, ctx = variables({}, state="VA")
    va = render_string(make_environment([]), "{{ state_law.good_samaritan.cite }}", values)
    assert va.startswith("[TO CONFIRM: Virginia citation for")
    assert ctx.open_items(va)[0]["question"] is None


def test_facts_may_not_take_built_in_names():
    q = Questionnaire.model_validate({
        "id": "c", "version": "1.0.0", "title": "C", "domains": [{"id": "d", "title": "D"}],
        "questions": [{"id": "x", "domain": "d", "text": "Site name?", "type": "text", "fact": "site.county"}]})
    assert "site" in BUILTIN_NAMES
    with pytest.raises(TemplateError, match="reserve"):
        variables({}, q)
