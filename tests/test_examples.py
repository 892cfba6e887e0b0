"""The bundled example counties score the way a coordinator would expect."""
import json

import pytest

from readiness import resources
from readiness.questionnaire.loader import load_questionnaire

from conftest import EXAMPLES, invoke

Q = load_questionnaire(resources.bundled_questionnaire())


def score(name: str) -> dict:
    result = invoke("score", EXAMPLES / name, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def scores() -> dict:
    return {name: score(name) for name in ("harbor-county", "pine-ridge-county", "cedar-falls-county", "willow-bend-county")}


def test_the_urban_county_scores_highest(scores):
    ranked = sorted(scores, key=lambda n: scores[n]["overall"]["score"], reverse=True)
    assert ranked[0] == "harbor-county"


def test_the_prosecutor_county_is_blocked_by_its_prosecutor_gate(scores):
    cedar = scores["cedar-falls-county"]
    assert cedar["overall"]["launch_ready"] is False
    gates = {g["id"]: g["status"] for g in cedar["gates"]}
    assert gates["da_non_filing"] == "failed"
    assert cedar["gaps"][0]["blocks_launch"]


def test_rural_county_has_service_and_transport_gaps(scores):
    gaps = {g["question"] for g in scores["pine-ridge-county"]["gaps"]}
    assert {"ssp_in_county", "moud_access"} <= gaps


@pytest.mark.parametrize("name", ["harbor-county", "pine-ridge-county", "cedar-falls-county", "willow-bend-county"])
def test_every_domain_and_gate_is_in_the_json(scores, name):
    data = scores[name]
    assert [d["id"] for d in data["domains"]] == [d.id for d in Q.domains if d.scored]
    assert [g["id"] for g in data["gates"]] == [q.id for q in Q.questions if q.gate]
    assert data["questionnaire"] == {"id": Q.id, "version": Q.version}


def test_cedar_falls_interviewees_disagree(scores):
    dis = scores["cedar-falls-county"]["disagreements"]
    assert dis and all(len(d["answers"]) >= 2 for d in dis)
    roles = {a["role"] for d in dis for a in d["answers"]}
    assert any("District Attorney" in (r or "") for r in roles)


def test_examples_are_clearly_fictional():
    for site in resources.example_names():
        assert "(fictional)" in (EXAMPLES / site / "site.yaml").read_text()


def test_willow_bend_is_blocked_by_its_opposed_prosecutor(scores):
    willow = scores["willow-bend-county"]
    assert willow["overall"]["launch_ready"] is False
    assert {g["id"]: g["status"] for g in willow["gates"]}["da_non_filing"] == "failed"
