"""The drafting memo holds the assessment's notes; agreements, orders and protocols hold only operative text."""
from __future__ import annotations

import re

import pytest

from conftest import EXAMPLES, invoke, render_pack

SITES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "site.yaml").exists())
OPERATIVE = ("mou", "release_of_information", "data_sharing", "prosecutor_protocol", "general_order",
             "referral_protocol", "case_conferencing", "post_overdose_protocol", "officer_training")
COMMENTARY = re.compile(r"\bthe (?:readiness )?assessment (?:records|recorded|found|finds|shows)|readiness assessment"
                        r"|Open launch conditions|Note for the Parties|Note for counsel|Commitment still needed"
                        r"|from the assessment|\*\*Note\.\*\*", re.I)


_render = render_pack


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = {name: _render(EXAMPLES / name) for name in SITES}
    blank = tmp_path_factory.mktemp("blank") / "blank"
    assert invoke("new", blank, "--name", "Blank County", "--state", "NC").exit_code == 0
    out["blank"] = _render(blank)
    return out


def _without_draft_notice(md: str) -> str:
    """The DRAFT notice is the one quoted block every draft carries until signature; it is not a clause."""
    return re.sub(r"^> \*\*DRAFT version.*?(?=\n[^>\n])", "", md, count=1, flags=re.S | re.M)


@pytest.mark.parametrize("name", SITES + ["blank"])
def test_agreements_orders_and_protocols_carry_no_assessment_commentary(rendered, name):
    docs = rendered[name]
    operative = [d for d in docs if d in OPERATIVE or d.startswith(("general_order_", "field_card_"))]
    assert len(operative) > len(OPERATIVE)  # every agency's general order and field card, too
    for doc_id in operative:
        text = _without_draft_notice(rendered[name][doc_id])
        hits = [m.group(0) for m in COMMENTARY.finditer(text)]
        assert not hits, f"{name}/{doc_id}: {hits}"


@pytest.mark.parametrize("name", SITES + ["blank"])
def test_every_build_has_a_drafting_memo(rendered, name):
    memo = rendered[name]["drafting_memo"]
    assert memo.startswith("# Drafting Memo: ")
    for heading in ("## 2. Launch conditions not yet met", "## 3. Open items by document",
                    "## 4. Open items by party", "## 5. Program terms"):
        assert heading in memo, f"{name}: {heading}"


def test_the_notes_that_left_the_documents_are_in_the_memo(rendered):
    cedar = rendered["cedar-falls-county"]["drafting_memo"]
    assert "### Prosecutor Diversion Protocol" in cedar
    assert "The protocol is the commitment the Program still needs" in cedar
    assert "### Data-Sharing Agreement\n\n- No data-sharing agreement has been signed." in cedar
    assert "The form is meant to serve as a written consent under 42 CFR Part 2" in cedar
    harbor = rendered["harbor-county"]["drafting_memo"]
    assert "| Data-sharing agreement signed | Not met" in harbor  # Harbor's one unmet launch requirement
    assert "still needs" not in harbor
    pine = rendered["pine-ridge-county"]["drafting_memo"]
    assert "No written remote hand-off procedure exists yet" in pine


def test_the_memo_lists_each_party_with_its_open_gaps(rendered):
    memo = rendered["cedar-falls-county"]["drafting_memo"]
    section = memo.split("## 4. Open items by party", 1)[1].split("## 5.", 1)[0]
    assert "### District Attorney" in section
    assert "(launch requirement)" in section


def test_the_memo_marks_proposed_defaults(rendered):
    memo = rendered["harbor-county"]["drafting_memo"]
    assert "| Notice of a serious incident to the project manager and PCG chair | 2 hours | Proposed default |" in memo
    assert "| Caseload cap per full-time case manager | 20 participants | Answer |" in memo


def test_a_real_build_writes_the_memo_in_both_formats(example_copy):
    site = example_copy("pine-ridge-county")
    result = invoke("build", site)
    assert result.exit_code == 0, result.output
    out = site / "drafts" / "v001"
    assert (out / "drafting-memo.md").is_file() and (out / "drafting-memo.docx").is_file()
