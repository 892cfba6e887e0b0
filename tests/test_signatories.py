"""The MOU's signature blocks and notice list take the signatory of defense counsel and of the
behavioral-health authority from their own questions (questionnaire 1.3.0), so no placeholder stands
where the answers could have said who signs; unanswered, the open item names what is missing."""
from __future__ import annotations

import shutil

from conftest import EXAMPLES, invoke
from test_truthful_drafts import _render


def _rows(md: str, party: str) -> list[str]:
    return [line for line in md.splitlines() if line.startswith(f"| {party} |")]


def test_the_behavioral_health_authoritys_signatory_fills_its_signature_block(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(EXAMPLES / "pine-ridge-county", site)
    lme = "Highlands Behavioral Health Network (fictional LME/MCO)"
    rows = _rows(_render(site)["mou"], lme)  # Pine Ridge answers lme_mco_signatory (its partner entry names no head)
    assert rows and "Angela Brooks, Chief Executive Officer" in rows[0], rows  # section 19's signature row
    assert not any("[TO CONFIRM: Name of the organization's head" in row for row in rows), rows
    assert invoke("answer", site, "lme_mco_signatory", "--unknown").exit_code == 0
    rows = _rows(_render(site)["mou"], lme)
    assert any("[TO CONFIRM" in row for row in rows) and not any("Angela Brooks" in row for row in rows), rows


def test_defense_counsels_signatory_and_title_fill_its_signature_block(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(EXAMPLES / "pine-ridge-county", site)
    mou = _render(site)["mou"]  # the defender office is unknown: one open item, no title
    assert "[TO CONFIRM: name of the Public Defender or coordinating defense attorney]" in mou
    for args in (("public_defender_name", "Pine Ridge Assigned Counsel Office (fictional)"),
                 ("public_defender_head", "Lena Ortiz"), ("public_defender_head_title", "Coordinating Attorney")):
        result = invoke("answer", site, *args)
        assert result.exit_code == 0, result.output
    mou = _render(site)["mou"]
    rows = _rows(mou, "Pine Ridge Assigned Counsel Office (fictional)")
    assert rows and any("Lena Ortiz, Coordinating Attorney" in row for row in rows), rows
    assert "[TO CONFIRM: name of the Public Defender or coordinating defense attorney]" not in mou


def test_the_new_questions_are_asked_only_once_the_office_is_named():
    from readiness import resources
    from readiness.questionnaire.conditions import applicable_ids, condition_values
    from readiness.questionnaire.loader import load_questionnaire
    from readiness.workspace.models import Answer

    q = load_questionnaire(resources.bundled_questionnaire())
    new = {"public_defender_head", "public_defender_head_title", "lme_mco_signatory", "lme_mco_signatory_title"}
    assert new <= set(q.by_id)
    assert not (new & applicable_ids(q, condition_values(q, {}, []), {}))
    named = {"public_defender_name": Answer(value="A Defender Office"), "lme_mco_name": Answer(value="An Authority"),
             "public_defender_head": Answer(value="A Name"), "lme_mco_signatory": Answer(value="B Name")}
    assert new <= applicable_ids(q, condition_values(q, named, []), named)


def test_a_partner_entry_that_names_the_head_makes_the_questions_unneeded():
    """Harbor County lists its defender office and its behavioral-health authority as partners with their
    heads: it is asked nothing more (the interview is no longer for a county with nothing to add)."""
    from readiness.questionnaire.conditions import applicable_ids, condition_values
    from readiness.workspace.store import open_site

    site = open_site(EXAMPLES / "harbor-county")
    live = applicable_ids(site.questionnaire, condition_values(site.questionnaire, site.answers, []), site.answers)
    assert not ({"public_defender_head", "public_defender_head_title", "lme_mco_signatory",
                 "lme_mco_signatory_title"} & live)
