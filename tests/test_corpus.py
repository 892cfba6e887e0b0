"""The bad-input corpus: every broken file the tool reads gives one clear `Error:` naming the file,
exit code 1, no traceback, and no file changed.

One file per case under tests/corpus/<kind>/, named by what it breaks. Cases too big to commit
(tens of megabytes) are generated here.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import MINI, invoke, snapshot

CORPUS = Path(__file__).parent / "corpus"
KINDS = ("questionnaire", "site", "answers", "respondent")


def cases(kind: str) -> list[Path]:
    return sorted((CORPUS / kind).glob("*.yaml"))


def _assert_clean_error(result, name: str) -> None:
    assert result.exit_code == 1, (result.exit_code, result.output)
    first = result.stderr.splitlines()[0] if result.stderr else ""
    assert first.startswith("Error: "), result.stderr
    assert name in result.stderr, f"the message should name {name}: {result.stderr}"
    assert "Traceback" not in result.output and "Traceback" not in result.stderr


@pytest.mark.parametrize("case", cases("questionnaire"), ids=lambda p: p.stem)
def test_broken_questionnaire(tmp_path, case):
    # Given to `new`: refused, and no site folder is left behind.
    result = invoke("new", tmp_path / "site", "--name", "X", "--state", "NC", "--questionnaire", case)
    _assert_clean_error(result, case.name)
    assert not (tmp_path / "site").exists() or not any((tmp_path / "site").iterdir())


@pytest.mark.parametrize("case", cases("questionnaire"), ids=lambda p: p.stem)
def test_broken_questionnaire_named_by_a_site(mini_site, case):
    shutil.copy(case, mini_site / case.name)
    (mini_site / "site.yaml").write_text(f"name: Test County\nstate: NC\nquestionnaire: t\n"
                                         f"questionnaire_file: {case.name}\n")
    before = snapshot(mini_site)
    _assert_clean_error(invoke("score", mini_site), case.name)
    assert snapshot(mini_site) == before


@pytest.mark.parametrize("case", cases("site"), ids=lambda p: p.stem)
def test_broken_site_file(mini_site, case):
    shutil.copy(case, mini_site / "site.yaml")
    before = snapshot(mini_site)
    for args in (["score", mini_site], ["answer", mini_site, "county_name", "Hill"]):
        _assert_clean_error(invoke(*args), "site.yaml" if "questionnaire" not in case.stem else "")
    assert snapshot(mini_site) == before


@pytest.mark.parametrize("case", cases("answers"), ids=lambda p: p.stem)
def test_broken_answers_file(mini_site, case):
    shutil.copy(case, mini_site / "answers.yaml")
    before = snapshot(mini_site)
    for args in (["score", mini_site], ["answer", mini_site, "intake_days", "20"],
                 ["score", mini_site, "--format", "json"]):
        _assert_clean_error(invoke(*args), "answers.yaml")
    assert snapshot(mini_site) == before


@pytest.mark.parametrize("case", cases("respondent"), ids=lambda p: p.stem)
def test_broken_respondent_file(mini_site, case):
    shutil.copy(case, mini_site / "respondents" / case.name)
    before = snapshot(mini_site)
    _assert_clean_error(invoke("score", mini_site), case.name)
    assert snapshot(mini_site) == before


def test_huge_answers_file_is_refused_quickly(mini_site):
    with open(mini_site / "answers.yaml", "w") as fh:
        fh.write("answers:\n")
        line = "  # " + "x" * 1000 + "\n"
        for _ in range(30_000):  # ~30 MB
            fh.write(line)
    before = snapshot(mini_site)
    result = invoke("score", mini_site)
    _assert_clean_error(result, "answers.yaml")
    assert "too large" in result.stderr
    assert snapshot(mini_site) == before


def test_odd_unicode_in_names_is_welcome(tmp_path):
    site = tmp_path / "site"
    name = "Condado de Peña \u200f🌲 (fictional)"
    assert invoke("new", site, "--name", name, "--state", "nc", "--questionnaire", MINI).exit_code == 0
    assert invoke("answer", site, "county_name", "Peña 🌲 County").exit_code == 0
    assert invoke("answer", site, "support_diversion", "4", "--respondent", "Jos\u00e9 \u05d3\u05d5\u05d3").exit_code == 0
    result = invoke("score", site, "--format", "json")
    assert result.exit_code == 0 and "Peña" in result.stdout
    assert all(p.name.isascii() for p in (site / "respondents").iterdir())


def test_the_corpus_is_large_enough():
    total = sum(len(cases(k)) for k in KINDS) + 1  # + the generated huge file
    print(f"\nbad-input corpus: {total} cases")
    assert total >= 40
