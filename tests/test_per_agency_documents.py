"""One general order and one field card per law enforcement agency (pack.yaml `for_each`), and the
officer training sized to its planned length, with the answer key on a facilitator page.

The LibreOffice page checks are in tests/test_field_card_libreoffice.py."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, copies_of, copy_for, invoke, render_pack

SITES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "site.yaml").is_file())
WORD_BUDGET = 2500  # issue 12: one general order of about 2,500 words at most, draft notice included
HARBOR = {"Harbor City Police Department": "harbor-city-police-department",
          "Harbor County Sheriff's Office": "harbor-county-sheriffs-office"}


@pytest.fixture(scope="module")
def rendered():
    return {name: render_pack(EXAMPLES / name) for name in SITES}


def _agencies(name: str) -> list[str]:
    answers = yaml.safe_load((EXAMPLES / name / "answers.yaml").read_text())["answers"]
    return [a["name"] for a in answers["police_agencies"]["value"]]


def _built(tmp_path: Path, *args: str) -> Path:
    site = tmp_path / "harbor"
    import shutil

    shutil.copytree(EXAMPLES / "harbor-county", site)
    result = invoke("build", site, *args)
    assert result.exit_code == 0, result.output
    return site


# ---------------------------------------------------------------- the pack mechanism


def test_harbor_build_writes_one_general_order_and_one_field_card_per_agency(tmp_path):
    site = _built(tmp_path, "--only", "general_order,field_card")
    out = site / "drafts" / "v001"
    names = sorted(p.name for p in out.iterdir() if p.name != "manifest.json")
    assert names == sorted(f"{kind}-{slug}.{fmt}" for kind in ("general-order", "field-card")
                           for slug in HARBOR.values() for fmt in ("md", "docx"))
    manifest = json.loads((out / "manifest.json").read_text())
    entries = {d["id"]: d for d in manifest["documents"]}
    assert list(entries) == ["general_order_harbor_city_police_department", "general_order_harbor_county_sheriffs_office",
                             "field_card_harbor_city_police_department", "field_card_harbor_county_sheriffs_office"]
    for agency, slug in HARBOR.items():
        order = entries["general_order_" + slug.replace("-", "_")]
        assert order["title"] == f"Law Enforcement General Order: {agency}" and order["copy_of"] == "general_order"
        assert order["names"] == {"md": f"general-order-{slug}.md", "docx": f"general-order-{slug}.docx"}
        md = (out / f"general-order-{slug}.md").read_text()
        assert md.startswith("# General Order: Referrals to Harbor County LEAD\n") and f"| {agency} |" in md
        others = [a for a in HARBOR if a != agency]
        assert f"| {agency} |" in md and not any(f"| {o} |" in md for o in others)  # its own order only
        import docx

        core = docx.Document(str(out / f"general-order-{slug}.docx")).core_properties
        assert core.title == f"{order['title']} — Harbor County (fictional)"  # with the county, for File > Info


def test_diff_compares_each_agencys_order_with_its_own_earlier_version(tmp_path):
    site = _built(tmp_path, "--only", "general_order")
    result = invoke("answer", site, "handoff_response_minutes", "25")
    assert result.exit_code == 0, result.output
    assert invoke("build", site, "--only", "general_order").exit_code == 0
    from readiness.documents.diff import diff_versions

    status = {d.id: d.status for d in diff_versions(site).documents}
    assert status == {"general_order_harbor_city_police_department": "changed",
                      "general_order_harbor_county_sheriffs_office": "changed"}
    out = invoke("diff", site).stdout
    assert "+++ v002/general-order-harbor-county-sheriffs-office.md" in out
    assert "+8. **Hand off.** Wait with the person for the case manager, or take them to the agreed meeting point. " \
           "The hand-off target is 25 minutes." in out


def _consultant(tmp_path: Path, documents: str, templates: dict[str, str]) -> Path:
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "pack.yaml").write_text("id: acme\nversion: 1.0.0\ntitle: Acme\ndocuments:\n" + documents, encoding="utf-8")
    for rel, text in templates.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    return folder


def test_a_consultant_pack_declares_its_own_per_item_document(tmp_path, example_copy):
    site = example_copy("harbor-county")
    acme = _consultant(tmp_path, "  - id: partner_letter\n    title: Partner Letter\n    template: letters/partner.md.j2\n"
                                 "    formats: [md]\n    for_each: partners\n    key: each.item.name\n",
                       {"letters/partner.md.j2": "# Letter {{ each.number }} of {{ each.count }}: {{ each.item.name }}\n"})
    result = invoke("build", site, "--templates", acme, "--only", "partner_letter")
    assert result.exit_code == 0, result.output
    out = site / "drafts" / "v001"
    letter = (out / "partner-letter-seaside-shelter-network-fictional.md").read_text()
    assert letter == "# Letter 3 of 7: Seaside Shelter Network (fictional)\n"
    assert len(list(out.glob("partner-letter-*.md"))) == 7  # Harbor County lists seven partners


def test_two_items_with_the_same_name_get_numbered_files(tmp_path, example_copy):
    site = example_copy("harbor-county")
    acme = _consultant(tmp_path, "  - {id: memo, title: Memo, template: memo.md.j2, formats: [md], "
                                 "for_each: \"['Harbor PD', 'Harbor P.D.', 'Harbor PD']\", key: each.item}\n",
                       {"memo.md.j2": "# {{ each.key }}\n"})
    result = invoke("build", site, "--templates", acme, "--only", "memo")
    assert result.exit_code == 0, result.output
    out = site / "drafts" / "v001"
    assert sorted(p.name for p in out.glob("memo-*.md")) == ["memo-harbor-p-d.md", "memo-harbor-pd-2.md", "memo-harbor-pd.md"]


def test_a_copy_that_would_overwrite_another_document_is_refused_before_any_file_is_written(tmp_path, example_copy):
    site = example_copy("harbor-county")
    acme = _consultant(tmp_path, "  - {id: general_order_harbor_city_police_department, title: Old order, "
                                 "template: old.md.j2, formats: [md]}\n", {"old.md.j2": "# Old\n"})
    result = invoke("build", site, "--templates", acme)
    assert result.exit_code == 1
    assert "would write general-order-harbor-city-police-department.md" in result.stderr
    assert str(acme / "pack.yaml") in result.stderr or "pack.yaml" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert not (site / "drafts").exists() or not list((site / "drafts").glob("v*"))


def test_for_each_problems_are_located_in_pack_yaml(tmp_path, example_copy):
    from readiness.documents.pack import load_pack
    from readiness.errors import FileProblems

    folder = _consultant(tmp_path, "  - {id: a, title: A, template: a.md.j2, key: each.item.name}\n"
                                   "  - {id: c, title: C, template: a.md.j2, for_each: partners, needs: [plan]}\n",
                         {"a.md.j2": "# A\n"})
    with pytest.raises(FileProblems) as info:
        load_pack([folder])
    text = str(info.value)
    assert ":5: documents[0]: `key` names the copies of a `for_each` document" in text
    assert ":6: documents[1]: a `for_each` document cannot have `needs` or `attachments`" in text
    (tmp_path / "y").mkdir()
    folder = _consultant(tmp_path / "y", "  - {id: b, title: B, template: a.md.j2, for_each: 'partners[', formats: [md]}\n",
                         {"a.md.j2": "# A\n"})
    with pytest.raises(FileProblems) as info:
        load_pack([folder])
    assert "pack.yaml:5: documents[0] (b): `for_each` is not a valid expression" in str(info.value)

    site = example_copy("harbor-county")
    (tmp_path / "x").mkdir()
    acme = _consultant(tmp_path / "x", "  - {id: d, title: D, template: a.md.j2, for_each: county.name}\n",
                       {"a.md.j2": "# A\n"})
    result = invoke("build", site, "--templates", acme, "--only", "d")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {acme / 'pack.yaml'}:5: for_each of document 'd' failed: "
                                    "'county.name' is a single answer, not a list"), result.stderr
    assert "internal problem" not in result.stderr


def test_an_empty_list_makes_no_copies_and_says_so(tmp_path, example_copy):
    site = example_copy("harbor-county")
    acme = _consultant(tmp_path, "  - {id: d, title: D, template: a.md.j2, for_each: '[]', formats: [md]}\n",
                       {"a.md.j2": "# A\n"})
    result = invoke("build", site, "--templates", acme, "--only", "d,mou")
    assert result.exit_code == 0, result.output
    manifest = json.loads(next((site / "drafts").glob("v*/manifest.json")).read_text())
    assert [s["id"] for s in manifest["skipped"]] == ["d"]
    assert "for_each is empty" in manifest["skipped"][0]["reason"]


# ---------------------------------------------------------------- the general orders


@pytest.mark.parametrize("name", SITES)
def test_every_agency_has_its_own_order_and_card_within_budget(rendered, name):
    docs = rendered[name]
    agencies = _agencies(name)
    assert len(copies_of(docs, "general_order")) == len(copies_of(docs, "field_card")) == len(agencies)
    for agency in agencies:
        order = copy_for(docs, "general_order", agency)
        words = len(order.split())
        assert words <= WORD_BUDGET, f"{name}: the order of {agency} has {words} words"
        assert f"| {agency} |" in order
        assert not any(f"| {other} |" in order for other in agencies if other != agency)
        # procedure first: the arrest diversion steps come before eligibility and definitions
        assert order.index("## 2. Procedure: arrest diversion") < order.index("Who may be referred") \
            < order.index("Terms used in this order")
        assert "Part B" not in order and "This document contains a general order for each" not in order


def test_the_order_uses_the_state_titles_not_north_carolina_words(tmp_path, example_copy):
    site = example_copy("harbor-county")
    (site / "site.yaml").write_text((site / "site.yaml").read_text().replace("state: NC", "state: VA"))
    docs = render_pack(site)
    for doc_id, md in {**copies_of(docs, "general_order"), **copies_of(docs, "field_card")}.items():
        own = md.replace("Assistant District Attorney Laura Benning", "")  # the liaison's name, as answered
        assert "District Attorney" not in own and "N.C. Gen. Stat." not in own, doc_id
        # In Virginia an officer's summons starts a misdemeanor (the profile's charging.starts: officer), so
        # the offer promises what the two-part commitment gives: no charge, not "the prosecutor won't file it".
        assert "complete intake within 30 days, I won't charge you for it, and the Commonwealth's Attorney won't pursue it." in md, doc_id
        assert "won't file" not in md, doc_id


SCRIPT = re.compile(r'^> "(I\'d like to tell you about .*?)"$', re.M)


@pytest.mark.parametrize("name", SITES)
def test_the_offer_is_an_offer_not_an_ultimatum_and_worded_once(rendered, name):
    docs = rendered[name]
    holders = {**copies_of(docs, "general_order"), **copies_of(docs, "field_card"),
               "officer_training": docs["officer_training"]}
    scripts = set()
    for doc_id, md in holders.items():
        found = SCRIPT.findall(md)
        assert len(found) == 1, doc_id
        scripts.update(found)
    (script,) = scripts  # the same words in every order, card and the training
    for threat in ("take you in", "I can take", "jail", "arrest you", " or I can ", "instead of going"):
        assert threat not in script, (name, threat)
    assert "It's your choice, and saying no won't be held against you." in script
    for md in holders.values():
        assert "I can take you in today" not in md


@pytest.mark.parametrize("name", SITES)
def test_at_capacity_the_order_follows_the_mous_cap_rule(rendered, name):
    docs = rendered[name]
    rule = re.search(r"When every case manager is at the cap[^.]*\.", docs["mou"])
    assert rule, "the MOU states what happens at the cap"
    for doc_id, order in copies_of(docs, "general_order").items():
        assert rule.group(0) in order, doc_id
        assert "while arrest diversion is paused, make no referrals" in order, doc_id
    for doc_id, card in copies_of(docs, "field_card").items():
        assert "if told arrest diversion is paused, make no offer" in card, doc_id


def test_an_order_without_the_prosecutors_written_commitment_holds_back_arrest_diversion(rendered):
    for doc_id, md in copies_of(rendered["cedar-falls-county"], "general_order").items():
        assert "**Not yet in effect.** Members do not make arrest diversions" in md, doc_id
        assert "[About what happened today:" in md and "Say the sentence in brackets only once the Agency" in md, doc_id
    for doc_id, md in copies_of(rendered["harbor-county"], "general_order").items():
        assert "Not yet in effect" not in md and "[About what happened today:" not in md, doc_id


# ---------------------------------------------------------------- the training


def _modules(md: str) -> list[int]:
    table = md.split("## 2. Modules", 1)[1].split("**Total**", 1)[0]
    return [int(m) for m in re.findall(r"^\| \d+ \| [^|]+ \| (\d+) \|", table, re.M)]


@pytest.mark.parametrize("name", SITES)
def test_training_modules_add_up_to_the_planned_core_length(rendered, name):
    md = rendered[name]["officer_training"]
    minutes = _modules(md)
    assert len(minutes) == 11 and sum(minutes) == 240, minutes  # templates/program-terms.yaml: 240
    assert "The core course is planned at 240 minutes of instruction (4 hours), plus breaks" in md
    assert "**Total instruction time: 240 minutes**" in md


def test_a_different_planned_length_resizes_the_training(tmp_path, example_copy):
    site = example_copy("pine-ridge-county")  # rural: the hand-off module is longer
    acme = tmp_path / "acme"
    acme.mkdir()
    (acme / "program-terms.yaml").write_text("training_core_minutes: 270\n", encoding="utf-8")
    md = render_pack(site, acme)["officer_training"]
    assert sum(_modules(md)) == 270
    assert "planned at 270 minutes of instruction, plus breaks" in md
    memo = render_pack(site, acme)["drafting_memo"]
    assert "270 minutes" in memo


@pytest.mark.parametrize("name", SITES)
def test_the_answer_key_is_on_the_facilitator_page_only(rendered, name):
    md = rendered[name]["officer_training"]
    participants, facilitator = md.split("<!-- pagebreak -->")
    assert "## 7. Knowledge check (before and after)" in participants
    assert "answer key" not in participants.split("## 7. Knowledge check", 1)[1].lower().replace(
        "the answer key is on the facilitator page", "")
    assert not re.search(r"\| \d+ \| (?:True|False) \|", participants)
    assert facilitator.lstrip().startswith("## Facilitator only: knowledge check answer key")
    assert "**Facilitator only. Do not copy this page for participants.**" in facilitator
    assert len(re.findall(r"^\| \d+ \| (?:True|False) \|", facilitator, re.M)) == 10


def test_the_local_resources_panel_comes_from_the_answers(rendered):
    md = rendered["harbor-county"]["officer_training"]
    panel = md.split("## 5. Local resources", 1)[1].split("\n## ", 1)[0]
    assert "| Program hand-off line | On-call case manager, Harborview Community Health Services (fictional) | " \
           "[TO CONFIRM: hand-off phone number]; program hours: 7 a.m. to 11 p.m." in panel
    for name in ("Dr. Angela Morrow", "Jordan Ellis", "Assistant District Attorney Laura Benning",
                 "Seaside Shelter Network (fictional)", "Harbor Recovery Clinic (fictional)"):
        assert name in panel, name
    assert "Office hours" not in panel  # nothing the answers do not say
