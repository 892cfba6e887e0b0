"""Words per document of every example's pack, beside the budget set in benchmarks/README.md.

Renders each example in `examples/` in memory as `build` renders it (the report and plan with
their supplies; nothing written) and counts the words of each document's Markdown: runs of letters
or digits, with inner apostrophes, hyphens and periods ("person-first", "G.S.", "9:00") counted as
one word; Markdown markup (`#`, `|`, `**`, list markers) is not a word.

A document the pack declares with `for_each` (the general order and the field card) has one copy per
law enforcement agency (manifest `copy_of`). Each copy is a row of its own, against the document's
budget; the pack total counts ONE copy per document, the largest, since no reader reads every
agency's copy (an agency's command staff read their own order and card). The total over every copy
is printed too, for reference.

The drafts total leaves out the three documents that report on the county (readiness report,
implementation plan, drafting memo), whose length follows its gaps.

Rows (`run()`, for run_all.py): for each document, the largest count over the examples against its
budget, and the largest pack and drafts totals (one copy per document) against their budgets. `main()` also
prints the full table, one column per example.

    python benchmarks/bench_words.py
"""
from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _timing import ROOT, print_rows  # noqa: E402

EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if (p / "site.yaml").is_file())

# Words per document (benchmarks/README.md says why each figure).
BUDGETS = {
    "readiness_report": 5000,
    "implementation_plan": 3500,
    "mou": 5000,
    "release_of_information": 1500,
    "data_sharing": 2500,
    "prosecutor_protocol": 2000,
    "general_order": 2500,
    "field_card": 500,
    "referral_protocol": 2000,
    "case_conferencing": 1500,
    "post_overdose_protocol": 1500,
    "officer_training": 3000,
    "evaluation_plan": 2000,
    "sustainability_plan": 1500,
    "clt_charter": 1500,
    "drafting_memo": 4000,
}
DEFAULT_BUDGET = 2500  # a document the table does not name (a new one, or one per agency)
# The whole pack, one copy per document (benchmarks/README.md says why 35,000 and not 30,000), and the
# drafts alone: every document but the three that report on the county, which grow with its gaps.
PACK_BUDGET = 35000
DRAFTS_BUDGET = 25000
ASSESSMENT = ("readiness_report", "implementation_plan", "drafting_memo")

WORD = re.compile(r"[A-Za-z0-9]+(?:['’.:/-][A-Za-z0-9]+)*")


def count_words(markdown: str) -> int:
    return len(WORD.findall(markdown))


def render_example(site_dir: Path) -> dict[str, tuple[str, str]]:
    """Every document of the site's pack as (pack document it is a copy of, Markdown), by id, rendered
    as `build` renders it; a document that is not a `for_each` copy is its own pack document."""
    from readiness.assessment import assess_site
    from readiness.documents import build as B
    from readiness.documents.context import site_context
    from readiness.documents.environment import make_environment
    from readiness.documents.pack import load_pack
    from readiness.report.outputs import Supplies
    from readiness.workspace.store import open_site

    site = open_site(site_dir, None)
    pack = load_pack(B.template_folders(site, None))
    a = assess_site(site)
    context = site_context(site, a, B.state_dirs(pack), pack.folders)
    today = dt.date(2026, 11, 30)
    supplies = Supplies.for_site(site, a, today, pack.folders)
    docs, _ = B.render_documents(make_environment(pack.folders), pack, list(pack.documents), context, 1,
                                 today, supplies)
    return {d.spec.id: (d.spec.group or d.spec.id, d.markdown) for d in docs}


def budget(doc_id: str) -> int:
    if doc_id in BUDGETS:
        return BUDGETS[doc_id]
    for prefix, value in BUDGETS.items():  # general_order_<agency> has the general order's budget
        if doc_id.startswith(prefix + "_"):
            return value
    return DEFAULT_BUDGET


Figures = dict[str, dict[str, int]]  # {example: {document id: words}}
Groups = dict[str, str]  # {document id: the pack document it is a copy of (itself when not a copy)}


def counts() -> tuple[Figures, Groups]:
    """Words of every document of every example, and which pack document each one is a copy of."""
    figures: Figures = {}
    groups: Groups = {}
    for site in EXAMPLES:
        rendered = render_example(site)
        figures[site.name] = {doc_id: count_words(md) for doc_id, (_, md) in rendered.items()}
        groups.update({doc_id: group for doc_id, (group, _) in rendered.items()})
    return figures, groups


def pack_total(per_doc: dict[str, int], groups: Groups) -> int:
    """One example's pack total: one copy per pack document, the largest of its copies."""
    largest: dict[str, int] = {}
    for doc_id, words in per_doc.items():
        group = groups.get(doc_id, doc_id)
        largest[group] = max(largest.get(group, 0), words)
    return sum(largest.values())


def drafts_total(per_doc: dict[str, int], groups: Groups) -> int:
    """The pack total without the assessment documents (report, plan, drafting memo)."""
    return pack_total({d: w for d, w in per_doc.items() if groups.get(d, d) not in ASSESSMENT}, groups)


def copied(groups: Groups) -> list[str]:
    """The pack documents that have copies (one per agency), in order."""
    out: list[str] = []
    for doc_id, group in groups.items():
        if group != doc_id and group not in out:
            out.append(group)
    return out


def table(figures: Figures, groups: Groups) -> str:
    names = list(figures)
    ids: list[str] = []
    for per_doc in figures.values():
        ids += [i for i in per_doc if i not in ids]
    width = max(len(i) for i in ids + ["pack total"])
    cols = [max(len(n), 7) for n in names]
    lines = [f"{'document':<{width}}  " + "  ".join(f"{n:>{c}}" for n, c in zip(names, cols)) + "   budget"]
    for doc_id in ids:
        cells = []
        for n, c in zip(names, cols):
            value = figures[n].get(doc_id)
            cells.append(f"{'-' if value is None else value:>{c}}")
        over = any(figures[n].get(doc_id, 0) > budget(doc_id) for n in names)
        copy = groups.get(doc_id, doc_id)
        lines.append(f"{doc_id:<{width}}  " + "  ".join(cells) + f"   {budget(doc_id):>6}" + ("  OVER" if over else "")
                     + (f"  (a copy of {copy})" if copy != doc_id else ""))
    every_copy = [sum(figures[n].values()) for n in names]
    lines.append(f"{'(every copy)':<{width}}  " + "  ".join(f"{t:>{c}}" for t, c in zip(every_copy, cols))
                 + "  reference")
    totals = [pack_total(figures[n], groups) for n in names]
    lines.append(f"{'pack total':<{width}}  " + "  ".join(f"{t:>{c}}" for t, c in zip(totals, cols))
                 + f"   {PACK_BUDGET:>6}" + ("  OVER" if max(totals) > PACK_BUDGET else ""))
    drafts = [drafts_total(figures[n], groups) for n in names]
    lines.append(f"{'drafts total':<{width}}  " + "  ".join(f"{t:>{c}}" for t, c in zip(drafts, cols))
                 + f"   {DRAFTS_BUDGET:>6}" + ("  OVER" if max(drafts) > DRAFTS_BUDGET else ""))
    multi = copied(groups)
    if multi:
        lines.append("")
        lines.append(f"pack total: one copy per document, the largest copy of {', '.join(multi)} (one per law "
                     "enforcement agency, each read by its own agency); (every copy) adds up every agency's copies; "
                     f"drafts total leaves out {', '.join(ASSESSMENT)}.")
    return "\n".join(lines)


def rows(figures: Figures, groups: Groups) -> list[dict]:
    ids: list[str] = []
    for per_doc in figures.values():
        ids += [i for i in per_doc if i not in ids]
    out = []
    for doc_id in ids:
        worst = max(figures, key=lambda n: figures[n].get(doc_id, 0))
        out.append({"name": f"words_{doc_id}", "measured": figures[worst].get(doc_id, 0), "goal": budget(doc_id),
                    "unit": "w", "note": f"largest: {worst}"})
    worst = max(figures, key=lambda n: pack_total(figures[n], groups))
    out.append({"name": "words_pack_total", "measured": pack_total(figures[worst], groups), "goal": PACK_BUDGET,
                "unit": "w", "note": f"largest: {worst}; one copy per document (the largest per-agency copy)"})
    worst = max(figures, key=lambda n: drafts_total(figures[n], groups))
    out.append({"name": "words_drafts_total", "measured": drafts_total(figures[worst], groups), "goal": DRAFTS_BUDGET,
                "unit": "w", "note": f"largest: {worst}; the pack without {', '.join(ASSESSMENT)}"})
    return out


def run() -> list[dict]:
    return rows(*counts())


def main() -> None:
    figures, groups = counts()
    print(table(figures, groups))
    print()
    print_rows(rows(figures, groups))


if __name__ == "__main__":
    main()
