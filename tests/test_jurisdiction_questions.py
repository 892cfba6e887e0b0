"""The questionnaire's prose as a Virginia site reads it (issue 11 audit): the state's names fill the
`{prosecutor}`-style placeholders and the sentences around them still read."""
from __future__ import annotations

import re
import shutil

import pytest

from readiness.questionnaire.wording import fill
from readiness.workspace.store import open_site

from conftest import EXAMPLES


@pytest.fixture(scope="module")
def virginia_texts(tmp_path_factory):
    site = tmp_path_factory.mktemp("va") / "willow-bend-va"
    shutil.copytree(EXAMPLES / "willow-bend-county", site)
    path = site / "site.yaml"
    path.write_text(re.sub(r"(?m)^state: .*$", "state: VA", path.read_text(encoding="utf-8")), encoding="utf-8")
    texts: list[str] = []

    def walk(value):
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for question in open_site(site).questionnaire.questions:  # the prose a user reads, not ids or conditions
        walk({k: v for k, v in question.model_dump().items() if k not in ("id", "fact", "when", "domain", "basis")})
    return texts


def test_a_name_with_its_abbreviation_takes_the_possessive_without_it():
    names = {"bh_authority": "Community Services Board (CSB)"}
    assert fill("Turn the {bh_authority}'s support into a written commitment.", names) == \
        "Turn the Community Services Board's support into a written commitment."
    assert fill("Meet the {bh_authority}.", names) == "Meet the Community Services Board (CSB)."
    assert fill("Turn the {bh_authority}'s support", {"bh_authority": "LME/MCO"}) == "Turn the LME/MCO's support"


def test_virginia_question_texts_read_as_sentences(virginia_texts):
    whole = "\n".join(virginia_texts)
    assert ")'s" not in whole  # "the Community Services Board (CSB)'s support"
    assert "Commonwealth's Attorney protocol" not in whole  # the title is not an adjective for the protocol
    assert "Turn the Community Services Board's support into a written commitment" in whole
    assert "Eligibility and exclusion criteria approved by the Commonwealth's Attorney and law enforcement" in whole
    # North Carolina's institutions, law and resources: only attributed findings ("several NC sites ...")
    for north_carolina in ("District Attorney", "LME/MCO", "prosecutorial district", "expunction", "G.S.",
                           "S.L. 20", "NC PORT", "NC harm reduction"):
        assert north_carolina not in whole, north_carolina
    assert "open item for the Commonwealth's Attorney and law enforcement to settle" in whole
