"""The three planning documents in the pack: evaluation and data plan, sustainability and funding
plan, Community Leadership Team charter and communications plan."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, invoke, snapshot
from readiness import resources
from readiness.documents.build import build_site
from readiness.documents.docx_writer import dump_docx
from readiness.documents.pack import load_pack

DOCS = {"evaluation_plan": "evaluation-plan", "sustainability_plan": "sustainability-plan",
        "clt_charter": "clt-charter"}
NAMES = ("harbor-county", "pine-ridge-county", "cedar-falls-county", "willow-bend-county")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("plan-docs")
    out = {}
    for name in NAMES:
        shutil.copytree(EXAMPLES / name, root / name)
        out[name] = build_site(root / name, only=list(DOCS), today=dt.date(2027, 1, 4)).folder
    return out


def text(folder: Path, doc_id: str) -> str:
    return (folder / f"{DOCS[doc_id]}.md").read_text()


def test_the_pack_lists_the_three_planning_documents_after_the_others():
    pack = load_pack([resources.templates_dir()])
    assert pack.ids[-4:] == list(DOCS) + ["drafting_memo"]  # the build's drafting memo closes the pack
    for doc_id in DOCS:
        assert pack.document(doc_id).template.startswith("plans/")


@pytest.mark.parametrize("name", NAMES)
def test_each_example_builds_them_as_markdown_and_docx(built, name):
    manifest = json.loads((built[name] / "manifest.json").read_text())
    assert [d["id"] for d in manifest["documents"]] == list(DOCS)
    for doc_id, stem in DOCS.items():
        body = text(built[name], doc_id)
        assert body.startswith("# ") and "**DRAFT version 1" in body
        for leftover in ("{{", "{%", "None", "Undefined"):
            assert leftover not in body, (doc_id, leftover)
        dump = dump_docx(built[name] / f"{stem}.docx")
        assert dump[0].startswith("Title: ")
        assert any(line.startswith("Heading 2: ") for line in dump)


def test_evaluation_plan_covers_the_measures_and_says_what_is_missing(built):
    harbor = text(built["harbor-county"], "evaluation_plan")
    for heading in ("## 2. Logic model", "## 3. Process measures", "## 4. Outcome measures", "## 5. Equity analysis",
                    "## 6. Comparison", "## 7. Data sources and agreements", "## 8. Reporting schedule"):
        assert heading in harbor
    assert "NC-TAC" in harbor and "42 CFR Part 2" in harbor
    assert "Referrals by arrest diversion, social contact referral and community referral" in harbor
    assert "No data-sharing agreement is signed yet" in harbor  # Harbor's one unmet launch requirement
    cedar = text(built["cedar-falls-county"], "evaluation_plan")
    assert "The evaluation plan and partner are not yet agreed" in cedar


def test_sustainability_plan_totals_sources_and_flags_a_dominant_funder(built):
    pine = text(built["pine-ridge-county"], "sustainability_plan")
    assert "| **Total** | | **$135,000** | |" in pine
    assert "provides 89% of the yearly total" in pine and "Losing it would stop the program" in pine
    assert "Funding for the project manager and case management is not yet committed for 12 months" in pine
    harbor = text(built["harbor-county"], "sustainability_plan")
    assert "**$590,000**" in harbor and "Losing it would stop the program" not in harbor
    for expected in ("Opioid settlement funds", "Medicaid billing", "COSSUP", "If a funder withdraws",
                     "University of Washington"):
        assert expected in harbor


def test_clt_charter_has_membership_with_lived_experience_and_a_crisis_protocol(built):
    cedar = text(built["cedar-falls-county"], "clt_charter")
    assert "people with lived experience" in cedar and "Relationship to the Policy Coordinating Group" in cedar
    assert "### B.3 Launch announcement and public FAQ" in cedar and "media spokesperson" in cedar
    manifest = json.loads((built["cedar-falls-county"] / "manifest.json").read_text())
    items = next(d["open_items"] for d in manifest["documents"] if d["id"] == "clt_charter")
    assert {"text": "name and title of the program's media spokesperson", "question": None} in items


def test_an_undeclared_fact_in_a_planning_template_is_a_located_error(example_copy, tmp_path):
    site = example_copy("harbor-county")
    consultant = tmp_path / "consultant"
    (consultant / "plans").mkdir(parents=True)
    source = (ROOT / "templates" / "plans" / "evaluation-plan.md.j2").read_text()
    broken = source.replace("{{ evaluation.partner }}", "{{ evaluation.partnr }}", 1)
    (consultant / "plans" / "evaluation-plan.md.j2").write_text(broken)
    line = broken.splitlines().index(next(ln for ln in broken.splitlines() if "evaluation.partnr" in ln)) + 1
    before = snapshot(site)
    result = invoke("build", site, "--templates", consultant, "--only", "evaluation_plan")
    assert result.exit_code == 1
    assert f"evaluation-plan.md.j2:{line}: 'evaluation' has no attribute 'partnr'" in result.stderr
    assert "did you mean 'partner'" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(site) == before
