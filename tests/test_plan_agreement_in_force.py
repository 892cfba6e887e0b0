"""The plan follows the answers: where an interagency agreement is already in force, the MOU task is to
check it against the model MOU and amend it, not to sign a new one (issue 10)."""
from __future__ import annotations

import json
import shutil

from conftest import EXAMPLES, invoke


def _titles(site) -> list[str]:
    result = invoke("plan", site, "--format", "json")
    assert result.exit_code == 0, result.output
    return [t["title"] for t in json.loads(result.stdout)["tasks"]]


def test_an_agreement_in_force_is_amended_not_signed_anew(tmp_path):
    site = tmp_path / "site"  # a new county: nothing answered, so the plan has the standard MOU task
    assert invoke("new", site, "--name", "Fir Hollow County", "--state", "NC").exit_code == 0
    sign = [t for t in _titles(site) if "sign the MOU" in t]
    assert sign, "a new site's plan has the signing task"
    assert invoke("answer", site, "mou_in_force", "yes").exit_code == 0
    titles = _titles(site)
    assert not any("sign the MOU" in t for t in titles)
    assert any(t.startswith("Check the agreement in force against the model MOU") and "amend it" in t
               for t in titles), titles
    assert invoke("answer", site, "mou_in_force", "--unknown").exit_code == 0
    assert [t for t in _titles(site) if "sign the MOU" in t] == sign  # "don't know" changes nothing


def test_a_title_when_condition_that_does_not_compile_is_reported_with_its_place(tmp_path):
    folder = tmp_path / "templates"
    shutil.copytree(EXAMPLES.parent / "templates", folder)
    tasks = folder / "plans" / "standard-tasks.yaml"
    tasks.write_text(tasks.read_text(encoding="utf-8").replace('- when: "mou_in_force"', '- when: "mou_in_force and"'),
                     encoding="utf-8")
    result = invoke("plan", EXAMPLES / "harbor-county", "--templates", folder)
    assert result.exit_code != 0
    assert "title_when" in result.stderr and "standard-tasks.yaml" in result.stderr, result.stderr
