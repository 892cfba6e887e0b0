"""`build` of the example site against design.md §8: documents alone (Markdown + DOCX) under 0.5 s,
the whole build under 2 s.

Rows:
- build_documents: render every document of the pack to Markdown and convert it to DOCX, in a
  process that has already imported the modules; a fresh Jinja environment each time, as in a real
  build, with compiled templates from the per-user bytecode cache (any build after the first).
- build_documents_uncached: the same with LEAD_READINESS_NO_CACHE=1 (a first build): the bundled
  templates come from their shipped compiled modules (readiness/documents/precompiled.py), the pack's
  expressions and the questionnaire's conditions are compiled.
- build_documents_compiling (reference): the same with the shipped modules switched off too, so Jinja
  compiles every template, as for a consultant's pack or templates just edited.
- build_site: the whole core build in-process (open and assess the site, render, DOCX, the readiness
  report and plan with their charts and CSV, manifest, publish the version folder);
  build_site_documents is the same with `--only` the documents that need no computed data (not the
  report and plan).
- build_cli: `lead-readiness build SITE` as a fresh process, as a user runs it (imports included);
  build_cli_uncached the same with LEAD_READINESS_NO_CACHE=1 (a first build: goal 1.5 s, issue 15).

Where fork and a second CPU are available, a build draws its charts in one child process (with caches
off started by the command at once, so matplotlib imports beside the build's start) and, when no chart
is being drawn, writes about half of its Word files in another (readiness/forked.py), so these are wall
times that count on a free second CPU: on a machine whose other work keeps both CPUs busy they measure
the load as much as the build (benchmarks/README.md gives the CPU time of the build process alone beside them).

    python benchmarks/bench_build.py
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _timing import ROOT, print_rows, time_call, time_command  # noqa: E402

EXAMPLE = ROOT / "examples" / "harbor-county"
DOCUMENTS_GOAL_MS = 500.0
BUILD_GOAL_MS = 2000.0
BUILD_UNCACHED_GOAL_MS = 1500.0  # issue 15: a build with caches off stays under 1.5 s


def _documents_once(site, pack, context, out: Path) -> int:
    from readiness.documents.build import render_documents, write_documents
    from readiness.documents.environment import make_environment

    env = make_environment(pack.folders)
    plain = [d for d in pack.documents if not d.needs and not d.attachments]  # the report and plan: build_site
    docs, _ = render_documents(env, pack, plain, context, 1, dt.date(2026, 11, 30))
    folder = Path(tempfile.mkdtemp(dir=out))
    write_documents(docs, folder, 1, dt.date(2026, 11, 30), pack.reference_docx)
    return len(docs)


def run() -> list[dict]:
    from readiness.assessment import assess
    from readiness.documents import build as build_module
    from readiness.documents import precompiled
    from readiness.documents.context import site_context
    from readiness.documents.pack import load_pack
    from readiness.workspace.store import open_site

    with tempfile.TemporaryDirectory() as tmp:
        site_dir = Path(tmp) / "site"
        shutil.copytree(EXAMPLE, site_dir)
        site = open_site(site_dir)
        pack = load_pack(build_module.template_folders(site))
        a = assess(site.questionnaire, site.answers, site.respondents.values(), site=site.name,
                   state=site.profile.state)
        context = site_context(site, a, build_module.state_dirs(pack))
        out = Path(tmp) / "out"
        out.mkdir()
        count = _documents_once(site, pack, context, out)
        plain_ids = [d.id for d in pack.documents if not d.needs and not d.attachments]
        documents_ms = time_call(lambda: _documents_once(site, pack, context, out))
        os.environ["LEAD_READINESS_NO_CACHE"] = "1"
        try:
            uncached_ms = time_call(lambda: _documents_once(site, pack, context, out))
            precompiled.ENABLED = False
            compiling_ms = time_call(lambda: _documents_once(site, pack, context, out))
        finally:
            os.environ.pop("LEAD_READINESS_NO_CACHE", None)
            precompiled.ENABLED = True
        site_ms = time_call(lambda: build_module.build_site(site_dir))
        bare_ms = time_call(lambda: build_module.build_site(site_dir, only=plain_ids))
        cli = [sys.executable, "-m", "readiness", "build", str(site_dir)]
        cli_ms = time_command(cli, runs=5, env=dict(os.environ, NO_COLOR="1"))
        cli_uncached_ms = time_command(cli, runs=5, env=dict(os.environ, NO_COLOR="1", LEAD_READINESS_NO_CACHE="1"))
    note = f"{count} documents of {pack.ref}, example {EXAMPLE.name}"
    return [
        {"name": "build_documents", "measured": round(documents_ms, 1), "goal": DOCUMENTS_GOAL_MS, "unit": "ms",
         "note": note + "; Markdown + DOCX"},
        {"name": "build_documents_uncached", "measured": round(uncached_ms, 1), "goal": DOCUMENTS_GOAL_MS,
         "unit": "ms", "note": "the same with caches off; the bundled templates ship compiled"},
        {"name": "build_documents_compiling", "measured": round(compiling_ms, 1), "goal": DOCUMENTS_GOAL_MS,
         "unit": "ms", "note": "reference: the same with every template compiled (a consultant's or edited pack)"},
        {"name": "build_site", "measured": round(site_ms, 1), "goal": BUILD_GOAL_MS, "unit": "ms",
         "note": "in-process: open, assess, render, DOCX, report and plan with charts and CSV, manifest, publish"},
        {"name": "build_site_documents", "measured": round(bare_ms, 1), "goal": BUILD_GOAL_MS, "unit": "ms",
         "note": "the same without the report and plan: what the other documents cost"},
        {"name": "build_cli", "measured": round(cli_ms, 1), "goal": BUILD_GOAL_MS, "unit": "ms",
         "note": "`lead-readiness build` as a fresh process, imports included"},
        {"name": "build_cli_uncached", "measured": round(cli_uncached_ms, 1), "goal": BUILD_UNCACHED_GOAL_MS,
         "unit": "ms", "note": "the same with LEAD_READINESS_NO_CACHE=1 (issue 15: under 1.5 s)"},
    ]


def main() -> None:
    print_rows(run())


if __name__ == "__main__":
    main()
