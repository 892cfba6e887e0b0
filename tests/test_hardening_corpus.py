"""The bad-input corpus, part two: every other file the tool reads, and paths that try to leave the site.

tests/test_corpus.py covers questionnaires, site.yaml, answers.yaml and respondent files. Here:

- tests/corpus/pack/*.yaml: a consultant's `pack.yaml` (given with `build --templates DIR`);
- tests/corpus/template/*.md.j2: a consultant's document template (broken, hostile, binary, empty);
- tests/corpus/state/*.yaml: a consultant's state profile, `states/XX.yaml` beside the templates folder
  (readiness.documents.build.state_dirs);
- generated cases too big or too odd to commit (tens of megabytes, links leading out of the folder);
- command-line arguments that try to reach outside the site folder.

Every bad case must give one clear `Error:` naming the file (and the line where the file has lines),
exit code 1, no traceback, and leave every file of the site as it was. A corpus file may say what the
message must contain on its first line: `# expect: pack.yaml:9` or `{# expect: did you mean 'name' #}`.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import MINI, invoke, snapshot

CORPUS = Path(__file__).parent / "corpus"
PROBE = "# Probe for {{ site.name }}\n\nDrafted for {{ site.name }} ({{ site.state_name }}).\n"
PACK = ("id: consultant\nversion: 1.0.0\ntitle: Consultant pack\nstandalone: true\n"
        "documents:\n  - {{id: probe, title: Probe, template: '{template}'}}\n")
EXPECT = re.compile(r"^(?:#|\{#)\s*expect:\s*(.+?)\s*(?:#\})?$")


def files(kind: str) -> list[Path]:
    return sorted(p for p in (CORPUS / kind).iterdir() if p.is_file())


def expected(case: Path) -> str | None:
    first = case.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace")
    m = EXPECT.match(first.strip())
    return m.group(1) if m else None


def assert_clean_error(result, name: str, expect: str | None = None) -> None:
    """exit 1, one `Error:` first, naming the file (and what the corpus file expects), no traceback."""
    assert result.exit_code == 1, (result.exit_code, result.output)
    stderr = result.stderr
    assert stderr.startswith("Error: "), stderr
    assert name in stderr, f"the message should name {name}: {stderr}"
    if expect:
        assert expect in stderr, f"the message should contain {expect!r}: {stderr}"
    assert "Traceback" not in result.output and "Traceback" not in stderr
    assert "unexpected internal problem" not in stderr, stderr  # a bug wearing an error's clothes


def consultant(root: Path, template: str = "probe.md.j2") -> Path:
    """A consultant's templates folder: a standalone pack with one document, and its probe template."""
    folder = root / "consultant" / "templates"
    folder.mkdir(parents=True)
    (folder / "pack.yaml").write_text(PACK.format(template=template), encoding="utf-8")
    (folder / "probe.md.j2").write_text(PROBE, encoding="utf-8")
    (folder / "partials").mkdir()
    return folder


def assert_unchanged(site: Path, before: dict, *others: tuple[Path, dict]) -> None:
    assert snapshot(site) == before
    for folder, state in others:
        assert snapshot(folder) == state
    drafts = site / "drafts"
    assert not drafts.exists() or not any(drafts.iterdir()), list(drafts.iterdir())


# ---------------------------------------------------------------- pack manifests


@pytest.mark.parametrize("case", files("pack"), ids=lambda p: p.stem)
def test_broken_pack_manifest(mini_site, tmp_path, case):
    folder = consultant(tmp_path)
    shutil.copy(case, folder / "pack.yaml")
    before, pack_before = snapshot(mini_site), snapshot(folder)
    result = invoke("build", mini_site, "--templates", folder)
    assert_clean_error(result, "pack.yaml", expected(case))
    assert_unchanged(mini_site, before, (folder, pack_before))


# ---------------------------------------------------------------- templates


@pytest.mark.parametrize("case", files("template"), ids=lambda p: p.stem)
def test_broken_template(mini_site, tmp_path, case):
    folder = consultant(tmp_path, template=case.name)
    shutil.copy(case, folder / case.name)
    before, pack_before = snapshot(mini_site), snapshot(folder)
    result = invoke("build", mini_site, "--templates", folder)
    assert_clean_error(result, case.name, expected(case))
    assert_unchanged(mini_site, before, (folder, pack_before))
    assert "root:" not in result.output  # nothing of /etc/passwd, whatever the template tried


# ---------------------------------------------------------------- state profiles


@pytest.fixture
def va_site(tmp_path) -> Path:
    site = tmp_path / "va-site"
    assert invoke("new", site, "--name", "Test County", "--state", "VA", "--questionnaire", MINI).exit_code == 0
    return site


@pytest.mark.parametrize("case", files("state"), ids=lambda p: p.stem)
def test_broken_state_profile(va_site, tmp_path, case):
    folder = consultant(tmp_path)
    states = folder.parent / "states"  # where build.state_dirs looks: beside the templates folder
    states.mkdir()
    shutil.copy(case, states / "VA.yaml")
    before = snapshot(va_site)
    result = invoke("build", va_site, "--templates", folder)
    assert_clean_error(result, "VA.yaml", expected(case))
    assert_unchanged(va_site, before)


def test_a_good_consultant_state_profile_is_used(va_site, tmp_path):
    """The same place as the broken ones above, with a valid profile: its citation reaches the draft."""
    folder = consultant(tmp_path)
    (folder / "probe.md.j2").write_text(PROBE + "\nSee {{ state_law.good_samaritan.cite }}.\n", encoding="utf-8")
    (folder.parent / "states").mkdir()
    (folder.parent / "states" / "VA.yaml").write_text(
        "state: VA\nname: Virginia\ncitations:\n  good_samaritan:\n    title: Good Samaritan\n"
        "    cite: Va. Code § 18.2-251.03\n", encoding="utf-8")
    result = invoke("build", va_site, "--templates", folder)
    assert result.exit_code == 0, result.output
    assert "Va. Code § 18.2-251.03" in (va_site / "drafts" / "v001" / "probe.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------- lint reads them too


@pytest.mark.slow
def test_lint_reads_every_consultant_corpus_file_without_crashing(tmp_path):
    """`lint --templates DIR` on each pack, template and state case: problems found (exit 3) or none
    it can see without rendering (exit 0), never a crash. Broken state profiles are always found."""
    outcomes = {}
    for kind in ("pack", "template", "state"):
        for case in files(kind):
            root = tmp_path / f"{kind}-{case.stem}"
            folder = consultant(root, template=case.name if kind == "template" else "probe.md.j2")
            if kind == "template":
                shutil.copy(case, folder / case.name)
            elif kind == "pack":
                shutil.copy(case, folder / "pack.yaml")
            else:
                (folder.parent / "states").mkdir()
                shutil.copy(case, folder.parent / "states" / "VA.yaml")
            result = invoke("lint", "--templates", folder)
            text = result.stdout + result.stderr
            assert result.exit_code in (0, 3), (case, result.exit_code, text)
            assert "Traceback" not in text and "unexpected internal problem" not in text, (case, text)
            outcomes[f"{kind}/{case.name}"] = result.exit_code
    assert all(code == 3 for name, code in outcomes.items() if name.startswith("state/")), outcomes


# ---------------------------------------------------------------- generated cases


def _huge_yaml(path: Path, head: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(head)
        line = "# " + "x" * 1000 + "\n"
        for _ in range(30_000):  # ~30 MB
            fh.write(line)


def _case_huge_pack(site, tmp_path):
    folder = consultant(tmp_path)
    _huge_yaml(folder / "pack.yaml", (folder / "pack.yaml").read_text())
    return ["build", site, "--templates", folder], "pack.yaml", "too large"


def _case_huge_state_profile(site, tmp_path):
    folder = consultant(tmp_path)
    (folder.parent / "states").mkdir()
    _huge_yaml(folder.parent / "states" / "NC.yaml", "state: NC\nname: North Carolina\ncitations: {}\n")
    return ["build", site, "--templates", folder], "NC.yaml", "too large"


def _case_huge_respondent(site, tmp_path):
    _huge_yaml(site / "respondents" / "ana-ruiz.yaml", "name: Ana Ruiz\nanswers: {}\n")
    return ["score", site], "ana-ruiz.yaml", "too large"


def _case_huge_questionnaire(site, tmp_path):
    q = tmp_path / "huge-questionnaire.yaml"
    _huge_yaml(q, MINI.read_text())
    return ["new", tmp_path / "other", "--name", "X", "--state", "NC", "--questionnaire", q], q.name, "too large"


def _case_huge_template(site, tmp_path):
    folder = consultant(tmp_path)
    (folder / "probe.md.j2").write_text("# Probe\n" + ("{{ site.name }} " * 20 + "\n") * 4000, encoding="utf-8")
    return ["build", site, "--templates", folder], "probe.md.j2", "too large"


def _case_template_linking_out(site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET: the DA's home address\n")
    folder = consultant(tmp_path)
    (folder / "probe.md.j2").unlink()
    os.symlink(secret, folder / "probe.md.j2")
    return ["build", site, "--templates", folder], "probe.md.j2", "outside its templates folder"


def _case_partial_linking_out(site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET: the DA's home address\n")
    folder = consultant(tmp_path)
    os.symlink(secret, folder / "partials" / "letterhead.md.j2")
    (folder / "probe.md.j2").write_text(PROBE + "{% include 'partials/letterhead.md.j2' %}\n", encoding="utf-8")
    return ["build", site, "--templates", folder], "letterhead.md.j2", "outside its templates folder"


def _case_templates_folder_is_a_file(site, tmp_path):
    not_a_folder = tmp_path / "templates.zip"
    not_a_folder.write_bytes(b"PK\x03\x04 not a folder")
    return ["build", site, "--templates", not_a_folder], "templates.zip", "not found"


GENERATED = [_case_huge_pack, _case_huge_state_profile, _case_huge_respondent, _case_huge_questionnaire,
             _case_huge_template, _case_template_linking_out, _case_partial_linking_out,
             _case_templates_folder_is_a_file]


@pytest.mark.parametrize("make", GENERATED, ids=lambda f: f.__name__.removeprefix("_case_"))
def test_generated_bad_input(mini_site, tmp_path, make):
    args, name, expect = make(mini_site, tmp_path)
    before = snapshot(mini_site)
    result = invoke(*args)
    assert_clean_error(result, name, expect)
    assert "TOP SECRET" not in result.output
    if args[0] != "score":  # the huge respondent file is part of the site and stays as it was
        assert_unchanged(mini_site, before)
    else:
        assert snapshot(mini_site) == before


# ---------------------------------------------------------------- paths that try to leave the site


def _built(site: Path) -> Path:
    """The site with one draft (v001) built from the consultant probe pack."""
    folder = consultant(site.parent)
    assert invoke("build", site, "--templates", folder).exit_code == 0
    return folder


ESCAPES = {
    "only-parent-folder": (["build", "{site}", "--templates", "{templates}", "--only", "../x"], "'../x'"),
    "only-list-with-escape": (["build", "{site}", "--templates", "{templates}", "--only", "probe,../../etc/passwd"],
                              "'../../etc/passwd'"),
    "diff-old-escapes": (["diff", "{site}", "../../v001", "v001"], "'../../v001' is not a draft version"),
    "diff-new-escapes": (["diff", "{site}", "v001", "../v001"], "'../v001' is not a draft version"),
    "diff-one-escape": (["diff", "{site}", "/etc/passwd"], "'/etc/passwd' is not a draft version"),
    "answer-question-id-path": (["answer", "{site}", "../../etc/passwd", "yes"], "unknown question id"),
    "interview-answers-system-file": (["interview", "{site}", "--answers", "/etc/passwd"], "/etc/passwd"),
    "interview-answers-missing": (["interview", "{site}", "--answers", "../../../nowhere/answers.yaml"],
                                  "nowhere/answers.yaml"),
    "templates-missing-folder": (["build", "{site}", "--templates", "../../../../nowhere/templates"],
                                 "templates folder not found"),
    "score-system-folder": (["score", "/etc"], "/etc is not a site folder"),
    "site-templates-escape": (["build", "{site}"], "site.yaml:6: templates: templates folder"),  # site.yaml: templates: ../../..
}


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_paths_that_try_to_leave_the_site(mini_site, tmp_path, name):
    templates = _built(mini_site)
    argv, expect = ESCAPES[name]
    if name == "site-templates-escape":
        profile = yaml.safe_load((mini_site / "site.yaml").read_text())
        profile["templates"] = "../../../../../../../../nowhere-at-all"
        (mini_site / "site.yaml").write_text(yaml.safe_dump(profile))
    before = snapshot(mini_site)
    outside = snapshot(tmp_path)
    result = invoke(*[str(a).format(site=mini_site, templates=templates) for a in argv])
    assert_clean_error(result, "", expect)
    assert snapshot(mini_site) == before
    assert snapshot(tmp_path) == outside


def test_a_respondent_named_like_a_path_stays_inside_the_site(mini_site, tmp_path):
    outside = {p for p in tmp_path.rglob("*")} - {p for p in mini_site.rglob("*")}
    for name in ("../../etc/x", "/etc/passwd", "..", "con", "a/../../b", "~root", "\u202eevil"):
        result = invoke("answer", mini_site, "support_diversion", "4", "--respondent", name)
        assert result.exit_code == 0, (name, result.output)
    files = sorted(p.name for p in (mini_site / "respondents").iterdir())
    assert all(re.fullmatch(r"[a-z0-9-]+\.yaml", f) for f in files), files
    assert len(files) == 7, files  # seven different people, seven files
    assert {p for p in tmp_path.rglob("*")} - {p for p in mini_site.rglob("*")} == outside


def test_respondents_whose_names_have_no_ascii_letters_never_share_a_file(mini_site):
    """Regression: דוד, Иван and 李 all folded to 'respondent.yaml', the second overwriting the first."""
    people = {"דוד לוי": "5", "Иван Петров": "1", "李伟": "3", "محمد علي": "2"}
    for name, value in people.items():
        assert invoke("answer", mini_site, "support_diversion", value, "--respondent", name).exit_code == 0
    from readiness.workspace.store import open_site

    site = open_site(mini_site)
    got = {r.name: r.answers["support_diversion"].value for r in site.respondents.values()}
    assert got == {name: int(value) for name, value in people.items()}


def test_odd_unicode_in_a_county_name_builds(tmp_path):
    """RTL marks, emoji and accents in names are data, not errors: the draft carries them, file names stay ASCII."""
    site = tmp_path / "site"
    name = "Condado de Peña \u200f🌲 \u05de\u05d7\u05d5\u05d6 (fictional)"
    assert invoke("new", site, "--name", name, "--state", "NC", "--questionnaire", MINI).exit_code == 0
    assert invoke("answer", site, "county_name", "Peña 🌲 County \u200e").exit_code == 0
    folder = consultant(tmp_path)
    result = invoke("build", site, "--templates", folder)
    assert result.exit_code == 0, result.output
    draft = site / "drafts" / "v001"
    assert name in (draft / "probe.md").read_text(encoding="utf-8")
    import docx

    text = "\n".join(p.text for p in docx.Document(str(draft / "probe.docx")).paragraphs)
    assert "Peña" in text and "🌲" in text
    assert all(p.name.isascii() for p in draft.iterdir())


# ---------------------------------------------------------------- the count


def corpus_counts() -> dict[str, int]:
    """Every bad-input case in both corpus tests: committed files, generated files, argument cases."""
    counts = {kind.name: sum(1 for p in kind.iterdir() if p.is_file()) for kind in sorted(CORPUS.iterdir())
              if kind.is_dir()}
    counts["generated"] = len(GENERATED) + 1  # + test_corpus.py's huge answers file
    counts["arguments"] = len(ESCAPES)
    return counts


TOTAL = sum(corpus_counts().values())


@pytest.mark.parametrize("total", [TOTAL], ids=[f"{TOTAL}-cases"])  # the count shows in the test id
def test_the_whole_corpus_is_large_enough(total):
    counts = corpus_counts()
    summary = ", ".join(f"{k} {v}" for k, v in counts.items())
    print(f"\nbad-input corpus: {total} cases ({summary})")
    assert total >= 90, f"bad-input corpus: {total} cases ({summary})"
    assert {"questionnaire", "site", "answers", "respondent", "pack", "template", "state"} <= set(counts)
