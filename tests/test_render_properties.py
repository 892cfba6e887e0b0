"""Invariants: any valid answer set renders every document of the fixture pack; respondent facts;
sensitive answers stay out of documents and manifests; pack conditions fail with pack.yaml:line."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, MINI, invoke
from readiness.assessment import assess
from readiness.documents.build import build_site, render_documents
from readiness.documents.context import DocInfo, build_context
from readiness.documents.environment import make_environment, render_string
from readiness.documents.pack import load_pack
from readiness.errors import TemplateError
from readiness.questionnaire.loader import load_questionnaire
from readiness.questionnaire.models import Questionnaire
from readiness.workspace.models import Answer
from readiness.workspace.store import Respondent

PACK = FIXTURES / "pack"
Q = load_questionnaire(MINI)
TEXT = st.text(alphabet=string.ascii_letters + string.digits + " .,'-|*_[]<>#&", min_size=1, max_size=30) \
    .filter(lambda s: s.strip() and "None" not in s)


def value_for(question):
    t = question.type
    if t == "text":
        return TEXT
    if t == "yes_no":
        return st.booleans()
    if t == "choice":
        return st.sampled_from([c.value for c in question.choices])
    if t == "multi":
        return st.lists(st.sampled_from([c.value for c in question.choices]), min_size=1, unique=True)
    if t == "number":
        return st.integers(1, 365)
    if t == "scale":
        return st.integers(1, 5)
    if t == "date":
        return st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)).map(dt.date.isoformat)
    return st.lists(st.fixed_dictionaries({"name": TEXT}, optional={"head_name": TEXT,
                                                                    "kind": st.sampled_from(["police", "provider"])}),
                    min_size=1, max_size=3)


def answer_for(question):
    return st.one_of(st.none(), st.sampled_from(["unknown", "skipped", "not_applicable"]).map(lambda s: Answer(status=s)),
                     value_for(question).map(lambda v: Answer(value=v)))


SITE_QUESTIONS = [q for q in Q.questions if q.scope == "site"]
ANSWER_SETS = st.fixed_dictionaries({q.id: answer_for(q) for q in SITE_QUESTIONS}).map(
    lambda d: {k: v for k, v in d.items() if v is not None})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANSWER_SETS)
def test_any_valid_answer_set_renders_every_document(answers):
    a = assess(Q, answers, [], site="Test County", state="NC")
    ctx = build_context(Q, answers, [], a, site_name="Test County", state="NC")
    pack = load_pack([PACK])
    env = make_environment(pack.folders)
    docs, skipped = render_documents(env, pack, list(pack.documents), ctx, 1, dt.date(2026, 11, 30))
    assert len(docs) + len(skipped) == len(pack.documents)
    for doc in docs:
        for bad in ("{{", "{%", "None", "[object"):
            assert bad not in doc.markdown
        assert doc.markdown.startswith("# ")
        for item in doc.open_items:
            assert f"[TO CONFIRM: {item['text']}]" in doc.markdown


def test_respondent_facts_average_numbers():
    q = Questionnaire.model_validate({
        "id": "r", "version": "1.0.0", "title": "R", "domains": [{"id": "d", "title": "D"}],
        "questions": [{"id": "support", "domain": "d", "scope": "respondent", "text": "How supportive?",
                       "type": "scale", "fact": "buy_in.support"}]})
    people = [Respondent("a", "Ann", "Chief", answers={"support": Answer(value=4)}),
              Respondent("b", "Bo", "DA", answers={"support": Answer(value=5)})]
    a = assess(q, {}, people, site="S", state="NC")
    values = build_context(q, {}, people, a, site_name="S", state="NC").for_document(
        DocInfo("x", "X", 1, dt.date(2026, 1, 1)))
    out = render_string(make_environment([]), "{{ buy_in.support }} {{ respondents | map(attribute='name') | join_and }}",
                        values)
    assert out == "4.5 Ann and Bo"


SENSITIVE_QUESTIONNAIRE = """\
id: sens
version: 1.0.0
title: Sensitive
domains: [{id: d, title: D}]
questions:
  - {id: county_name, domain: d, text: County?, type: text, fact: county.name}
  - {id: history, domain: d, text: Anything private?, type: text, fact: private.history, sensitive: true}
"""


def test_sensitive_answers_stay_out_of_documents_and_manifest(tmp_path):
    qfile = tmp_path / "q.yaml"
    qfile.write_text(SENSITIVE_QUESTIONNAIRE)
    pack = tmp_path / "pack"
    (pack / "d").mkdir(parents=True)
    (pack / "pack.yaml").write_text("id: p\nversion: 1.0.0\ntitle: P\nstandalone: true\ndocuments:\n"
                                    "  - {id: note, title: Note, template: d/note.md.j2, formats: [md]}\n")
    (pack / "d" / "note.md.j2").write_text("# Note\n\n{{ county.name }}: {{ private.history }}\n")
    site = tmp_path / "site"
    assert invoke("new", site, "--name", "S", "--state", "NC", "--questionnaire", qfile).exit_code == 0
    assert invoke("answer", site, "county_name", "Test County").exit_code == 0
    assert invoke("answer", site, "history", "a very private matter").exit_code == 0
    result = build_site(site, templates_dir=pack)
    md = (result.folder / "note.md").read_text()
    assert md == "# Note\n\nTest County: [withheld]\n"
    manifest = (result.folder / "manifest.json").read_text()
    assert "very private" not in manifest
    assert json.loads(manifest)["answers"]["history"].startswith("[withheld ")


@pytest.mark.parametrize("when, message", [
    ("has_gap('nope')", "no question 'nope'"),
    ("nosuch.fact", "'nosuch' is undefined"),
])
def test_failing_pack_condition_points_at_pack_yaml(mini_site, tmp_path, when, message):
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    text = (pack / "pack.yaml").read_text().replace('when: "has_gap(\'ssp_in_county\')"', f'when: "{when}"')
    (pack / "pack.yaml").write_text(text)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.strip().startswith("when:"))
    with pytest.raises(TemplateError) as info:
        build_site(mini_site, templates_dir=pack)
    assert info.value.message.startswith(f"{pack / 'pack.yaml'}:{line}: condition of document 'ssp_linkage' failed")
    assert message in info.value.message
    assert not (mini_site / "drafts").exists()
