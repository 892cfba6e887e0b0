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


def _memo_as(tmp_path, state: str) -> str:
    """Harbor County's drafting memo with its site.yaml set to another state."""
    import shutil

    site = tmp_path / f"harbor-{state}"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    text = (site / "site.yaml").read_text(encoding="utf-8")
    assert "state: NC" in text
    (site / "site.yaml").write_text(text.replace("state: NC", f"state: {state}"), encoding="utf-8")
    return _render(site)["drafting_memo"]


def _section6(memo: str) -> str:
    assert memo.count("\n## 6. ") == 1
    return memo.split("\n## 6. ", 1)[1]


def _profile(state: str) -> dict:
    import yaml

    from conftest import ROOT

    return yaml.safe_load((ROOT / "states" / f"{state}.yaml").read_text(encoding="utf-8"))


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_memo_states_north_carolinas_charging_mechanics_and_sources(rendered):
    nc = _profile("NC")
    memo = _section6(rendered["harbor-county"]["drafting_memo"])
    assert memo.startswith("North Carolina: titles, charging and citations")
    assert "(states/NC.yaml, reviewed 2026-11)" in memo
    # how a charge starts, with the profile's citation and source, and who signs, as the profile says
    charging = memo.split("6.3 **How a misdemeanor charge starts.** ", 1)[1].split("\n", 1)[0]
    assert charging.startswith(_flat(nc["charging"]["how"]))
    assert f"Citation: {nc['charging']['cite']}." in charging and f"Source: {nc['charging']['source']}." in charging
    assert "the referring officer takes no Charging Action" in charging  # charging.starts: officer
    signer = memo.split("6.4 **Who signs for misdemeanors.** ", 1)[1].split("\n", 1)[0]
    assert "the District Attorney." in signer and nc["misdemeanors"]["note"] in signer
    assert f"Source: {nc['misdemeanors']['source']}." in signer
    # every source of the profile, each with the note to have counsel confirm its current text
    for source in nc["sources"]:
        assert f"- {source}. Have counsel confirm the current text." in memo, source
    # each citation with its text, and the one the profile leaves open as an item to confirm
    for key, c in nc["citations"].items():
        if c["cite"]:
            assert f"| {c['title']} | {c['cite']} |" in memo, key
    open_item = "[TO CONFIRM: North Carolina citation for expunction of dismissed or non-filed charges]"
    confirm = memo.split("6.7 **What the profile leaves to confirm.**", 1)[1]
    assert confirm.strip().splitlines()[-1] == f"- {open_item}"
    assert "| Elected prosecutor | District Attorney (Office of the District Attorney) |" in memo


def test_the_memo_states_virginias_profile_and_what_it_marks_to_confirm(tmp_path):
    from readiness.documents.prose_check import check_markdown

    va = _profile("VA")
    whole = _memo_as(tmp_path, "VA")
    assert not check_markdown(whole, "drafting-memo.md"), check_markdown(whole, "drafting-memo.md")
    memo = _section6(whole)
    assert memo.startswith("Virginia: titles, charging and citations")
    assert _flat(va["charging"]["how"]) in memo and f"Citation: {va['charging']['cite']}." in memo
    assert f"The profile names who must sign for the diverted misdemeanors: {va['misdemeanors']['signer']}." in memo
    assert _flat(va["misdemeanors"]["note"]) in memo
    for source in va["sources"]:
        assert f"- {source}. Have counsel confirm the current text." in memo, source
    confirm = memo.split("6.7 **What the profile leaves to confirm.**", 1)[1]
    items = [line for line in confirm.splitlines() if line.startswith("- ")]
    unconfirmed = [c for c in va["citations"].values() if not c["cite"]]
    assert len(unconfirmed) == 4
    for c in unconfirmed:  # cite: null, with the profile's own note on where to confirm it
        item = f"- [TO CONFIRM: Virginia citation for {c['title'][0].lower() + c['title'][1:]}]"  # 'Good Samaritan' keeps its capitals"
        assert any(line.startswith(item) for line in items), (item, items)
    assert any("legiscan.com VA HB1821 enrolled text; confirm at law.lis.virginia.gov" in line for line in items)
    # a confirmed citation whose source still says "to confirm"
    assert any(line.startswith("- Expungement of dismissed or nolle prosequi charges, Va. Code § 19.2-392.2.")
               and "2025 HB 2723 changes to confirm" in line for line in items), items
    assert len(items) == 5
    assert "Commonwealth's Attorney (Office of the Commonwealth's Attorney)" in memo
    for term in ("G.S.", "LME/MCO", "NC DHHS", "District Attorney", "North Carolina"):
        assert term not in memo, term


def test_a_state_without_a_profile_gets_open_items_not_facts(tmp_path):
    from readiness.documents.prose_check import check_markdown

    generic = _profile("generic")
    whole = _memo_as(tmp_path, "OH")
    # the neutral court name reads in a sentence ("the chief judge of the court that hears misdemeanors")
    assert not check_markdown(whole, "drafting-memo.md"), check_markdown(whole, "drafting-memo.md")
    assert "the chief judge of the court that hears misdemeanors" in whole
    memo = _section6(whole)
    assert memo.startswith("Ohio: titles, charging and citations")
    assert "The pack has no jurisdiction profile for Ohio" in memo
    assert "| Elected prosecutor | Prosecuting Attorney (Office of the Prosecuting Attorney) |" in memo
    assert "neutral words, not Ohio's own names" in memo
    # how a charge starts is an open item, not the generic profile's sentence
    assert "[TO CONFIRM: how a misdemeanor charge starts in Ohio:" in memo
    assert generic["charging"]["how"] not in memo
    assert "Until this is confirmed, the prosecutor protocol words the commitment to fit both" in memo
    # who prosecutes misdemeanors: what the titles table says, still to confirm locally
    assert "The pack's table of titles by state names who prosecutes misdemeanors: the city law director" in memo
    assert "[TO CONFIRM: which offices prosecute the eligible offenses in Harbor County]" in memo
    # every citation is an open item, none is stated as a fact
    for c in generic["citations"].values():
        item = f"[TO CONFIRM: Ohio citation for {c['title'][0].lower() + c['title'][1:]}]"
        assert f"| {c['title']} | {item} | not yet found |" in memo
        assert f"- {item}" in memo
    assert "A state without a profile has none: every item above is to be confirmed." in memo
    for term in ("G.S.", "Va. Code", "District Attorney", "Commonwealth's Attorney", "Citation: ", "Source: N"):
        assert term not in memo, term


def test_a_state_without_a_profile_or_a_titles_row_asks_who_prosecutes_misdemeanors(tmp_path):
    memo = _section6(_memo_as(tmp_path, "PR"))
    assert "[TO CONFIRM: whether an office other than the Prosecutor (a city or county attorney" in memo
    assert "The pack's table of titles by state" not in memo


def test_the_memo_lists_the_order_a_conformity_checklist_still_has_to_name(rendered, example_copy):
    """Harbor City Police Department's general order is in force with no number and title recorded: its
    conformity checklist carries the open item, and the memo (section 3, open items by document) said
    nothing about it. Once the agency's entry names the order, the item leaves both."""
    item = ("[TO CONFIRM: number and title of the general order Harbor City Police Department has in force "
            "for the Program]")
    docs = rendered["harbor-county"]
    assert item in docs["order_conformity_harbor_city_police_department"]
    memo = docs["drafting_memo"]
    section3 = memo[memo.index("## 3. Open items by document"):memo.index("## 4. Open items by party")]
    assert "### General Order Conformity Checklist: Harbor City Police Department" in section3
    assert item in section3 and "question police_agencies" in section3

    site = example_copy("harbor-county")
    answers = site / "answers.yaml"
    text = answers.read_text(encoding="utf-8")
    old = "{name: Harbor City Police Department, head_name: Renee Caldwell, head_title: Chief of Police}"
    assert old in text
    answers.write_text(text.replace(old, old[:-1] + ", order_ref: 'GO 410.2, LEAD Referrals'}"), encoding="utf-8")
    docs = _render(site)
    assert "GO 410.2, LEAD Referrals" in docs["order_conformity_harbor_city_police_department"]
    assert item not in docs["order_conformity_harbor_city_police_department"]
    assert "General Order Conformity Checklist" not in docs["drafting_memo"] and item not in docs["drafting_memo"]


def test_a_state_without_a_profile_is_told_which_names_came_from_the_titles_table(tmp_path):
    """Ohio has no profile, but the titles table names its prosecutor and its ADAMHS boards: the memo
    says those came from the table and asks only for what is still neutral."""
    import re
    import shutil

    from conftest import EXAMPLES, render_pack

    site = tmp_path / "oh"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    path = site / "site.yaml"
    path.write_text(re.sub(r"(?m)^state: .*$", "state: OH", path.read_text(encoding="utf-8")), encoding="utf-8")
    memo = render_pack(site)["drafting_memo"]
    assert ("except the prosecutor's title, the prosecutor's area, who prosecutes misdemeanors and the local "
            "behavioral health authority, from the pack's table of titles by state") in memo
    assert "| Local behavioral health authority | Alcohol, Drug Addiction and Mental Health Services (ADAMHS) board |" in memo
    assert "[TO CONFIRM: who issues process for a misdemeanor and the names of the state agencies]" in memo
    assert "what Ohio calls the local behavioral health authority" not in memo
