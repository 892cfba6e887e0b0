"""A 1,000-question questionnaire loads and scores in under 0.3 s (design.md section 8).

The questionnaire is generated: 20 domains of 50 questions each, every scored type (yes/no, choice,
checklist, 1-5 scale, number bands), about one question in five with a `when` condition on an earlier
answer, one in ten a launch requirement and most with a gap rule; about one in ten is a respondent
question, asked of three respondents.  A site answers nine questions in ten.

Rows:
- questionnaire_1000_load_and_score: read the YAML, validate it (pydantic, cross-checks, conditions
  compiled), then assess the site (conditions, scores, stages, gates, gaps, disagreements); nothing
  cached, as in a fresh `lead-readiness score` process.
- questionnaire_1000_load / _score: the two halves.

    python benchmarks/bench_questionnaire.py
"""
from __future__ import annotations

import os
import random
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _timing import print_rows, time_call  # noqa: E402

GOAL_MS = 300.0
QUESTIONS = 1000
DOMAINS = 20


def make_questionnaire(n: int = QUESTIONS, domains: int = DOMAINS, seed: int = 7) -> dict:
    rnd = random.Random(seed)
    out = {"id": "generated", "version": "1.0.0", "title": f"Generated questionnaire of {n} questions",
           "domains": [{"id": f"d{d:02d}", "title": f"Domain {d}", "weight": rnd.choice([1, 2, 3])}
                       for d in range(domains)], "questions": []}
    kinds = ["yes_no", "choice", "multi", "scale", "number"]
    for i in range(n):
        kind = kinds[i % len(kinds)]
        q = {"id": f"q{i:04d}", "domain": f"d{i * domains // n:02d}", "text": f"Question {i}: is item {i} in place?",
             "help": "Why it matters and what counts as yes.", "type": kind, "weight": rnd.choice([1, 2, 3])}
        if i % 10 == 3:
            q["scope"] = "respondent"
            q["type"] = kind = "scale"
        if kind == "choice":
            q["choices"] = [{"value": "full", "label": "Fully", "score": 1}, {"value": "part", "label": "Partly",
                                                                              "score": 0.5},
                            {"value": "none", "label": "Not at all", "score": 0}]
        elif kind == "multi":
            q["choices"] = [{"value": f"c{c}", "label": f"Option {c}", "score": 0.25} for c in range(4)]
        elif kind == "scale":
            q["scale"] = {"min": 1, "max": 5, "labels": {1: "Not at all", 5: "Fully"}}
        elif kind == "number":
            q["number"] = {"min": 0, "max": 1000, "bands": [{"max": 20, "score": 1}, {"max": 40, "score": 0.5},
                                                            {"score": 0}]}
        if i % 5 == 4 and i > 10:
            earlier = f"q{i - 5:04d}"  # a choice question five back (same position in the type cycle)
            q["when"] = f"{earlier} != 'none'" if (i - 5) % 5 == 1 else f"{earlier} is not none"
        if i % 10 == 0 and q.get("scope") != "respondent":
            q["gate"] = {"title": f"Requirement {i}"}
        if i % 3 != 2:
            q["gap"] = {"severity": rnd.choice(["critical", "high", "medium", "low"]), "action": f"Close gap {i}.",
                        "owner": "Project manager", "phase": rnd.choice(["design", "agreements", "launch"])}
        out["questions"].append(q)
    return out


def make_answers(q, seed: int = 11):
    from readiness.workspace.models import Answer

    rnd = random.Random(seed)

    def value(question):
        if question.type == "yes_no":
            return rnd.random() < 0.7
        if question.type == "choice":
            return rnd.choice(question.choices).value
        if question.type == "multi":
            return [c.value for c in question.choices if rnd.random() < 0.6]
        if question.type == "scale":
            return rnd.randint(1, 5)
        return rnd.randint(0, 60)

    from readiness.workspace.store import Respondent

    site = {x.id: Answer(value=value(x)) for x in q.questions if x.scope == "site" and rnd.random() < 0.9}
    people = [Respondent(f"person-{k}", f"Person {k}", "Partner", "Agency", "2026-11-30",
                         {x.id: Answer(value=value(x)) for x in q.questions if x.scope == "respondent"})
              for k in range(3)]
    return site, people


def run() -> list[dict]:
    from readiness.assessment import assess
    from readiness.questionnaire import conditions, loader

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.yaml"
        path.write_text(yaml.safe_dump(make_questionnaire(), sort_keys=False))
        size_kb = path.stat().st_size / 1000

        def load():  # as a fresh process would: no help from the per-process caches
            loader._load_cached.cache_clear()
            conditions.compile_condition.cache_clear()
            return loader.load_questionnaire(path)

        q = load()
        assert len(q.questions) == QUESTIONS
        answers, respondents = make_answers(q)

        def score():
            return assess(q, answers, respondents, site="Generated County", state="NC")

        a = score()
        assert a.score is not None and a.gaps
        both_ms = time_call(lambda: (load(), score()))
        load_ms = time_call(load)
        score_ms = time_call(score)
        os.environ["LEAD_READINESS_NO_CACHE"] = "1"
        try:
            first_ms = time_call(load, runs=3)
        finally:
            os.environ.pop("LEAD_READINESS_NO_CACHE", None)
    note = f"{QUESTIONS} questions ({size_kb:.0f} kB YAML), {len(answers)} site answers, 3 respondents"
    return [
        {"name": "questionnaire_1000_load_and_score", "measured": round(both_ms, 1), "goal": GOAL_MS, "unit": "ms",
         "note": note},
        {"name": "questionnaire_1000_load", "measured": round(load_ms, 1), "goal": GOAL_MS, "unit": "ms",
         "note": "part: read, validate, cross-check (parse cache warm: any load after the file's first)"},
        {"name": "questionnaire_1000_load_first_time", "measured": round(first_ms, 1), "goal": GOAL_MS, "unit": "ms",
         "note": "a new or just-edited file: YAML parsing alone is ~190 ms with libyaml"},
        {"name": "questionnaire_1000_score", "measured": round(score_ms, 1), "goal": GOAL_MS, "unit": "ms",
         "note": "part: assess"},
    ]


if __name__ == "__main__":
    print_rows(run())
