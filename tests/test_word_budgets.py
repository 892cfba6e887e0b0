"""Word budgets (issue 12): the pack total counts one copy per document, and the documents issue 12
shortened stay within their budgets on every example (benchmarks/bench_words.py prints the table)."""
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _bench():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("bench_words", ROOT / "benchmarks" / "bench_words.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _bench()


def test_the_pack_total_counts_the_largest_copy_of_a_per_agency_document_once():
    per_doc = {"mou": 5000, "general_order_city_pd": 2300, "general_order_county_so": 2400,
               "field_card_city_pd": 450, "field_card_county_so": 420}
    groups = {"mou": "mou", "general_order_city_pd": "general_order", "general_order_county_so": "general_order",
              "field_card_city_pd": "field_card", "field_card_county_so": "field_card"}
    assert bench.pack_total(per_doc, groups) == 5000 + 2400 + 450
    assert bench.copied(groups) == ["general_order", "field_card"]
    text = bench.table({"x-county": per_doc}, groups)
    assert "one copy per document" in text and "(a copy of general_order)" in text
    assert "10570" in text and "7850" in text  # every copy (reference) and the pack total both shown
    assert bench.drafts_total({**per_doc, "drafting_memo": 900}, {**groups, "drafting_memo": "drafting_memo"}) == 7850


@pytest.fixture(scope="module")
def figures():
    return bench.counts()


SHORTENED = ["mou", "referral_protocol", "post_overdose_protocol", "readiness_report"]


@pytest.mark.parametrize("doc_id", SHORTENED)
def test_the_shortened_documents_are_within_budget_on_every_example(figures, doc_id):
    per_example, _ = figures
    over = {name: docs[doc_id] for name, docs in per_example.items() if docs[doc_id] > bench.budget(doc_id)}
    assert not over, f"{doc_id} over its budget of {bench.budget(doc_id)} words: {over}"


def test_the_pack_and_drafts_totals_are_within_their_budgets_on_every_example(figures):
    per_example, groups = figures
    totals = {name: bench.pack_total(docs, groups) for name, docs in per_example.items()}
    assert max(totals.values()) <= bench.PACK_BUDGET, totals
    drafts = {name: bench.drafts_total(docs, groups) for name, docs in per_example.items()}
    assert max(drafts.values()) <= bench.DRAFTS_BUDGET, drafts
    assert all(drafts[n] < totals[n] for n in totals)  # the assessment documents are left out
