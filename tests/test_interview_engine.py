"""The interview engine without a terminal: a scripted Asker stands in for the person."""
from __future__ import annotations

import pytest

from readiness.interview.engine import (
    Back, Change, Continue, Finish, Interview, Progress, Quit, Reply, Skip, ToReview,
)
from readiness.workspace.models import Answer
from readiness.workspace.store import Respondent, open_site


class Script:
    """Replies in order; each reply is (expected question id or None, reply). Records what it saw."""

    def __init__(self, *steps):
        self.steps = list(steps)
        self.asked: list[str] = []
        self.progress: list[Progress] = []
        self.told: list[str] = []
        self.reviews: list[list] = []

    def ask(self, question, current, progress):
        self.asked.append(question.id)
        self.progress.append(progress)
        expected, reply = self.steps.pop(0)
        assert expected in (None, question.id), f"expected {expected}, was asked {question.id}"
        return reply

    def review(self, rows, remaining):
        self.reviews.append(rows)
        expected, reply = self.steps.pop(0)
        assert expected == "REVIEW", f"expected {expected}, got the review"
        return reply

    def tell(self, message):
        self.told.append(message)


def value(v, **kw):
    return Reply(Answer(value=v, **kw))


RECORDS = [{"name": "Sheriff", "kind": "police"}]


def test_walks_site_questions_in_order_and_saves_each(mini_site):
    site = open_site(mini_site)
    script = Script(("county_name", value("Test County")), ("partners", value(RECORDS)),
                    ("launch_date", value("2027-03-01")), ("da_non_filing", value("written")),
                    ("intake_days", value("21")), ("ssp_in_county", value(True)),
                    ("naloxone_points", value(["pharmacy"])), ("REVIEW", Finish()))
    outcome = Interview(site).run(script)
    assert outcome.finished and outcome.saved == 7
    assert "support_diversion" not in script.asked  # respondent question: not in a site sitting
    assert "ssp_nearest" not in script.asked  # its condition is false
    again = open_site(mini_site)
    assert again.answers["intake_days"].value == 21
    assert again.answers["partners"].value == RECORDS
    assert script.told[0] == "7 questions in this sitting; the answers may open up to 1 more."  # ssp_nearest


def test_progress_line_counts_domain_and_overall(mini_site):
    site = open_site(mini_site)
    script = Script(("county_name", value("X")), ("partners", Quit()))
    Interview(site).run(script)
    first, second = script.progress
    assert first.line() == "Site profile 1/3 - 0/7 answered"
    assert second.line() == "Site profile 2/3 - 1/7 answered"


def test_condition_switches_a_question_on_and_off_and_keeps_its_answer(mini_site):
    site = open_site(mini_site)
    script = Script(("county_name", value("X")), ("partners", Skip()), ("launch_date", Skip()),
                    ("da_non_filing", Skip()), ("intake_days", Skip()),
                    ("ssp_in_county", value(False)), ("ssp_nearest", value("Next County SSP")),
                    ("naloxone_points", Back()),  # back to ssp_nearest
                    ("ssp_nearest", Back()),  # back to ssp_in_county
                    ("ssp_in_county", value(True)),  # ssp_nearest stops applying
                    ("naloxone_points", value(["ssp"])), ("REVIEW", Finish()))
    engine = Interview(site)
    engine.run(script)
    assert script.progress[6].total == 8  # ssp_nearest counted while it applies
    rows = {r.qid: r for r in script.reviews[-1]}
    assert rows["ssp_nearest"].state == "kept"
    assert rows["ssp_nearest"].shown == "Next County SSP  (kept but no longer applies)"
    assert open_site(mini_site).answers["ssp_nearest"].value == "Next County SSP"  # not deleted
    assert "ssp_nearest" not in {q.id for q in engine.applicable()}


def test_back_from_the_first_question_says_so(mini_site):
    site = open_site(mini_site)
    script = Script(("county_name", Back()), ("county_name", Quit()))
    Interview(site).run(script)
    assert any("first question" in t for t in script.told)


def test_resume_starts_at_first_unanswered_and_says_so(mini_site):
    site = open_site(mini_site)
    Interview(site).run(Script(("county_name", value("X")), ("partners", value([])), ("launch_date", Quit())))
    site = open_site(mini_site)
    script = Script(("launch_date", Quit()))
    Interview(site).run(script)
    assert script.told[0] == ("Resuming at question 3 of 7: Target launch date?\n"
                              "5 questions still to ask in this sitting; the answers may open up to 1 more.")


def test_skipped_questions_are_marked_and_asked_again_on_resume(mini_site):
    site = open_site(mini_site)
    Interview(site).run(Script(("county_name", Skip()), ("partners", Quit())))
    site = open_site(mini_site)
    assert site.answers["county_name"].status == "skipped"
    script = Script(("county_name", value("Later County")), ("partners", Quit()))
    Interview(site).run(script)
    assert script.told[0].startswith("Resuming at question 1 of 7")
    assert open_site(mini_site).answers["county_name"].status == "answered"


def test_skip_does_not_erase_an_existing_answer(mini_site):
    site = open_site(mini_site)
    Interview(site).run(Script(("county_name", value("Kept County")), ("partners", Quit())))
    site = open_site(mini_site)
    script = Script(("partners", ToReview()), ("REVIEW", Change("county_name")), ("county_name", Skip()),
                    ("REVIEW", Continue()), ("partners", Quit()))
    Interview(site).run(script)
    assert open_site(mini_site).answers["county_name"].value == "Kept County"


def test_skipped_now_is_not_asked_again_in_the_same_sitting(mini_site):
    site = open_site(mini_site)
    script = Script(("county_name", Skip()), ("partners", value([])), ("launch_date", value("2027-01-01")),
                    ("da_non_filing", value("no")), ("intake_days", value(10)), ("ssp_in_county", value(True)),
                    ("naloxone_points", value(["pharmacy"])), ("REVIEW", Continue()),
                    ("county_name", value("Now County")), ("REVIEW", Finish()))
    Interview(site).run(script)
    review = {r.qid: r for r in script.reviews[0]}
    assert review["county_name"].state == "skipped" and review["county_name"].shown == "Skipped for now"


def test_review_on_demand_then_continue_returns_to_the_same_question(mini_site):
    site = open_site(mini_site)
    script = Script(("county_name", value("X")), ("partners", ToReview()), ("REVIEW", Change("county_name")),
                    ("county_name", value("Y")), ("REVIEW", Continue()), ("partners", Quit()))
    outcome = Interview(site).run(script)
    assert not outcome.finished
    assert open_site(mini_site).answers["county_name"].value == "Y"


def test_dont_know_and_notes_are_saved_and_notes_kept_on_change(mini_site):
    site = open_site(mini_site)
    script = Script(("county_name", value("X")), ("partners", Skip()), ("launch_date", Skip()),
                    ("da_non_filing", Reply(Answer(status="unknown", note="ask the DA's office", evidence="call 3 May"))),
                    ("intake_days", Back()), ("da_non_filing", value("verbal")), ("intake_days", Quit()))
    Interview(site).run(script)
    saved = open_site(mini_site).answers["da_non_filing"]
    assert saved.value == "verbal" and saved.note == "ask the DA's office" and saved.evidence == "call 3 May"


def test_respondent_sitting_asks_only_respondent_questions(mini_site):
    site = open_site(mini_site)
    who = Respondent("chief-park", "Chief Park", "Police Chief", "City PD", "2026-01-01")
    script = Script(("support_diversion", value(5)), ("REVIEW", Finish()))
    Interview(site, who).run(script)
    again = open_site(mini_site)
    assert again.respondents["chief-park"].answers["support_diversion"].value == 5
    assert again.respondents["chief-park"].answers["support_diversion"].by == "Chief Park"
    assert again.respondents["chief-park"].agency == "City PD"
    assert "support_diversion" not in again.answers


def test_domain_limits_the_walk_but_progress_counts_the_whole_sitting(mini_site):
    site = open_site(mini_site)
    script = Script(("da_non_filing", value("no")), ("intake_days", value(30)), ("REVIEW", Finish()))
    Interview(site, domain="prosecution").run(script)
    assert script.progress[0].line() == "Prosecution 1/2 - 0/7 answered"
    assert [r.qid for r in script.reviews[0]] == ["da_non_filing", "intake_days"]


def test_everything_answered_goes_straight_to_review(mini_site):
    site = open_site(mini_site)
    script = Script(("support_diversion", value(3)), ("REVIEW", Finish()))
    Interview(site, Respondent("a", "A")).run(script)
    site = open_site(mini_site)
    again = Script(("REVIEW", Finish()))
    Interview(site, site.respondents["a"]).run(again)
    assert again.told[0].startswith("Every question in this sitting is answered already")


def test_not_applicable_answers_are_not_asked(mini_site):
    site = open_site(mini_site)
    from readiness.workspace.store import save_answer

    save_answer(site, "county_name", Answer(status="not_applicable"))
    script = Script(("partners", Quit()))
    Interview(site).run(script)
    assert script.progress[0].total == 6


@pytest.mark.parametrize("qid,raw", [("intake_days", 400), ("launch_date", "March"), ("da_non_filing", "maybe")])
def test_a_bad_value_from_an_asker_is_refused_by_the_store(mini_site, qid, raw):
    from readiness.errors import AnswerError

    site = open_site(mini_site)
    with pytest.raises(AnswerError):
        Interview(site).apply(qid, Answer(value=raw))


# ---------------------------------------------------------------- nothing asked twice; parts; wording

from conftest import invoke  # noqa: E402


@pytest.fixture
def real_site(tmp_path):
    site = tmp_path / "harbor"
    assert invoke("new", site, "--name", "Harbor County", "--state", "NC").exit_code == 0
    return site


def test_what_new_was_given_is_filled_in_and_not_asked(real_site):
    engine = Interview(open_site(real_site))
    start, message = engine.opening()
    assert "Not asked: county name, Harbor County (from `lead-readiness new --name`)." in message
    assert start != "county_name" and engine.is_done("county_name")
    saved = open_site(real_site).answers["county_name"]
    assert (saved.value, saved.by) == ("Harbor County", "lead-readiness")


def test_a_persons_own_answer_is_never_replaced(real_site):
    assert invoke("answer", real_site, "county_name", "Harbor").exit_code == 0
    engine = Interview(open_site(real_site))
    assert "Not asked" not in engine.opening()[1]
    assert open_site(real_site).answers["county_name"].value == "Harbor"


def test_a_derived_answer_follows_its_source_and_is_not_asked(real_site):
    site = open_site(real_site)
    engine = Interview(site)
    two = [{"name": "County general fund", "type": "county"}, {"name": "Opioid settlement", "type": "opioid_settlement"}]
    engine.apply("funding_sources", Answer(value=two))
    assert site.answers["funding_source_count"].value == 2 and engine.is_done("funding_source_count")
    engine.apply("funding_sources", Answer(value=two + [{"name": "City", "type": "municipal"}]))
    assert open_site(real_site).answers["funding_source_count"].value == 3  # brought up to date
    engine.apply("funding_source_count", Answer(value=5))  # the person knows better: kept
    engine.apply("funding_sources", Answer(value=two))
    assert open_site(real_site).answers["funding_source_count"].value == 5


def test_a_first_meeting_asks_its_set_in_the_set_order_and_the_full_interview_the_rest(real_site):
    site = open_site(real_site)
    chosen = site.questionnaire.sets["first_meeting"].questions
    first = Interview(site, part="first_meeting")
    first.opening()
    live = [q.id for q in first.applicable()]
    assert live == [x for x in chosen if x in first.live_ids()]
    for qid in live:
        first.skip(qid) if qid == "pm_agency" else first.apply(qid, Answer(status="unknown"))
    assert first.counts().applicable == len(live) and first.counts().unknown == len(live) - 1
    full = Interview(open_site(real_site))
    full.opening()
    asked_later, nxt = [], full.resume_point()
    while nxt is not None:
        asked_later.append(nxt)
        full.apply(nxt, Answer(status="unknown"))
        nxt = full.next_after(nxt)
    assert set(asked_later) & set(chosen) == {"pm_agency"}  # only what the meeting skipped
    assert "county_name" not in asked_later and len(asked_later) > 50


def test_questions_are_worded_for_the_respondents_role(real_site):
    site = open_site(real_site)
    who = Respondent("sam", "Sam Ortiz", "Neighborhood association chair")
    engine = Interview(site, who, role_kind="community_member")
    text = engine.progress("resp_support_diversion").text
    assert text.startswith("How strongly do people in your community or organization support")
    assert Interview(site, who).progress("resp_support_diversion").text.startswith("How strongly does your agency")
