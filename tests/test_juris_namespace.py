"""The `juris` namespace: titles and institutions from the state's profile (issue 11 groundwork)."""
from readiness.documents.context import juris_namespace


def test_north_carolina_names_its_own_institutions():
    j = juris_namespace("NC")
    assert j["prosecutor"] == "District Attorney"
    assert j["bh_authority"] == "LME/MCO"
    assert j["process_issuer"] == "magistrate"


def test_a_state_without_a_profile_gets_neutral_words():
    j = juris_namespace("OH")
    assert j["prosecutor"] == "Prosecutor"
    assert "LME" not in j["bh_authority"] and "North Carolina" not in j["health_agency"]
