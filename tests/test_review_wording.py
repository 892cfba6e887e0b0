"""Issue 12, wording fixes found in review: the consent form, the data-sharing agreement and the
prosecutor protocol say what each party may do with legal information, and state the eligibility
criteria once (MOU Appendix A)."""
from __future__ import annotations

import re

import pytest

from conftest import EXAMPLES, render_pack

SITES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "site.yaml").exists())


@pytest.fixture(scope="module")
def packs():
    return {name: render_pack(EXAMPLES / name) for name in SITES}


@pytest.mark.parametrize("name", SITES)
def test_legal_information_reaches_only_those_with_a_role_in_it(packs, name):
    roi = packs[name]["release_of_information"]
    row = next(line for line in roi.splitlines() if line.startswith("| Legal matters |"))
    recipients = row.split(" | ")[2]
    assert "defense lawyer" in recipients and "liaison prosecutor" in recipients
    assert "not the other Part B organizations" in recipients
    goals = next(line for line in roi.splitlines() if line.startswith("| My goals and progress |"))
    assert "legal" not in goals.lower()  # legal matters have their own, narrower row


@pytest.mark.parametrize("name", SITES)
def test_the_no_prosecution_rule_names_its_one_exception(packs, name):
    dsa = packs[name]["data_sharing"]
    clause = next(line for line in dsa.splitlines() if line.startswith("5.1 "))
    assert "No party will use Program data to investigate or prosecute" in clause
    # the referral table sends the intake status and the incident report for the filing decision;
    # the rule must say so rather than contradict it
    assert "whether the person completed intake" in clause and "filing decision" in clause
    assert "incident report is a law enforcement record" in clause


@pytest.mark.parametrize("name", SITES)
def test_the_prosecutor_protocol_points_to_the_eligibility_appendix(packs, name):
    protocol = packs[name]["prosecutor_protocol"]
    assert "Appendix A of the Interagency Memorandum of Understanding" in protocol
    assert "**Exclusions.**" not in protocol  # the list lives in the MOU only
    mou = packs[name]["mou"]
    exclusions = re.search(r"A\.2 \*\*Exclusions\.\*\*.*?\n\n(.*?)\n\n", mou, re.S)
    assert exclusions and exclusions.group(1).strip().startswith("- ")
    for line in exclusions.group(1).splitlines():
        assert line not in protocol
