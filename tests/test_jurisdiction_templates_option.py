"""A consultant's own templates folder (`--templates`) with a `states/` folder beside it (issue 11
audit): the question texts, the plan's tasks and the report take the state's names from the same
profile as the documents, so one build never names one institution two ways."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import EXAMPLES, invoke

ROOT = Path(__file__).resolve().parents[1]
LBHA = "Local Behavioral Health Authority (LBHA)"


def _consultant_with_maryland(tmp_path: Path) -> Path:
    """A consultant folder: templates (a layer adding nothing) and states/MD.yaml, a state the pack has
    no profile for, naming Maryland's local behavioral health authority."""
    acme = tmp_path / "acme"
    (acme / "templates").mkdir(parents=True)
    (acme / "templates" / "pack.yaml").write_text("id: acme-pack\nversion: 1.0.0\ntitle: Acme layer\ndocuments: []\n",
                                                 encoding="utf-8")
    (acme / "states").mkdir()
    generic = (ROOT / "states" / "generic.yaml").read_text(encoding="utf-8")
    profile = generic.replace("state: generic", "state: MD").replace("name: this state", "name: Maryland")
    profile = re.sub(r"(?m)^# institutions: .*$", "institutions:\n  prosecutor: State's Attorney\n"
                     f"  bh_authority: {LBHA}\n  bh_authority_long: {LBHA}", profile)
    (acme / "states" / "MD.yaml").write_text(profile, encoding="utf-8")
    return acme


def _maryland_site(tmp_path: Path) -> Path:
    site = tmp_path / "pine-ridge-md"
    shutil.copytree(EXAMPLES / "pine-ridge-county", site)
    path = site / "site.yaml"
    path.write_text(re.sub(r"(?m)^state: .*$", "state: MD", path.read_text(encoding="utf-8")), encoding="utf-8")
    return site


def test_build_with_templates_names_the_institution_as_the_consultants_profile_does(tmp_path):
    acme, site = _consultant_with_maryland(tmp_path), _maryland_site(tmp_path)
    result = invoke("build", site, "--templates", acme / "templates",
                    "--only", "implementation_plan,readiness_report,case_conferencing,sustainability_plan")
    assert result.exit_code == 0, result.output
    out = site / "drafts" / "v001"
    docs = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.md")}
    assert LBHA in docs["sustainability-plan.md"]  # the templates' own text
    # the plan's tasks and owners, the report's gaps and the partner types come from the question texts
    for name in ("implementation-plan.md", "readiness-report.md", "case-conferencing.md"):
        assert LBHA in docs[name], name
    for name, md in docs.items():
        assert "local behavioral health authority" not in md, name  # the generic words of the bundled lookup


def test_plan_with_templates_names_the_task_owner_from_the_consultants_profile(tmp_path):
    acme, site = _consultant_with_maryland(tmp_path), _maryland_site(tmp_path)
    result = invoke("plan", site, "--templates", acme / "templates", "--format", "markdown", "--start", "2027-01-04")
    assert result.exit_code == 0, result.output
    assert LBHA in result.stdout
    assert "local behavioral health authority" not in result.stdout
