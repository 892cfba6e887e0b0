"""Every loader error, with its exact message: file, line, key path and how to fix it."""
from pathlib import Path

import pytest

from readiness.errors import FileProblems
from readiness.questionnaire.loader import load_questionnaire

BAD = Path(__file__).parent / "fixtures" / "bad-questionnaires"

CASES = {
    "unknown-key": "unknown-key.yaml:12: questions[0] (a).wieght: unknown key 'wieght' (did you mean 'weight'?)",
    "unknown-domain": "unknown-domain.yaml:9: questions[0] (a).domain: unknown domain 'govv' (did you mean 'gov'?)",
    "condition-unknown-id": "condition-unknown-id.yaml:16: questions[1] (b).when: condition names unknown "
                            "question 'pcg_formed'",
    "condition-later": "condition-later.yaml:12: questions[0] (a).when: condition refers to 'b', which is asked "
                       "later (move the question earlier, or make the condition depend on earlier answers)",
    "condition-syntax": "condition-syntax.yaml:12: questions[0] (a).when: condition is not a valid expression: "
                        "it ends too early",
    "wrong-type": "wrong-type.yaml:12: questions[0] (a).weight: expected a number, got 'heavy'",
    "duplicate-id": "duplicate-id.yaml:12: questions[1] (a).id: duplicate question id 'a' (first used at questions[0])",
    "too-few-choices": "too-few-choices.yaml:8: questions[0] (a): a choice question needs at least two choices",
    "bad-severity": "bad-severity.yaml:13: questions[0] (a).gap.severity: Input should be 'critical', 'high', "
                    "'medium' or 'low'",
    "gate-on-text": "gate-on-text.yaml:8: questions[0] (a): gates and gaps need a scored question (yes_no, scored "
                    "choice/multi, scale, or number with bands)",
    "tab-indent": "tab-indent.yaml:11: questionnaire is not valid YAML: a tab character is used for indentation "
                  "(indent with spaces, not tabs)",
    "broken-yaml": "broken-yaml.yaml:3: questionnaire is not valid YAML: while parsing a flow sequence, expected "
                   "',' or ']', but got '<stream end>'",
    "empty": "empty.yaml: questionnaire is empty (restore it from a backup or create it again)",
    "binary": "binary.yaml: questionnaire is a binary file, not YAML text (check that this is the right file)",
    "not-utf8": "not-utf8.yaml:3: questionnaire is not UTF-8 text (byte 31) (save the file as UTF-8 in your editor)",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_loader_error_has_its_exact_message(name):
    with pytest.raises(FileProblems) as info:
        load_questionnaire(BAD / f"{name}.yaml")
    assert str(info.value).replace(str(BAD) + "/", "") == CASES[name]


def test_every_fixture_has_a_case():
    assert {p.stem for p in BAD.glob("*.yaml")} == set(CASES)


def test_all_problems_are_reported_at_once(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text(
        "id: t\nversion: 1.0.0\ntitle: T\ndomains:\n  - {id: gov, title: G}\nquestions:\n"
        "  - {id: a, domain: gov, text: 'One', type: yes_no}\n"
        "  - {id: a, domain: gvo, text: 'Two', type: yes_no, when: 'zz'}\n")
    with pytest.raises(FileProblems) as info:
        load_questionnaire(path)
    messages = [p.message for p in info.value.problems]
    assert "duplicate question id 'a' (first used at questions[0])" in messages
    assert "unknown domain 'gvo'" in messages
    assert "condition names unknown question 'zz'" in messages


def test_bundled_questionnaire_loads_and_is_substantial():
    from readiness import resources

    q = load_questionnaire(resources.bundled_questionnaire())
    scored_domains = [d for d in q.domains if d.scored]
    scored = [x for x in q.questions if x.is_scorable]
    assert len(scored_domains) >= 10
    assert len(scored) >= 70
    assert 8 <= sum(1 for x in q.questions if x.gate) <= 15
    assert any(x.scope == "respondent" for x in q.questions)
    for x in scored:
        assert x.help and x.basis and x.gap, f"{x.id} needs help, basis and a gap rule"


def test_yaml_yes_label_is_read_as_the_word(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("id: t\nversion: 1.0.0\ntitle: T\ndomains:\n  - {id: gov, title: G}\nquestions:\n"
                    "  - id: a\n    domain: gov\n    text: Which?\n    type: choice\n    choices:\n"
                    "      - {value: yes, label: Yes, score: 1}\n      - {value: no, label: No, score: 0}\n")
    q = load_questionnaire(path)
    assert [(c.value, c.label) for c in q.questions[0].choices] == [("yes", "Yes"), ("no", "No")]


def test_sets_roles_and_derive_are_checked(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text(
        "id: t\nversion: 1.0.0\ntitle: T\n"
        "respondent_roles:\n  - {id: agency_head, label: Agency head, matches: [chief]}\n"
        "sets:\n  first_meeting:\n    title: First meeting\n    questions: [a, a, zz, r]\n"
        "domains:\n  - {id: gov, title: G}\nquestions:\n"
        "  - {id: a, domain: gov, text: 'One', type: yes_no}\n"
        "  - {id: n, domain: gov, text: 'How many?', type: number, derive: 'later | length'}\n"
        "  - {id: later, domain: gov, text: 'Which?', type: text}\n"
        "  - {id: r, domain: gov, text: 'Your view?', type: text, scope: respondent,\n"
        "     text_by_role: {union_rep: 'Your members?'}}\n")
    with pytest.raises(FileProblems) as info:
        load_questionnaire(path)
    messages = [p.message for p in info.value.problems]
    assert "set 'first_meeting' names 'a' twice" in messages
    assert "set 'first_meeting' names unknown question 'zz'" in messages
    assert "set 'first_meeting' names 'r', a respondent question (sets hold site questions)" in messages
    assert "derive names 'later', which is not an earlier question" in messages
    assert "text_by_role names 'union_rep', which is not a respondent role" in messages


def test_bundled_first_meeting_holds_every_launch_requirement():
    from readiness import resources

    q = load_questionnaire(resources.bundled_questionnaire())
    chosen = q.sets["first_meeting"].questions
    assert 30 <= len(chosen) <= 40
    assert {x.id for x in q.questions if x.gate} <= set(chosen)
    worded = [x for x in q.questions if x.scope == "respondent" and x.text_by_role]
    assert worded and all(set(x.text_by_role) <= {r.id for r in q.respondent_roles} for x in worded)
    assert q.role_for(None, "Assistant District Attorney") == "frontline_staff"
    assert q.role_for(None, "District Attorney") == "agency_head"
    # every state's prosecutor title: the head, and the line prosecutor under it
    assert q.role_for(None, "Commonwealth's Attorney") == "agency_head"
    assert q.role_for(None, "Assistant Commonwealth's Attorney") == "frontline_staff"
    assert q.role_for(None, "State's Attorney, Cook County") == "agency_head"
    assert q.role_for(None, "Deputy District Attorney") == "frontline_staff"
    assert q.role_for(None, "Assistant Prosecuting Attorney") == "frontline_staff"
    assert q.role_for(None, "FOP Lodge 12 President") == "union_representative"
    assert q.role_for("community_member", "Police Chief") == "community_member"  # given beats found
    assert q.role_for(None, "Consultant") is None
