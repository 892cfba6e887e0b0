"""One build: assess the site, render each included document to Markdown, convert to DOCX, and
publish the lot as the next draft version with a manifest.

Everything that can fail because of the user's input (answers, pack, templates) fails while the
documents are still in memory, before any file is written.  Outputs that stand further down the
pipeline (the readiness report and the plan, readiness/report) are passed in as `extra_outputs`
hooks by the caller, so this module never reaches up to them.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from readiness import __version__, resources
from readiness.assessment import Assessment, assess_site
from readiness.documents import versions
from readiness.documents.context import DocInfo, RenderContext, site_context
from readiness.documents.environment import (evaluate_condition, make_environment, render_template,
                                             to_template_error)
from readiness.documents.facts import date_long
from readiness.documents.pack import Pack, PackDocument, load_pack
from readiness.errors import FileProblems, Problem, ReadinessError, TemplateError
from readiness.files import read_yaml
from readiness.questionnaire.loader import did_you_mean
from readiness.questionnaire.values import display
from readiness.workspace.models import STATUS_WORDS, slugify
from readiness.workspace.store import Site, open_site

HEADER = "DRAFT v{n} - for stakeholder review"
FOOTER = "Generated {date} · Draft for discussion, not legal advice"
MANIFEST_FORMAT = 1


@dataclass
class RenderedDocument:
    spec: PackDocument
    stem: str
    markdown: str
    open_items: list[dict]
    files: dict[str, Path] = field(default_factory=dict)  # format -> final path
    hashes: dict[str, str] = field(default_factory=dict)


@dataclass
class BuildJob:
    """What an extra-output hook gets: the assessed site and the (temporary) version folder to write into."""

    site: Site
    assessment: Assessment
    context: RenderContext
    pack: Pack
    version: int
    folder: Path
    today: _dt.date


# A hook writes its files into job.folder and returns manifest entries
# {id, title, names: {fmt: file name}, files: {fmt: sha256}}; the first one is what `demo` says to open first.
# A hook may carry `ids`: the names `--only` uses to ask for its outputs.
ExtraOutput = Callable[[BuildJob], list[dict]]


def _hook_ids(hook: ExtraOutput) -> tuple[str, ...]:
    return tuple(getattr(hook, "ids", ()))


@dataclass
class BuildResult:
    site: Site
    version: int
    folder: Path
    documents: list[RenderedDocument]
    skipped: list[tuple[str, str, str]]  # (id, title, reason)
    extras: list[dict]
    assessment: Assessment
    manifest: dict

    @property
    def open_first(self) -> Path | None:
        """The file to open first: the first extra output (the report, once it exists), else the first document."""
        for entry in self.extras:
            names = entry.get("names", {})
            name = names.get("docx") or next(iter(names.values()), None)  # Word first: what people open
            if name:
                return self.folder / name
        for doc in self.documents:
            return doc.files.get("docx") or doc.files.get("md")
        return None


# ---------------------------------------------------------------- inputs


def template_folders(site: Site, templates_dir: Path | None = None) -> list[Path]:
    """--templates first, then the site's own `templates:` folder, then the bundled pack."""
    folders: list[Path] = []
    if templates_dir is not None:
        folders.append(Path(templates_dir))
    if site.profile.templates:
        folder = (site.root / site.profile.templates).resolve()
        if not folder.is_dir():
            line = read_yaml(site.root / "site.yaml", "site file").line_of(("templates",))
            raise FileProblems([Problem(f"templates folder '{site.profile.templates}' not found", file=site.root /
                                        "site.yaml", line=line, where="templates",
                                        hint="give a folder relative to the site folder, or remove the key")])
        folders.append(folder)
    try:
        folders.append(resources.templates_dir())
    except ReadinessError:
        if not folders:
            raise
    return folders


def state_dirs(pack: Pack) -> tuple[Path, ...]:
    """Consultant state profiles: a `states/` folder beside a non-bundled templates folder."""
    try:
        bundled = resources.templates_dir().resolve()
    except ReadinessError:
        bundled = None
    return tuple(f.parent / "states" for f in pack.folders
                 if f.resolve() != bundled and (f.parent / "states").is_dir())


def select(pack: Pack, only: Sequence[str] | None, extra_ids: Sequence[str] = ()) -> list[PackDocument]:
    """The pack documents `--only` asks for; `extra_ids` (the report, the plan) may be named too."""
    if not only:
        return list(pack.documents)
    wanted = [x.strip() for x in only if x.strip()]
    known = list(pack.ids) + list(extra_ids)
    unknown = [x for x in wanted if x not in known]
    if unknown:
        hint = did_you_mean(unknown[0], known)
        raise ReadinessError(f"unknown document id '{unknown[0]}' in --only",
                             hint=(hint + " " if hint else "") + "documents in this pack: " + ", ".join(known))
    return [d for d in pack.documents if d.id in wanted]


# ---------------------------------------------------------------- rendering


def _tidy(markdown: str) -> str:
    """At most one blank line in a row (conditional blocks leave gaps) and one final newline."""
    return re.sub(r"\n{3,}", "\n\n", markdown).strip("\n") + "\n"


def include_document(env, spec: PackDocument, variables: dict) -> bool:
    if not spec.when:
        return True
    try:
        return evaluate_condition(env, spec.when, variables)
    except Exception as exc:  # noqa: BLE001 - any failure of a pack condition is the pack's problem
        located = to_template_error(exc, names=variables.keys())
        reason = located.message.split(": ", 1)[-1] if located else f"{type(exc).__name__}: {exc}"
        where = f"{spec.pack_file}:{spec.when_line}" if spec.when_line else str(spec.pack_file)
        raise TemplateError(f"{where}: condition of document '{spec.id}' failed: {reason}",
                            hint=located.hint if located and located.hint else "fix the `when:` expression") from None


def render_documents(env, pack: Pack, chosen: Sequence[PackDocument], context: RenderContext, version: int,
                     today: _dt.date) -> tuple[list[RenderedDocument], list[tuple[str, str, str]]]:
    """Markdown for every chosen document whose condition holds; nothing touches the disk."""
    rendered, skipped = [], []
    stems: set[str] = set()
    for spec in chosen:
        variables = context.for_document(DocInfo(spec.id, spec.title, version, today, spec.audience))
        if not include_document(env, spec, variables):
            skipped.append((spec.id, spec.title, f"condition is false: {spec.when}"))
            continue
        markdown = _tidy(render_template(env, spec.template, variables, pack.folders))
        stem = slugify(spec.id, "document")
        while stem in stems:
            stem += "-x"
        stems.add(stem)
        rendered.append(RenderedDocument(spec, stem, markdown, context.open_items(markdown)))
    return rendered, skipped


# ---------------------------------------------------------------- writing


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def write_documents(docs: Sequence[RenderedDocument], folder: Path, version: int, today: _dt.date,
                    reference_docx: Path | None) -> None:
    """Write each document's formats into `folder` (the temporary version folder)."""
    header = HEADER.format(n=version)
    footer = FOOTER.format(date=date_long(today))
    for doc in docs:
        md_path = folder / f"{doc.stem}.md"
        if "md" in doc.spec.formats:
            md_path.write_text(doc.markdown, encoding="utf-8")
            doc.files["md"] = md_path
        if "docx" in doc.spec.formats:
            from readiness.documents.docx_writer import write_docx

            docx_path = folder / f"{doc.stem}.docx"
            write_docx(doc.markdown, docx_path, title=doc.spec.title, header_text=header, footer_text=footer,
                       reference_docx=reference_docx, image_dir=folder)
            doc.files["docx"] = docx_path
        doc.hashes = {fmt: sha256_file(path) for fmt, path in doc.files.items()}


def canonical_answers(site: Site) -> dict:
    return {"answers": {qid: a.model_dump(mode="json") for qid, a in sorted(site.answers.items())},
            "respondents": {slug: {"name": r.name, "role": r.role, "agency": r.agency, "date": r.date,
                                   "answers": {qid: a.model_dump(mode="json") for qid, a in sorted(r.answers.items())}}
                            for slug, r in sorted(site.respondents.items())}}


def answers_sha256(site: Site) -> str:
    text = json.dumps(canonical_answers(site), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _shown(question, answer) -> str:
    if answer.status == "answered":
        return display(question, answer.value)
    return {"unknown": "Don't know"}.get(answer.status, STATUS_WORDS.get(answer.status, answer.status).capitalize())


def answer_snapshot(site: Site) -> dict[str, str]:
    """Each answered question's display value by id, so `diff` can say which answers changed.
    Sensitive answers are kept only as a short hash: the drafts folder may be shared."""
    q = site.questionnaire
    out: dict[str, str] = {}
    for question in q.questions:
        if question.scope == "respondent":
            given = [(r.name, r.answers[question.id]) for r in site.respondents.values() if question.id in r.answers]
            text = "; ".join(f"{name}: {_shown(question, a)}" for name, a in given)
        else:
            answer = site.answers.get(question.id)
            text = _shown(question, answer) if answer is not None else ""
        if not text:
            continue
        if question.sensitive:
            text = "[withheld " + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12] + "]"
        out[question.id] = text
    return out


def make_manifest(site: Site, a: Assessment, pack: Pack, version: int, today: _dt.date,
                  docs: Sequence[RenderedDocument], skipped, extras: list[dict]) -> dict:
    q = site.questionnaire
    return {
        "format": MANIFEST_FORMAT,
        "tool": {"name": "lead-readiness", "version": __version__},
        "site": {"name": site.name, "state": site.profile.state},
        "version": version,
        "generated": _dt.datetime.now().astimezone().replace(microsecond=0).isoformat(),
        "date": today.isoformat(),
        "questionnaire": {"id": q.id, "version": q.version},
        "pack": {"id": pack.id, "version": pack.version, "title": pack.title,
                 "layers": [{"id": layer.id, "version": layer.version} for layer in pack.layers]},
        "answers_sha256": answers_sha256(site),
        "answers": answer_snapshot(site),
        "assessment": {"score": a.score, "stage": a.stage, "launch_ready": a.launch_ready,
                       "completeness": a.completeness},
        "documents": [{"id": d.spec.id, "title": d.spec.title, "audience": d.spec.audience,
                       "names": {fmt: path.name for fmt, path in d.files.items()},
                       "files": dict(d.hashes), "open_items": d.open_items} for d in docs],
        "skipped": [{"id": i, "title": t, "reason": r} for i, t, r in skipped],
        "extras": extras,
    }


# ---------------------------------------------------------------- the build


def build_site(site_root: Path, *, only: Sequence[str] | None = None, templates_dir: Path | None = None,
               questionnaire: Path | None = None, today: _dt.date | None = None,
               extra_outputs: Sequence[ExtraOutput] = ()) -> BuildResult:
    """Build the next draft version of a site's documents into SITE/drafts/vNNN/."""
    site = open_site(Path(site_root), questionnaire)
    pack = load_pack(template_folders(site, templates_dir))
    hooks = list(extra_outputs)
    chosen = select(pack, only, [i for hook in hooks for i in _hook_ids(hook)])
    if only:  # with --only, an extra output runs only when one of its ids was asked for
        wanted = {x.strip() for x in only}
        hooks = [hook for hook in hooks if wanted & set(_hook_ids(hook))]
    a = assess_site(site)
    context = site_context(site, a, state_dirs(pack), pack.folders)
    env = make_environment(pack.folders)
    today = today or _dt.date.today()

    version = versions.next_version(site.root)
    docs, skipped = render_documents(env, pack, chosen, context, version, today)
    if not docs and not hooks:
        reasons = "; ".join(f"{i}: {r}" for i, _, r in skipped)
        raise ReadinessError(f"no documents to build ({reasons})", hint="answer the questions the conditions depend on, "
                             "or choose other documents with --only")
    with versions.build_lock(site.root) as drafts:
        versions.remove_stale_temporaries(drafts)
        if versions.next_version(site.root) != version:  # another build took the number meanwhile
            version = versions.next_version(site.root)
            docs, skipped = render_documents(env, pack, chosen, context, version, today)
        tmp = versions.temporary_folder(drafts, version)
        try:
            write_documents(docs, tmp, version, today, pack.reference_docx)
            job = BuildJob(site, a, context, pack, version, tmp, today)
            extras = [entry for hook in hooks for entry in hook(job)]
            manifest = make_manifest(site, a, pack, version, today, docs, skipped, extras)
            (tmp / versions.MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                                 encoding="utf-8")
            final = versions.publish(tmp, drafts, version)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    for doc in docs:
        doc.files = {fmt: final / path.name for fmt, path in doc.files.items()}
    return BuildResult(site, version, final, docs, skipped, extras, a, manifest)
