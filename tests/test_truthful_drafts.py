"""Drafts say only what the answers support (issue 10, design.md 12).

Document by document and answer state by answer state: an answered "no" may say no, an unknown or
never-asked fact is an open item `[TO CONFIRM: ...]` and never a negative statement, a not-applicable
fact leaves its clause out with no placeholder, and a party is committed, joining or signed only
where the answers record it for that party.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from readiness.assessment.scoring import assess
from readiness.documents import build as B
from readiness.documents.context import site_context
from readiness.documents.environment import make_environment, render_string
from readiness.documents.pack import load_pack
from readiness.lint import lint
from readiness.report.outputs import Supplies
from readiness.workspace.store import open_site

from conftest import EXAMPLES, copies_of, copy_for, invoke

TODAY = dt.date(2026, 11, 30)
ALL_EXAMPLES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "site.yaml").is_file())
# A negative fact about the county: "has not yet", "does not have", "no ... yet" (rules such as "there is
# no further deadline" carry no "yet" and are not facts about the county).
NEGATIVE = re.compile(r"\b(?:has|have|does|do|is|are) not yet\b[^.;]*|\bdoes not have\b[^.;]*|\bno\b[^.;]{0,60}\byet\b", re.I)


def _render(site_dir: Path) -> dict[str, str]:
    site = open_site(site_dir, None)
    pack = load_pack(B.template_folders(site))
    a = assess(site.questionnaire, site.answers, site.respondents.values(), site=site.name, state=site.profile.state)
    env = make_environment(pack.folders)
    supplies = Supplies.for_site(site, a, TODAY, pack.folders)  # the report and plan are pack documents too
    docs, _ = B.render_documents(env, pack, list(pack.documents), site_context(site, a, B.state_dirs(pack)), 1, TODAY,
                                 supplies)
    return {d.spec.id: d.markdown for d in docs}


@pytest.fixture(scope="module")
def rendered():
    return {name: _render(EXAMPLES / name) for name in ALL_EXAMPLES}


def test_there_are_four_examples_including_the_opposed_prosecutor_one():
    assert {"harbor-county", "pine-ridge-county", "cedar-falls-county", "willow-bend-county"} <= set(ALL_EXAMPLES)


@pytest.mark.parametrize("name", ["cedar-falls-county", "willow-bend-county"])
def test_an_opposed_prosecutor_never_joins_or_commits(rendered, name):
    docs = rendered[name]
    for doc, md in docs.items():
        assert "joins the Program because" not in md, doc
        assert "has committed in writing not to file" not in md, doc
        assert "District Attorney, Harold Pruitt, has committed" not in md, doc
    for doc in ("prosecutor_protocol", "officer_training", "mou"):
        assert "**Open condition (District Attorney):**" in docs[doc], doc
        assert "signs the Prosecutor Diversion Protocol" in docs[doc], doc
    # the stance itself: in the training, and in the drafting memo rather than the agreements' text
    for doc in ("officer_training", "drafting_memo"):
        assert "has not agreed to a non-filing commitment" in docs[doc], doc  # the answer is "no"
    assert "Commitment given in writing" not in docs["mou"]
    assert "To be signed by the District Attorney before arrest diversion begins" in docs["mou"]


def test_a_written_prosecutor_commitment_is_stated_and_no_condition_shown(rendered):
    docs = rendered["harbor-county"]
    assert "The Office joins the Program because it believes" in docs["prosecutor_protocol"]
    assert "has committed in writing not to file or pursue the diverted charge" in docs["officer_training"]
    for doc, md in docs.items():
        assert "Open condition (District Attorney)" not in md, doc


def test_each_agency_has_its_own_standing(rendered):
    docs = rendered["willow-bend-county"]
    police = copy_for(docs, "general_order", "Willow Bend Police Department")
    sheriff = copy_for(docs, "general_order", "Willow Bend County Sheriff's Office")
    for doc, md in (("mou", docs["mou"]), ("police order", police), ("sheriff's order", sheriff)):
        assert "Willow Bend County Sheriff's Office has signed" not in md, doc
    for doc, md in (("mou", docs["mou"]), ("police order", police)):
        assert "Willow Bend Police Department has signed the MOU and issued its general order." in md, doc
    for doc, md in (("mou", docs["mou"]), ("sheriff's order", sheriff)):
        assert "Willow Bend County Sheriff's Office has not agreed to take part." in md, doc
        assert "**Open condition (Willow Bend County Sheriff's Office):** Lorraine Hatch, Sheriff, agrees" in md, doc
    # each order states its own agency's standing only
    assert "Willow Bend County Sheriff's Office has not agreed" not in police
    assert "Willow Bend Police Department has signed" not in sheriff


def test_an_agency_without_its_own_status_is_an_open_item_the_lead_agency_follows_the_shared_answer(rendered):
    # Cedar Falls answers the MOU/order question for its lead agency only (order approved, MOU not signed);
    # the sheriff's office has no answer of its own, so its standing is an open item, not "signed".
    docs = rendered["cedar-falls-county"]
    assert "Cedar Falls Police Department has issued its general order but has not yet signed the MOU." in \
        copy_for(docs, "general_order", "Cedar Falls Police Department")
    assert "[TO CONFIRM: whether Cedar Falls County Sheriff's Office has signed the MOU and issued its general order]" in \
        copy_for(docs, "general_order", "Cedar Falls County Sheriff's Office")
    harbor = rendered["harbor-county"]["mou"]
    assert "Harbor City Police Department has signed the MOU and issued its general order." in harbor
    assert "Harbor County Sheriff's Office has signed the MOU; its general order is not yet issued." in harbor


def test_unknown_answers_are_open_items_not_negative_facts(rendered):
    docs = rendered["willow-bend-county"]
    assert "[TO CONFIRM: whether the partners have consulted people who use or have used drugs" in docs["clt_charter"]
    assert "have not yet consulted" not in docs["clt_charter"]
    assert "[TO CONFIRM: whether the Policy Coordinating Group has estimated the monthly cost" in docs["sustainability_plan"]
    assert "has not yet estimated" not in docs["sustainability_plan"]
    # the data-sharing agreement's signing status is a drafting-memo item (no commentary in the agreement)
    assert "[TO CONFIRM: whether a data-sharing agreement has been signed]" in docs["drafting_memo"]
    assert "No data-sharing agreement has been signed" not in docs["drafting_memo"]
    assert "There is no public communications plan yet" not in docs["clt_charter"]
    assert "[TO CONFIRM: whether the Office has decided what happens when intake is not completed]" in docs["prosecutor_protocol"]
    assert "The Office has not yet decided" not in docs["prosecutor_protocol"]
    assert "have not yet committed in writing the staff time" not in docs["sustainability_plan"]


def test_an_answered_no_may_say_no(rendered):
    # Pine Ridge answered these questions "no": the drafts may say so.
    site = open_site(EXAMPLES / "pine-ridge-county")
    docs = rendered["pine-ridge-county"]
    if site.answers.get("cost_estimate") is not None and site.answers["cost_estimate"].value is False:
        assert "has not yet estimated the monthly cost" in docs["sustainability_plan"]
    if site.answers.get("lived_experience_input") is not None and site.answers["lived_experience_input"].value is False:
        assert "have not yet consulted people who use" in docs["clt_charter"]


def test_not_applicable_removes_the_clause_without_a_placeholder(rendered):
    mou = rendered["willow-bend-county"]["mou"]
    assert "peer support specialists will be part of the team" not in mou
    assert "employ and supervise case managers dedicated to the Program" in mou


def test_post_overdose_referrals_never_pass_through_police(rendered):
    for name, docs in rendered.items():
        for doc in ("post_overdose_protocol", "referral_protocol"):
            md = docs.get(doc, "")
            assert "through an officer on the Operational Work Group" not in md, (name, doc)
            assert "through an OWG officer" not in md, (name, doc)


def test_a_closed_pathway_is_described_the_same_way_everywhere(rendered):
    sentence = re.compile(r"The ([a-z ]+) pathway is not open at launch; the Policy Coordinating Group may open it "
                          r"by a written decision recorded in its minutes\. Until it does, no procedure depends on it\.")
    found = 0
    for docs in rendered.values():
        for md in docs.values():
            found += len(sentence.findall(md))
            assert "is not one of the referral pathways open at launch" not in md
            assert "Community referrals are not open at launch" not in md
    assert found  # Cedar Falls and Willow Bend do not open the community pathway


def test_a_site_with_only_a_name_and_state_states_no_negative_fact(tmp_path):
    site = tmp_path / "y"
    assert invoke("new", site, "--name", "Y County", "--state", "NC").exit_code == 0
    result = invoke("build", site)
    assert result.exit_code == 0, result.output
    problems = []
    for md_file in sorted((site / "drafts" / "v001").glob("*.md")):
        if md_file.stem in ("readiness-report", "implementation-plan"):
            continue  # assessment views, not the parties' documents
        for line in md_file.read_text().splitlines():
            for m in NEGATIVE.finditer(line):
                phrase = m.group(0)
                if _allowed_negative(phrase, line):
                    continue
                problems.append(f"{md_file.name}: {phrase[:120]}")
    assert not problems, "\n".join(problems)
    nested = re.compile(r"\[TO CONFIRM:[^\]]*\[TO CONFIRM")
    for md_file in sorted((site / "drafts" / "v001").glob("*.md")):
        if md_file.stem not in ("readiness-report", "implementation-plan"):
            assert not nested.search(md_file.read_text()), md_file.name  # an open item inside an open item


# Negative wording that defines a term or a rule, not a fact about the county.
ALLOWED = ("who has not yet completed intake", "not yet in effect")


def _allowed_negative(phrase: str, line: str) -> bool:
    at = line.find(phrase)
    return any(a in line for a in ALLOWED) or "[TO CONFIRM" in line[max(0, at - 200):at]


def test_lint_flags_a_value_branch_without_the_unknown_state(tmp_path):
    pack = tmp_path / "templates"
    (pack / "policies").mkdir(parents=True)
    (pack / "policies" / "general-order.md.j2").write_text(
        "# Order\n\n{% if dsa.signed %}Signed.{% else %}Not signed.{% endif %}\n"
        "{% if da.non_filing == 'written' %}Committed.{% endif %}\n"
        "{% if da.non_filing.known and da.non_filing == 'written' %}Fine.{% endif %}\n"
        "{% if roi.approved.isyes %}Fine.{% elif roi.approved.isno %}Fine.{% endif %}\n"
        "{{ 'Signed' if dsa.signed.value else 'Not signed' }}\n"
        "{% if not roi.approved %}Not approved.{% endif %}\n"
        "{% if dsa.signed.known %}{% if not dsa.signed %}Fine: the enclosing if handles unknown.{% endif %}{% endif %}\n")
    report = lint(templates=pack)
    found = [(p.line, p.message) for p in report.errors if str(p.file).endswith("general-order.md.j2")]
    assert [line for line, _ in found] == [3, 4, 7, 8], found  # not 5, 6 or 9
    assert all(str(p.file) == str(pack / "policies" / "general-order.md.j2") for p in report.errors
               if "decides a branch" in p.message)
    assert "'dsa.signed' decides a branch" in found[0][1] and "unknown" in found[0][1]


def test_the_bundled_pack_passes_the_answer_state_rule():
    assert not [p for p in lint().problems if "decides a branch" in p.message]


def test_fact_vocabulary_for_each_state():
    from readiness.documents.facts import Fact
    yes = Fact("x", "q", "yes_no", True, "answered", "x")
    no = Fact("x", "q", "yes_no", False, "answered", "x")
    unknown = Fact("x", "q", "yes_no", None, "unknown", "x")
    never = Fact("x", "q", "yes_no", None, "unanswered", "x")
    na = Fact("x", "q", "yes_no", None, "not_applicable", "x")
    none_choice = Fact("x", "q", "choice", "none", "answered", "x")
    assert (yes.known, yes.isyes, yes.isno, yes.unknown) == (True, True, False, False)
    assert (no.known, no.isyes, no.isno) == (True, False, True)
    assert (unknown.unknown, unknown.isno, unknown.asked, unknown.known) == (True, False, True, False)
    assert (never.unknown, never.asked) == (True, False)
    assert (na.notapplicable, na.unknown, na.isno, na.asked) == (True, False, False, True)
    assert none_choice.isno
    env = make_environment([])
    assert render_string(env, "{% if f.isno %}no{% elif f.unknown %}open{% endif %}", {"f": unknown}) == "open"


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_answers_of_version_1_0_0_read_under_the_current_version_with_nothing_lost(tmp_path, name):
    site = tmp_path / name
    shutil.copytree(EXAMPLES / name, site)
    profile = site / "site.yaml"
    profile.write_text(profile.read_text().replace("lead-site-readiness@1.3.0", "lead-site-readiness@1.0.0"))
    raw = yaml.safe_load((site / "answers.yaml").read_text())["answers"]
    opened = open_site(site)
    assert opened.questionnaire.version == "1.3.0"
    assert not opened.unmapped
    assert set(raw) <= set(opened.answers)
    for qid, entry in raw.items():
        if "value" in entry:
            assert opened.answers[qid].value == entry["value"] or opened.answers[qid].value is not None, qid
        assert opened.answers[qid].status == entry.get("status", "answered"), qid


def test_the_provider_is_under_contract_only_where_the_answers_say_so(rendered, tmp_path):
    assert "is under contract for the Program and its case managers are in post." in rendered["harbor-county"]["mou"]
    assert "is under contract for the Program and is hiring" in rendered["willow-bend-county"]["mou"]
    site = tmp_path / "site"
    shutil.copytree(EXAMPLES / "willow-bend-county", site)
    assert invoke("answer", site, "cm_contracted", "negotiating").exit_code == 0
    mou = _render(site)["mou"]
    assert "is under contract" not in mou
    assert "**Open condition (case management provider):**" in mou
    assert invoke("answer", site, "cm_contracted", "--unknown").exit_code == 0
    mou = _render(site)["mou"]
    assert "[TO CONFIRM: whether Riverbend Recovery Partners (fictional) is under contract for the Program]" in mou


def test_an_unknown_prosecutor_answer_is_an_open_item_not_a_refusal(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(EXAMPLES / "willow-bend-county", site)
    assert invoke("answer", site, "da_non_filing", "--unknown").exit_code == 0
    docs = _render(site)
    for doc in ("prosecutor_protocol", "officer_training", "mou"):
        assert "has not agreed to a non-filing commitment" not in docs[doc], doc
        assert "**Open condition (District Attorney):**" in docs[doc], doc
    for doc in ("officer_training", "drafting_memo"):  # the agreements carry the condition, the memo the stance
        assert "[TO CONFIRM: whether the District Attorney, Harold Pruitt, has committed in writing" in docs[doc], doc
    assert "has not agreed to a non-filing commitment" not in docs["drafting_memo"]


# question -> (document, what an answered "no" says, the open item an unknown answer gives)
STATE_PHRASES = {
    "lived_experience_input": ("clt_charter", "have not yet consulted people who use",
                               "[TO CONFIRM: whether the partners have consulted people who use"),
    "cost_estimate": ("sustainability_plan", "has not yet estimated the monthly cost",
                      "[TO CONFIRM: whether the Policy Coordinating Group has estimated the monthly cost"),
    "dsa_signed": ("drafting_memo", "No data-sharing agreement has been signed.",
                   "[TO CONFIRM: whether a data-sharing agreement has been signed]"),
    "equity_tracking": ("evaluation_plan", "have not yet committed to tracking",
                        "[TO CONFIRM: whether the partners have committed to tracking"),
    "medicaid_billing": ("sustainability_plan", "| Not yet confirmed |", "[TO CONFIRM: whether billable services are confirmed]"),
    "in_kind_commitments": ("sustainability_plan", "have not yet committed in writing the staff time",
                            "[TO CONFIRM: whether partner agencies have committed in writing"),
    "baseline_data": ("evaluation_plan", "It has not yet been drawn", "[TO CONFIRM: whether the baseline has been drawn]"),
    "comms_plan": ("clt_charter", "There is no public communications plan yet",
                   "[TO CONFIRM: whether the partners already have a public communications plan]"),
}
SHARED = {"both": "signed", "mou_only": "mou_signed", "order_only": "order_only", "neither": "unsigned"}
STANDING = {"signed": "has signed the MOU and issued its general order.",
            "mou_signed": "has signed the MOU; its general order is not yet issued.",
            "order_only": "has issued its general order but has not yet signed the MOU.",
            "agreed": "has agreed to take part but has not yet signed.",
            "not_agreed": "has not agreed to take part.",
            "unsigned": "has not yet signed the MOU or issued a general order."}


def _state(site, qid):
    a = site.answers.get(qid)
    if a is None or a.status in ("unknown", "skipped"):
        return "unknown"
    if a.status == "not_applicable":
        return "not_applicable"
    return "yes" if a.value else "no"


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_every_example_says_what_each_answer_state_allows(rendered, name):
    site = open_site(EXAMPLES / name)
    docs = rendered[name]
    for qid, (doc, said_no, open_item) in STATE_PHRASES.items():
        state, md = _state(site, qid), docs[doc]
        assert (said_no in md) == (state == "no"), (qid, state, said_no)
        assert (open_item in md) == (state == "unknown"), (qid, state, open_item)


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_every_example_gives_each_party_only_the_stance_its_answers_record(rendered, name):
    site = open_site(EXAMPLES / name)
    docs = rendered[name]
    da = site.answers.get("da_non_filing")
    written = da is not None and da.status == "answered" and da.value == "written"
    for doc, md in docs.items():
        assert ("joins the Program because it believes" in md) == (written and doc == "prosecutor_protocol"), doc
        assert "**Open condition (District Attorney):**" not in md or not written, doc
        if not written:
            assert "has committed in writing not to file" not in md, doc
    if not written:
        for doc in ("prosecutor_protocol", "officer_training", "mou", "referral_protocol"):
            assert "**Open condition (District Attorney):**" in docs[doc], doc
    lead = site.answers["lead_agency_name"].value
    shared = site.answers.get("le_mou_general_order")
    for agency in site.answers["police_agencies"].value:
        status = agency.get("status") or (SHARED.get(shared.value) if shared and agency["name"] == lead else None)
        for doc, md in (("mou", docs["mou"]), ("general_order", copy_for(docs, "general_order", agency["name"]))):
            if status:
                assert f"{agency['name']} {STANDING[status]}" in md, (doc, agency["name"], status)
            else:
                assert f"[TO CONFIRM: whether {agency['name']} has signed the MOU" in md, (doc, agency["name"])
            for other, sentence in STANDING.items():
                if other != status:
                    assert f"{agency['name']} {sentence}" not in md, (doc, agency["name"], other)


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_eligibility_criteria_not_approved_by_both_are_an_open_item_where_they_are_listed(rendered, name):
    """The DA reads no list of eligible offenses as agreed when the answers say only one party approved it."""
    approved = open_site(EXAMPLES / name).answers["eligibility_approved"]
    one_party = approved.status == "answered" and approved.value == "one_party"
    item = "[TO CONFIRM: approval of these criteria by both the District Attorney and law enforcement"
    docs = rendered[name]
    for doc in ("prosecutor_protocol", "mou", *copies_of(docs, "general_order"), *copies_of(docs, "field_card")):
        assert (item in docs[doc]) == one_party, (name, doc)


def _sentences(md: str) -> list[str]:
    return [s for line in md.splitlines() for s in re.split(r"(?<=[.;])\s+(?=[A-Z(])", line)]


def test_an_opposed_prosecutors_protocol_undertakes_nothing_until_signed(rendered):
    """Willow Bend's District Attorney is opposed: the protocol proposed to him states no undertaking of the
    Office as given. Each 'the Office will' holds once he signs, and the missing commitment is an open
    condition naming him (which the drafting memo lists)."""
    md = rendered["willow-bend-county"]["prosecutor_protocol"]
    office_will = [s for s in _sentences(md) if "Office will" in s]
    assert len(office_will) >= 6, office_will  # 1.1, 2.2, 3.1, 3.3, 8.2, 10.3
    for sentence in office_will:
        assert re.search(r"[Oo]nce the District Attorney signs (?:this protocol|it)\b|on the same condition the Office",
                         sentence), sentence
    assert "The Office will not file" not in md
    assert "2.2 **Eligible conduct and exclusions.** Once the District Attorney signs this protocol, the Office will not file" in md
    assert "Until then the Office has given none of the undertakings below, and no officer makes an arrest diversion" in md
    assert "**Open condition (District Attorney):** arrest diversion does not begin until the District Attorney, " \
        "Harold Pruitt, signs the Prosecutor Diversion Protocol" in md
    assert "has not agreed to a non-filing commitment" in rendered["willow-bend-county"]["drafting_memo"]


def test_a_committed_prosecutors_protocol_states_the_undertakings_plainly(rendered):
    md = rendered["harbor-county"]["prosecutor_protocol"]
    assert "2.2 **Eligible conduct and exclusions.** The Office will not file or pursue charges" in md
    assert "signs this protocol, the Office will" not in md
    assert "Until then the Office has given none" not in md
    assert "This protocol records how the" in md
