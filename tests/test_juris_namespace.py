"""The `juris` namespace: titles and institutions from the state's profile (issue 11)."""
from readiness.documents.context import juris_namespace
from readiness.jurisdiction import INSTITUTION_NAMES, describe
from readiness.questionnaire.wording import WORDING_NAMES


def test_north_carolina_names_its_own_institutions():
    j = juris_namespace("NC")
    assert j["prosecutor"] == "District Attorney"
    assert j["bh_authority"] == "LME/MCO"
    assert j["process_issuer"] == "magistrate"
    assert j["charging"] == "officer" and j["ta_resource"]["short"] == "NC-TAC"


def test_virginia_names_its_own_institutions():
    j = juris_namespace("VA")
    assert j["prosecutor"] == "Commonwealth's Attorney"
    assert j["prosecutor_office"] == "Office of the Commonwealth's Attorney"
    assert j["assistant_prosecutor"] == "assistant Commonwealth's Attorney"
    assert j["bh_authority"] == "Community Services Board (CSB)"
    assert "DBHDS" in j["state_bh_agency"] and "Virginia Department of Health" in j["health_agency"]
    assert "police agency" in j["misdemeanor_signer"]  # police prosecute misdemeanors in Virginia
    assert j["ta_resource"] is None and j["settlement_resource"] is None


def test_a_state_without_a_profile_gets_neutral_words_and_its_prosecutors_title():
    j = juris_namespace("OH")
    assert j["prosecutor"] == "Prosecuting Attorney"
    assert j["prosecutor_office"] == "Office of the Prosecuting Attorney"
    assert "municipal prosecutor" in j["misdemeanor_signer"]
    assert "LME" not in j["bh_authority"] and "North Carolina" not in j["health_agency"]
    assert j["charging"] == "either" and j["ta_resource"] is None
    assert juris_namespace("PR")["prosecutor"] == "Prosecutor"  # not in the titles table: neutral


def test_a_site_overrides_an_institution_and_the_derived_names_follow():
    j = juris_namespace("NC", overrides={"prosecutor": "County Prosecutor"})
    assert j["prosecutor"] == "County Prosecutor"
    assert j["prosecutor_office"] == "Office of the County Prosecutor"
    assert j["bh_authority"] == "LME/MCO"


def test_question_placeholders_are_the_profile_fields():
    assert set(WORDING_NAMES) == set(INSTITUTION_NAMES)


def test_new_says_which_profile_a_site_got():
    assert describe("VA").startswith("Virginia: titles and institutions set; ")
    assert "citations to confirm" in describe("VA")
    assert "Prosecuting Attorney" in describe("OH") and "no state profile" in describe("OH")
