"""The MOU a county attorney starts from (issue 12): the closing clauses every interagency agreement
has, an effective date and quorum no single Party can block, defined terms spelled one way across a
whole build, and eligibility stated once (MOU Appendix A) for the other documents to point to."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, ROOT, render_pack

ALL_EXAMPLES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "site.yaml").is_file())

# The closing article, heading by heading, in order (issue 12, "MOU closing article").
CLOSING = (
    "What is binding",
    "Governing law",
    "Severability",
    "Entire agreement and order of precedence",
    "Notices",
    "Dispute resolution and escalation",
    "Termination and withdrawal",
    "Public records",
    "Records retention",
    "Liability, insurance and indemnification",
    "No third-party beneficiaries",
    "Counterparts and electronic signatures",
)


@pytest.fixture(scope="module")
def packs() -> dict[str, dict[str, str]]:
    return {name: render_pack(EXAMPLES / name) for name in ALL_EXAMPLES}


def section(md: str, heading: str) -> str:
    """The text under a heading line (any level), up to the next heading of the same or a higher level."""
    lines = md.splitlines()
    start = next(i for i, line in enumerate(lines) if re.fullmatch(r"#+ " + re.escape(heading), line))
    level = len(lines[start]) - len(lines[start].lstrip("#"))
    out = []
    for line in lines[start + 1:]:
        m = re.match(r"(#+) ", line)
        if m and len(m.group(1)) <= level:
            break
        out.append(line)
    return "\n".join(out).strip()


def clause(md: str, number: str) -> str:
    """A numbered paragraph such as '16.1' or 'B.1' (the paragraph that starts with it)."""
    m = re.search(r"^" + re.escape(number) + r" (.+)$", md, re.M)
    assert m, f"no clause {number}"
    return m.group(1)


def signatories(md: str) -> list[str]:
    table = section(md, "19. Signatures").split("| Party | Name and title | Signature | Date |", 1)[1]
    rows = []
    for line in table.splitlines()[2:]:
        if not line.startswith("| "):
            break
        rows.append(line.split(" | ")[0][2:])
    return rows


# ---------------------------------------------------------------- the closing article


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_every_mou_has_each_closing_clause_under_its_own_heading(packs, name):
    mou = packs[name]["mou"]
    article = section(mou, "17. General provisions")
    headings = re.findall(r"^### 17\.(\d+) (.+)$", article, re.M)
    assert [h for _, h in headings] == list(CLOSING), name
    assert [int(n) for n, _ in headings] == list(range(1, len(CLOSING) + 1))
    for number, heading in headings:
        body = section(mou, f"17.{number} {heading}")
        assert len(body.split()) >= 10, (name, heading, body)  # a clause, not an empty heading
    assert "## 16. Effective date, term and amendment" in mou


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_closing_clauses_come_from_the_answers_or_are_open_items(packs, name):
    mou = packs[name]["mou"]
    site = yaml.safe_load((EXAMPLES / name / "site.yaml").read_text())
    assert site["state"] == "NC"
    assert section(mou, "17.2 Governing law") == \
        "This MOU is governed by the laws of North Carolina and applicable federal law."
    # notices: a method still to agree, and an address line for every signing Party
    assert "[TO CONFIRM: how notices are delivered" in section(mou, "17.5 Notices")
    notices = section(mou, "Appendix C. Contacts and notice addresses")
    for party in signatories(mou):
        assert f"| {party} | " in notices and "[TO CONFIRM: notice address and email] |" in notices, party
    # no insurance or indemnity is invented: the draft says it has none and asks counsel
    insurance = section(mou, "17.10 Liability, insurance and indemnification")
    assert "No Party indemnifies another" in insurance and "[TO CONFIRM: whether counsel for any Party" in insurance
    # retention: the program term the data-sharing agreement states too
    assert "destroyed no later than 3 years after the participant's last contact" in \
        section(mou, "17.9 Records retention")
    assert "destroyed no later than 3 years after the participant's last contact" in packs[name]["data_sharing"]
    # the escalation path: the PCG first, then the heads of the Parties concerned
    escalation = section(mou, "17.6 Dispute resolution and escalation")
    assert escalation.index("next PCG meeting") < escalation.index("heads of the Parties concerned")
    # what binds and what does not, in one sentence
    binding = section(mou, "17.1 What is binding")
    assert binding.count(". ") == 0 and "bind each Party" in binding and "creates no obligation" in binding


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_each_party_has_an_approved_as_to_form_line_for_its_counsel(packs, name):
    mou = packs[name]["mou"]
    parties = signatories(mou)
    assert len(parties) >= 4
    form = section(mou, "19. Signatures").split("| Party | Approved as to form: counsel's name | Signature | Date |", 1)
    assert len(form) == 2, "no approved-as-to-form table"
    rows = [line for line in form[1].splitlines()[2:] if line.startswith("| ")]
    assert [r.split(" | ")[0][2:] for r in rows] == parties
    assert all(r.endswith("| | | |") for r in rows)  # left blank for counsel to fill in


def _site_in_another_state(tmp_path: Path, public_records: bool) -> tuple[Path, Path]:
    """Harbor County moved to Virginia, with a consultant templates folder whose states/VA.yaml does or
    does not carry a public-records citation."""
    site = tmp_path / "site"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    data = yaml.safe_load((site / "site.yaml").read_text())
    data["state"] = "VA"
    (site / "site.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    templates = tmp_path / "acme" / "templates"
    templates.mkdir(parents=True)
    profile = yaml.safe_load((ROOT / "states" / "NC.yaml").read_text())
    profile.update({"state": "VA", "name": "Virginia"})
    profile["citations"] = {k: {**v, "cite": None} for k, v in profile["citations"].items()}
    if public_records:
        profile["citations"]["public_records"] = {"title": "Virginia Freedom of Information Act",
                                                  "cite": "Va. Code § 2.2-3700 et seq.", "summary": "Public records."}
    else:
        profile["citations"].pop("public_records", None)
    (tmp_path / "acme" / "states").mkdir()
    (tmp_path / "acme" / "states" / "VA.yaml").write_text(yaml.safe_dump(profile, sort_keys=False))
    return site, templates


@pytest.mark.parametrize("cited", [True, False])
def test_public_records_clause_cites_the_states_law_or_asks_for_it(tmp_path, cited):
    site, templates = _site_in_another_state(tmp_path, cited)
    mou = render_pack(site, templates)["mou"]
    records = section(mou, "17.8 Public records")
    assert section(mou, "17.2 Governing law").startswith("This MOU is governed by the laws of Virginia")
    if cited:
        assert "public records under Va. Code § 2.2-3700 et seq." in records
        assert "TO CONFIRM" not in records
    else:
        # an uncited key (or one the profile leaves out, which the generic profile then supplies) is an
        # open item naming the state
        assert "[TO CONFIRM: Virginia" in records and "public records" in records
    assert "North Carolina" not in records


# ---------------------------------------------------------------- no single Party blocks the rest


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.;])\s+", text) if s.strip()]


def _party_words(mou: str) -> list[str]:
    """Every Party's name, and the roles one Party alone fills."""
    return signatories(mou) + ["District Attorney", "law enforcement", "case management provider", "Sheriff",
                               "Police", "prosecutor"]


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_the_mou_takes_effect_for_each_party_on_its_own_signature(packs, name):
    mou = packs[name]["mou"]
    effective = clause(mou, "16.1")
    assert "takes effect for each Party on the date that Party signs it" in effective
    assert "No Party's signature is a condition of this MOU taking effect for any other Party" in effective
    # no sentence anywhere makes the MOU (or an amendment) wait for a particular Party's signature
    words = _party_words(mou)
    for sentence in _sentences(mou):
        if re.search(r"takes? effect|in force|effective (?:date|when|on)", sentence, re.I):
            named = [w for w in words if w.lower() in sentence.lower()]
            assert not named, (name, sentence, named)
    # the body is amended party by party, the appendices by PCG decision
    assert "An amendment takes effect for each Party on the date that Party signs it" in clause(mou, "16.4")
    appendices = clause(mou, "16.5")
    assert "Appendix A (eligibility criteria), Appendix B (PCG operating procedures)" in appendices
    assert "by a written decision under Section 5.1(c)" in appendices and "no further signature" in appendices
    assert "signed by all Parties" not in mou


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_no_one_partys_absence_blocks_a_quorum_or_a_decision(packs, name):
    mou = packs[name]["mou"]
    quorum = clause(mou, "B.1")
    assert "A quorum is more than half of the Parties that have signed this MOU" in quorum
    assert "No one Party's presence is needed for a quorum" in quorum
    words = _party_words(mou)
    for sentence in _sentences(mou):
        if re.search(r"quorum|majority|needed for a decision|required for a decision", sentence, re.I):
            named = [w for w in words if w.lower() in sentence.lower()]
            assert not named, (name, sentence, named)
    assert "a Party that is absent does not block a decision" in mou


def test_the_old_blocking_clauses_would_fail_these_checks():
    """The check above catches the wording issue 12 found (one Party's signature or presence required)."""
    old = ("17.1 This MOU takes effect when signed by the District Attorney, at least one law enforcement agency "
           "and the case management provider. A majority of the Parties, including the District Attorney's "
           "Office, at least one law enforcement agency and the case management provider, is needed for a decision.")
    flagged = [s for s in _sentences(old)
               if re.search(r"takes? effect|majority|needed for a decision", s, re.I)
               and any(w.lower() in s.lower() for w in ["District Attorney", "law enforcement"])]
    assert len(flagged) == 2


# ---------------------------------------------------------------- defined terms


def defined_terms(mou: str) -> list[str]:
    """The terms of the shared definitions partial, as the MOU's Section 3 prints them."""
    return re.findall(r"^- \*\*(.+?)(?: \([A-Z]+\))?\.\*\* ", section(mou, "3. Definitions"), re.M)


# Single common words the Program also uses in their ordinary sense ("a syringe services program").
ORDINARY_WORDS = {"Program", "Participant", "Intake", "Case management", "Harm reduction"}


def _variants(term: str) -> re.Pattern:
    """Any spelling of the term: any capitals; where the term has a hyphen, a space or nothing instead
    ("warm handoff"). A term of separate words keeps its spaces: "pilot-area officers" is an adjective."""
    words = [r"[-\s]?".join(re.escape(p) for p in w.split("-")) for w in term.split()]
    return re.compile(r"(?<![\w-])" + r"\s+".join(words), re.I)


def misspelt_terms(docs: dict[str, str], terms: list[str]) -> list[tuple[str, str, str, str]]:
    """(document, term, as written, line) for every use that differs from the definition other than a
    capital first letter of a term defined in lower case. Headings (document titles) are left alone."""
    problems = []
    for term in terms:
        if term in ORDINARY_WORDS:
            continue
        canonical = term if any(c.isupper() for c in term[1:]) else term[0].lower() + term[1:]
        allowed = {canonical}
        if canonical[0].islower():
            allowed.add(canonical[0].upper() + canonical[1:])
        pattern = _variants(canonical)
        for doc, md in docs.items():
            for line in md.splitlines():
                if line.startswith("#"):
                    continue
                for m in pattern.finditer(line):
                    if m.group(0) not in allowed:
                        problems.append((doc, term, m.group(0), line.strip()[:160]))
    return problems


def test_the_definitions_include_the_terms_issue_12_found_drifting(packs):
    terms = defined_terms(packs["harbor-county"]["mou"])
    for term in ("Operational Work Group", "Policy Coordinating Group", "PCG chair", "Community Leadership Team",
                 "Charging Action", "Eligibility criteria", "Liaison prosecutor"):
        assert term in terms
    assert len(terms) == len(set(terms))


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_defined_terms_are_spelled_one_way_across_the_whole_build(packs, name):
    docs = packs[name]
    terms = defined_terms(docs["mou"])
    problems = misspelt_terms(docs, terms)
    assert not problems, "\n".join(f"{d}: '{w}' for '{t}': {line}" for d, t, w, line in problems)


def test_the_spelling_check_catches_a_drifting_term():
    docs = {"plan": "The operational work group meets weekly.\n# Operational work group (a title)\n",
            "order": "Tell the PCG Chair. Warm handoff. Arrest diversion starts a sentence. Officers make arrest diversions."}
    found = {(d, w) for d, _, w, _ in misspelt_terms(docs, ["Operational Work Group", "PCG chair", "Warm hand-off",
                                                           "Arrest diversion"])}
    assert found == {("plan", "operational work group"), ("order", "PCG Chair"), ("order", "Warm handoff")}


# ---------------------------------------------------------------- eligibility stated once


def test_eligibility_is_stated_once_in_the_mou_appendix(packs):
    mou = packs["harbor-county"]["mou"]
    appendix = section(mou, "Appendix A. Eligibility and exclusions")
    assert "A.1 **Eligible conduct.**" in appendix and "A.2 **Exclusions.**" in appendix
    assert "- Possession of drug paraphernalia" in appendix
    body = mou.split("## Appendix A. Eligibility and exclusions", 1)[0]
    assert "- Possession of drug paraphernalia" not in body  # the body points to the appendix
    assert "The eligibility criteria (eligible conduct and exclusions) are in Appendix A." in section(
        mou, "8. Eligibility and exclusions")


def _render_harbor(source: str) -> str:
    """Render template text against Harbor County's answers, as a document of its pack would be."""
    import datetime as dt

    from readiness.assessment import assess_site
    from readiness.documents import build as B
    from readiness.documents.context import DocInfo, site_context
    from readiness.documents.environment import make_environment, render_string
    from readiness.documents.pack import load_pack
    from readiness.workspace.store import open_site

    site = open_site(EXAMPLES / "harbor-county", None)
    pack = load_pack(B.template_folders(site, None))
    context = site_context(site, assess_site(site), B.state_dirs(pack), pack.folders)
    variables = context.for_document(DocInfo("test", "Test", 1, dt.date(2026, 11, 30)))
    return render_string(make_environment(pack.folders), source, variables)


def test_other_documents_can_point_to_the_appendix_in_one_line():
    out = _render_harbor('{% import "partials/eligibility.md.j2" as E with context %}'
                         '{{ E.ref() }}|{{ E.ref("arrest diversion") }}')
    plain, named = out.split("|")
    assert plain == ("The eligibility criteria (eligible conduct and exclusions) are those in Appendix A of the "
                     "Interagency Memorandum of Understanding, as the Policy Coordinating Group amends them.")
    assert named.startswith("The eligibility criteria for arrest diversion (eligible conduct and exclusions)")
    assert "\n" not in out


def test_a_general_order_can_print_only_the_terms_an_officer_uses():
    out = _render_harbor('{% import "partials/definitions.md.j2" as D with context %}'
                         "{{ D.definitions(['arrest diversion', 'warm hand-off']) }}").strip()
    assert defined_terms("## 3. Definitions\n\n" + out) == ["Arrest diversion", "Warm hand-off"]


def test_the_drafting_memo_points_to_the_eligibility_appendix(packs):
    memo = packs["willow-bend-county"]["drafting_memo"]  # criteria approved by one party only
    assert "Appendix A of the MOU is a draft for that approval." in memo
    assert "Section 8 is a draft" not in memo
