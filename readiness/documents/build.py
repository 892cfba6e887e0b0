"""One build: assess the site, render each included document to Markdown, convert it to DOCX,
write its attachments, and publish the lot as the next draft version with a manifest.

The readiness report and the implementation plan are pack documents like the others; what they
need beyond the shared render context (the plan, the report's figures, the charts, the plan's CSV)
is declared in pack.yaml and computed below this module (readiness/report/outputs.py), so this one
writer renders and writes every document.

Everything that can fail because of the user's input (answers, pack, templates, the standard
tasks) fails while the documents are still in memory, before any file is written.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from readiness import __version__, forked
from readiness.assessment import Assessment, assess_site
from readiness.documents import versions
from readiness.documents.context import DocInfo, RenderContext, site_context
from readiness.documents.environment import (evaluate_condition, evaluate_expression, make_environment,
                                             render_template, to_template_error)
from readiness.documents.facts import Fact, Namespace, RenderProblem, date_long
from readiness.documents.marks import marks_for
from readiness.documents.manifest import MANIFEST_FORMAT, ManifestAttachment, ManifestDocument, ManifestRedline
from readiness.documents.pack import Pack, PackDocument, check_files, expand, load_pack
from readiness.documents.prose_check import Finding, check_markdown
from readiness.errors import ReadinessError, TemplateError
from readiness.kernel.problems import did_you_mean
from readiness.kernel.statuses import status_label
from readiness.questionnaire.values import display
from readiness.report.outputs import Links, Supplies
from readiness.resources import template_folders  # noqa: F401 - the one place template folders are resolved
from readiness.workspace.store import Site, open_site

Step = Callable[[str], None]  # hears what a build is doing now ("drafting the MOU (3 of 14)")

HEADER = "DRAFT v{n} - for stakeholder review"
FOOTER = "Generated {date} · Draft for discussion, not legal advice"


@dataclass
class RenderedDocument:
    spec: PackDocument
    stem: str
    markdown: str
    open_items: list[dict]
    files: dict[str, Path] = field(default_factory=dict)  # format -> final path
    hashes: dict[str, str] = field(default_factory=dict)
    attachments: list[ManifestAttachment] = field(default_factory=list)  # written beside it
    audience: str | None = None  # the pack's audience with the state's titles filled in
    redlines: list[ManifestRedline] = field(default_factory=list)  # tracked changes against the previous version

    def manifest_entry(self) -> ManifestDocument:
        return ManifestDocument(id=self.spec.id, title=self.spec.title, copy_of=self.spec.group,
                                audience=self.audience or self.spec.audience,
                                names={fmt: path.name for fmt, path in self.files.items()}, files=dict(self.hashes),
                                attachments=list(self.attachments), open_items=self.open_items,
                                redlines=list(self.redlines))


@dataclass
class BuildResult:
    site: Site
    version: int
    folder: Path
    documents: list[RenderedDocument]
    skipped: list[tuple[str, str, str]]  # (id, title, reason)
    assessment: Assessment
    manifest: dict
    text_findings: list[Finding] = field(default_factory=list)  # prose_check warnings, by document and line
    redlines_against: int | None = None  # the version the redlines compare with (the previous one)
    redline_notes: list[str] = field(default_factory=list)  # documents that could not be compared

    @property
    def redlines(self) -> list[tuple[RenderedDocument, ManifestRedline]]:
        return [(doc, r) for doc in self.documents for r in doc.redlines]

    @property
    def open_first(self) -> Path | None:
        """The file to open first: the first document's Word file (the readiness report, in the bundled pack)."""
        for doc in self.documents:
            return doc.files.get("docx") or doc.files.get("md")
        return None


# ---------------------------------------------------------------- inputs


def state_dirs(pack: Pack) -> tuple[Path, ...]:
    """Consultant state profiles: a `states/` folder beside a non-bundled templates folder."""
    from readiness import resources

    try:
        bundled = resources.templates_dir().resolve()
    except ReadinessError:
        bundled = None
    return tuple(f.parent / "states" for f in pack.folders
                 if f.resolve() != bundled and (f.parent / "states").is_dir())


def select(pack: Pack, only: Sequence[str] | None) -> list[PackDocument]:
    """The pack documents `--only` asks for (every one without it); a `for_each` document's id
    selects all its copies."""
    if not only:
        return list(pack.documents)
    wanted = [x.strip() for x in only if x.strip()]
    known = list(pack.ids)
    unknown = [x for x in wanted if x not in known]
    if unknown:
        hint = did_you_mean(unknown[0], known)
        raise ReadinessError(f"unknown document id '{unknown[0]}' in --only",
                             hint=(hint + " " if hint else "") + "documents in this pack: " + ", ".join(known))
    return [d for d in pack.documents if d.id in wanted]


# ---------------------------------------------------------------- rendering


# An abbreviation's period ends the sentence too: an answer "9 a.m." before a template's period.
_ABBREVIATION_STOP = re.compile(r"(?<![\w.])((?:[A-Za-z]\.){2,})\.(?![.\w])")


def _tidy(markdown: str) -> str:
    """At most one blank line in a row (conditional blocks leave gaps) and one final newline; a sentence
    ending in an abbreviation ("by 9 a.m.") takes no second period."""
    markdown = _ABBREVIATION_STOP.sub(r"\1", markdown)
    return re.sub(r"\n{3,}", "\n\n", markdown).strip("\n") + "\n"


def _pack_expression_failed(exc: Exception, spec: PackDocument, variables: dict, line, what: str,
                            field_name: str) -> TemplateError:
    located = to_template_error(exc, names=variables.keys())
    if located is None and isinstance(exc, RenderProblem):  # looping over one answer, an unknown gap id
        located = TemplateError(f"expression: {exc.message}", hint=exc.hint)
    reason = located.message.split(": ", 1)[-1] if located else f"{type(exc).__name__}: {exc}"
    where = f"{spec.pack_file}:{line}" if line else str(spec.pack_file)
    return TemplateError(f"{where}: {what} of document '{spec.id}' failed: {reason}",
                         hint=located.hint if located and located.hint else f"fix the `{field_name}:` expression")


def include_document(env, spec: PackDocument, variables: dict) -> bool:
    if not spec.when:
        return True
    try:
        return evaluate_condition(env, spec.when, variables)
    except Exception as exc:  # noqa: BLE001 - any failure of a pack condition is the pack's problem
        raise _pack_expression_failed(exc, spec, variables, spec.when_line, "condition", "when") from None


def _key_text(value: Any) -> str:
    """A copy's name from its `key`: the answer's own text; an unanswered one gives '' (the copy's number)."""
    if isinstance(value, Fact):
        return str(value.value).strip() if value.answered and value.value is not None else ""
    return "" if value is None else str(value).strip()


def each_namespace(item: Any, index: int, count: int, key: str) -> Namespace:
    return Namespace("each", {"item": item, "index": index, "number": index + 1, "count": count, "key": key})


def copies(env, spec: PackDocument, variables: dict) -> list[tuple[PackDocument, Namespace]]:
    """A `for_each` document's copies, each with the `each` its template sees (none for an empty list)."""
    where = f"{spec.pack_file}:{spec.for_each_line}" if spec.for_each_line else str(spec.pack_file)
    not_a_list = TemplateError(f"{where}: for_each of document '{spec.id}' did not give a list",
                               hint="give an expression for a list, such as police.agencies (a records answer)")
    assert spec.for_each is not None, "copies() is called for for_each documents only"
    try:
        value = evaluate_expression(env, spec.for_each, variables)
        if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
            raise not_a_list
        items = list(value)  # a single answer refuses to be looped over
    except TemplateError:
        raise
    except Exception as exc:  # noqa: BLE001 - the pack's expression, the pack's problem
        raise _pack_expression_failed(exc, spec, variables, spec.for_each_line, "for_each", "for_each") from None
    keys = []
    for index, item in enumerate(items):
        if not spec.key:
            keys.append("")
            continue
        try:
            keys.append(_key_text(evaluate_expression(env, spec.key, {**variables, "each": each_namespace(
                item, index, len(items), "")})))
        except Exception as exc:  # noqa: BLE001
            raise _pack_expression_failed(exc, spec, variables, spec.for_each_line, "key", "key") from None
    return [(copy, each_namespace(item, i, len(items), key))
            for i, (copy, item, key) in enumerate(zip(expand(spec, keys), items, keys))]


def links(doc: PackDocument, included: Sequence[PackDocument]) -> Links:
    """The files the report and plan data name: this document's own attachments first, then those
    of the other documents of this build (the report names the plan's Word file)."""
    found: dict[str, str] = {}
    for other in [doc] + [d for d in included if d is not doc]:
        for attachment in other.attachments:
            found.setdefault(attachment.kind, attachment.file)
    carrier = next((d for d in included if d is not doc and any(a.kind == "plan_csv" for a in d.attachments)), None)
    plan_document = ""
    if carrier is not None:
        plan_document = f"{carrier.stem}.{'docx' if 'docx' in carrier.formats else carrier.formats[0]}"
    return Links(radar=found.get("radar_chart", ""), timeline=found.get("timeline_chart", ""),
                 csv=found.get("plan_csv", ""), plan_document=plan_document)


def supplied_names(data: Mapping[str, Any]) -> dict[str, Namespace]:
    """Plain supplied data as read-only namespaces, so a typo in a template names what exists."""
    def wrap(path: str, value: Any) -> Any:
        if isinstance(value, Mapping):
            return Namespace(path, {k: wrap(f"{path}.{k}", v) for k, v in value.items()})
        if isinstance(value, (list, tuple)):
            return [wrap(f"{path}[{i}]", v) for i, v in enumerate(value)]
        return value

    return {name: wrap(name, value) for name, value in data.items()}


def render_documents(env, pack: Pack, chosen: Sequence[PackDocument], context: RenderContext, version: int,
                     today: _dt.date, supplies: Supplies | None = None, step: Step | None = None,
                     ) -> tuple[list[RenderedDocument], list[tuple[str, str, str]]]:
    """Markdown for every chosen document whose condition holds; nothing touches the disk.
    `supplies` gives what documents with `needs:` in pack.yaml see (the report, the plan); `step`
    hears which document is being drafted."""
    included, skipped = [], []
    for spec in chosen:
        variables = context.for_document(DocInfo(spec.id, spec.title, version, today, spec.audience))
        if not include_document(env, spec, variables):
            skipped.append((spec.id, spec.title, f"condition is false: {spec.when}"))
            continue
        if not spec.for_each:
            included.append((spec, variables))
            continue
        made = copies(env, spec, variables)
        if not made:
            skipped.append((spec.id, spec.title, f"no copies: for_each is empty: {spec.for_each}"))
        for copy, each in made:
            included.append((copy, {**context.for_document(DocInfo(copy.id, copy.title, version, today,
                                                                   copy.audience)), "each": each}))
    check_files([spec for spec, _ in included])
    rendered = []
    specs = [spec for spec, _ in included]
    attachments = attachment_items(specs)
    if attachments and supplies is not None:
        for spec in specs:  # what the charts are drawn from, and its problems, before the drawing starts
            if spec.attachments:
                supplies.prepare([a.kind for a in spec.attachments])
        supplies.start_drawing(attachments)  # the charts draw on a second CPU while the documents render
    else:
        forked.end_warm()  # no chart to draw: a child the build command started early has nothing to do
    try:
        for n, (spec, variables) in enumerate(included, 1):
            if step is not None:
                step(f"drafting {spec.title} ({n} of {len(included)})")
            if spec.needs or spec.attachments:
                if supplies is None:
                    raise RuntimeError(f"document '{spec.id}' needs supplies (pack.yaml `needs`, `attachments`)")
                supplies.prepare([a.kind for a in spec.attachments])  # their problems, before any file is written
                variables.update(supplied_names(supplies.data(spec.needs, links(spec, specs))))
            markdown = _tidy(render_template(env, spec.template, variables, pack.folders))
            rendered.append(RenderedDocument(spec, spec.stem, markdown, context.open_items(markdown),
                                             audience=str(variables["doc"]["audience"]) or None))
    except BaseException:
        if supplies is not None:
            supplies.abandon_drawing()
        raise
    return rendered, skipped


def attachment_items(specs: Sequence[PackDocument]) -> list[tuple[str, str]]:
    """(kind, file name) of every attachment of these documents, in the order they are written."""
    ordered = sorted(specs, key=lambda d: bool(d.attachments))
    return [(a.kind, a.file) for doc in ordered for a in doc.attachments]


# ---------------------------------------------------------------- writing


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


SHARE_FROM = 4  # Word files from which a second process writes about half of them (forked.py)


def write_documents(docs: Sequence[RenderedDocument], folder: Path, version: int, today: _dt.date,
                    reference_docx: Path | None, supplies: Supplies | None = None, site_name: str = "",
                    marks: Mapping[str, dict[str, str]] | None = None, step: Step | None = None) -> None:
    """Write each document's formats and attachments into `folder` (the temporary version folder);
    a document's attachments are written just before it (its DOCX embeds them), documents with
    attachments last. A DOCX's properties name the site (`site_name`) and the draft version.

    The reference document is opened once for all the Word files. Where a second CPU can be forked
    (readiness/forked.py) and no child is drawing the charts on it, a child process writes about half
    of the Word files of the documents without attachments while this one writes the others; whatever the child does not deliver in
    time is written here, so the files are the same either way."""
    header = HEADER.format(n=version)
    footer = FOOTER.format(date=date_long(today))
    items = attachment_items([doc.spec for doc in docs])
    drawing = None
    if items:
        if supplies is None:
            raise RuntimeError("documents with attachments need the build's supplies to write them")
        drawing = supplies.drawing(items)  # the one render_documents started, when it is for these documents
        drawing.start()
    ordered = sorted(docs, key=lambda d: bool(d.spec.attachments))
    word = [d for d in ordered if "docx" in d.spec.formats]
    template = None
    if word:
        from readiness.documents.docx_writer import Template

        template = Template(reference_docx)

    def write_word(doc: RenderedDocument, path: Path) -> Path:
        from readiness.documents.docx_writer import write_docx

        title = f"{doc.spec.title} — {site_name}" if site_name else doc.spec.title
        audience = f" for review by {doc.spec.audience}" if doc.spec.audience else ""
        subject = f"{site_name + ' ' if site_name else ''}LEAD program: draft v{version}{audience}"
        write_docx(doc.markdown, path, title=title, header_text=header, footer_text=footer,
                   reference_docx=reference_docx, image_dir=folder, subject=subject, version=version,
                   marks=(marks or {}).get(doc.spec.id), template=template)
        return path

    from readiness.forked import ForkedJobs

    # While a child draws the charts the second CPU is its: a Word writer beside it would slow both.
    shared = [] if drawing is not None and drawing.busy() else _shared_word_files(word)
    def job(doc: RenderedDocument) -> Callable[[Path], Path]:
        return lambda path: write_word(doc, path)

    helper = ForkedJobs({d.stem: job(d) for d in shared}, suffix=".docx", within=folder)
    try:
        theirs = {d.stem for d in shared}
        in_order = [d for d in ordered if d.stem not in theirs] + [d for d in ordered if d.stem in theirs]
        for n, doc in enumerate(in_order, 1):
            if step is not None:
                step(f"writing {doc.spec.title} ({n} of {len(docs)})")
            if doc.spec.attachments:
                assert drawing is not None  # started above for every document with attachments
                drawing.finish(folder)
                doc.attachments = [ManifestAttachment(kind=a.kind, name=a.file, sha256=sha256_file(folder / a.file))
                                   for a in doc.spec.attachments]
            md_path = folder / f"{doc.stem}.md"
            if "md" in doc.spec.formats:
                md_path.write_text(doc.markdown, encoding="utf-8")
                doc.files["md"] = md_path
            if "docx" in doc.spec.formats:
                docx_path = folder / f"{doc.stem}.docx"
                if doc.stem in theirs:
                    helper.take(doc.stem, docx_path)
                else:
                    write_word(doc, docx_path)
                doc.files["docx"] = docx_path
            doc.hashes = {fmt: sha256_file(path) for fmt, path in doc.files.items()}
    finally:
        helper.close()
        if drawing is not None:
            drawing.abandon()


def _shared_word_files(word: Sequence[RenderedDocument]) -> list[RenderedDocument]:
    """The Word files a second process writes, in the order they are written: about half of the
    work (by Markdown length) from the documents without attachments; none without a second CPU."""
    from readiness import forked

    if len(word) < SHARE_FROM or not forked.can_fork():
        return []
    half = sum(len(d.markdown) for d in word) / 2
    share, chosen = 0, set()
    for doc in sorted((d for d in word if not d.spec.attachments), key=lambda d: -len(d.markdown)):
        if share + len(doc.markdown) <= half:
            chosen.add(doc.stem)
            share += len(doc.markdown)
    return [d for d in word if d.stem in chosen]


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
    return status_label(answer.status)


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


def folder_sha256(folder: Path) -> str:
    """One hash of a folder's files (their relative paths and contents), so any edit changes it."""
    h = hashlib.sha256()
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file() and not p.name.startswith(".")):
        h.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0" + sha256_file(path).encode("ascii") + b"\n")
    return h.hexdigest()


def build_inputs(site: Site, pack: Pack) -> dict:
    """What the drafts were made from besides the answers: every template folder, the reference.docx
    and the jurisdiction profile (path and SHA-256 of each), for `diff` to name when one changed."""
    from readiness import jurisdiction

    path, own = jurisdiction.profile_path(site.profile.state, state_dirs(pack))
    reference = pack.reference_docx
    titles = [d / jurisdiction.TITLES_FILE for d in (*state_dirs(pack), resources_states_dir())
              if (d / jurisdiction.TITLES_FILE).is_file()]
    return {
        "template_folders": [{"path": str(f), "sha256": folder_sha256(f)} for f in pack.folders],
        "reference_docx": None if reference is None else {"path": str(reference), "sha256": sha256_file(reference)},
        "state_profile": {"path": str(path), "sha256": sha256_file(path), "state": site.profile.state,
                          "own": own, "site_institutions": site.profile.institution_overrides()},
        "titles_tables": [] if own else [{"path": str(t), "sha256": sha256_file(t)} for t in titles],
    }


def resources_states_dir() -> Path:
    from readiness import resources

    return resources.states_dir()


def make_manifest(site: Site, a: Assessment, pack: Pack, version: int, today: _dt.date,
                  docs: Sequence[RenderedDocument], skipped) -> dict:
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
        "inputs": build_inputs(site, pack),
        "answers_sha256": answers_sha256(site),
        "answers": answer_snapshot(site),
        "assessment": {"score": a.score, "stage": a.stage, "launch_ready": a.launch_ready,
                       "completeness": a.completeness},
        "documents": [d.manifest_entry().model_dump(mode="json") for d in docs],
        "skipped": [{"id": i, "title": t, "reason": r} for i, t, r in skipped],
    }


REDLINE_LOOKBACK = 20  # how many earlier versions to search for a document's previous version


def add_redlines(site_root: Path, docs: Sequence[RenderedDocument], folder: Path, version: int,
                 today: _dt.date) -> tuple[int | None, list[str]]:
    """Redlines of the documents just written, each against its newest earlier version (the previous
    build, or an older one when the previous build was `--only` other documents); each document's
    `redlines` lists its file. Returns the newest earlier version (None for a first build) and notes
    on what could not be compared: an earlier version that cannot be read never fails the build."""
    from readiness.documents.redline import write_redlines

    earlier = [n for n in versions.list_versions(site_root) if n < version][-REDLINE_LOOKBACK:]
    if not earlier:
        return None, []
    notes: list[str] = []
    waiting = {d.spec.id: d for d in docs if "docx" in d.files}
    for previous in reversed(earlier):
        if not waiting:
            break
        try:
            old_folder = versions.version_folder(site_root, previous)
            old_manifest = versions.read_manifest(old_folder)
        except ReadinessError as exc:
            notes.append(f"no redlines against {versions.folder_name(previous)}: {exc}")
            continue
        had = {str(e.get("id")) for e in old_manifest["documents"]
               if isinstance(e, dict) and isinstance(e.get("names"), dict) and e["names"].get("docx")}
        group = [d for doc_id, d in waiting.items() if doc_id in had]
        if not group:
            continue
        entries = [{"id": d.spec.id, "title": d.spec.title, "names": {f: p.name for f, p in d.files.items()}}
                   for d in group]
        made, more = write_redlines(old_folder, old_manifest, previous, folder,
                                    {"documents": entries, "date": today.isoformat()}, version)
        notes += more
        for r in made:
            waiting[r.doc_id].redlines.append(ManifestRedline(against=previous, name=r.name,
                                                              sha256=sha256_file(r.path)))
        for d in group:
            del waiting[d.spec.id]
    return earlier[-1], notes


# ---------------------------------------------------------------- the build


def build_site(site_root: Path, *, only: Sequence[str] | None = None, templates_dir: Path | None = None,
               questionnaire: Path | None = None, today: _dt.date | None = None,
               step: Step | None = None) -> BuildResult:
    """Build the next draft version of a site's documents into SITE/drafts/vNNN/. `step` hears what
    the build is doing now (for a progress display)."""
    site = open_site(Path(site_root), questionnaire, templates_dir)
    pack = load_pack(template_folders(site, templates_dir))
    chosen = select(pack, only)
    a = assess_site(site)
    context = site_context(site, a, state_dirs(pack), pack.folders)
    env = make_environment(pack.folders)
    today = today or _dt.date.today()
    supplies = Supplies.for_site(site, a, today, pack.folders)

    version = versions.next_version(site.root)
    docs, skipped = render_documents(env, pack, chosen, context, version, today, supplies, step)
    if not docs:
        reasons = "; ".join(f"{i}: {r}" for i, _, r in skipped)
        raise ReadinessError(f"no documents to build ({reasons})", hint="answer the questions the conditions depend on, "
                             "or choose other documents with --only")
    try:
        with versions.build_lock(site.root) as drafts:
            versions.remove_stale_temporaries(drafts)
            if versions.next_version(site.root) != version:  # another build took the number meanwhile
                version = versions.next_version(site.root)
                docs, skipped = render_documents(env, pack, chosen, context, version, today, supplies, step)
            tmp = versions.temporary_folder(drafts, version)
            try:
                write_documents(docs, tmp, version, today, pack.reference_docx, supplies, site_name=site.name,
                                marks={d.spec.id: marks_for(site.name, site.profile.state, version, d.spec.id)
                                       for d in docs}, step=step)
                if step is not None:
                    step("comparing with the previous version")
                against, notes = add_redlines(site.root, docs, tmp, version, today)
                manifest = make_manifest(site, a, pack, version, today, docs, skipped)
                (tmp / versions.MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                                     encoding="utf-8")
                final = versions.publish(tmp, drafts, version)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    except BaseException:
        supplies.abandon_drawing()  # the charts' child, when the build fails before writing them
        raise
    for doc in docs:
        doc.files = {fmt: final / path.name for fmt, path in doc.files.items()}
    if step is not None:
        step("checking the text")
    return BuildResult(site, version, final, docs, skipped, a, manifest, text_findings=check_text(docs, site),
                       redlines_against=against, redline_notes=notes)


def check_text(docs: Sequence[RenderedDocument], site: Site) -> list[Finding]:
    """prose_check over every document's Markdown, naming each by its Markdown file."""
    answers = [answer.value for answer in site.answers.values()]
    found: list[Finding] = []
    for doc in docs:
        name = doc.files["md"].name if "md" in doc.files else doc.spec.id
        found.extend(check_markdown(doc.markdown, name, answers))
    return found
