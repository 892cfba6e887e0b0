"""The terminal side of the interview: the only module that imports questionary.

`question_prompt` turns one question into one questionary prompt; `TerminalAsker` runs it and
turns what the person picked or typed into an engine reply (an answer, back, skip, review, quit).
Every prompt offers the same way out: choice lists carry "Show help", "Go back" and "More options"
entries; typed answers take `?` for help, `<` for back, and an empty Enter for more options.  The
same control keys work on every prompt, whatever its type (`KEYS`): Ctrl-K don't know, Ctrl-N not
applicable, Ctrl-S skip for now, Ctrl-O more options (note and evidence, review, save and quit).
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
from typing import Any, Collection, Iterator, Optional

import questionary
from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
from prompt_toolkit.styles import Style
from questionary import Choice, Separator

from readiness.interview import screens
from readiness.interview.engine import (
    AskResult, Back, Change, Continue, Finish, Progress, Quit, Reply, ReviewResult, ReviewRow, Skip, ToReview,
)
from readiness.interview.helptext import field_hint, help_lines, type_hint
from readiness.kernel.statuses import DONT_KNOW
from readiness.questionnaire.models import Field_, Question
from readiness.questionnaire.values import ValueProblem, _field, check_value
from readiness.workspace.models import Answer

# What a menu entry stands for; answers travel as ("value", value).
UNKNOWN, HELP, BACK, MORE = ("unknown",), ("help",), ("back",), ("more",)
NOTE, SKIP, REVIEW, QUIT, RETURN, NONE = ("note",), ("skip",), ("review",), ("quit",), ("return",), ("none",)
ADD, REMOVE, DONE, CANCEL, EMPTY, KEEP = ("add",), ("remove",), ("done",), ("cancel",), ("empty",), ("keep",)
NOT_APPLICABLE = ("not_applicable",)
ACTIONS = {UNKNOWN, HELP, BACK, MORE, NOTE, SKIP, REVIEW, QUIT, RETURN, NONE, KEEP, NOT_APPLICABLE}

# The one set of keys for every question type: (key, the reply); screens.keys_line names them on
# the hint line.  Ctrl-S is free: prompt_toolkit switches terminal flow control off while a prompt runs.
KEYS = (("c-k", UNKNOWN), ("c-n", NOT_APPLICABLE), ("c-s", SKIP), ("c-o", MORE))

STYLE = Style([
    ("qmark", "fg:#5f87d7 bold"), ("question", "bold"), ("answer", "fg:#00afaf bold"),
    ("pointer", "fg:#00afaf bold"), ("highlighted", "fg:#00afaf bold"), ("selected", "fg:#00afaf"),
    ("instruction", "fg:#8a8a8a italic"), ("separator", "fg:#8a8a8a"), ("disabled", "fg:#8a8a8a"),
    ("validation-toolbar", "fg:#ffffff bg:#af0000"),
])
SELECT_HINT = "(arrow keys, then Enter)"
MULTI_HINT = "(Space ticks, Enter when done; Enter with nothing ticked: more options)"


def with_keys(prompt: questionary.Question, question: Question) -> questionary.Question:
    """Bind the shared keys on one prompt; each ends the prompt with its reply.  On a checklist,
    Ctrl-O hands back what is ticked too, so a note can be added to a ticked list without losing it."""
    bindings = KeyBindings()
    for key, action in KEYS:
        if action == UNKNOWN and not question.allow_unknown:
            continue

        def reply(event, action=action) -> None:
            if action == MORE and question.type == "multi":
                ticked = [list(c.selected_options) for c in event.app.layout.find_all_controls()
                          if hasattr(c, "selected_options")]
                event.app.exit(result=("more", ticked[0] if ticked else []))
                return
            event.app.exit(result=action)

        bindings.add(key, eager=True)(reply)
    app = prompt.application
    app.key_bindings = merge_key_bindings([app.key_bindings, bindings]) if app.key_bindings else bindings
    return prompt


@contextlib.contextmanager
def fast_prompts() -> Iterator[None]:
    """Keep Enter-to-next-prompt quick (design.md: under 50 ms, autosave included).

    Two costs dominate otherwise: prompt_toolkit rebuilds its few hundred default key bindings for
    every prompt (they hold no state, so one set is shared), and the garbage those prompts leave
    makes Python stop for full collections of 50-150 ms at random moments.  Inside this block the
    automatic collector is off; `_ask` collects once each prompt is on screen, while the person reads.
    """
    from prompt_toolkit.application import application as pt_application

    original = pt_application.load_key_bindings
    pt_application.load_key_bindings = functools.lru_cache(maxsize=None)(original)
    was_enabled = gc.isenabled()
    gc.collect()
    gc.freeze()  # what is alive now (modules, the questionnaire) is never scanned again
    gc.disable()
    try:
        yield
    finally:
        pt_application.load_key_bindings = original
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def _ask(prompt: questionary.Question) -> Any:
    """Run a prompt (Ctrl-C raises KeyboardInterrupt); once drawn, tidy memory if the collector is off."""
    drawn: list[bool] = []

    def tidy(_app) -> None:
        if not drawn:
            drawn.append(True)
            if not gc.isenabled():
                asyncio.get_running_loop().call_soon(gc.collect)  # after this frame is out

    prompt.application.after_render += tidy
    return prompt.unsafe_ask()


def _value(v: Any) -> tuple:
    return ("value", v)


def _tail(question: Question) -> list:
    """The entries under a choice list: don't know, help, back, more options."""
    tail: list = [Choice(DONT_KNOW, UNKNOWN)] if question.allow_unknown else []
    tail.append(Separator(" "))
    if help_lines(question):
        tail.append(Choice("? Show help", HELP))
    tail += [Choice("<- Go back", BACK), Choice("More options (note, skip, review, save and quit)", MORE)]
    return tail


def _answer_choices(question: Question) -> list:
    if question.type == "yes_no":
        return [Choice("Yes", _value(True)), Choice("No", _value(False))]
    if question.type == "scale":
        spec = question.scale
        lo, hi, labels = (spec.min, spec.max, spec.labels) if spec else (1, 5, {})
        return [Choice(f"{p} - {labels[p]}" if p in labels else str(p), _value(p)) for p in range(lo, hi + 1)]
    return [Choice(c.label, _value(c.value), description=c.help) for c in question.choices]


def _default_for(choices: list, current: Optional[Answer]) -> Optional[Choice]:
    if current is None:
        return None
    wanted = UNKNOWN if current.status == "unknown" else _value(current.value)
    return next((c for c in choices if isinstance(c, Choice) and c.value == wanted), None)


def _text_validator(question: Question):
    def validate(text: str):
        if text.strip() in ("", "?", "<"):
            return True
        try:
            check_value(question, text)
        except ValueProblem as exc:
            return f"{str(exc)[:1].upper()}{str(exc)[1:]}."
        return True

    return validate


def question_prompt(question: Question, current: Optional[Answer], *, text: Optional[str] = None,
                    ticked: Optional[list] = None, **io: Any) -> questionary.Question:
    """The one prompt for a question, with the shared keys bound (records use `records_prompt` in a
    loop); `text` is the wording to show (the respondent's, see `worded`), `ticked` a checklist's
    ticks to restore."""
    return with_keys(_prompt(question, current, text or question.text, ticked, **io), question)


def _prompt(question: Question, current: Optional[Answer], text: str, ticked: Optional[Collection], **io: Any):
    common = dict(qmark="?", style=STYLE, **io)
    t = question.type
    if t in ("choice", "yes_no", "scale"):
        choices = _answer_choices(question) + _tail(question)
        return questionary.select(text, choices, default=_default_for(choices, current),
                                  instruction=SELECT_HINT, **common)
    if t == "multi":
        if ticked is not None:
            ticked = set(ticked)
        elif current is not None and current.status == "answered":
            ticked = set(current.value or [])
        else:
            ticked = set()
        choices = [Choice(c.label, c.value, checked=c.value in ticked, description=c.help) for c in question.choices]
        if question.allow_unknown:
            choices += [Separator(" "), Choice(DONT_KNOW, UNKNOWN, checked=current is not None
                                               and current.status == "unknown")]

        def one_kind(picked: list):
            if UNKNOWN in picked and len(picked) > 1:
                return f"{DONT_KNOW} cannot be ticked together with answers."
            return True

        return questionary.checkbox(text, choices, validate=one_kind, instruction=MULTI_HINT, **common)
    # No pre-filled text: `?` and `<` must work as typed; the current answer is kept from the menu.
    return questionary.text(text, validate=_text_validator(question),
                            instruction=type_hint(question) or None, **common)


def interpret(question: Question, raw: Any) -> Any:
    """What the person's input means: ("value", v) or one of the action tags."""
    if raw is None:
        return QUIT
    if isinstance(raw, tuple) and (raw[:1] == ("more",) or any(raw == a for a in ACTIONS)):
        return raw  # one of the shared keys
    if question.type in ("choice", "yes_no", "scale"):
        return raw
    if question.type == "multi":
        if not raw:
            return MORE
        return UNKNOWN if raw == [UNKNOWN] else _value(check_value(question, raw))
    text = str(raw).strip()
    return {"": MORE, "?": HELP, "<": BACK}.get(text) or _value(check_value(question, text))


def records_prompt(question: Question, entries: list, keep_default: bool = False, *, text: Optional[str] = None,
                   **io: Any) -> questionary.Question:
    """The "add another?" menu of a records question; `keep_default` points at Done (the answer is unchanged)."""
    word = "another" if entries else "an"
    choices = [Choice(f"Add {word} entry", ADD)]
    if entries:
        choices += [Choice(f"Done - keep these {len(entries)}" if len(entries) > 1 else "Done - keep this one", DONE),
                    Choice("Remove an entry", REMOVE)]
    else:
        choices.append(Choice("None to record", DONE))
    choices += _tail(question)
    default = choices[1] if keep_default and entries else None
    return with_keys(questionary.select(text or question.text, choices, default=default, instruction=SELECT_HINT,
                                        qmark="?", style=STYLE, **io), question)


def field_prompt(field: Field_, **io: Any) -> questionary.Question:
    """One field of a records entry; `<` (or the Cancel entry) abandons the entry."""
    label = field.label + ("" if field.required else " (optional)")
    common = dict(qmark="  >", style=STYLE, **io)
    if field.type in ("choice", "yes_no"):
        options = ([Choice("Yes", _value(True)), Choice("No", _value(False))] if field.type == "yes_no"
                   else [Choice(c.label, _value(c.value)) for c in field.choices])
        if not field.required:
            options.append(Choice("(leave empty)", EMPTY))
        options.append(Choice("Cancel this entry", CANCEL))
        return questionary.select(label, options, instruction=SELECT_HINT, **common)

    def validate(text: str):
        text = text.strip()
        if text == "<" or (not text and not field.required):
            return True
        if not text:
            return "Required: type a value, or < to cancel this entry."
        try:
            _field(field, text)
        except ValueProblem as exc:
            return f"{str(exc)[:1].upper()}{str(exc)[1:]}. Or type < to cancel this entry."
        return True

    return questionary.text(label, validate=validate, instruction=field_hint(field) or None, **common)


class TerminalAsker:
    """Asks questions in a terminal; `io` (input=, output=) lets tests drive it through a pipe."""

    def __init__(self, console=None, **io: Any):
        from readiness.console import out, plain_mode

        self.console = console or out()
        if plain_mode():  # --plain: no colour in the prompts either (NO_COLOR is honoured by prompt_toolkit)
            from prompt_toolkit.output import ColorDepth

            io.setdefault("color_depth", ColorDepth.MONOCHROME)
        self.io = io

    # ------------------------------------------------------------ engine protocol

    def tell(self, message: str) -> None:
        self.console.print(message, highlight=False, markup=False)

    def ask(self, question: Question, current: Optional[Answer], progress: Progress) -> AskResult:
        screens.header(self.console, question, current, progress)
        note: tuple[Optional[str], Optional[str]] = (None, None)
        draft = list(current.value) if (question.type == "records" and current is not None
                                        and current.status == "answered" and current.value) else []
        ticked: Optional[list] = None  # a checklist's ticks kept while a note is added
        while True:
            try:  # Ctrl-D (end of input) anywhere in here means: save and quit
                action = self._one(question, current, draft, progress.text, ticked)
                if isinstance(action, tuple) and action[:1] == ("more",):
                    if len(action) > 1:
                        ticked = action[1]
                    action = self._menu(question, current)
                if action == NOTE:
                    note = self._note(current)
                    continue
            except EOFError:
                return Quit()
            if action == KEEP:
                assert current is not None  # KEEP is offered only beside a current answer
                action = UNKNOWN if current.status == "unknown" else _value(current.value)
            if action == HELP:
                screens.show_help(self.console, question)
            elif action != RETURN:
                return _result(action, note)

    def review(self, rows: list[ReviewRow], remaining: int) -> ReviewResult:
        screens.review(self.console, rows, remaining)
        if remaining:
            choices = [Choice(f"Continue with the {remaining} still to answer", "continue"),
                       Choice("Change an answer", "change"), Choice("Finish for now (everything is saved)", "finish")]
        else:
            choices = [Choice("Finish", "finish"), Choice("Change an answer", "change")]
        while True:
            try:
                picked = _ask(questionary.select("What next?", choices, instruction=SELECT_HINT, style=STYLE,
                                                 **self.io))
                if picked == "continue":
                    return Continue()
                if picked == "finish" or picked is None:
                    return Finish()
                number = self._pick_number(len(rows))
            except EOFError:
                return Quit()
            if number is not None:
                return Change(rows[number - 1].qid)

    # ------------------------------------------------------------ pieces

    def _one(self, question: Question, current: Optional[Answer], draft: list, text: Optional[str] = None,
             ticked: Optional[list] = None) -> Any:
        if question.type == "records":
            return self._records(question, current, draft, text)
        raw = _ask(question_prompt(question, current, text=text, ticked=ticked, **self.io))
        return interpret(question, raw)

    def _menu(self, question: Question, current: Optional[Answer]) -> tuple:
        choices = []
        if question.type in ("text", "number", "date", "multi"):
            if current is not None and current.status in ("answered", "unknown"):
                kept = screens.short(screens.current_text(question, current), 50)
                choices.append(Choice(f"Keep the current answer: {kept}", KEEP))
            if question.type == "multi":
                choices.append(Choice("None of these", NONE))
            if question.allow_unknown and question.type != "multi":  # a checklist has its own entry
                choices.append(Choice(f"{DONT_KNOW}  (Ctrl-K)", UNKNOWN))
            if help_lines(question):
                choices.append(Choice("? Show help", HELP))
            choices.append(Choice("<- Go back to the previous question", BACK))
        choices += [
            Choice("Add a note or evidence to this answer", NOTE),
            Choice("Not applicable here  (Ctrl-N)", NOT_APPLICABLE),
            Choice("Skip this question for now  (Ctrl-S)", SKIP),
            Choice("Review answers so far", REVIEW),
            Choice("Save and quit (you can resume later)", QUIT),
            Choice("Return to the question", RETURN),
        ]
        picked = _ask(questionary.select("More options:", choices, instruction=SELECT_HINT, style=STYLE,
                                         **self.io))
        return RETURN if picked is None else picked

    def _note(self, current: Optional[Answer]) -> tuple[Optional[str], Optional[str]]:
        old_note = (current.note or "") if current else ""
        old_evidence = (current.evidence or "") if current else ""
        note = _ask(questionary.text("Note (optional):", default=old_note, style=STYLE, qmark="  >",
                                     instruction="(anything worth remembering about this answer)", **self.io))
        evidence = _ask(questionary.text("Evidence (optional):", default=old_evidence, style=STYLE, qmark="  >",
                                         instruction="(where it is written down: a letter, a policy, a web page)",
                                         **self.io))
        self.console.print("Noted. Now give the answer.", style="grey58", highlight=False, markup=False)
        return (note or "").strip() or None, (evidence or "").strip() or None

    def _records(self, question: Question, current: Optional[Answer], draft: list, text: Optional[str] = None) -> Any:
        while True:
            screens.entries(self.console, question, draft)
            unchanged = current is not None and current.status == "answered" and draft == current.value
            picked = _ask(records_prompt(question, draft, unchanged, text=text, **self.io))
            if picked == ADD:
                entry = self._entry(question)
                if entry:
                    draft.append(entry)
            elif picked == REMOVE:
                number = self._pick_number(len(draft), "Number of the entry to remove")
                if number is not None:
                    draft.pop(number - 1)
            elif picked == DONE:
                return _value(check_value(question, list(draft)))
            else:
                return QUIT if picked is None else picked

    def _entry(self, question: Question) -> Optional[dict]:
        self.console.print("New entry: type each detail, then Enter. Optional ones may be left empty; "
                           "type < to cancel the entry.", style="grey58", highlight=False, markup=False)
        entry: dict = {}
        for field in question.fields:
            raw = _ask(field_prompt(field, **self.io))
            if raw == CANCEL or (isinstance(raw, str) and raw.strip() == "<"):
                self.console.print("Entry canceled.", style="grey58", highlight=False, markup=False)
                return None
            if raw == EMPTY or raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            entry[field.id] = raw[1] if isinstance(raw, tuple) else _field(field, raw)
        return entry

    def _pick_number(self, count: int, message: str = "Number of the answer to change") -> Optional[int]:
        def valid(text: str):
            text = text.strip()
            if not text:
                return True
            return True if text.isdigit() and 1 <= int(text) <= count else f"Type a number from 1 to {count}."

        text = _ask(questionary.text(f"{message}:", validate=valid, instruction="(empty Enter to go back)",
                                     style=STYLE, **self.io))
        return int(text) if text and text.strip() else None


def _result(action: Any, note: tuple[Optional[str], Optional[str]]) -> AskResult:
    if action == BACK:
        return Back()
    if action == SKIP:
        return Skip()
    if action == REVIEW:
        return ToReview()
    if action == QUIT:
        return Quit()
    text, evidence = note
    if action == UNKNOWN:
        return Reply(Answer(status="unknown", note=text, evidence=evidence))
    if action == NOT_APPLICABLE:
        return Reply(Answer(status="not_applicable", note=text, evidence=evidence))
    if action == NONE:
        return Reply(Answer(value=[], note=text, evidence=evidence))
    return Reply(Answer(value=action[1], note=text, evidence=evidence))
