"""An agency whose general order for the Program is already in force gets a conformity checklist for it,
not a new order (issue 10, "The plan follows the answers"): each requirement of the model general order
is a row for counsel to check the order in force against, and that agency's general order is marked as
model text for the amendment. An agency without an order in force gets a new order and no checklist."""
from __future__ import annotations

import shutil

from conftest import EXAMPLES, copies_of, copy_for, invoke
from test_truthful_drafts import _render

MODEL_TEXT = "**Model text for an amendment.**"


def test_only_the_agency_with_its_order_in_force_gets_a_checklist():
    docs = _render(EXAMPLES / "willow-bend-county")  # the police department signed both; the sheriff has not agreed
    checklists = copies_of(docs, "order_conformity")
    assert list(checklists) == ["order_conformity_willow_bend_police_department"]
    md = copy_for(docs, "order_conformity", "Willow Bend Police Department")
    assert md.startswith("# General Order Conformity Checklist: Willow Bend Police Department")
    assert "this pack drafts no new order for Willow Bend Police Department" in md
    # the order in force is named from the agency's own record (field order_ref)
    assert "| Willow Bend Police Department | General Order 4.12 (fictional), Referrals to Willow Bend County LEAD |" in md
    assert "[TO CONFIRM: number and title of the general order" not in md
    rows = [line for line in md.splitlines() if line.startswith("| ") and "☐ Yes ☐ No" in line]
    assert len(rows) >= 12
    for section in ("Procedure: arrest diversion", "What to say", "Who to call: the hand-off", "When the Program is full",
                    "Who may be referred", "What to write", "Confidentiality", "Supervisor duties",
                    "Training, data and review"):
        assert any(f"| {section}" in row for row in rows), section
    # the terms are the pack's, as in the model order
    assert "within 30 minutes" in md and "every 6 months" in md
    # the prosecutor has not signed: the checklist carries the order's "not yet in effect" requirement
    assert "until the Agency tells them in writing that the District Attorney has signed" in md
    assert MODEL_TEXT in copy_for(docs, "general_order", "Willow Bend Police Department")
    assert MODEL_TEXT not in copy_for(docs, "general_order", "Willow Bend County Sheriff's Office")


def test_a_changed_answer_turns_the_lead_agencys_new_order_into_a_checklist(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(EXAMPLES / "pine-ridge-county", site)
    docs = _render(site)  # "neither": no order in force anywhere
    assert not copies_of(docs, "order_conformity")
    assert not any(MODEL_TEXT in md for md in copies_of(docs, "general_order").values())
    result = invoke("answer", site, "le_mou_general_order", "order_only")
    assert result.exit_code == 0, result.output
    docs = _render(site)
    lead = "Pine Ridge County Sheriff's Office"
    assert list(copies_of(docs, "order_conformity")) == ["order_conformity_pine_ridge_county_sheriffs_office"]
    md = copy_for(docs, "order_conformity", lead)
    assert f"{lead} has issued its general order but has not yet signed the MOU." in md
    assert f"[TO CONFIRM: number and title of the general order {lead} has in force for the Program]" in md
    assert MODEL_TEXT in copy_for(docs, "general_order", lead)
    assert MODEL_TEXT not in copy_for(docs, "general_order", "Laurel Gap Police Department")
    # the District Attorney has committed in writing: no "not yet in effect" row
    assert "has signed the Prosecutor Diversion Protocol; until then" not in md


def test_the_build_writes_the_checklist_beside_the_orders(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(EXAMPLES / "willow-bend-county", site)
    result = invoke("build", site, "--only", "order_conformity")
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (site / "drafts").rglob("*order-conformity*"))
    assert any(name.endswith(".md") for name in written) and any(name.endswith(".docx") for name in written), written
