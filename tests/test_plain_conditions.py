"""Simple `when:` conditions evaluated without Jinja (readiness/questionnaire/plain_conditions.py):
the same answer as Jinja's sandbox for every condition it takes, Jinja for every other, and the
bundled questionnaires' conditions all taken (so `score` never imports Jinja for them)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from readiness.questionnaire import conditions
from readiness.questionnaire.conditions import ConditionError, jinja_evaluate
from readiness.questionnaire.plain_conditions import parse, plain_evaluate


def _whens(node, out: list[str]) -> list[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "when" and isinstance(value, str):
                out.append(value)
            else:
                _whens(value, out)
    elif isinstance(node, list):
        for item in node:
            _whens(item, out)
    return out


BUNDLED = sorted({w for f in sorted((ROOT / "questionnaires").glob("*.yaml"))
                  for w in _whens(yaml.safe_load(f.read_text(encoding="utf-8")), [])})
CORPUS = sorted({w for f in sorted((ROOT / "tests" / "corpus" / "questionnaire").glob("condition-*.yaml"))
                 for w in _whens(yaml.safe_load(f.read_text(encoding="utf-8")), [])})


def jinja(expression: str, values) -> object:
    try:
        return jinja_evaluate(expression, values)
    except ConditionError:
        return "refused"


def test_every_bundled_condition_is_evaluated_without_jinja():
    assert len(BUNDLED) > 15
    assert [w for w in BUNDLED if parse(w) is None] == []


@pytest.mark.parametrize("site", sorted(p.name for p in (ROOT / "examples").iterdir() if (p / "site.yaml").exists()))
def test_bundled_conditions_on_the_example_sites_give_what_jinja_gives(site):
    from readiness.workspace.store import open_site

    opened = open_site(ROOT / "examples" / site)
    q = opened.questionnaire
    values = conditions.condition_values(q, opened.answers, opened.respondents.values())
    live: dict = {}
    for question in q.questions:
        if question.when:
            assert plain_evaluate(question.when, live) == jinja(question.when, live), question.when
            assert plain_evaluate(question.when, values) == jinja(question.when, values), question.when
        live[question.id] = values.get(question.id)


def test_the_sandbox_corpus_is_left_to_jinja():
    """Bombs, escapes, syntax errors and over-long chains are never taken (Jinja refuses them); the
    corpus's plain conditions give what Jinja gives."""
    values = {"a": True, "b": True}
    refused = [e for e in CORPUS if jinja(e, values) == "refused"]
    assert len(refused) >= 8
    for expression in CORPUS:
        plain = plain_evaluate(expression, values)
        assert plain is None if expression in refused else plain in (None, jinja(expression, values)), expression


@pytest.mark.parametrize("expression", [
    "missing == none",                  # an undefined name: Jinja's undefined, not none
    "missing is none",
    "a is none 'x'",                    # Jinja reads 'x' as the test's argument
    "a is none in b",
    "a < b < c",                        # a chain
    "a if b else c",
    "a + 1 > 2",
    "-1 < a",
    "a|length > 0",
    "p|selectattr('items')|list",       # a dict's own attribute: Jinja's lookup rules
    "p|selectattr('x.y')|list",
    "p|selectattr('type')|list()",
    "a == 'caf\u00e9'",                 # only plain ASCII strings
    "a == 'a\\\\b'",
    "a == 1_000",
    "a == 1e3",
    "self == a",
    "a.b",
    "a[0]",
    "a(1)",
    "(a, b)",
    "a == 'x' and",
    "",
    "not " * 130 + "a",                 # past the sandbox's 120 operators: Jinja refuses it
])
def test_anything_else_goes_to_jinja(expression):
    assert plain_evaluate(expression, {"a": 1, "b": [1], "c": 2, "p": [{"type": "x"}]}) is None


def test_answers_jinja_cannot_take_as_keywords_go_to_jinja():
    """Jinja calls the compiled expression with the answers as keyword arguments: a question named
    `self` makes every call fail (so every condition is false there); that quirk stays Jinja's."""
    for values in ({"self": 1, "a": True}, {1: "x", "a": True}):
        assert plain_evaluate("a", values) is None
        assert conditions.evaluate("a", values) is jinja("a", values)


def test_examples_of_what_it_takes():
    values = {"n": None, "t": True, "f": False, "k": 45, "s": "active", "l": ["over_amount"],
              "p": [{"type": "public_defender", "head_name": "Ada"}, {"type": "public_defender"}, {"type": "ems"}]}
    cases = {
        "t": True, "n": False, "not n": True, "f == false": True, "t == True": True,
        "k is not none and k > 30": True, "n is not none and n > 30": False, "n > 30": False,
        "s in ['active', 'planned']": True, "s == 'none'": False, "'over_amount' in l": True,
        "'x' not in l": True, "n and 'x' in n": False, "k >= 45.0": True, "(t or f) and not f": True,
        "p|selectattr('type', 'equalto', 'public_defender')|list": True,
        "p|selectattr('type', 'equalto', 'public_defender')|selectattr('head_name')|list": True,
        "p|selectattr('type', 'equalto', 'ems')|selectattr('head_name')|list": False,
        "n|selectattr('type')|list": False,
        "s and not (p and p|selectattr('type', 'equalto', 'lme_mco')|selectattr('head_name')|list)": True,
    }
    for expression, expected in cases.items():
        assert plain_evaluate(expression, values) is expected, expression
        assert jinja(expression, values) is expected, expression


# ---------------------------------------------------------------- generated: the same as Jinja or Jinja's

NAMES = ["a", "b", "c", "p", "missing", "none", "true", "False", "self", "items"]
LITERALS = ["'x'", '"y"', "'active'", "1", "0", "2.5", "30", "[]", "['x', 1]", "[[1]]", "none", "true", "false"]
VALUES = st.sampled_from([None, True, False, 0, 1, 2.5, 45, "x", "active", "", [], ["x"], [1, "x"], [[1]], {"x": 1},
                          [{"type": "x", "head_name": "n"}, {"type": "y"}, {}], [{"type": "x"}, "x"],
                          [{"items": 1, "type": "x"}]])
FILTERS = ["|selectattr('type')", "|selectattr('head_name')", "|selectattr('type', 'equalto', 'x')",
           "|selectattr('type', 'equalto', 1)", "|selectattr('items')", "|length", "|first", "|list()"]


def _join(parts: list[str]) -> str:
    return "".join(parts)


ATOMS = st.one_of(st.sampled_from(NAMES), st.sampled_from(LITERALS),
                  st.builds(lambda n, fs: n + "".join(fs) + "|list", st.sampled_from(NAMES),
                            st.lists(st.sampled_from(FILTERS), max_size=3)))


def _extend(inner):
    op = st.sampled_from([" == ", " != ", " < ", " > ", " <= ", " >= ", " in ", " not in ", " and ", " or ",
                          " + ", " is ", " if "])
    return st.one_of(
        st.builds(lambda e: f"({e})", inner),
        st.builds(lambda e: f"not {e}", inner),
        st.builds(lambda a, o, b: a + o + b, inner, op, inner),
        st.builds(lambda e, neg: f"{e} is {'not ' if neg else ''}none", inner, st.booleans()),
        st.builds(lambda e, extra: f"{e} is none {extra}", inner, st.sampled_from(["'x'", "in a", "and a", "or b"])),
        st.builds(lambda a, b, c: f"{a} < {b} < {c}", inner, inner, inner),
    )


EXPRESSIONS = st.recursive(ATOMS, _extend, max_leaves=8)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS, st.fixed_dictionaries({"a": VALUES, "b": VALUES, "c": VALUES, "p": VALUES, "items": VALUES},
                                          optional={"self": VALUES, "loop": VALUES}))
def test_whatever_it_evaluates_jinja_evaluates_the_same(expression, values):
    plain = plain_evaluate(expression, values)
    if plain is not None:
        assert plain is jinja(expression, values), expression
        assert conditions.evaluate(expression, values) is plain


def test_a_condition_it_evaluates_never_loads_jinja(tmp_path: Path):
    import subprocess
    import sys

    script = ("import sys\nfrom readiness.questionnaire.conditions import evaluate\n"
              "assert evaluate(\"s in ['active'] and not (p|selectattr('t', 'equalto', 1)|list)\", "
              "{'s': 'active', 'p': [{'t': 2}]})\n"
              "assert not evaluate('k is not none and k > 30', {'k': None})\n"
              "assert 'jinja2' not in sys.modules and 'readiness.sandbox' not in sys.modules\n"
              "assert evaluate('a|length > 0', {'a': [1]})\n"
              "assert 'jinja2' in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
