"""Shared template packs and questionnaires cannot run code, read files or exhaust the machine.

Known Jinja sandbox-escape payloads, put where a consultant's files put Jinja: a document template
(`build --templates DIR`), a pack's `when:`, a questionnaire's `when:` and a plan task's `done_when:`.
Each is refused with a clear `Error:` naming the file and line (exit 1), never executed, never a crash.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, invoke, snapshot

CANARY = "CANARY-FILE"  # payloads try to create it; it must never appear

# Payloads from public Jinja SSTI write-ups, plus resource bombs. Every one must be refused.
TEMPLATE_PAYLOADS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('touch " + CANARY + "').read() }}",
    "{{ lipsum.__globals__['os'].popen('touch " + CANARY + "') }}",
    "{{ lipsum.__globals__.__builtins__.open('/etc/passwd').read() }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__init__.__globals__.__builtins__ }}",
    "{{ request }}",
    "{{ config }}",
    "{{ config.__class__.__init__.__globals__['os'] }}",
    "{% include '/etc/passwd' %}",
    "{% include '../../../etc/passwd' %}",
    "{% extends '../../../../etc/passwd' %}",
    "{% import 'os' as os %}",
    "{% from 'subprocess' import check_output %}",
    "{{ ''|attr('__class__') }}",
    "{{ (''|attr('\\x5f\\x5fclass\\x5f\\x5f')) }}",
    "{{ (1).__class__ }}",
    "{{ [].__class__.__base__.__subclasses__() }}",
    "{{ site.__class__ }}",
    "{{ site._path }}",
    "{{ site|attr('_path') }}",
    "{{ '{0.__class__}'.format(1) }}",
    "{{ '{0.__init__.__globals__}'.format(site) }}",
    "{{ '%s'|format(''.__class__) }}",
    "{{ dict(a=1).pop('a') }}",
    "{% set x = [1] %}{{ x.append(2) }}",
    "{{ range(10**9)|list }}",
    "{{ 'a' * 10**9 }}",
    "{{ [0] * 10**9 }}",
    "{{ 2 ** (10**10) }}",
    "{{ (10**100) ** 100 }}",
    "{{ '{:>999999999}'.format(1) }}",
    "{{ '{:{}}'.format(1, 999999999) }}",
    "{{ '%999999999d' % 1 }}",
    "{{ '%*d' % (999999999, 1) }}",
    "{{ '%999999999s'|format('x') }}",
    "{{ 'x'.ljust(999999999) }}",
    "{{ 'x'.zfill(999999999) }}",
    "{{ 'x'|center(999999999) }}",
    "{{ ('a' * 100000).replace('', 'a' * 100000) }}",
    "{{ range(100000)|join('-' * 100000) }}",
    "{{ range(100000)|map('center', 199999)|join }}",
    "{{ range(100000)|map('center', 199999)|list|length }}",
    "{{ 'x'|batch(999999999, 'y')|list }}",
    "{{ [1, 2]|slice(999999999)|list }}",
    "{{ lipsum(999999999) }}",
    "{% set ns = namespace(s='a' * 199999) %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
    "{% for i in range(100000) %}{{ 'a' * 199999 }}{% endfor %}",
    "{% macro m() %}{% for i in range(100000) %}{{ 'a' * 199999 }}{% endfor %}{% endmacro %}{{ m()|length }}",
    "{% macro r(n) %}{{ r(n) }}{% endmacro %}{{ r(1) }}",
]


def _consultant(root: Path, template: str) -> Path:
    folder = root / "consultant" / "templates"
    folder.mkdir(parents=True)
    (folder / "pack.yaml").write_text("id: consultant\nversion: 1.0.0\ntitle: T\nstandalone: true\n"
                                      "documents:\n  - {id: probe, title: Probe, template: probe.md.j2}\n")
    (folder / "probe.md.j2").write_text(template, encoding="utf-8")
    return folder


def _refused(result, name: str, line: int | None) -> None:
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert result.stderr.startswith("Error: "), result.stderr
    where = f"{name}:{line}" if line else name
    assert where in result.stderr, f"expected {where} in: {result.stderr}"
    assert "Traceback" not in result.output and "unexpected internal problem" not in result.stderr
    assert "root:" not in result.output and "uid=" not in result.output


@pytest.mark.parametrize("payload", TEMPLATE_PAYLOADS)
def test_template_payload_is_refused(mini_site, tmp_path, monkeypatch, payload):
    monkeypatch.chdir(tmp_path)  # a payload that ran `touch` would leave the canary here
    folder = _consultant(tmp_path, "# Probe for {{ site.name }}\n\nSome text.\n" + payload + "\n")
    before = snapshot(mini_site)
    started = time.perf_counter()
    result = invoke("build", mini_site, "--templates", folder)
    _refused(result, "probe.md.j2", 4)
    assert time.perf_counter() - started < 20
    assert snapshot(mini_site) == before and not (mini_site / "drafts" / "v001").exists()
    assert not list(tmp_path.rglob(CANARY))


@pytest.mark.parametrize("kind", ["count"], ids=[f"{len(TEMPLATE_PAYLOADS)}-template-payloads"])
def test_the_payload_count(kind):
    print(f"\nsandbox payloads: {len(TEMPLATE_PAYLOADS)} in templates, {len(CONDITION_PAYLOADS)} in questionnaire "
          f"conditions, {len(PACK_CONDITION_PAYLOADS)} in pack conditions")
    assert len(TEMPLATE_PAYLOADS) >= 40


def test_a_template_that_loops_for_ever_is_stopped(mini_site, tmp_path, monkeypatch):
    from readiness.documents import environment

    monkeypatch.setattr(environment, "RENDER_SECONDS", 1.0)
    folder = _consultant(tmp_path, "# Probe\n\n{% for i in range(100000) %}{% for j in range(100000) %}"
                                   "{% endfor %}{% endfor %}\n")
    started = time.perf_counter()
    result = invoke("build", mini_site, "--templates", folder)
    _refused(result, "probe.md.j2", None)
    assert "took longer than 1 seconds" in result.stderr
    assert time.perf_counter() - started < 10


def test_limits_leave_normal_templates_alone(mini_site, tmp_path):
    """What templates really do: multiply small strings, format numbers, join lists, pad a little."""
    folder = _consultant(tmp_path, "# Probe for {{ site.name }}\n\n{{ '-' * 40 }}\n{{ '%5.1f' % 81.44 }} "
                                   "{{ '{:>8}'.format('x') }} {{ ['a', 'b']|join(', ') }} {{ 'x'|center(20) }} "
                                   "{{ 2 ** 10 }} {{ (10 ** 50) * (10 ** 50) > 1 }} {{ lipsum(2) | length > 10 }}\n"
                                   "{{ 'line\nline'|indent(4) }} {{ range(30)|batch(7, '-')|list|length }}\n")
    result = invoke("build", mini_site, "--templates", folder)
    assert result.exit_code == 0, result.output
    text = (mini_site / "drafts" / "v001" / "probe.md").read_text()
    assert "-" * 40 in text and " 81.4" in text and "a, b" in text and "1024" in text and "True" in text


# ---------------------------------------------------------------- questionnaire conditions

CONDITION_PAYLOADS = [
    "a.__class__.__mro__[1].__subclasses__()",
    "cycler.__init__.__globals__.os.popen('touch " + CANARY + "').read()",
    "lipsum.__globals__['os']",
    "a|attr('__class__') == 1",
    "'{0.__class__}'.format(a) == 1",
    "'%s'|format(''.__class__) == 1",
    "[].append(1)",
    "'a' * 10**9 == a",
    "2 ** (10 ** 10) > 1",
    "'{:>999999999}'.format(a) != ''",
    "'%999999999d' % 1 != ''",
    "'x'.ljust(999999999) != a",
    "lipsum(99999999) != a",
    "(range(100000)|map('center', 199999)|list|length) > 1",
    "config.items()",
]


def _questionnaire(tmp_path: Path, when: str) -> Path:
    q = {"id": "t", "version": "1.0.0", "title": "T", "domains": [{"id": "gov", "title": "Governance"}],
         "questions": [{"id": "a", "domain": "gov", "text": "One?", "type": "yes_no"},
                       {"id": "b", "domain": "gov", "text": "Two?", "type": "yes_no", "when": when}]}
    path = tmp_path / "consultant-questionnaire.yaml"
    path.write_text(yaml.safe_dump(q, sort_keys=False))
    return path


@pytest.mark.parametrize("payload", CONDITION_PAYLOADS)
def test_questionnaire_condition_payload_is_refused_when_loaded(tmp_path, monkeypatch, payload):
    monkeypatch.chdir(tmp_path)
    path = _questionnaire(tmp_path, payload)
    started = time.perf_counter()
    result = invoke("new", tmp_path / "site", "--name", "X", "--state", "NC", "--questionnaire", path)
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "when:" in text)
    _refused(result, path.name, line)
    assert time.perf_counter() - started < 20
    assert not (tmp_path / "site").exists()
    assert not list(tmp_path.rglob(CANARY))


@pytest.mark.parametrize("payload", ["a and 'a' * 10**9 != ''", "a and 2 ** (10 ** 10) > 1",
                                     "a and '{:>999999999}'.format(a) != ''",
                                     "a and (range(100000)|map('center', 199999)|list|length) > 1"])
def test_a_bomb_that_waits_for_an_answer_is_refused_when_it_goes_off(tmp_path, payload):
    """Short-circuited while `a` is unanswered, so loading passes; answering `a` sets it off."""
    path = _questionnaire(tmp_path, payload)
    site = tmp_path / "site"
    assert invoke("new", site, "--name", "X", "--state", "NC", "--questionnaire", path).exit_code == 0
    result = invoke("answer", site, "a", "yes")
    assert result.exit_code == 0  # the answer itself is fine and saved
    before = snapshot(site)
    started = time.perf_counter()
    result = invoke("score", site)
    assert result.exit_code == 1 and result.stderr.startswith("Error: condition"), result.output
    assert payload in result.stderr  # says which condition, so it can be found in the questionnaire
    assert time.perf_counter() - started < 20
    assert snapshot(site) == before


# ---------------------------------------------------------------- pack and plan conditions

PACK_CONDITION_PAYLOADS = [
    "site.__class__.__mro__[1].__subclasses__()",
    "cycler.__init__.__globals__.os.popen('touch " + CANARY + "')",
    "'a' * 10**9 != ''",
    "2 ** (10 ** 10) > 1",
    "'%999999999d' % 1 != ''",
    "range(10**9)|list",
]


@pytest.mark.parametrize("payload", PACK_CONDITION_PAYLOADS)
def test_pack_condition_payload_is_refused(mini_site, tmp_path, monkeypatch, payload):
    monkeypatch.chdir(tmp_path)
    folder = _consultant(tmp_path, "# Probe\n")
    (folder / "pack.yaml").write_text("id: consultant\nversion: 1.0.0\ntitle: T\nstandalone: true\ndocuments:\n"
                                      "  - id: probe\n    title: Probe\n    template: probe.md.j2\n"
                                      f"    when: {yaml.safe_dump(payload).splitlines()[0]}\n")
    started = time.perf_counter()
    result = invoke("build", mini_site, "--templates", folder)
    _refused(result, "pack.yaml", 9)
    assert time.perf_counter() - started < 20
    assert not list(tmp_path.rglob(CANARY))


def test_plan_task_condition_bomb_is_refused(example_copy, tmp_path):
    site = example_copy("harbor-county")
    folder = tmp_path / "consultant" / "templates"
    (folder / "plans").mkdir(parents=True)
    tasks = yaml.safe_load((ROOT / "templates" / "plans" / "standard-tasks.yaml").read_text())
    tasks["tasks"][0]["done_when"] = "'a' * 10**9 != ''"
    (folder / "plans" / "standard-tasks.yaml").write_text(yaml.safe_dump(tasks, sort_keys=False))
    result = invoke("plan", site, "--templates", folder)
    assert result.exit_code == 1 and result.stderr.startswith("Error: "), result.output
    assert "very large" in result.stderr and "Traceback" not in result.output


def test_no_limit_is_left_behind_after_a_refusal(mini_site, tmp_path):
    """The memory limit and the alarm are the render's alone: afterwards the process may use memory freely."""
    import resource
    import signal

    before = resource.getrlimit(resource.RLIMIT_AS)
    folder = _consultant(tmp_path, "# Probe\n{% for i in range(100000) %}{{ 'a' * 199999 }}{% endfor %}\n")
    assert invoke("build", mini_site, "--templates", folder).exit_code == 1
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
    import mmap

    with mmap.mmap(-1, 1_500_000_000) as reserved:  # more address space than the render's headroom
        assert len(reserved) == 1_500_000_000  # (mapped, never touched: no real memory is used)
    shutil.rmtree(folder)


@pytest.mark.parametrize("first_out", ["first in", "second in"])
def test_budgets_in_two_threads_leave_no_limit_behind_whichever_ends_first(monkeypatch, first_out):
    """Two builds at once in one process (threads) each ran a budget; the limit is the whole process's,
    so the one that ended last put back the other's limit, and every later step of the process (a test
    suite, a long-lived host) ran short of memory: CI's 'Cannot allocate memory' after
    test_two_builds_at_once_get_different_versions. Now the last budget out restores what was there."""
    import resource
    import threading

    from readiness import sandbox

    before = (resource.getrlimit(resource.RLIMIT_AS), resource.getrlimit(resource.RLIMIT_CPU))
    sizes = iter([3 << 30, 2 << 30])  # the second thread finds less memory in use: a tighter limit
    monkeypatch.setattr(sandbox, "_memory_in_use", lambda: next(sizes))
    entered = [threading.Event(), threading.Event()]
    leave = [threading.Event(), threading.Event()]
    limits_inside = []

    def work(n):
        with sandbox.budget(5):
            limits_inside.append(resource.getrlimit(resource.RLIMIT_AS)[0])
            entered[n].set()
            assert leave[n].wait(10)

    threads = [threading.Thread(target=work, args=(n,)) for n in (0, 1)]
    threads[0].start()
    assert entered[0].wait(10)
    threads[1].start()
    assert entered[1].wait(10)
    order = (0, 1) if first_out == "first in" else (1, 0)
    for n in order:
        leave[n].set()
        threads[n].join(10)
    assert all(limit != resource.RLIM_INFINITY for limit in limits_inside)  # both worked under a limit
    assert (resource.getrlimit(resource.RLIMIT_AS), resource.getrlimit(resource.RLIMIT_CPU)) == before
