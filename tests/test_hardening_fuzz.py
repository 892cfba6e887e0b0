"""Fuzzing the readers and the DOCX writer: whatever comes in, the outcome is success or a clean
ReadinessError (which the CLI prints as `Error: ...`), never another exception.

- the questionnaire loader: random YAML-ish text, random structures dumped to YAML, and the mini
  questionnaire with one value somewhere replaced by junk;
- the answers loader (answers.yaml and respondent files of a site) and the `answer` command's value
  parser;
- the Markdown-to-DOCX writer, with structure-aware Markdown: headings, nested lists, tables,
  placeholders, images, emoji, right-to-left marks and control characters.
"""
from __future__ import annotations

import copy
import itertools
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import MINI, invoke
from readiness.errors import ReadinessError

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                     HealthCheck.too_slow])
_counter = itertools.count()

# ---------------------------------------------------------------- building blocks

ODD_TEXT = st.sampled_from(["", " ", "\t", "\n", "\x00", "\x07", "\x1b[31m", "\u200f", "\u202e", "\ufeff", "🚓", "🌲",
                            "Peña", "דוד", "李", "a" * 300, "'", '"', ":", "- ", "#", "&a", "*a", "!!python/name:os",
                            "{", "}", "[", "]", "|", ">", "%", "{{", "}}", "~", "null", "yes", "no", "1e400", ".nan",
                            "-.inf", "0x1F", "2027-02-30", "2027-03-01"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30), ODD_TEXT)
KEYS = st.one_of(st.sampled_from(["id", "version", "title", "domains", "questions", "domain", "text", "type",
                                  "choices", "value", "label", "score", "weight", "when", "gate", "gap", "fact",
                                  "scope", "number", "bands", "scale", "fields", "extends", "answers", "status",
                                  "name", "role", "questionnaire", "migrations", "allow_unknown"]),
                 st.text(max_size=12))
STRUCTURES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(KEYS, inner, max_size=5)), max_leaves=25)
YAMLISH = st.lists(st.one_of(ODD_TEXT, st.sampled_from(["\n  ", "\n- ", ": ", "id: t\n", "version: 1.0.0\n",
                                                          "questions:\n", "domains:\n", "  - {id: a, ", "}\n",
                                                          "&x ", "*x ", "<<: *x\n", "? ", "--- \n", "...\n"]),
                             st.text(max_size=10)), max_size=40).map("".join)


def _dump(data) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, ValueError):
        return repr(data)


def _write(folder: Path, text: str | bytes, suffix: str = ".yaml") -> Path:
    path = folder / f"case-{next(_counter)}{suffix}"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    return path


def _clean_or_fine(fn, *args) -> None:
    try:
        fn(*args)
    except ReadinessError as exc:
        assert str(exc).strip(), "an error must say something"


# ---------------------------------------------------------------- the questionnaire loader


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _load(path: Path) -> None:
    from readiness.questionnaire.loader import load_questionnaire

    load_questionnaire(path)


@FUZZ
@given(text=YAMLISH)
def test_questionnaire_loader_on_yamlish_text(scratch, text):
    _clean_or_fine(_load, _write(scratch, text))


@FUZZ
@given(data=STRUCTURES)
def test_questionnaire_loader_on_random_structures(scratch, data):
    _clean_or_fine(_load, _write(scratch, _dump(data)))


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, prefix + (i,))


MINI_DATA = yaml.safe_load(MINI.read_text())
MINI_PATHS = [p for p in _paths(MINI_DATA) if p]


@FUZZ
@given(where=st.sampled_from(MINI_PATHS), junk=STRUCTURES, delete=st.booleans())
def test_questionnaire_loader_on_the_mini_questionnaire_with_one_value_broken(scratch, where, junk, delete):
    data = copy.deepcopy(MINI_DATA)
    parent = data
    for part in where[:-1]:
        parent = parent[part]
    if delete:
        del parent[where[-1]]
    else:
        parent[where[-1]] = junk
    _clean_or_fine(_load, _write(scratch, _dump(data)))


@settings(max_examples=30, deadline=None)
@given(raw=st.binary(max_size=200))
def test_questionnaire_loader_on_random_bytes(scratch, raw):
    _clean_or_fine(_load, _write(scratch, raw))


# ---------------------------------------------------------------- the answers loader


@pytest.fixture(scope="module")
def fuzz_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site") / "site"
    assert invoke("new", site, "--name", "Fuzz County", "--state", "NC", "--questionnaire", MINI).exit_code == 0
    return site


QUESTION_IDS = [q["id"] for q in MINI_DATA["questions"]]
ANSWER_ENTRY = st.one_of(SCALARS, st.fixed_dictionaries({}, optional={
    "value": STRUCTURES, "status": st.one_of(st.sampled_from(["answered", "unknown", "skipped", "not_applicable"]),
                                             SCALARS),
    "note": SCALARS, "by": SCALARS, "at": SCALARS, "evidence": SCALARS}))
ANSWERS_FILE = st.one_of(
    STRUCTURES,
    st.fixed_dictionaries({"answers": st.dictionaries(st.one_of(st.sampled_from(QUESTION_IDS), KEYS), ANSWER_ENTRY,
                                                      max_size=6)},
                          optional={"questionnaire": SCALARS, "name": SCALARS}))


def _open(site: Path) -> None:
    from readiness.workspace.store import open_site

    open_site(site)


@FUZZ
@given(data=ANSWERS_FILE, as_respondent=st.booleans())
def test_answers_loader_on_random_files(fuzz_site, data, as_respondent):
    target = fuzz_site / ("respondents/fuzz.yaml" if as_respondent else "answers.yaml")
    original = (fuzz_site / "answers.yaml").read_bytes()
    if as_respondent and isinstance(data, dict):
        data = {"name": "Fuzz Person", **data}
    target.write_text(_dump(data), encoding="utf-8")
    try:
        _clean_or_fine(_open, fuzz_site)
    finally:
        (fuzz_site / "answers.yaml").write_bytes(original)
        (fuzz_site / "respondents" / "fuzz.yaml").unlink(missing_ok=True)


@FUZZ
@given(qid=st.sampled_from(QUESTION_IDS), text=st.one_of(st.text(max_size=40), ODD_TEXT, YAMLISH))
def test_answer_command_values(fuzz_site, qid, text):
    """Whatever is typed after `answer SITE QUESTION`: a value that fits, or ValueProblem (-> `Error:`)."""
    from readiness.questionnaire.loader import load_questionnaire
    from readiness.questionnaire.values import ValueProblem, check_value, display, parse_cli_value

    question = load_questionnaire(MINI).by_id[qid]
    try:
        value = parse_cli_value(question, text)
    except ValueProblem as exc:
        assert str(exc)
        return
    assert check_value(question, value) == value  # what was accepted is stored as is, and reads back
    assert isinstance(display(question, value), str)


# ---------------------------------------------------------------- the Markdown -> DOCX writer

INLINE = st.lists(st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
    ODD_TEXT,
    st.builds(lambda t: f"**{t}**", st.text(max_size=8)),
    st.builds(lambda t: f"*{t}*", st.text(max_size=8)),
    st.builds(lambda t: f"`{t}`", st.text(max_size=8)),
    st.builds(lambda t: f"[TO CONFIRM: {t}]", st.text(min_size=1, max_size=20).filter(lambda t: "]" not in t)),
    st.builds(lambda t, u: f"[{t}]({u})", st.text(max_size=6), st.sampled_from(["https://x.org", "javascript:x", "#a",
                                                                                   "../../etc/passwd", ""])),
    st.sampled_from(["![chart](chart.png)", "![](chart.png)", "![alt](../../etc/passwd)", "<br>", "&amp;",
                     "&#0;", "\\", "  ", "<!-- note -->"]),
), min_size=1, max_size=6).map(" ".join)


def _cell(text: str) -> str:
    return text.replace("\n", " ").replace("|", "\\|")


@st.composite
def markdown_documents(draw) -> str:
    blocks = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["heading", "para", "bullets", "numbers", "table", "quote", "code", "break", "rule"]))
        if kind == "heading":
            blocks.append("#" * draw(st.integers(1, 6)) + " " + draw(INLINE).replace("\n", " "))
        elif kind == "para":
            blocks.append(draw(INLINE))
        elif kind in ("bullets", "numbers"):
            lines = []
            for _ in range(draw(st.integers(1, 5))):
                depth = draw(st.integers(0, 3))
                marker = "-" if kind == "bullets" else f"{draw(st.integers(0, 12))}."
                lines.append("   " * depth + f"{marker} " + draw(INLINE).replace("\n", " "))
            blocks.append("\n".join(lines))
        elif kind == "table":
            cols = draw(st.integers(1, 5))
            rows = draw(st.integers(0, 4))
            head = "| " + " | ".join(_cell(draw(INLINE)) for _ in range(cols)) + " |"
            rule = "|" + "|".join(draw(st.sampled_from(["--", ":--", "--:", ":-:"])) for _ in range(cols)) + "|"
            body = ["| " + " | ".join(_cell(draw(INLINE)) for _ in range(draw(st.integers(1, cols + 1)))) + " |"
                    for _ in range(rows)]
            blocks.append("\n".join([head, rule, *body]))
        elif kind == "quote":
            blocks.append("> " + draw(INLINE).replace("\n", "\n> "))
        elif kind == "code":
            blocks.append("```\n" + draw(st.text(max_size=40)) + "\n```")
        elif kind == "break":
            blocks.append("<!-- pagebreak -->")
        else:
            blocks.append("---")
    return "\n\n".join(blocks) + "\n"


@pytest.fixture(scope="module")
def image_dir(tmp_path_factory) -> Path:
    import struct
    import zlib

    folder = tmp_path_factory.mktemp("docx")

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"\x00" + b"\xff\x00\x00" * 2 + b"\x00" + b"\x00\xff\x00" * 2))
           + chunk(b"IEND", b""))
    (folder / "chart.png").write_bytes(png)
    return folder


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(markdown=markdown_documents(), title=st.one_of(ODD_TEXT, st.text(max_size=20)))
def test_structured_markdown_always_gives_a_valid_docx(image_dir, markdown, title):
    import docx

    from readiness.documents.docx_writer import write_docx

    out = image_dir / f"doc-{next(_counter)}.docx"
    try:
        items = write_docx(markdown, out, title=title, header_text="DRAFT v1 \x07" + title, footer_text="Generated",
                           image_dir=image_dir)
    except ReadinessError:
        return
    document = docx.Document(str(out))  # the package is whole and its XML well formed
    assert len(document.comments) == len(dict.fromkeys(items))  # one comment per distinct open item
    for table in document.tables:  # every table marks its first row as the header row
        first = table.rows[0]._tr
        assert first.trPr is not None and first.trPr.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None
    shutil.os.unlink(out)


# ---------------------------------------------------------------- what the fuzzing found (regressions)


def test_an_unquoted_impossible_date_is_an_answer_error_with_its_line(fuzz_site):
    """`value: 2027-02-30` made PyYAML raise ValueError: every command failed with an internal error."""
    original = (fuzz_site / "answers.yaml").read_bytes()
    try:
        (fuzz_site / "answers.yaml").write_text("answers:\n  intake_days: 20\n  launch_date:\n    value: 2027-02-30\n")
        result = invoke("score", fuzz_site)
        assert result.exit_code == 1 and "answers.yaml:4: answer to 'launch_date': expected a date" in result.stderr
    finally:
        (fuzz_site / "answers.yaml").write_bytes(original)


def test_a_records_answer_that_reads_as_an_impossible_date_is_refused_cleanly(fuzz_site):
    result = invoke("answer", fuzz_site, "partners", "0000-00-00")
    assert result.exit_code == 1 and result.stderr.startswith("Error: answer to 'partners'"), result.output


def test_a_control_character_in_yaml_is_located(fuzz_site):
    original = (fuzz_site / "answers.yaml").read_bytes()
    try:
        (fuzz_site / "answers.yaml").write_text("answers:\n  county_name:\n    value: \"Hill\x1b[31m\"\n")
        result = invoke("score", fuzz_site)
        assert result.exit_code == 1
        assert "answers.yaml:3: answers file is not valid YAML: the special character U+001B" in result.stderr
    finally:
        (fuzz_site / "answers.yaml").write_bytes(original)


def test_a_document_title_longer_than_word_allows_still_builds(fuzz_site, tmp_path):
    """Word's core properties hold 255 characters; a longer pack title made python-docx raise."""
    import docx

    folder = tmp_path / "templates"
    folder.mkdir()
    title = "Memorandum of Understanding " * 12
    (folder / "pack.yaml").write_text("id: consultant\nversion: 1.0.0\ntitle: T\nstandalone: true\ndocuments:\n"
                                      f"  - {{id: probe, title: '{title.strip()}', template: probe.md.j2}}\n")
    (folder / "probe.md.j2").write_text("# {{ site.name }}\n\nText.\n")
    result = invoke("build", fuzz_site, "--templates", folder)
    assert result.exit_code == 0, result.output
    built = sorted((fuzz_site / "drafts").iterdir())[-1] / "probe.docx"
    assert docx.Document(str(built)).core_properties.title == title.strip()[:255]
