"""The README's generated parts: the command table, every command's --help, and a real `score --format json`.

The README holds cog blocks that call these functions; `cog -r -I tools README.md` regenerates them
and `tests/test_readme.py` fails when the README has drifted from the real commands. Everything here
runs the real commands as a user would (plain mode, 100 columns), so the README shows exactly what
people see.
"""
from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDTH = "100"


@functools.cache
def _run(*args: str) -> str:
    """What `lead-readiness --plain ARGS` prints on a 100-column terminal (run in-process: it is quick)."""
    from typer.testing import CliRunner

    from readiness.cli import app

    env = {k: None for k in os.environ if k.startswith("LEAD_READINESS_")}
    env.update(COLUMNS=WIDTH, LEAD_READINESS_PLAIN="1", NO_COLOR="1", LEAD_READINESS_NO_CACHE="1")
    result = CliRunner().invoke(app, ["--plain", *args], env=env, prog_name="lead-readiness")
    if result.exit_code != 0:
        raise RuntimeError(f"lead-readiness {' '.join(args)} exited {result.exit_code}: {result.output}")
    return result.stdout


def commands() -> list[str]:
    """The command names, in the order `--help` lists them."""
    text = _run("--help")
    block = text.split("Commands:", 1)[1]
    return [line.split()[0] for line in block.splitlines() if line.startswith("  ") and line.split()]


def _options(help_text: str) -> list[str]:
    """`[--name VALUE]` for each option of a command's --help (no brackets when it is required)."""
    block = help_text.split("Options:", 1)[1] if "Options:" in help_text else ""
    entries: list[list[str]] = []
    for line in block.splitlines():
        if re.match(r"^  -", line):
            entries.append([line])
        elif entries:
            entries[-1].append(line)
    found = []
    for entry in entries:
        m = re.match(r"^  (?:-\w, )?(--[\w-]+)(?: <([^>]+)>| ([A-Z][\w.,=-]*))?", entry[0])
        if not m or m.group(1) == "--help":
            continue
        value = m.group(2) or m.group(3)
        text = f"{m.group(1)} {_metavar(m.group(1), value)}" if value else m.group(1)
        found.append(text if "[required]" in " ".join(entry) else f"[{text}]")
    return found


def _metavar(option: str, value: str) -> str:
    """`<str>` and `<path>` say little; name the value after its option (--name NAME, --state XX)."""
    if value in ("str", "path", "int", "integer", "text"):
        return {"--state": "XX", "--questionnaire": "FILE", "--answers": "FILE", "--output": "FILE", "--templates": "DIR",
                "--only": "ID,..."}.get(option, option.lstrip("-").upper().replace("-", "_"))
    return value.replace("|", "\\|")


def _usage(name: str, help_text: str) -> str:
    usage = help_text.split("Usage:", 1)[1].splitlines()[0].strip()
    args = usage.split("[OPTIONS]", 1)[1].strip() if "[OPTIONS]" in usage else ""
    args = re.sub(r"\{(\w+)\}", lambda m: m.group(1).upper(), args)
    args = re.sub(r"\[(\w+)\]", lambda m: f"[{m.group(1).upper()}]", args)
    return " ".join(part for part in (f"lead-readiness {name}", args) if part)


def _summary(help_text: str) -> str:
    body = help_text.split("\n\n", 1)[1] if "\n\n" in help_text else ""
    first = body.split("\n\n", 1)[0]
    return " ".join(first.split())


def command_table() -> str:
    rows = ["| Command | What it does |", "|---|---|"]
    for name in commands():
        text = _run(name, "--help")
        options = " ".join(_options(text))
        rows.append(f"| `{_usage(name, text)}{' ' + options if options else ''}` | {_summary(text)} |")
    return "\n".join(rows)


def command_help() -> str:
    parts = []
    for name in ["", *commands()]:
        text = _run(*([name] if name else []), "--help").rstrip()
        title = f"lead-readiness {name}".strip()
        parts.append(f"#### `{title}`\n\n```\n{text}\n```")
    return "\n\n".join(parts)


def _trim(value, depth: int = 0):
    """Keep one element of every list (and say how many there were), so the sample stays short."""
    if isinstance(value, list):
        return [_trim(value[0], depth + 1)] if value else []
    if isinstance(value, dict):
        return {k: _trim(v, depth + 1) for k, v in value.items()}
    return value


def score_json() -> str:
    """`score --format json` on the bundled Harbor County example, each list cut to its first entry."""
    data = json.loads(_run("score", str(ROOT / "examples" / "harbor-county"), "--format", "json"))
    return json.dumps(_trim(data), indent=2, ensure_ascii=False)


def emit(text: str) -> None:
    """For cog blocks: print the text so cog puts it in the README."""
    print(text)
