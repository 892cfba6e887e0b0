"""Open, create and update a site folder.

Writes are read-modify-write of one small YAML file under an exclusive lock, then an atomic
rename, so two processes answering the same site never lose each other's answers and a killed
process never leaves a half-written file.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from pydantic import ValidationError

from readiness import resources
from readiness.errors import AnswerError, Collected, FileProblems, Problem, ReadinessError, WorkspaceError
from readiness.files import Located, read_yaml, write_yaml
from readiness.questionnaire.loader import did_you_mean, load_questionnaire, validation_problems
from readiness.questionnaire.models import Questionnaire
from readiness.questionnaire.values import ValueProblem, check_value
from readiness.workspace.models import Answer, AnswersFile, RespondentFile, SiteProfile, slugify

SITE_FILE = "site.yaml"
ANSWERS_FILE = "answers.yaml"
RESPONDENTS_DIR = "respondents"
LOCK_FILE = ".lead-readiness.lock"
ANSWERS_HEADER = ("# Answers for this site, written by lead-readiness. You may edit this file by hand;\n"
                  "# `lead-readiness score` checks it. status: answered | unknown | skipped | not_applicable\n")


@dataclass
class Respondent:
    slug: str
    name: str
    role: str | None = None
    agency: str | None = None
    date: str | None = None
    answers: dict[str, Answer] = field(default_factory=dict)


@dataclass
class Site:
    root: Path
    profile: SiteProfile
    questionnaire: Questionnaire
    answers: dict[str, Answer]
    respondents: dict[str, Respondent]
    notices: list[str] = field(default_factory=list)  # things the user should know, not errors
    # Answers to questions the current questionnaire no longer has, kept on disk and reported.
    unmapped: dict[str, Answer] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.profile.name


def now_stamp() -> str:
    return _dt.datetime.now().replace(microsecond=0).isoformat()


# ---------------------------------------------------------------- locking


@contextlib.contextmanager
def write_lock(root: Path) -> Iterator[None]:
    """Serialise writers of one site; waits for the other writer (writes take milliseconds)."""
    with open(root / LOCK_FILE, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def session_lock(root: Path, what: str = "interview") -> Iterator[None]:
    """Refuse a second interview on the same site while one is running."""
    path = root / f".{what}.lock"
    fh = open(path, "a+")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise WorkspaceError(f"another {what} is already running on {root} ({holder})",
                                 hint="finish or quit that one first; answers are saved after each question") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {now_stamp()}")
        fh.flush()
        yield
    finally:
        fh.close()


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
    located = read_yaml(root / SITE_FILE, "site file")
    if not isinstance(located.data, dict):
        raise FileProblems([Problem("site file must be a mapping with name and state", file=located.path, line=1)])
    try:
        return SiteProfile.model_validate(located.data)
    except ValidationError as exc:
        validation_problems(exc, located, lambda loc: list(SiteProfile.model_fields)).raise_if_any()
        raise


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


def _read_answer_file(path: Path, model, reading: _Reading, *, respondent: bool):
    located = read_yaml(path, "respondent file" if respondent else "answers file", allow_empty=not respondent)
    data = _entries(located)
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        validation_problems(exc, located, lambda loc: list(model.model_fields)).raise_if_any()
        raise
    out = Collected()
    answers = _check_answers(parsed.answers, located, reading, respondent=respondent, out=out)
    out.raise_if_any(hint="fix the file by hand, or set the answer again with `lead-readiness answer`")
    return parsed, answers


def read_answers_file(path: Path, q: Questionnaire, *, respondent: bool, respondent_format: bool):
    """Check a file of answers (answers.yaml shape, or a respondent file) against `q`, exactly as the
    site's own files are checked; returns (parsed file, {question id: Answer})."""
    reading = _Reading(q, {}, False, [])
    model = RespondentFile if respondent_format else AnswersFile
    return _read_answer_file(Path(path), model, reading, respondent=respondent)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def _reading(root: Path, profile: SiteProfile, q: Questionnaire) -> _Reading:
    """Renames from every migration older than this version (harmless when already applied), and
    whether the answers were collected under another version (then unknown ids are kept, not refused)."""
    renamed: dict[str, str] = {}
    for migration in sorted(q.migrations, key=lambda m: _version_key(m.from_version)):
        if _version_key(migration.from_version) < _version_key(q.version):
            renamed.update(migration.renamed)
    recorded = profile.questionnaire_version
    if (root / ANSWERS_FILE).exists():
        try:
            data = read_yaml(root / ANSWERS_FILE, "answers file", allow_empty=True).data
            ref = data.get("questionnaire") if isinstance(data, dict) else None
            if isinstance(ref, str) and "@" in ref:
                recorded = ref.split("@", 1)[1]
        except FileProblems:
            pass  # reported properly when the file is read
    notices: list[str] = []
    lenient = bool(recorded) and recorded != q.version
    if lenient:
        notices.append(f"answers were collected under version {recorded} of the questionnaire; "
                       f"reading them with {q.ref}")
    return _Reading(q, renamed, lenient, notices)


def open_site(root: Path, questionnaire: Path | None = None) -> Site:
    """Load and check a whole site; raises with every problem located."""
    root = _site_dir(Path(root))
    profile = load_profile(root)
    q = resolve_questionnaire(root, profile, questionnaire)
    if profile.questionnaire_id != q.id and questionnaire is None:
        raise WorkspaceError(f"{root / SITE_FILE} names questionnaire '{profile.questionnaire_id}' but "
                             f"'{q.id}' was loaded")
    reading = _reading(root, profile, q)
    answers: dict[str, Answer] = {}
    if (root / ANSWERS_FILE).exists():
        parsed, answers = _read_answer_file(root / ANSWERS_FILE, AnswersFile, reading, respondent=False)
        for qid, raw in parsed.unmapped.items():
            reading.unmapped.setdefault(qid, Answer.model_construct(**raw) if isinstance(raw, dict) else Answer(value=raw))
        if parsed.unmapped:
            reading.notices.append(f"{len(parsed.unmapped)} answer(s) from an older questionnaire version are kept "
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
                                                r_answers)
        if problems:
            raise FileProblems(problems)
    return Site(root, profile, q, answers, respondents, reading.notices, reading.unmapped)


# ---------------------------------------------------------------- writing


def create_site(root: Path, name: str, state: str, questionnaire: Questionnaire) -> Path:
    root = Path(root)
    if (root / SITE_FILE).exists():
        raise WorkspaceError(f"{root} is already a site folder", hint="choose another folder, or edit the existing site")
    if root.exists() and any(root.iterdir()):
        raise WorkspaceError(f"{root} exists and is not empty", hint="choose a new or empty folder")
    try:
        profile = SiteProfile(name=name, state=state, questionnaire=questionnaire.ref,
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
    """The respondent's file name. Letters with no ASCII spelling (דוד, Иван, 李) all fold away, so
    such names get a short hash of the whole name: two people never share (and overwrite) one file."""
    import hashlib
    import unicodedata

    slug = slugify(name, "respondent")
    if any(ch.isalnum() and not ch.isascii() for ch in unicodedata.normalize("NFKD", name)):
        digest = hashlib.sha256(" ".join(name.split()).casefold().encode("utf-8")).hexdigest()[:8]
        slug = f"{slug[:50]}-{digest}"
    return slug


def save_answer(site: Site, qid: str, answer: Answer, respondent: Respondent | None = None) -> None:
    """Validate one answer and write it, merging with whatever is on disk now."""
    question = site.questionnaire.by_id.get(qid)
    if question is None:
        raise AnswerError(f"unknown question id '{qid}'",
                          hint=did_you_mean(qid, site.questionnaire.by_id) or "list ids with `lead-readiness score --format json`")
    if question.scope == "respondent" and respondent is None:
        raise AnswerError(f"'{qid}' is asked of each respondent", hint="add --respondent \"Their Name\"")
    if question.scope == "site" and respondent is not None:
        raise AnswerError(f"'{qid}' is a site question with one answer for the county", hint="leave out --respondent")
    if answer.status == "answered":
        try:
            answer = answer.model_copy(update={"value": check_value(question, answer.value)})
        except ValueProblem as exc:
            raise AnswerError(f"answer to '{qid}': {exc}") from None
    stored = answer.model_copy(update={"at": answer.at or now_stamp()})
    with write_lock(site.root):
        if respondent is None:
            _merge_write(site.root / ANSWERS_FILE, qid, stored, {"questionnaire": site.questionnaire.ref},
                         ANSWERS_HEADER, site.questionnaire)
            site.answers[qid] = stored
        else:
            meta = {"name": respondent.name, "role": respondent.role, "agency": respondent.agency,
                    "date": respondent.date}
            _merge_write(site.root / RESPONDENTS_DIR / f"{respondent.slug}.yaml", qid, stored,
                         {k: v for k, v in meta.items() if v}, "", site.questionnaire)
            respondent.answers[qid] = stored
            site.respondents[respondent.slug] = respondent


def _merge_write(path: Path, qid: str, answer: Answer, meta: dict[str, Any], header: str,
                 q: Questionnaire) -> None:
    """Set one answer in the file as it is on disk now. Ids renamed by a migration are carried over;
    answers to questions this version no longer has move to `unmapped:`, never dropped."""
    data: dict[str, Any] = {}
    if path.exists():
        data = read_yaml(path, "answers file", allow_empty=True).data or {}
        if not isinstance(data, dict):
            raise FileProblems([Problem("expected a mapping with an 'answers:' section", file=path, line=1)])
    merged = {**meta, **{k: v for k, v in data.items() if k not in ("answers", "unmapped")}}
    if "questionnaire" in meta:
        merged["questionnaire"] = meta["questionnaire"]
    renamed = {old: new for m in q.migrations for old, new in m.renamed.items()}
    answers: dict[str, Any] = {}
    unmapped = dict(data.get("unmapped") or {})
    for key, value in (data.get("answers") or {}).items():
        key_now = key if key in q.by_id else renamed.get(key, key)
        if key_now in q.by_id:
            answers.setdefault(key_now, value)
        else:
            unmapped[key] = value
    answers[qid] = answer.to_yaml()
    merged["answers"] = answers
    if unmapped:
        merged["unmapped"] = unmapped
    write_yaml(path, merged, header=header)


def remove_answer(site: Site, qid: str, respondent: Respondent | None = None) -> None:
    """Forget an answer (used by `answer --clear`), keeping the file otherwise as it was."""
    path = site.root / (ANSWERS_FILE if respondent is None else f"{RESPONDENTS_DIR}/{respondent.slug}.yaml")
    with write_lock(site.root):
        if not path.exists():
            return
        data = read_yaml(path, "answers file", allow_empty=True).data or {}
        answers = dict(data.get("answers") or {})
        if answers.pop(qid, None) is not None:
            data["answers"] = answers
            write_yaml(path, data, header=ANSWERS_HEADER if respondent is None else "")
    (site.answers if respondent is None else respondent.answers).pop(qid, None)
