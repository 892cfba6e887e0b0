"""Which PTACC deflection pathways a county could start with, from what it already has.

PTACC endorses no single pathway: each community chooses from its needs and its behavioral health
capacity, and most start with one pathway and add others (domain.md section 2). These rules read
the answers and say, for each of the six pathways, whether the county could start with it now, add
it once named pieces are in place, or is not yet equipped for it, and why.  Pure functions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

START, LATER, NOT_YET = "start", "later", "not_yet"
STATUS_TEXT = {START: "Could start with it now", LATER: "Could add it once the items below are in place",
               NOT_YET: "Not yet equipped for it"}
SOURCES = (
    "PTACC does not endorse one pathway; communities choose from their needs and current behavioral health "
    "capacity (ptaccollaborative.org/about). Most communities start with one pathway and add others (Jac Charlier, "
    "TASC Center for Health and Justice, interviewed by cordatahealth.com, April 20, 2022). Pathway definitions: "
    "BJA/COSSUP \"Pathways to Diversion\" case studies and the ojp.gov \"Six Pathways\" overview. LEAD maps mainly "
    "to Officer Intervention and Officer Prevention; a post-overdose response team is the Naloxone Plus pathway "
    "(jphmpdirect.com, October 24, 2022)."
)


@dataclass(frozen=True)
class Pathway:
    id: str
    name: str
    trigger: str
    status: str
    reasons: tuple[str, ...]  # what the county has that supports it
    needs: tuple[str, ...] = field(default_factory=tuple)  # what is missing

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]


def _has(values: Mapping[str, Any], qid: str, *accepted) -> bool:
    value = values.get(qid)
    if isinstance(value, list):
        return any(v in accepted for v in value)
    if not accepted:
        return value is True
    return value in accepted


def _judge(checks: list[tuple[bool, str, str]], *, essential: int) -> tuple[str, list[str], list[str]]:
    """checks: (met, reason if met, need if not). The first `essential` checks decide 'start';
    a pathway with at least one essential check met can be added later."""
    reasons = [good for ok, good, _ in checks if ok]
    needs = [need for ok, _, need in checks if not ok]
    core = checks[:essential]
    if all(ok for ok, _, _ in core):
        return START, reasons, needs
    if any(ok for ok, _, _ in core):
        return LATER, reasons, needs
    return NOT_YET, reasons, needs


def _officer_intervention(v) -> Pathway:
    status, reasons, needs = _judge([
        (_has(v, "da_non_filing", "written"), "the {prosecutor} has agreed in writing not to file or pursue diverted charges",
         "the {prosecutor}'s written non-filing commitment" + (" (support is verbal so far)"
                                                                    if _has(v, "da_non_filing", "verbal") else "")),
        (_has(v, "eligibility_approved", "approved"), "eligibility and exclusion rules are approved by the {prosecutor_short} "
         "and law enforcement", "eligibility and exclusion rules approved by both the {prosecutor_short} and law enforcement"),
        (_has(v, "cm_contracted", "staffed", "hiring"), "a case management provider is under contract",
         "a case management provider under contract"),
        (_has(v, "handoff_capacity", "written"), "case managers can take warm hand-offs with a written response time",
         "hand-off coverage with a written response-time target"),
    ], essential=2)
    if status == START and needs:
        status = LATER
    return Pathway("officer_intervention", "Officer Intervention",
                   "An officer with grounds to arrest or cite for a low-level offense refers the person instead; "
                   "charges are held or not filed.", status, tuple(reasons), tuple(needs))


def _officer_prevention(v) -> Pathway:
    status, reasons, needs = _judge([
        (_has(v, "cm_contracted", "staffed", "hiring"), "a case management provider is under contract",
         "a case management provider under contract"),
        (_has(v, "handoff_capacity", "written", "coverage_only"), "case managers can answer officers' calls for a "
         "hand-off", "hand-off coverage during the program's hours"),
        (_has(v, "le_mou_general_order", "both", "order_only", "mou_only"), "the lead agency has signed the MOU or "
         "approved a general order", "a signed MOU or an approved general order for the lead agency"),
    ], essential=2)
    reasons.append("it needs no prosecutor commitment, because no charge is involved")
    return Pathway("officer_prevention", "Officer / First Responder Prevention (social contact referral)",
                   "An officer or other first responder refers a person during a routine contact; no charges.",
                   status, tuple(reasons), tuple(needs))


def _naloxone_plus(v) -> Pathway:
    active = _has(v, "port_status", "active")
    planned = _has(v, "port_status", "planned") or _has(v, "port_protocol_plan")
    checks = [
        (active, "a post-overdose response team is active",
         "an active post-overdose response team" + (" (one is planned)" if planned else "")),
        (_has(v, "overdose_alerts"), "EMS or hospitals send overdose alerts under a written agreement",
         "a written overdose-alert agreement with EMS and hospitals"),
        (_has(v, "port_to_lead_referral"), "the team can already refer people into the program",
         "a referral route from the overdose team into the program"),
        (_has(v, "naloxone_leave_behind"), "EMS and officers leave naloxone behind at overdose scenes",
         "a naloxone leave-behind policy"),
    ]
    status, reasons, needs = _judge(checks, essential=1)
    if status == NOT_YET and planned:
        status = LATER
    return Pathway("naloxone_plus", "Naloxone Plus", "Follow-up engagement after an overdose response, often by a "
                   "quick response or post-overdose team.", status, tuple(reasons), tuple(needs))


def _active_outreach(v) -> Pathway:
    status, reasons, needs = _judge([
        (_has(v, "outreach_capacity") or _has(v, "existing_street_outreach"),
         "outreach staff can go out to find people", "outreach capacity, or a street outreach partner, in the pilot area"),
        (_has(v, "peer_specialists", "certified", "in_certification"), "peer support specialists are in post or "
         "in training", "funded peer support specialists"),
    ], essential=2)
    return Pathway("active_outreach", "Active Outreach", "Responders deliberately seek people out, often with a "
                   "clinician or peer.", status, tuple(reasons), tuple(needs))


def _self_referral(v) -> Pathway:
    status, reasons, needs = _judge([
        (_has(v, "moud_access", "in_county", "within_travel"), "people can start medication for opioid use "
         "disorder without a waitlist", "medication for opioid use disorder without a waitlist"),
        (_has(v, "treatment_low_barrier"), "treatment partners accept people who are still using",
         "treatment partners' written agreement to accept people who are still using"),
        (_has(v, "cm_contracted", "staffed", "hiring"), "a case management provider can take people who walk in",
         "a case management provider under contract"),
    ], essential=2)
    return Pathway("self_referral", "Self-Referral", "A person asks a first responder or agency for help without "
                   "fear of arrest.", status, tuple(reasons), tuple(needs))


def _community_response(v) -> Pathway:
    co = _has(v, "crisis_services", "co_responder")
    mobile = _has(v, "crisis_services", "mobile_crisis")
    checks = [(co, "a co-responder or community response team exists",
               "a co-responder or community response team" + (" (the mobile crisis team is a base to build on)"
                                                             if mobile else "")),
              (mobile, "a mobile crisis team can respond", "a mobile crisis team")]
    status, reasons, needs = _judge(checks, essential=1)
    if status == NOT_YET and mobile:
        status = LATER
    return Pathway("community_response", "Community Response", "Community-based teams, such as behavioral health "
                   "responders, answer calls for service.", status, tuple(reasons), tuple(needs))


RULES: tuple[Callable[[Mapping[str, Any]], Pathway], ...] = (
    _officer_intervention, _officer_prevention, _naloxone_plus, _active_outreach, _self_referral, _community_response)
ORDER = {START: 0, LATER: 1, NOT_YET: 2}


def pathways(values: Mapping[str, Any]) -> tuple[Pathway, ...]:
    """All six pathways, those the county could start with first. `values`: answer values by question id."""
    found = [rule(values) for rule in RULES]
    return tuple(sorted(found, key=lambda p: ORDER[p.status]))


DOOR_PATHWAYS = {"arrest_diversion": "officer_intervention", "social_contact": "officer_prevention"}


def _names(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def recommendation(found: tuple[Pathway, ...], values: Mapping[str, Any]) -> str:
    """One paragraph: where to start, in words."""
    by_id = {p.id: p for p in found}
    doors = values.get("referral_doors") or []
    planned = [DOOR_PATHWAYS[d] for d in doors if d in DOOR_PATHWAYS]
    ready = [p for p in found if p.status == START]
    text = []
    if ready:
        first = [p for p in ready if p.id in planned] or ready[:2]
        others = [p for p in ready if p not in first]
        text.append(f"With what is in place now, the county could start with {_names([p.name for p in first])}"
                    + (f", {'the pathway' if len(first) == 1 else 'the pathways'} it plans to open at launch."
                       if first[0].id in planned else "."))
        if others:
            text.append(f"{_names([p.name for p in others])} {'is' if len(others) == 1 else 'are'} also within reach.")
    else:
        later = [p.name for p in found if p.status == LATER]
        text.append("No pathway has everything it needs yet."
                    + (f" The closest {'is' if len(later) == 1 else 'are'} {_names(later[:2])}." if later else ""))
    oi, op = by_id["officer_intervention"], by_id["officer_prevention"]
    if "arrest_diversion" in doors and oi.status != START:
        text.append("The site plans to open arrest diversion at launch, but Officer Intervention still needs "
                    + "; ".join(oi.needs) + ".")
        if op.status == START and any("non-filing commitment" in n for n in oi.needs):
            text.append("Social contact referrals need no charging decision, so they can begin while the "
                        "prosecutor's commitment is settled.")
    text.append("Most communities start with one or two pathways and add others as capacity grows.")
    return " ".join(text)
