"""US English: a real spell checker (hunspell with its en_US dictionary) over every example build and
the questionnaire's text, with a short allowlist (tests/spelling-allowlist.txt) for names and domain
terms; British spellings (organisation, colour, per cent, programme, licence ...) fail. The CLI's own
messages (string literals in readiness/*.py) are checked for British spellings only.

hunspell and hunspell-en-us are Debian packages; .ci/run installs them."""
from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, ROOT, render_pack

SITES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "site.yaml").is_file())
ALLOWLIST = {w.strip().lower() for w in (Path(__file__).parent / "spelling-allowlist.txt").read_text().splitlines()
             if w.strip() and not w.startswith("#")}
# British spellings a US dictionary still accepts as words: phrases and forms looked for as such.
BRITISH_PHRASES = re.compile(r"\b(?:per cent|whilst|amongst|learnt)\b", re.IGNORECASE)
# A word the dictionary rejects and that ends like a British spelling (for the CLI's messages, where
# identifiers and file names make a full spell check noisy).
BRITISH_ENDING = re.compile(r"(?:is(?:e|ed|es|ing|ation|ations)|ys(?:e|ed|ing)|our(?:s|ed|ing|hood|hoods|able|ite)?|"
                            r"tre|tres|ence|mme|mmes|lled|lling|ogue|ogues|ement)$", re.IGNORECASE)
# Old ids kept on purpose so files written with them still load (readiness/questionnaire/models.py LEGACY_PHASES).
LEGACY_IDS = {"stabilise"}
# Questionnaire keys whose values a person reads.
READ_KEYS = {"text", "help", "label", "title", "action", "placeholder", "description"}


def _dictionary() -> str:
    exe = shutil.which("hunspell")
    if not exe:
        pytest.skip("hunspell is not installed (Debian: hunspell hunspell-en-us; .ci/run installs them)")
    probe = subprocess.run([exe, "-d", "en_US", "-l"], input="colour color", capture_output=True, text=True)
    if probe.returncode != 0 or probe.stdout.split() != ["colour"]:
        pytest.skip("hunspell's en_US dictionary is not installed (Debian: hunspell-en-us)")
    return exe


def prose(text: str) -> str:
    """What a reader reads: without Markdown link targets, web addresses, code and file names."""
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"(?:https?://|www\.)\S+", " ", text)
    text = re.sub(r"\b[\w.-]+\.(?:org|gov|com|net|edu)\b\S*", " ", text)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\{[A-Za-z_]+\}", " ", text)  # the questionnaire's {prosecutor} title placeholders
    return re.sub(r"\b[\w.-]+\.(?:md|docx|csv|png|json|yaml|pdf)\b", " ", text)


def misspelled(text: str) -> list[str]:
    """Words hunspell en_US does not know and the allowlist does not name, and British phrases."""
    out = subprocess.run([_dictionary(), "-d", "en_US", "-i", "utf-8", "-l"], input=prose(text),
                         capture_output=True, text=True, check=True).stdout.split()
    words = [w for w in out if re.sub(r"['’]s$", "", w).lower() not in ALLOWLIST]
    return sorted(set(words + [m.group(0) for m in BRITISH_PHRASES.finditer(text)]))


def questionnaire_text(path: Path) -> str:
    def walk(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                yield from walk(v, k)
        elif isinstance(node, list):
            for v in node:
                yield from walk(v, key)
        elif isinstance(node, str) and key in READ_KEYS:
            yield node

    return "\n".join(walk(yaml.safe_load(path.read_text(encoding="utf-8"))))


@pytest.mark.parametrize("name", SITES)
def test_every_example_build_is_us_english(name):
    docs = render_pack(EXAMPLES / name)
    found = {doc_id: words for doc_id, md in docs.items() if (words := misspelled(md))}
    assert found == {}, f"not US English (fix the text, or add a name or term to tests/spelling-allowlist.txt): {found}"


@pytest.mark.parametrize("path", sorted((ROOT / "questionnaires").glob("*.yaml")), ids=lambda p: p.name)
def test_the_questionnaire_is_us_english(path):
    assert misspelled(questionnaire_text(path)) == []


def test_a_seeded_example_with_british_spellings_fails(example_copy):
    site = example_copy("harbor-county")
    answers = site / "answers.yaml"
    text = answers.read_text(encoding="utf-8")
    seeded = text.replace("value: Harbor County LEAD\n",
                          "value: Harbor County Neighbourhood Programme\n", 1)
    assert seeded != text
    answers.write_text(seeded, encoding="utf-8")
    words = misspelled(render_pack(site)["mou"])
    assert {"Neighbourhood", "Programme"} <= set(words), words


def test_british_spellings_in_seeded_text_all_fail():
    text = ("The organisation will finalise the colour of the neighbourhood programme, 20 per cent of its "
            "behaviour, under a licence, whilst the LEAD PCG meets.")
    assert misspelled(text) == sorted({"organisation", "finalise", "colour", "neighbourhood", "programme",
                                       "behaviour", "licence", "per cent", "whilst"})


def _cli_strings() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in sorted((ROOT / "readiness").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        strings = [n.value.encode("utf-8", "ignore").decode("utf-8") for n in ast.walk(tree)
                   if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
                   and n.value not in LEGACY_IDS]
        out[str(path.relative_to(ROOT))] = strings
    return out


def british_words(text: str) -> list[str]:
    words = misspelled(text)
    words = [w for w in words if not re.search(r"[a-z][A-Z]", w)]  # CamelCase: an identifier (w:commentReference)
    return [w for w in words if BRITISH_ENDING.search(re.sub(r"['’]s$", "", w)) or BRITISH_PHRASES.fullmatch(w)]


def test_cli_messages_and_help_have_no_british_spelling():
    """Every string literal but docstrings: messages, help, prompts and the words they are built from."""
    found = {}
    for path, strings in _cli_strings().items():
        text = "\n".join(re.sub(r"[_{}]", " ", s) for s in strings)
        if words := british_words(text):
            found[path] = words
    assert found == {}


def test_the_cli_check_catches_a_british_message():
    assert british_words("Error: the organisation's licence could not be finalised.") == \
        ["finalised", "licence", "organisation's"]
