"""The render-time text check (readiness/documents/prose_check.py): each rule fires on the fault it
names, stays quiet on the constructions drafts use on purpose, finds nothing in any example build,
and `build` prints its findings as warnings naming the document and line without failing."""
from __future__ import annotations

import re

import pytest

from readiness.documents.prose_check import RULES, check_markdown
from readiness.workspace.store import open_site

from conftest import EXAMPLES, invoke, render_pack

SITES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "site.yaml").is_file())

# (rule, seeded Markdown, line the finding must name, answers given to the check)
SEEDED = [
    ("double_punctuation", "# Protocol\n\nThe case manager calls back by 9 a.m.. The provider answers.", 3, []),
    ("double_punctuation", "# Protocol\n\nThe parties,, each in turn, sign.", 3, []),
    ("double_punctuation", "# Protocol\n\nThe parties sign. . Then they meet.", 3, []),
    ("lowercase_clause", "# MOU\n\n## 2. Parties\n\n2.1 the Parties agree to meet.", 5, []),
    ("lowercase_clause", "# MOU\n\n## 3. purpose\n", 3, []),
    ("nested_parentheses", "# MOU\n\n- coordinate the team (Harbor County PORT (Harbor County EMS and Health Department)) with it;", 3, []),
    ("repeated_word", "# MOU\n\n1.1 The Parties meet at the the county office.", 3, []),
    ("label_yes_no", "# Charter\n\n> **Where things stand.** Community Leadership Team: no. There is no plan yet.", 3, []),
    ("label_yes_no", "# Charter\n\n- Naloxone leave-behind: Yes", 3, []),
    ("title_repeats_county", "# Data-Sharing Agreement: Harbor County LEAD, Harbor County\n\nText.", 1, []),
    ("title_repeats_county", "# Drafting Memo: Pine Ridge Pre-Arrest Diversion, Pine Ridge County\n\nText.", 1, []),
    ("capitalized_answer", "# Plan\n\nReferrals are recorded in Password-protected spreadsheet on the drive.", 3,
     ["Password-protected spreadsheet on the drive"]),
    ("capitalized_answer", "# Order\n\nThe drug amount threshold is More than 4 grams of any drug.", 3,
     ["More than 4 grams of any drug"]),
    ("capitalized_answer", "# Order\n\nReferrals are kept in Password-protected files by the provider.", 3, []),
]


@pytest.mark.parametrize("rule, text, line, answers", SEEDED, ids=[f"{r}-{i}" for i, (r, *_) in enumerate(SEEDED)])
def test_each_rule_fires_on_seeded_text_naming_document_and_line(rule, text, line, answers):
    findings = check_markdown(text, "seeded.md", answers)
    assert [(f.rule, f.line) for f in findings] == [(rule, line)], findings
    message = findings[0].message()
    assert message.startswith(f"seeded.md, line {line}: {RULES[rule]}: ")


def test_every_rule_has_a_seeded_example():
    assert {rule for rule, *_ in SEEDED} == set(RULES)


CLEAN = """# Interagency Memorandum of Understanding: Harbor County LEAD

> **DRAFT version 1, generated November 30, 2026, for stakeholder review.** Text in the form [TO CONFIRM: ...] is still to be supplied.

## 2. Parties

2.1 The Parties, e.g., the Harbor City Police Department, meet at 9 a.m., in person.

2.2 Disclosure follows 42 CFR 2.31(a) and 42 U.S.C. 290dd-2(b), as section 3(b) says... and then more.

2.3 The [LEAD Support Bureau](https://www.leadbureau.org/about(us)) advises (by phone) the Program.

2.4 Harbor Recovery Services, the case management provider, records referrals in the database.

| Question | Answer |
|---|---|
| Naloxone leave-behind | Yes |
| Community Leadership Team: | no |

1. improve public safety; and
2. reduce jail days.

```
code block: no.. (a (b))
```
"""


def test_constructions_drafts_use_on_purpose_are_not_findings():
    answers = ["Harbor Recovery Services", "9 a.m.", "the database"]
    assert check_markdown(CLEAN, "clean.md", answers) == []


@pytest.mark.parametrize("name", SITES)
def test_no_example_build_has_a_text_finding(name):
    answers = [a.value for a in open_site(EXAMPLES / name, None).answers.values()]
    findings = [f.message() for doc_id, md in render_pack(EXAMPLES / name).items()
                for f in check_markdown(md, doc_id, answers)]
    assert findings == []


def test_an_abbreviation_ending_a_sentence_takes_one_period():
    md = render_pack(EXAMPLES / "harbor-county")["referral_protocol"]
    assert "a.m.." not in md and re.search(r"\ba\.m\. [A-Z]", md)


def test_build_warns_with_the_document_and_line_and_still_builds(example_copy):
    site = example_copy("pine-ridge-county")
    answers = site / "answers.yaml"
    text = answers.read_text(encoding="utf-8")
    seeded = text.replace("value: a password-protected spreadsheet on the health department's secure drive, "
                          "as an interim system", "value: Password-protected spreadsheet on the county drive")
    assert seeded != text
    answers.write_text(seeded, encoding="utf-8")
    result = invoke("build", site)
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert re.search(r"Warning: data-sharing\.md, line \d+: answer pasted mid-sentence with a capital: "
                     r"\"[^\"]*in Password-protected spreadsheet", out), out
    assert (site / "drafts" / "v001" / "data-sharing.md").is_file()


def test_a_clean_build_prints_no_text_warning(example_copy):
    result = invoke("build", example_copy("harbor-county"))
    assert result.exit_code == 0 and "Warning:" not in result.output


def test_a_site_with_no_answers_has_no_text_finding(tmp_path):
    """Placeholders stand where answers would: the sentences around them must still read."""
    blank = tmp_path / "blank"
    assert invoke("new", blank, "--name", "Hill County", "--state", "NC").exit_code == 0
    findings = [f.message() for doc_id, md in render_pack(blank).items() for f in check_markdown(md, doc_id)]
    assert findings == []
