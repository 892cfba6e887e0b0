"""A consultant questionnaire that extends the bundled one: add, change, remove; errors point at the right file."""

import pytest

from readiness.errors import FileProblems
from readiness.questionnaire.loader import load_questionnaire

from conftest import FIXTURES


def test_extends_adds_changes_and_removes():
    q = load_questionnaire(FIXTURES / "consultant" / "extended.yaml")
    assert q.ref == "mini-consultant@1.1.0"
    ids = [x.id for x in q.questions]
    assert "rides" in ids and "naloxone_points" not in ids
    da = q.question("da_non_filing")
    assert da.weight == 5 and da.gate.title == "Prosecutor non-filing commitment"  # merged, not replaced
    assert "transport" in q.domains_by_id


def test_error_in_the_child_names_the_child_file(tmp_path):
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {FIXTURES / 'mini-questionnaire.yaml'}\nid: c\nversion: 1.0.0\ntitle: C\n"
                     "questions:\n  - {id: da_non_filing, wieght: 5}\n")
    with pytest.raises(FileProblems) as info:
        load_questionnaire(child)
    (problem,) = info.value.problems
    assert problem.file == child and problem.line == 6 and "did you mean 'weight'?" in str(problem)


def test_error_in_the_base_names_the_base_file(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text((FIXTURES / "mini-questionnaire.yaml").read_text().replace("weight: 3", "weight: lots"))
    child = tmp_path / "child.yaml"
    child.write_text("extends: base.yaml\nid: c\nversion: 1.0.0\ntitle: C\n")
    with pytest.raises(FileProblems) as info:
        load_questionnaire(child)
    assert info.value.problems[0].file == base


def test_extends_loop_is_refused(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nid: a\nversion: 1.0.0\ntitle: A\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nid: b\nversion: 1.0.0\ntitle: B\n")
    with pytest.raises(FileProblems, match="extend each other in a loop"):
        load_questionnaire(tmp_path / "a.yaml")


def test_extends_unknown_bundled_id(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: no-such-questionnaire\nid: a\nversion: 1.0.0\ntitle: A\n")
    with pytest.raises(FileProblems, match="no bundled questionnaire named 'no-such-questionnaire'"):
        load_questionnaire(tmp_path / "a.yaml")
