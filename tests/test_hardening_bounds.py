"""Bounded cost, everywhere, and consultant packs that cannot read outside the pack.

What a consultant's files or an oversized answer can cost, and what a pack's templates can reach:
- conditions (questionnaire and pack `when:`) run under a time limit like templates do, and the kernel's
  CPU limit stands behind the alarm for one long C-level call;
- the Markdown-to-DOCX conversion is linear (the figures are in benchmarks/bench_docx.py) and bounded;
- a consultant's reference.docx is checked before it is unzipped (a 1 MB zip bomb cost 2 GB);
- deeply nested records values are refused with a message, not a RecursionError;
- a template `include`, `import` or `extends` reaches only template files of the pack, never a site's
  files, even when a site sits inside the templates folder.

The committed cases are in tests/corpus/{template,pack,questionnaire,answers} (see
tests/test_hardening_corpus.py and tests/test_corpus.py); these are the ones that need building.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import MINI, ROOT, invoke, snapshot
from test_hardening_corpus import PROBE, assert_clean_error, assert_unchanged, consultant

# ---------------------------------------------------------------- conditions: time


def test_a_questionnaire_condition_that_loops_is_stopped_when_loaded(tmp_path, monkeypatch):
    """Before: conditions had no time limit at all; `new` ran for hours."""
    from readiness import sandbox

    monkeypatch.setattr(sandbox, "CONDITION_SECONDS", 0.5)  # read when a condition runs
    q = tmp_path / "q.yaml"
    q.write_text("id: t\nversion: 1.0.0\ntitle: T\ndomains:\n  - {id: gov, title: Governance}\nquestions:\n"
                 "  - {id: a, domain: gov, text: 'One?', type: yes_no}\n"
                 "  - {id: b, domain: gov, text: 'Two?', type: yes_no,\n"
                 "     when: \"(range(100000)|select('in', range(100000)|list)|list|length) > 1\"}\n")
    started = time.perf_counter()
    result = invoke("new", tmp_path / "site", "--name", "X", "--state", "NC", "--questionnaire", q)
    assert_clean_error(result, "q.yaml", "took longer than 0.5 seconds")
    assert time.perf_counter() - started < 15
    assert not (tmp_path / "site").exists()


def test_a_condition_bomb_set_off_by_an_answer_is_stopped_by_the_clock(tmp_path, monkeypatch):
    """Short-circuited while `a` is unanswered; answering sets it off, and `score` is stopped."""
    from readiness import sandbox

    q = tmp_path / "q.yaml"
    q.write_text("id: t\nversion: 1.0.0\ntitle: T\ndomains:\n  - {id: gov, title: Governance}\nquestions:\n"
                 "  - {id: a, domain: gov, text: 'One?', type: yes_no}\n"
                 "  - {id: b, domain: gov, text: 'Two?', type: yes_no,\n"
                 "     when: \"a and (range(100000)|select('in', range(100000)|list)|list|length) > 1\"}\n")
    site = tmp_path / "site"
    assert invoke("new", site, "--name", "X", "--state", "NC", "--questionnaire", q).exit_code == 0
    assert invoke("answer", site, "a", "yes").exit_code in (0, 1)  # the answer is saved either way
    monkeypatch.setattr(sandbox, "CONDITION_SECONDS", 0.5)
    before = snapshot(site)
    started = time.perf_counter()
    result = invoke("score", site)
    assert result.exit_code == 1 and result.stderr.startswith("Error: condition"), result.output
    assert "took longer than 0.5 seconds" in result.stderr
    assert time.perf_counter() - started < 15
    assert snapshot(site) == before


def test_a_pack_condition_that_loops_is_stopped(mini_site, tmp_path, monkeypatch):
    from readiness.documents import environment

    monkeypatch.setattr(environment, "RENDER_SECONDS", 0.5)
    folder = consultant(tmp_path)
    (folder / "pack.yaml").write_text("id: consultant\nversion: 1.0.0\ntitle: T\nstandalone: true\ndocuments:\n"
                                      "  - id: probe\n    title: Probe\n    template: probe.md.j2\n"
                                      "    when: \"(range(100000)|select('in', range(100000)|list)|list|length) > 1\"\n")
    before = snapshot(mini_site)
    result = invoke("build", mini_site, "--templates", folder)
    assert_clean_error(result, "pack.yaml:9", "took longer than 0.5 seconds")
    assert_unchanged(mini_site, before)


def test_summing_lists_is_stopped_by_the_clock(mini_site, tmp_path, monkeypatch):
    """Python's sum() of lists is one quadratic C call the alarm cannot interrupt; the sandbox adds step by step."""
    from readiness.documents import environment

    monkeypatch.setattr(environment, "RENDER_SECONDS", 1.0)
    folder = consultant(tmp_path)
    (folder / "probe.md.j2").write_text(PROBE + "{{ ('a' * 199999)|list|batch(1)|sum(start=[])|length }}\n")
    started = time.perf_counter()
    result = invoke("build", mini_site, "--templates", folder)
    assert_clean_error(result, "probe.md.j2", "took longer than 1 seconds")
    assert time.perf_counter() - started < 20


def test_the_kernel_ends_a_single_long_c_call_that_outlasts_the_alarm(tmp_path):
    """The last resort: one C-level call (here Python's own sum of lists, no sandbox in the way) is not
    interrupted by the alarm; RLIMIT_CPU makes the kernel end the process at a few times the limit."""
    code = ("from readiness.sandbox import budget\n"
            "with budget(0.25):\n"
            "    sum([[0]] * 400_000, [])\n"
            "print('finished')\n")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == -signal.SIGXCPU, (proc.returncode, proc.stdout, proc.stderr[-500:])
    assert "finished" not in proc.stdout
    assert time.perf_counter() - started < 300


def test_the_cpu_limit_is_given_back_after_a_render(mini_site, tmp_path):
    import resource

    before = resource.getrlimit(resource.RLIMIT_CPU)
    assert invoke("build", mini_site, "--templates", consultant(tmp_path)).exit_code == 0
    assert resource.getrlimit(resource.RLIMIT_CPU) == before


def test_sizes_checks_leave_normal_sums_joins_and_additions_alone(mini_site, tmp_path):
    folder = consultant(tmp_path)
    (folder / "probe.md.j2").write_text(PROBE + "{{ [1, 2.5]|sum }} {{ [{'n': 2}, {'n': 3}]|sum(attribute='n') }} "
                                        "{{ [[1], [2]]|sum(start=[]) }} {{ 'a' ~ 1 ~ '-' ~ site.name }} "
                                        "{{ [1] + [2] }} {{ 'x' + 'y' }} {{ 1 + 2 }} {{ ['-'] * 3 }}\n")
    result = invoke("build", mini_site, "--templates", folder)
    assert result.exit_code == 0, result.output
    text = (mini_site / "drafts" / "v001" / "probe.md").read_text()
    assert "3.5 5 [1, 2] a1-Test County [1, 2] xy 3 ['-', '-', '-']" in text


# ---------------------------------------------------------------- DOCX: bounded


def _table(rows: int) -> str:
    return "# T\n\nIntro.\n\n| Role | Agency |\n|--|--|\n" + "".join(f"| role {i} | agency {i} |\n" for i in range(rows))


def test_a_table_of_10000_rows_converts_whole_and_in_order(tmp_path):
    """The most a table may hold. It took about a minute when the body was moved element by element."""
    import docx

    from readiness.documents.docx_writer import write_docx

    out = tmp_path / "t.docx"
    write_docx(_table(10_000) + "\nAfter the table.\n", out, title="T", header_text="H", footer_text="F")
    document = docx.Document(str(out))
    (table,) = document.tables
    assert len(table.rows) == 10_001
    assert [table.rows[i].cells[0].text for i in (0, 1, 5000, 10_000)] == ["Role", "role 0", "role 4999", "role 9999"]
    body = [el.tag.rsplit("}", 1)[1] for el in document.element.body]
    assert body[-1] == "sectPr" and body.count("sectPr") == 1 and body.count("tbl") == 1
    assert [p.text for p in document.paragraphs if p.text][-1] == "After the table."


def test_a_table_too_long_for_word_is_refused_naming_the_document(mini_site, tmp_path):
    folder = consultant(tmp_path)
    (folder / "probe.md.j2").write_text(PROBE + "\n| n | square |\n|--|--|\n"
                                        "{% for i in range(10001) %}| {{ i }} | {{ i * i }} |\n{% endfor %}")
    before = snapshot(mini_site)
    result = invoke("build", mini_site, "--templates", folder)
    assert_clean_error(result, "probe.docx", "more than 10,000 rows")
    assert "Markdown line 5" in result.stderr
    assert_unchanged(mini_site, before)


def test_a_document_too_long_for_word_is_refused_before_parsing(tmp_path):
    from readiness.documents.docx_writer import write_docx
    from readiness.documents.markdown_blocks import MAX_MARKDOWN_CHARS
    from readiness.errors import ReadinessError

    started = time.perf_counter()
    with pytest.raises(ReadinessError, match=r"big\.docx: the document is too long to convert to Word"):
        write_docx("# T\n\n" + "word " * (MAX_MARKDOWN_CHARS // 5 + 1), tmp_path / "big.docx", title="T",
                   header_text="H", footer_text="F")
    assert time.perf_counter() - started < 5  # refused from its length, not after minutes of parsing
    assert not (tmp_path / "big.docx").exists()


# ---------------------------------------------------------------- reference.docx


def _zip(path: Path, members: dict[str, bytes | int]) -> Path:
    """A zip with the given members; an int member is that many zero bytes (compressing ~1000x)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            if isinstance(data, int):
                with z.open(name, "w", force_zip64=True) as fh:
                    chunk = b"\0" * (1 << 20)
                    for _ in range(data >> 20):
                        fh.write(chunk)
            else:
                z.writestr(name, data)
    return path


REAL_PARTS = {"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>"}


@pytest.mark.parametrize("kind", ["huge-part", "many-parts", "expanding-part"])
def test_a_zip_bomb_reference_docx_is_refused_before_unzipping(mini_site, tmp_path, kind):
    folder = consultant(tmp_path)
    members: dict = dict(REAL_PARTS)
    expect = {"huge-part": "would unpack to", "many-parts": "parts (the limit is", "expanding-part": "expands"}[kind]
    if kind == "huge-part":
        members["word/document.xml"] = 256 << 20  # 256 MB of zeros: ~250 kB on disk
    elif kind == "many-parts":
        members.update({f"word/media/p{i}.xml": b"<x/>" for i in range(1500)})
    else:
        members["word/styles.xml"] = 40 << 20  # under the total limit, but 1000x compression
    _zip(folder / "reference.docx", members)
    assert (folder / "reference.docx").stat().st_size < 4 << 20
    before = snapshot(mini_site)
    result = invoke("build", mini_site, "--templates", folder)
    assert_clean_error(result, "reference.docx", expect)
    assert_unchanged(mini_site, before)


def test_a_real_reference_docx_still_passes_the_checks(tmp_path):
    import docx

    from readiness.documents.docx_writer import _check_package

    path = tmp_path / "reference.docx"
    docx.Document().save(str(path))
    _check_package(path)  # python-docx's own template: 30-odd parts, ~1 MB unpacked


# ---------------------------------------------------------------- records values nested too deeply


@pytest.mark.parametrize("value", ["[" * 5000 + "]" * 5000, "{a: " * 3000 + "1" + "}" * 3000, "- " * 3000 + "x"],
                         ids=["brackets", "mappings", "dashes"])
def test_a_deeply_nested_records_value_is_refused(mini_site, value):
    before = snapshot(mini_site)
    result = invoke("answer", mini_site, "partners", "--", value)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: answer to 'partners': "), result.stderr
    assert "nested too deeply" in result.stderr and "internal problem" not in result.stderr
    assert snapshot(mini_site) == before


def test_an_oversized_answer_given_on_the_command_line_is_blamed_on_the_answer(mini_site):
    before = snapshot(mini_site)
    result = invoke("answer", mini_site, "county_name", "Hill County " * 2000)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: answer to 'county_name': the answer is too long"), result.stderr
    assert snapshot(mini_site) == before


def test_an_oversized_answer_in_the_file_is_blamed_on_the_answer_not_the_template(example_copy):
    """Before: `Error: templates/training/officer-training.md.j2:5: joining would build a very large value`."""
    site = example_copy("harbor-county")
    text = (site / "answers.yaml").read_text(encoding="utf-8")
    start = text.index("  program_name:")
    value = text.index("value:", start)
    end = text.index("\n", value)
    (site / "answers.yaml").write_text(text[:value] + "value: " + "A" * 250_000 + text[end:], encoding="utf-8")
    line = text[:start].count("\n") + 2
    before = snapshot(site)
    result = invoke("build", site)
    assert_clean_error(result, f"answers.yaml:{line}", "answer to 'program_name': the answer is too long")
    assert ".j2" not in result.stderr
    assert snapshot(site) == before


# ---------------------------------------------------------------- packs cannot read outside the pack


def _site_inside(folder: Path) -> Path:
    """A real site created inside the consultant's templates folder."""
    site = folder / "hill-county"
    assert invoke("new", site, "--name", "Hill County", "--state", "NC", "--questionnaire", MINI).exit_code == 0
    assert invoke("answer", site, "county_name", "SECRET-ANSWER County").exit_code == 0
    return site


@pytest.mark.parametrize("target", ["hill-county/answers.yaml", "hill-county/site.yaml",
                                    "hill-county/notes.md.j2", "hill-county/drafts/leak.j2",
                                    "hill-county/respondents/ana.yaml"])
@pytest.mark.parametrize("tag", ["include", "import", "extends"])
def test_a_template_cannot_reach_a_site_inside_the_templates_folder(mini_site, tmp_path, target, tag):
    folder = consultant(tmp_path)
    site = _site_inside(folder)
    (site / "notes.md.j2").write_text("SECRET-ANSWER notes\n")
    for sub in ("drafts", "respondents"):
        (site / sub).mkdir(exist_ok=True)
    (site / "drafts" / "leak.j2").write_text("SECRET-ANSWER draft\n")
    (site / "respondents" / "ana.yaml").write_text("name: Ana\nanswers: {support_diversion: {value: 5}}\n# SECRET-ANSWER\n")
    statement = {"include": f"{{% include '{target}' %}}", "import": f"{{% import '{target}' as x %}}",
                 "extends": f"{{% extends '{target}' %}}"}[tag]
    (folder / "probe.md.j2").write_text((statement + "\n" + PROBE) if tag == "extends" else (PROBE + statement + "\n"))
    before = snapshot(mini_site)
    result = invoke("build", mini_site, "--templates", folder)
    reason = "inside the site folder" if target.endswith(".j2") else "only template files"
    assert_clean_error(result, "probe.md.j2", reason)
    assert "SECRET-ANSWER" not in result.output
    assert_unchanged(mini_site, before)


def test_a_template_cannot_include_a_file_through_a_linked_folder(mini_site, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.md.j2").write_text("SECRET-ANSWER\n")
    folder = consultant(tmp_path)
    os.symlink(outside, folder / "shared")
    (folder / "probe.md.j2").write_text(PROBE + "{% include 'shared/secret.md.j2' %}\n")
    result = invoke("build", mini_site, "--templates", folder)
    assert_clean_error(result, "secret.md.j2", "outside its templates folder")
    assert "SECRET-ANSWER" not in result.output


def test_ignore_missing_skips_a_refused_include_instead_of_reading_it(mini_site, tmp_path):
    folder = consultant(tmp_path)
    _site_inside(folder)
    (folder / "probe.md.j2").write_text(PROBE + "{% include 'hill-county/answers.yaml' ignore missing %}\n")
    result = invoke("build", mini_site, "--templates", folder)
    assert result.exit_code == 0, result.output
    assert "SECRET-ANSWER" not in (mini_site / "drafts" / "v001" / "probe.md").read_text()


def test_a_site_may_keep_its_own_templates_folder_inside_it(mini_site):
    """The site's `templates:` folder inside the site folder is the pack's root: its templates load."""
    folder = consultant(mini_site)  # mini_site/consultant/templates
    (folder / "partials" / "note.md.j2").write_text("Included note.\n")
    (folder / "probe.md.j2").write_text(PROBE + "{% include 'partials/note.md.j2' %}\n")
    result = invoke("build", mini_site, "--templates", folder)
    assert result.exit_code == 0, result.output
    assert "Included note." in (mini_site / "drafts" / "v001" / "probe.md").read_text()
