"""Open, create and update a site folder.

Writes are read-modify-write of one small YAML file under an exclusive lock, then an atomic
rename, so two processes answering the same site never lose each other's answers and a killed
process never leaves a half-written file.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from pydantic import ValidationError

from readiness import resources
from readiness.errors import AnswerError, Collected, FileProblems, Problem, ReadinessError, WorkspaceError
from readiness.files import LockBusy, Located, atomic_write, dump_yaml, exclusive_lock, read_text, read_yaml, write_yaml
from readiness.kernel.load import load_model
from readiness.kernel.problems import did_you_mean
from readiness.questionnaire.loader import load_questionnaire
from readiness.questionnaire.models import Question, Questionnaire
from readiness.questionnaire.values import ValueProblem, check_value
from readiness.workspace.answering import find_question, read_typed_value, status_problem
from readiness.workspace.models import Answer, AnswersFile, RespondentFile, SiteProfile, slugify

SITE_FILE = "site.yaml"
ANSWERS_FILE = "answers.yaml"
RESPONDENTS_DIR = "respondents"
LOCK_FILE = ".lead-readiness.lock"
ANSWERS_HEADER = ("# Answers for this site, written by lead-readiness. You may edit this file by hand;\n"
                  "# `lead-readiness score` checks it. status: answered | unknown | skipped | not_applicable\n")


@dataclass
class Respondent:
    """An interviewee's file (respondents/<slug>.yaml): who they are and their answers."""

    slug: str
    name: str
    role: str | None = None
    agency: str | None = None
    date: str | None = None
    answers: dict[str, Answer] = field(default_factory=dict)
    role_kind: str | None = None  # a questionnaire respondent_roles id: how questions are worded for them


@dataclass
class Site:
    """A site folder as opened: its profile, questionnaire, answers and respondents."""

    root: Path
    profile: SiteProfile
    questionnaire: Questionnaire
    answers: dict[str, Answer]
    respondents: dict[str, Respondent]
    notices: list[str] = field(default_factory=list)  # things the user should know, not errors
    # Answers to questions the current questionnaire no longer has, kept on disk and reported.
    unmapped: dict[str, Answer] = field(default_factory=dict)
    # Consultant state-profile folders the site was opened with (`site_state_dirs`): the question
    # texts, the plan's tasks and the documents all take the state's names from the same profile.
    state_dirs: tuple[Path, ...] = ()

    @property
    def name(self) -> str:
        return self.profile.name


def now_stamp() -> str:
    return _dt.datetime.now().replace(microsecond=0).isoformat()


# ---------------------------------------------------------------- locking


@contextlib.contextmanager
def write_lock(root: Path) -> Iterator[None]:
    """Serialise writers of one site; waits for the other writer (writes take milliseconds)."""
    with exclusive_lock(root / LOCK_FILE):
        yield


@contextlib.contextmanager
def session_lock(root: Path, what: str = "interview") -> Iterator[None]:
    """Refuse a second interview on the same site while one is running."""
    path = root / f".{what}.lock"
    try:
        with exclusive_lock(path, wait=False) as fh:
            fh.seek(0)
            fh.truncate()
            fh.write(f"pid {os.getpid()} since {now_stamp()}")
            fh.flush()
            yield
    except LockBusy:
        try:
            holder = path.read_text(encoding="utf-8", errors="replace").strip() or "another process"
        except OSError:
            holder = "another process"
        raise WorkspaceError(f"another {what} is already running on {root} ({holder})",
                             hint="finish or quit that one first; answers are saved after each question") from None


# ---------------------------------------------------------------- reading


def _site_dir(root: Path) -> Path:
    root = Path(root)
    if not root.exists():
        raise WorkspaceError(f"site folder not found: {root}",
                             hint=f"create it with: lead-readiness new {root} --name \"Example County\" --state NC")
    if not (root / SITE_FILE).exists():
        raise WorkspaceError(f"{root} is not a site folder (no {SITE_FILE} inside)",
                             hint=f"create one with: lead-readiness new {root} --name \"Example County\" --state NC")
    from readiness.files import refuse_link_outside

    for name, what in ((SITE_FILE, "site file"), (ANSWERS_FILE, "answers file"),
                       (RESPONDENTS_DIR, "respondents folder"), ("drafts", "drafts folder")):
        refuse_link_outside(root / name, root, what)
    return root


def load_profile(root: Path) -> SiteProfile:
    return load_model(SiteProfile, root / SITE_FILE, "site file", fields_for=_site_fields,
                      not_a_mapping="site file must be a mapping with name and state")


def _site_fields(loc: tuple) -> list[str]:
    from readiness.jurisdiction import INSTITUTION_NAMES

    return list(INSTITUTION_NAMES) if loc[:1] == ("institutions",) else list(SiteProfile.model_fields)


def site_state_dirs(root: Path, profile: SiteProfile, templates: Path | None = None) -> tuple[Path, ...]:
    """Consultant state profiles for a site: a `states/` folder beside a `--templates` folder (first),
    then beside the site's own templates folder, as `build` finds them for the documents."""
    folders = [Path(templates)] if templates is not None else []
    if profile.templates:
        folders.append(root / profile.templates)
    found: list[Path] = []
    for folder in folders:
        states = folder.resolve().parent / "states"
        if states.is_dir() and states not in found:
            found.append(states)
    return tuple(found)


def resolve_questionnaire(root: Path, profile: SiteProfile, override: Path | None = None) -> Questionnaire:
    if override is not None:
        return load_questionnaire(Path(override))
    if profile.questionnaire_file:
        return load_questionnaire(_inside(root, profile.questionnaire_file, "questionnaire_file"))
    try:
        path = resources.bundled_questionnaire(profile.questionnaire_id)
    except FileProblems:
        raise
    except ReadinessError as exc:
        line = read_yaml(root / SITE_FILE, "site file").line_of(("questionnaire",))
        raise FileProblems([Problem(exc.message, file=root / SITE_FILE, line=line, where="questionnaire",
                                    hint=exc.hint)]) from None
    return load_questionnaire(path)


def _inside(root: Path, relative: str, key: str) -> Path:
    """A path named in site.yaml, refused if it escapes the site folder's parent tree oddly."""
    path = (root / relative).resolve()
    if not path.exists():
        raise FileProblems([Problem(f"{key} '{relative}' not found", file=root / SITE_FILE)])
    return path


def _entries(located: Located, key: str = "answers") -> dict:
    data = located.data
    if not isinstance(data, dict):
        raise FileProblems([Problem("expected a mapping with an 'answers:' section", file=located.path, line=1)])
    answers = data.get(key)
    if isinstance(answers, dict):
        # Shorthand `question_id: value` is accepted for hand-written files.
        data = dict(data)
        data[key] = {k: (v if isinstance(v, dict) else {"value": v}) for k, v in answers.items()}
    return data


@dataclass
class _Reading:
    """How to read answer files written under another questionnaire version."""

    q: Questionnaire
    renamed: dict[str, str]  # old id -> new id, from the questionnaire's migrations
    lenient: bool  # the files name an older version: unknown ids are kept and reported, not refused
    notices: list[str]
    unmapped: dict[str, Answer] = field(default_factory=dict)


def _check_answers(answers: dict[str, Answer], located: Located, reading: _Reading, *, respondent: bool,
                   out: Collected) -> dict[str, Answer]:
    q = reading.q
    clean: dict[str, Answer] = {}
    for qid, answer in answers.items():
        loc = ("answers", qid)
        qid_now = qid if qid in q.by_id else reading.renamed.get(qid, qid)
        question = q.by_id.get(qid_now)
        if question is None:
            if reading.lenient:
                reading.unmapped[qid] = answer
                reading.notices.append(f"{located.path.name}: the answer to '{qid}' has no question in {q.ref}; "
                                       "it is kept in the file but not used")
                continue
            out.add(f"unknown question id '{qid}'", file=located.path, line=located.line_of(loc),
                    hint=did_you_mean(qid, q.by_id) or f"it is not in questionnaire {q.ref}")
            continue
        if qid_now != qid:
            reading.notices.append(f"{located.path.name}: '{qid}' is now '{qid_now}' ({q.ref}); answer carried over")
        if respondent and question.scope != "respondent":
            out.add(f"'{qid}' is a site question, not asked of each respondent", file=located.path,
                    line=located.line_of(loc), hint="move it to answers.yaml")
            continue
        if not respondent and question.scope == "respondent":
            out.add(f"'{qid}' is asked of each respondent", file=located.path, line=located.line_of(loc),
                    hint="move it to a file in respondents/")
            continue
        if answer.status == "answered":
            try:
                answer = answer.model_copy(update={"value": check_value(question, answer.value)})
            except ValueProblem as exc:
                out.add(f"answer to '{qid}': {exc}", file=located.path, line=located.line_of(loc + ("value",)))
                continue
        elif answer.value is not None:
            answer = answer.model_copy(update={"value": None})
        clean[qid_now] = answer
    return clean


def _usable(q: Questionnaire, renamed: dict[str, str], qid: str, raw: Any, *, respondent: bool) -> str | None:
    """The current id for an answer kept under `unmapped:` if this questionnaire asks it again (in the
    right file, with a value that still fits), else None: such answers come back instead of staying
    stranded after a questionnaire switch and back."""
    qid_now = qid if qid in q.by_id else renamed.get(qid, qid)
    question = q.by_id.get(qid_now)
    if question is None or (question.scope == "respondent") != respondent:
        return None
    try:
        answer = Answer.model_validate(raw if isinstance(raw, dict) else {"value": raw})
        if answer.status == "answered":
            check_value(question, answer.value)
    except (ValidationError, ValueProblem):
        return None
    return qid_now


def _restore_unmapped(parsed, answers: dict[str, Answer], located: Located, reading: _Reading, *,
                      respondent: bool) -> None:
    for qid, raw in parsed.unmapped.items():
        qid_now = _usable(reading.q, reading.renamed, qid, raw, respondent=respondent)
        if qid_now is None or qid_now in answers:
            continue
        answer = Answer.model_validate(raw if isinstance(raw, dict) else {"value": raw})
        if answer.status == "answered":
            answer = answer.model_copy(update={"value": check_value(reading.q.by_id[qid_now], answer.value)})
        elif answer.value is not None:
            answer = answer.model_copy(update={"value": None})
        answers[qid_now] = answer
        reading.notices.append(f"{located.path.name}: the answer to '{qid}' kept under 'unmapped:' is used again "
                               f"({reading.q.ref} asks it)")


def _read_answer_file(path: Path, model, reading: _Reading, *, respondent: bool, located: Located | None = None):
    if located is None:
        located = read_yaml(path, "respondent file" if respondent else "answers file", allow_empty=not respondent,
                            as_text=True)
    parsed = load_model(model, dataclasses.replace(located, data=_entries(located)),
                        fields_for=lambda loc: list(model.model_fields))
    out = Collected()
    answers = _check_answers(parsed.answers, located, reading, respondent=respondent, out=out)
    out.raise_if_any(hint="fix the file by hand, or set the answer again with `lead-readiness answer`")
    _restore_unmapped(parsed, answers, located, reading, respondent=respondent)
    return parsed, answers


def read_answers_file(path: Path, q: Questionnaire, *, respondent: bool, respondent_format: bool):
    """Check a file of answers (answers.yaml shape, or a respondent file) against `q`, exactly as the
    site's own files are checked; returns (parsed file, {question id: Answer})."""
    reading = _Reading(q, {}, False, [])
    model = RespondentFile if respondent_format else AnswersFile
    return _read_answer_file(Path(path), model, reading, respondent=respondent)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def _reading(root: Path, profile: SiteProfile, q: Questionnaire, answers: Located | None = None) -> _Reading:
    """Renames from every migration older than this version (harmless when already applied), and
    whether the answers were collected under another version (then unknown ids are kept, not refused).
    `answers`: the answers file, when it has been read already."""
    renamed: dict[str, str] = {}
    for migration in sorted(q.migrations, key=lambda m: _version_key(m.from_version)):
        if _version_key(migration.from_version) < _version_key(q.version):
            renamed.update(migration.renamed)
    recorded = profile.questionnaire if "@" in profile.questionnaire else None
    if answers is not None or (root / ANSWERS_FILE).exists():
        try:
            data = (answers or read_yaml(root / ANSWERS_FILE, "answers file", allow_empty=True, as_text=True)).data
            ref = data.get("questionnaire") if isinstance(data, dict) else None
            if isinstance(ref, str) and "@" in ref:
                recorded = ref.strip()
        except FileProblems:
            pass  # reported properly when the file is read
    notices: list[str] = []
    lenient = bool(recorded) and recorded != q.ref
    if lenient and recorded:
        rec_id, rec_version = recorded.split("@", 1)
        under = f"version {rec_version} of the questionnaire" if rec_id == q.id else f"questionnaire {recorded}"
        notices.append(f"answers were collected under {under}; reading them with {q.ref}")
    return _Reading(q, renamed, lenient, notices)


def refuse_questionnaire_switch(site: Site, override: Path | None) -> None:
    """`answer` and `interview` write answers; with `--questionnaire` naming another questionnaire than the
    site's, that would quietly move the site to it (answers it lacks moved aside). Refuse, naming the way
    to switch on purpose."""
    if override is None:
        return
    try:
        own = resolve_questionnaire(site.root, site.profile).ref
    except ReadinessError:
        own = site.profile.questionnaire
    if site.questionnaire.ref == own or ("@" not in own and site.questionnaire.id == own):
        return
    raise WorkspaceError(
        f"--questionnaire {override} is {site.questionnaire.ref}, but site {site.root} uses {own}; answering with it "
        "would switch the site's questionnaire",
        hint=f"leave out --questionnaire; to switch the site on purpose, set `questionnaire: {site.questionnaire.ref}` "
             f"and `questionnaire_file: {Path(override).resolve()}` in {site.root / SITE_FILE}: answers carry over, "
             "and those it lacks are kept under `unmapped:` until a questionnaire asks them again")


def open_site(root: Path, questionnaire: Path | None = None, templates: Path | None = None) -> Site:
    """Load and check a whole site; raises with every problem located. `templates`: the `--templates`
    folder of the command, whose `states/` neighbor gives the state's names as it does to the documents."""
    root = _site_dir(Path(root))
    profile = load_profile(root)
    q = resolve_questionnaire(root, profile, questionnaire)
    if profile.questionnaire_id != q.id and questionnaire is None:
        raise WorkspaceError(f"{root / SITE_FILE} names questionnaire '{profile.questionnaire_id}' but "
                             f"'{q.id}' was loaded")
    # Question texts name the state's titles ("{prosecutor}"): fill them in for this site.
    from readiness.jurisdiction import wording
    from readiness.questionnaire.wording import localize

    state_dirs = site_state_dirs(root, profile, templates)
    q = localize(q, wording(profile.state, state_dirs, profile.institution_overrides()))
    located = None  # the answers file, read once for its questionnaire version and its answers
    if (root / ANSWERS_FILE).exists():
        try:
            located = read_yaml(root / ANSWERS_FILE, "answers file", allow_empty=True, as_text=True)
        except FileProblems:
            pass  # read again below, where its problems are reported
    reading = _reading(root, profile, q, located)
    answers: dict[str, Answer] = {}
    if (root / ANSWERS_FILE).exists():
        parsed, answers = _read_answer_file(root / ANSWERS_FILE, AnswersFile, reading, respondent=False,
                                            located=located)
        kept = 0
        for qid, raw in parsed.unmapped.items():
            if _usable(q, reading.renamed, qid, raw, respondent=False) in answers:
                continue  # used again (or answered anew) under this questionnaire
            kept += 1
            reading.unmapped.setdefault(qid, Answer.model_construct(**raw) if isinstance(raw, dict) else Answer(value=raw))
        if kept:
            reading.notices.append(f"{kept} answer(s) from an older questionnaire version are kept "
                                   f"under 'unmapped:' in {ANSWERS_FILE} but not used")
    respondents: dict[str, Respondent] = {}
    rdir = root / RESPONDENTS_DIR
    if rdir.is_dir():
        from readiness.files import refuse_link_outside

        problems: list[Problem] = []
        for path in sorted(rdir.glob("*.yaml")):
            try:
                refuse_link_outside(path, root, "respondent file")
                parsed, r_answers = _read_answer_file(path, RespondentFile, reading, respondent=True)
            except FileProblems as exc:
                problems.extend(exc.problems)
                continue
            respondents[path.stem] = Respondent(path.stem, parsed.name, parsed.role, parsed.agency, parsed.date,
                                                r_answers, parsed.role_kind)
        if problems:
            raise FileProblems(problems)
    return Site(root, profile, q, answers, respondents, reading.notices, reading.unmapped, state_dirs)


# ---------------------------------------------------------------- writing


def create_site(root: Path, name: str, state: str, questionnaire: Questionnaire,
                questionnaire_file: Path | None = None) -> Path:
    """Make a new site folder; `questionnaire_file`, a questionnaire other than the bundled one, is
    recorded (as an absolute path) so the site keeps using it."""
    root = Path(root)
    if (root / SITE_FILE).exists():
        raise WorkspaceError(f"{root} is already a site folder", hint="choose another folder, or edit the existing site")
    if root.exists() and any(root.iterdir()):
        raise WorkspaceError(f"{root} exists and is not empty", hint="choose a new or empty folder")
    try:
        profile = SiteProfile(name=name, state=state, questionnaire=questionnaire.ref,
                              questionnaire_file=str(Path(questionnaire_file).resolve()) if questionnaire_file else None,
                              created=_dt.date.today().isoformat())
    except ValidationError as exc:
        err = exc.errors()[0]
        raise WorkspaceError(f"invalid --{err['loc'][0]}: {err['msg']}",
                             hint="the state is a two-letter code such as NC") from None
    root.mkdir(parents=True, exist_ok=True)
    write_yaml(root / SITE_FILE, profile.model_dump(exclude_none=True),
               header="# A lead-readiness site. See `lead-readiness --help`.\n")
    write_yaml(root / ANSWERS_FILE, {"questionnaire": questionnaire.ref, "answers": {}}, header=ANSWERS_HEADER)
    (root / RESPONDENTS_DIR).mkdir(exist_ok=True)
    return root


def respondent_slug(name: str) -> str:
    """The preferred file name for a respondent. Letters with no ASCII spelling (דוד, Иван, 李) all fold
    away, so such names get a short hash of the whole name. Names can still slug alike (case,
    punctuation, accents, long names): `respondent_for` and `save_answer` give such a second person a
    file of their own."""
    import hashlib
    import unicodedata

    slug = slugify(name, "respondent")
    if any(ch.isalnum() and not ch.isascii() for ch in unicodedata.normalize("NFKD", name)):
        digest = hashlib.sha256(" ".join(name.split()).casefold().encode("utf-8")).hexdigest()[:8]
        slug = f"{slug[:50]}-{digest}"
    return slug


def same_person(a: str | None, b: str | None) -> bool:
    """Two respondent names are one person only when written exactly alike (spacing and Unicode
    composition aside): `Ana Ruiz`, `ANA RUIZ` and `Ana Ruíz` are three people."""
    import unicodedata

    def key(name: str | None) -> str:
        return unicodedata.normalize("NFC", " ".join(str(name or "").split()))

    return bool(key(a)) and key(a) == key(b)


def _free_slug(root: Path, name: str, taken: set[str]) -> str:
    """A file name for `name` no other person's file uses: the preferred slug, else one with a hash of
    the exact name, else that with a counter."""
    import hashlib
    import unicodedata

    def free(slug: str) -> bool:
        path = root / RESPONDENTS_DIR / f"{slug}.yaml"
        return slug not in taken and (not path.exists() or same_person(_name_in(path), name))

    preferred = respondent_slug(name)
    if free(preferred):
        return preferred
    exact = unicodedata.normalize("NFC", " ".join(name.split()))
    hashed = f"{preferred[:50]}-{hashlib.sha256(exact.encode('utf-8')).hexdigest()[:8]}"
    candidate, n = hashed, 2
    while not free(candidate):
        candidate, n = f"{hashed}-{n}", n + 1
    return candidate


def _name_in(path: Path) -> str | None:
    data = read_yaml(path, "respondent file", allow_empty=True, as_text=True).data
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) else None


def find_respondent(site: Site, name: str) -> Respondent | None:
    """The respondent whose file records exactly this name (to resume their interview), if any."""
    matches = [r for r in site.respondents.values() if same_person(r.name, name)]
    preferred = respondent_slug(name.strip())
    return next((r for r in matches if r.slug == preferred), matches[0] if matches else None)


def respondent_for(site: Site, name: str, role: str | None = None, agency: str | None = None,
                   date: str | None = None) -> Respondent:
    """This person's respondent, found by exact name, or a new one with a file name nobody else has."""
    known = find_respondent(site, name)
    if known is not None:
        if role:
            known.role = role
        if agency:
            known.agency = agency
        return known
    name = name.strip()
    taken = {slug for slug, r in site.respondents.items() if not same_person(r.name, name)}
    return Respondent(_free_slug(site.root, name, taken), name, role, agency, date)


def set_respondent_details(site: Site, respondent: Respondent, **details: Any) -> None:
    """Change a respondent's details (date, role_kind) now, in memory and in their file if it exists
    (a new respondent's file is written with their first answer); nothing else in the file changes."""
    for key, value in details.items():
        setattr(respondent, key, value)
    path = site.root / RESPONDENTS_DIR / f"{respondent.slug}.yaml"
    if not path.exists():
        return
    with write_lock(site.root):
        edit = _Edit(path, "")
        changed = False
        for key, value in details.items():
            if value is not None and edit.data.get(key) != value:
                _put(edit.data, key, edit.new(value), before="answers")
                changed = True
        if changed:
            edit.write()


@dataclass(frozen=True)
class Recorded:
    """What `record_answer` saved: the question, the answer, and for whom (None: the site)."""

    question: Question
    answer: Answer
    respondent: Respondent | None


def record_answer(site: Site, qid: str, value: str | None = None, *, unknown: bool = False,
                  not_applicable: bool = False, note: str | None = None, evidence: str | None = None,
                  respondent: str | None = None, role: str | None = None, by: str | None = None) -> Recorded:
    """Check and save one answer given as text: exactly one of a value, "don't know" (`unknown`) or
    not applicable; a known question id; a status the question takes; a value its type reads. A
    respondent named is found by name or made (with `role`). Nothing is written unless every check
    passes."""
    if sum([unknown, not_applicable, value is not None]) != 1:
        raise AnswerError("give exactly one of: a VALUE, --unknown or --not-applicable",
                          hint=f"for example: lead-readiness answer {site.root} {qid} yes")
    question = find_question(site.questionnaire, qid, where=site.root)
    status = "answered" if value is not None else "unknown" if unknown else "not_applicable"
    problem = status_problem(question, status)
    if problem:
        raise AnswerError(problem, hint="give a value")
    parsed = read_typed_value(question, value) if value is not None else None
    who = respondent_for(site, respondent, role) if respondent else None
    answer = Answer(value=parsed, status=status, note=note, evidence=evidence, by=by or respondent)
    save_answer(site, qid, answer, who)
    return Recorded(question, answer, who)


def save_answer(site: Site, qid: str, answer: Answer, respondent: Respondent | None = None) -> None:
    """Validate one answer and write it, merging with whatever is on disk now."""
    save_answers(site, {qid: answer}, respondent)


def save_answers(site: Site, answers: dict[str, Answer], respondent: Respondent | None = None) -> None:
    """Validate every answer, then write them all at once: one lock, one atomic write of the file,
    merged with whatever is on disk now. One bad answer and nothing is written."""
    stored: dict[str, Answer] = {}
    for qid, answer in answers.items():
        stored[qid] = _checked(site, qid, answer, respondent)
    if not stored:
        return
    with write_lock(site.root):
        if respondent is None:
            _merge_write(site.root / ANSWERS_FILE, stored, {"questionnaire": site.questionnaire.ref},
                         ANSWERS_HEADER, site.questionnaire)
            site.answers.update(stored)
        else:
            path = site.root / RESPONDENTS_DIR / f"{respondent.slug}.yaml"
            if path.exists() and not same_person(_name_in(path), respondent.name):
                # Someone else's file took this name meanwhile: never write over another person's answers.
                if site.respondents.get(respondent.slug) is respondent:
                    del site.respondents[respondent.slug]
                respondent.slug = _free_slug(site.root, respondent.name, set())
                path = site.root / RESPONDENTS_DIR / f"{respondent.slug}.yaml"
            meta = {"name": respondent.name, "role": respondent.role, "agency": respondent.agency,
                    "date": respondent.date, "role_kind": respondent.role_kind}
            _merge_write(path, stored, {k: v for k, v in meta.items() if v}, "", site.questionnaire)
            respondent.answers.update(stored)
            site.respondents[respondent.slug] = respondent


def _checked(site: Site, qid: str, answer: Answer, respondent: Respondent | None) -> Answer:
    """The answer as it is stored (its value checked, stamped with the time), or AnswerError."""
    question = find_question(site.questionnaire, qid, hint="list ids with `lead-readiness score --format json`")
    if question.scope == "respondent" and respondent is None:
        raise AnswerError(f"'{qid}' is asked of each respondent", hint="add --respondent \"Their Name\"")
    if question.scope == "site" and respondent is not None:
        raise AnswerError(f"'{qid}' is a site question with one answer for the county", hint="leave out --respondent")
    if answer.status == "answered":
        try:
            answer = answer.model_copy(update={"value": check_value(question, answer.value)})
        except ValueProblem as exc:
            raise AnswerError(f"answer to '{qid}': {exc}") from None
    return answer.model_copy(update={"at": answer.at or now_stamp()})


def _merge_write(path: Path, entries: dict[str, Answer], meta: dict[str, Any], header: str,
                 q: Questionnaire) -> None:
    """Set these answers in the file as it is on disk now, changing nothing else a person wrote there
    (comments, order, quoting, layout, mode), in one atomic write. Ids renamed by a migration are
    carried over; answers to questions this version no longer has move to `unmapped:`, never dropped,
    and move back when a questionnaire asks them again."""
    respondent = path.parent.name == RESPONDENTS_DIR
    if path.exists() and len(entries) == 1:
        (qid, answer), = entries.items()
        spliced = _splice(path, qid, answer.to_yaml(), meta, q, respondent)
        if spliced is not None:
            atomic_write(path, spliced)
            return
    edit = _Edit(path, header)
    data, new = edit.data, edit.new
    for key, value in meta.items():
        if (key == "questionnaire" or key not in data) and data.get(key) != value:
            _put(data, key, new(value), before="answers")
    renamed = {old: new_id for m in q.migrations for old, new_id in m.renamed.items()}
    if not isinstance(data.get("answers"), dict):
        _put(data, "answers", new({}))
    answers = data["answers"]
    unmapped = data.get("unmapped") if isinstance(data.get("unmapped"), dict) else None

    def aside(key: str, value: Any) -> None:
        nonlocal unmapped
        if unmapped is None:
            _put(data, "unmapped", new({}))
            unmapped = data["unmapped"]
        name, n = key, 2
        while name in unmapped:  # an older answer already kept there: keep both
            name, n = f"{key}~{n}", n + 1
        unmapped[name] = value

    for key in list(answers):
        key_now = key if key in q.by_id else renamed.get(key, key)
        if key_now not in q.by_id or (key_now != key and key_now in answers):
            aside(key, answers.pop(key))
        elif key_now != key:
            _rename(answers, key, key_now)
    for key in list(unmapped or {}):
        assert unmapped is not None  # the loop runs over its keys
        key_now = _usable(q, renamed, key, unmapped[key], respondent=respondent)
        if key_now is not None and key_now not in answers and key_now not in entries:
            answers[key_now] = unmapped.pop(key)
    if unmapped is not None and not unmapped:
        del data["unmapped"]
    for qid, answer in entries.items():
        edit.set_entry(answers, qid, answer.to_yaml())
    edit.write()


def _splice(path: Path, qid: str, entry: dict, meta: dict[str, Any], q: Questionnaire, respondent: bool) -> str | None:
    """The file's text with only the lines of this one answer replaced (or added after the last answer),
    when nothing else has to change and those lines hold no comment; else None (then the round-trip
    library does the edit). Every other byte stays as it was, and it is fast: most saves of the
    interview on a hand-edited file take this way."""
    import yaml

    located = read_yaml(path, "answers file", allow_empty=True, as_text=True)  # the strict check
    data = located.data
    if not isinstance(data, dict):
        raise FileProblems([Problem("expected a mapping with an 'answers:' section", file=path, line=1)])
    answers = data.get("answers")
    if not isinstance(answers, dict) or not answers:
        return None
    if any(k not in data if k != "questionnaire" else data.get(k) != v for k, v in meta.items()):
        return None  # the file's own details change too
    if any(key not in q.by_id for key in answers):
        return None  # renamed or retired ids move
    if any(_usable(q, {m_old: m_new for m in q.migrations for m_old, m_new in m.renamed.items()}, key, raw,
                   respondent=respondent) not in (None, *answers)
           for key, raw in (data.get("unmapped") or {}).items()):
        return None  # answers kept aside come back
    text = read_text(path, "answers file")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    parser = loader(text)
    try:
        root = parser.get_single_node()
        before = parser.construct_document(root)  # the file as a YAML 1.1 reader sees it
    except (yaml.YAMLError, ValueError):
        return None
    finally:
        parser.dispose()
    if not isinstance(root, yaml.MappingNode):
        return None
    node = next((v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "answers"), None)
    if not isinstance(node, yaml.MappingNode) or node.flow_style or not node.value:
        return None
    lines = text.splitlines(keepends=True)
    if not lines or not lines[-1].endswith("\n"):
        return None
    column = node.value[0][0].start_mark.column
    starts = [k.start_mark.line for k, _ in node.value]
    end_mark = node.end_mark
    last = min(len(lines), end_mark.line + (1 if end_mark.column > 0 else 0))

    def span(i: int) -> tuple[int, int]:
        start = starts[i]
        end = starts[i + 1] if i + 1 < len(starts) else last
        while end > start + 1 and (not lines[end - 1].strip() or (
                lines[end - 1].lstrip().startswith("#") and _indent(lines[end - 1]) <= column)):
            end -= 1  # blank lines and comments before the next entry belong to it
        return start, end

    keys = [k.value for k, _ in node.value]
    if qid in keys:
        start, end = span(keys.index(qid))
        if any("#" in line for line in lines[start:end]) or _indent(lines[start]) != column:
            return None  # a comment inside the entry: the round-trip library keeps it
    else:
        start = end = span(len(keys) - 1)[1]
    newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
    block = "".join(" " * column + line + newline for line in dump_yaml({qid: entry}).splitlines())
    new_text = "".join(lines[:start]) + block + "".join(lines[end:])
    try:  # make sure exactly that one entry changed
        after = yaml.load(new_text, Loader=loader)
        expected = yaml.load(dump_yaml({qid: entry}), Loader=loader)[qid]
    except (yaml.YAMLError, ValueError):
        return None
    if not isinstance(after, dict) or not isinstance(after.get("answers"), dict):
        return None
    before["answers"][qid] = expected
    return new_text if after == before and list(after["answers"]) == list(before["answers"]) else None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


class _Edit:
    """One answer file opened for a change. A file exactly as this tool writes it (no comments, no hand
    formatting) is changed as plain data and written with PyYAML, which is fast; any other file goes
    through the round-trip library, which keeps what a person wrote."""

    def __init__(self, path: Path, header: str):
        self.path = path
        self.header = header
        self.doc = None
        text = None
        if path.exists():
            located = read_yaml(path, "answers file", allow_empty=True, as_text=True)  # the strict check
            if not isinstance(located.data, dict):
                raise FileProblems([Problem("expected a mapping with an 'answers:' section", file=path, line=1)])
            text = read_text(path, "answers file")
        plain = _as_written_by_us(text, header)
        if plain is not None:
            self.data = plain
            return
        from readiness import roundtrip

        try:
            self.doc = roundtrip.load(text if text is not None else header)
        except Exception as exc:  # the strict reader accepted it: a limit of the round-trip library
            raise FileProblems([Problem(f"answers file cannot be edited in place ({type(exc).__name__})",
                                        file=path, hint="simplify the YAML by hand (plain mappings and lists)")]) from None
        self.data = self.doc.data

    def new(self, value: Any) -> Any:
        if self.doc is None:
            return value
        from readiness import roundtrip

        return roundtrip.plain(value)

    def set_entry(self, answers: dict, qid: str, value: dict) -> None:
        if self.doc is None:
            answers[qid] = value
            return
        from readiness import roundtrip

        roundtrip.set_entry(answers, qid, value)

    def write(self) -> None:
        atomic_write(self.path, self.doc.dump() if self.doc is not None else self.header + dump_yaml(self.data))


def _as_written_by_us(text: str | None, header: str) -> dict | None:
    """The file's data if it is byte for byte what `dump_yaml` writes for it (so rewriting it with PyYAML
    loses nothing), else None. A new file counts as ours."""
    import yaml

    if text is None:
        return {}
    if not text.startswith(header):
        return None
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, ValueError):
        return None
    if not isinstance(data, dict) or header + dump_yaml(data) != text:
        return None
    return data


def _put(mapping: dict, key: str, value: Any, before: str | None = None) -> None:
    """Set `key`; a new key goes just before `before` when that key is there, else at the end."""
    if key in mapping or before not in mapping:
        mapping[key] = value
        return
    if hasattr(mapping, "insert"):  # a round-trip map
        mapping.insert(list(mapping).index(before), key, value)
        return
    items = list(mapping.items())
    mapping.clear()
    for k, v in items:
        if k == before:
            mapping[key] = value
        mapping[k] = v


def _rename(mapping: dict, old: str, new: str) -> None:
    """Rename a key where it stands."""
    if hasattr(mapping, "insert"):  # a round-trip map keeps the entry's comments
        position = list(mapping).index(old)
        mapping.insert(position, new, mapping.pop(old))
        return
    items = [(new if k == old else k, v) for k, v in mapping.items()]
    mapping.clear()
    mapping.update(items)


def remove_answer(site: Site, qid: str, respondent: Respondent | None = None) -> None:
    """Forget an answer (used by `answer --clear`), keeping the file otherwise as it was."""
    path = site.root / (ANSWERS_FILE if respondent is None else f"{RESPONDENTS_DIR}/{respondent.slug}.yaml")
    with write_lock(site.root):
        if not path.exists():
            return
        edit = _Edit(path, ANSWERS_HEADER if respondent is None else "")
        answers = edit.data.get("answers")
        if isinstance(answers, dict) and qid in answers:
            del answers[qid]
            edit.write()
    (site.answers if respondent is None else respondent.answers).pop(qid, None)
