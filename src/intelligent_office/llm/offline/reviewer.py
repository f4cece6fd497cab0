"""Offline review: check real outputs against the request, and write the answer.

The checks are real: a call path must start at the start function, end at the end
function, link up, and every call must be found on the line of the file it cites; a
summary's sentences must come from the file; a snippet must exit cleanly. Results that
honestly say "not found" are approved, since that is the answer; a trace that finds no
chain while calls on the way could not be resolved says so, and names them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from intelligent_office.errors import ToolError
from intelligent_office.llm.base import ReviewRequest, ReviewResult
from intelligent_office.llm.offline.intents import Intent, IntentKind, parse_intent
from intelligent_office.llm.offline.search_pattern import search_pattern
from intelligent_office.models import (
    ExecutionResult,
    ExecutionStatus,
    Review,
    ReviewDecision,
    ReviewScores,
    StepStatus,
)
from intelligent_office.tools.code_analyzer.report import no_path_answer
from intelligent_office.tools.file_ops import read_text_file
from intelligent_office.tools.summarize import split_sentences

__all__ = ["review_execution"]

_SHOWN_LINES = 25


def review_execution(request: ReviewRequest) -> ReviewResult:
    """Judge one execution of a plan; the answer is filled in when it is approved."""
    failures = _failures(request.execution)
    if failures:
        return _revise(request, "the plan did not run to the end: " + "; ".join(failures))
    intent = parse_intent(request.subtask.description)
    outputs = _outputs_by_action(request)
    if intent is None:
        return _approve(request, json.dumps(outputs, indent=2, default=str), outputs)
    check = _CHECKS[intent.kind]
    return check(request, intent, outputs)


def _failures(execution: ExecutionResult) -> list[str]:
    if execution.status is ExecutionStatus.SUCCEEDED:
        return []
    found = []
    for step in execution.steps:
        if step.status in (StepStatus.FAILED, StepStatus.TIMED_OUT):
            found.append(f"step {step.step_id} failed: {(step.errors or ['unknown error'])[-1]}")
    return found or [f"execution {execution.status}"]


def _outputs_by_action(request: ReviewRequest) -> dict[str, dict[str, Any]]:
    """The outputs of the first step calling each tool, under the tool's name."""
    by_step = {step.step_id: step.outputs for step in request.execution.steps}
    found: dict[str, dict[str, Any]] = {}
    for step in request.plan.steps:
        if step.step_id in by_step:
            found.setdefault(step.action, by_step[step.step_id])
    return found


def _search_outputs(request: ReviewRequest, step_id: str) -> dict[str, Any]:
    """The outputs of the search_files step `step_id`; empty if there is no such step."""
    actions = {step.step_id: step.action for step in request.plan.steps}
    if actions.get(step_id) != "search_files":
        return {}
    return next((s.outputs for s in request.execution.steps if s.step_id == step_id), {})


def _verdict(
    request: ReviewRequest,
    decision: ReviewDecision,
    feedback: str = "",
    score: float = 0.0,
    answer: str = "",
    details: Any = None,
) -> ReviewResult:
    scores = ReviewScores(completeness=score, accuracy=score, quality=score, safety=1.0)
    review = Review(
        plan_id=request.plan.plan_id, decision=decision, feedback=feedback, scores=scores
    )
    return ReviewResult(review=review, answer=answer, details=details)


def _approve(request: ReviewRequest, answer: str, details: Any = None) -> ReviewResult:
    return _verdict(request, ReviewDecision.APPROVE, score=1.0, answer=answer, details=details)


def _revise(request: ReviewRequest, feedback: str) -> ReviewResult:
    return _verdict(request, ReviewDecision.REVISE, feedback, score=0.3)


def _fail(request: ReviewRequest, feedback: str) -> ReviewResult:
    return _verdict(request, ReviewDecision.FAIL, feedback)


_LARGEST_SOURCE = 5_000_000  # bytes; the code analyzer skips larger files too


def _workspace_text(request: ReviewRequest, file: str) -> str | None:
    """A text file's content, if it is a regular file inside the workspace."""
    try:
        text = read_text_file(Path(request.workspace), file, _LARGEST_SOURCE)
    except ToolError:
        return None
    return None if text.truncated else text.content


def _source_line(request: ReviewRequest, file: str, line: int) -> str | None:
    text = _workspace_text(request, file)
    lines = text.splitlines() if text is not None else []
    return lines[line - 1] if 0 < line <= len(lines) else None


def _matches(qualname: str, name: str) -> bool:
    """Whether `qualname` is the function `name` means; `Cls()` means `Cls.__init__` too."""
    wanted = name.removesuffix("()")
    for candidate in (qualname, qualname.removesuffix(".__init__")):
        if candidate == wanted or candidate.endswith("." + wanted):
            return True
    return False


def _skipped_note(out: dict[str, Any]) -> str:
    skipped = out.get("skipped") or []
    if not skipped:
        return ""
    listed = ", ".join(f"{item['file']} ({item['reason']})" for item in skipped[:5])
    more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
    return f"\nSkipped {len(skipped)} file(s) that could not be parsed: {listed}{more}."


def _not_found(out: dict[str, Any], root: str) -> str:
    lines = []
    for item in out.get("missing") or []:
        closest = ", ".join(item.get("closest") or []) or "none"
        lines.append(
            f"Not found: {item['name']}() is not defined in {root}. Closest names: {closest}."
        )
    return "\n".join(lines)


def _check_trace(request: ReviewRequest, intent: Intent, outputs: dict[str, Any]) -> ReviewResult:
    out = outputs.get("trace_calls")
    if out is None:
        return _revise(request, "the plan has no trace_calls step: trace the calls with it")
    start, end, root = intent.params["start"], intent.params["end"], intent.params["root"]
    corrected: dict[str, str] = out.get("corrected") or {}
    note = _corrected_note(corrected, root)
    start, end = corrected.get(start, start), corrected.get(end, end)
    if out.get("missing"):
        return _approve(request, _not_found(out, root) + _skipped_note(out), out)
    if not out.get("found") or not out.get("paths"):
        # Unresolved calls could contradict a "no": the answer names them (report.py).
        answer = no_path_answer(out, start, end, root)
        return _approve(request, note + answer + _skipped_note(out), out)
    problems: list[str] = []
    for number, path in enumerate(out["paths"], start=1):
        problems += [
            f"path {number}: {problem}" for problem in _path_problems(request, path, start, end)
        ]
    if problems:
        return _revise(request, "the call path does not hold up: " + "; ".join(problems[:5]))
    return _approve(request, note + _trace_answer(out, start, end) + _skipped_note(out), out)


def _corrected_note(corrected: dict[str, str], root: str) -> str:
    """Says which typed names were taken for which defined ones, before the answer."""
    return "".join(
        f"Not found: {typed}() is not defined in {root}; the closest name is {used}(),"
        " used below.\n"
        for typed, used in corrected.items()
    )


def _path_problems(request: ReviewRequest, path: dict[str, Any], start: str, end: str) -> list[str]:
    calls = path.get("calls") or []
    if not calls:
        return ["it has no calls"]
    problems = []
    if not _matches(calls[0]["caller"], start):
        problems.append(f"it starts at {calls[0]['caller']}, not {start}()")
    if not _matches(calls[-1]["callee"], end):
        problems.append(f"it ends at {calls[-1]['callee']}, not {end}()")
    for before, after in zip(calls, calls[1:], strict=False):
        if before["callee"] != after["caller"]:
            problems.append(f"{before['callee']} does not lead to {after['caller']}")
    for call in calls:
        text = _source_line(request, call["file"], int(call["line"]))
        if text is None or not _names_word(text, call["callee_name"]):
            problems.append(f"no call to {call['callee_name']} at {call['file']}:{call['line']}")
    return problems


def _names_word(text: str, name: str) -> bool:
    """Whether the source line shows `name`; a `with` line shows the keyword as a word."""
    if name == "with":
        return re.search(r"\bwith\b", text) is not None
    return name in text


_KIND_NOTES = {
    "with": "with statement: __enter__/__exit__",
    "property": "property read",
    "override": "possible: override in a subclass",
    "callback": "possible: passed as a callback",
}


def _kind_note(call: dict[str, Any]) -> str:
    note = _KIND_NOTES.get(str(call.get("kind") or "call"))
    return f"  ({note})" if note else ""


def _trace_answer(out: dict[str, Any], start: str, end: str) -> str:
    blocks = []
    for number, path in enumerate(out["paths"], start=1):
        calls = path["calls"]
        heading = "Call sequence" if len(out["paths"]) == 1 else f"Call sequence {number}"
        lines = [f"{heading} from {start}() to {end}() ({len(calls)} calls):"]
        lines.append(f"  {calls[0]['caller']}()")
        for call in calls:
            lines.append(
                f"  -> {call['callee']}()    called at {call['file']}:{call['line']}"
                + _kind_note(call)
            )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _check_find(request: ReviewRequest, intent: Intent, outputs: dict[str, Any]) -> ReviewResult:
    name, root = intent.params["name"], intent.params["root"]
    out = outputs.get("find_function")
    if out is None:
        return _find_by_search(request, name, root)
    corrected: dict[str, str] = out.get("corrected") or {}
    note = _corrected_note(corrected, root)
    name = corrected.get(name, name)
    definitions = out.get("definitions") or []
    if not definitions:
        closest = ", ".join(out.get("closest") or []) or "none"
        answer = f"Not found: {name}() is not defined in {root}. Closest names: {closest}."
        return _approve(request, answer + _skipped_note(out), out)
    short = name.split(".")[-1]
    for item in definitions:
        text = _source_line(request, item["file"], int(item["line"])) or ""
        if short not in text:
            return _revise(request, f"no definition of {short} at {item['file']}:{item['line']}")
    lines = [f"{name}() is defined at:"]
    lines += [f"  {d['file']}:{d['line']}  {d['qualname']} ({d['kind']})" for d in definitions]
    lines += _callers_lines(out)
    return _approve(request, note + "\n".join(lines) + _skipped_note(out), out)


def _callers_lines(out: dict[str, Any]) -> list[str]:
    """The graph's callers, then the name matches it did not resolve (possible callers)."""
    callers = out.get("callers") or []
    possible = out.get("possible_callers") or []
    if callers:
        lines = [f"Called from {len(callers)} place(s):"]
    else:
        lines = ["The call graph resolved no call to it." if possible else "No callers found."]
    for caller in callers[:_SHOWN_LINES]:
        lines.append(
            f"  {caller['file']}:{caller['line']}  in {caller['caller']}{_kind_note(caller)}"
        )
    if len(callers) > _SHOWN_LINES:
        lines.append(f"  ... and {len(callers) - _SHOWN_LINES} more")
    if possible:
        total = int(out.get("possible_callers_count") or len(possible))
        lines.append(
            f"{total} possible caller(s) by name match, calls the call graph could not"
            " resolve to it:"
        )
        lines += [
            f"  {m['file']}:{m['line']}  possible caller (name match): {m['text']}"
            for m in possible[:_SHOWN_LINES]
        ]
        if total > min(len(possible), _SHOWN_LINES):
            lines.append(f"  ... and {total - min(len(possible), _SHOWN_LINES)} more")
    elif "possible_callers_count" in out:
        lines.append("A textual search for the name finds no other use.")
    return lines


def _find_by_search(request: ReviewRequest, name: str, root: str) -> ReviewResult:
    definitions = _search_outputs(request, "definitions").get("matches") or []
    calls = _search_outputs(request, "calls").get("matches") or []
    if not definitions:
        return _approve(request, f"Not found: no definition of {name}() in {root} (regex search).")
    lines = [f"{name}() is defined at (found by regex search):"]
    lines += [f"  {m['file']}:{m['line']}  {m['text']}" for m in definitions]
    callers = [m for m in calls if m not in definitions and "def " not in m["text"]]
    lines.append(f"Called from {len(callers)} place(s):" if callers else "No callers found.")
    lines += [f"  {m['file']}:{m['line']}  {m['text']}" for m in callers[:_SHOWN_LINES]]
    return _approve(request, "\n".join(lines), {"definitions": definitions, "calls": callers})


def _check_search(request: ReviewRequest, intent: Intent, outputs: dict[str, Any]) -> ReviewResult:
    out = outputs.get("search_files") or {}
    matches = out.get("matches") or []
    typed = search_pattern(intent.params["pattern"])
    step = next((s for s in request.plan.steps if s.action == "search_files"), None)
    searched = str(step.inputs.get("pattern")) if step is not None else typed.regex
    ignore_case = step is not None and bool(step.inputs.get("ignore_case"))
    # How the pattern was really searched: as typed (a regex), or escaped (literal text).
    how = typed.described() if searched == typed.regex else "searched for as literal text"
    as_regex = searched == typed.regex and typed.mode == "regex"
    quote = "'" if '"' in typed.typed else '"'
    shown = f"{quote}{typed.typed}{quote} ({how}{', ignoring case' if ignore_case else ''})"
    if not matches and not ignore_case and searched == typed.regex:
        return _revise(
            request, f"no matches for {shown} with case-sensitive search: search ignoring case"
        )
    if not matches and as_regex:
        return _revise(request, f"no matches for {shown}: search for the literal text")
    if not matches:
        return _approve(request, f"No matches for {shown} in {intent.params['path']}.", out)
    truncated = " (truncated)" if out.get("truncated") else ""
    lines = [f"{len(matches)} match(es) for {shown}{truncated}:"]
    lines += [f"  {m['file']}:{m['line']}  {m['text']}" for m in matches[:_SHOWN_LINES]]
    if len(matches) > _SHOWN_LINES:
        lines.append(f"  ... and {len(matches) - _SHOWN_LINES} more")
    return _approve(request, "\n".join(lines), out)


def _check_list(request: ReviewRequest, intent: Intent, outputs: dict[str, Any]) -> ReviewResult:
    out = outputs.get("list_files") or {}
    files = out.get("files") or []
    lines = [
        f"{len(files)} file(s) matching {intent.params['pattern']} in {intent.params['path']}:"
    ]
    lines += [f"  {name}" for name in files[:100]]
    if len(files) > 100 or out.get("truncated"):
        lines.append("  ... (more not shown)")
    return _approve(request, "\n".join(lines), out)


def _check_read(request: ReviewRequest, intent: Intent, outputs: dict[str, Any]) -> ReviewResult:
    out = outputs.get("read_file") or {}
    content = out.get("content")
    if content is None:
        return _revise(request, f"read_file returned no content for {intent.params['path']}")
    note = f"\n[truncated: showing part of {out.get('size')} bytes]" if out.get("truncated") else ""
    return _approve(request, f"{out.get('path', intent.params['path'])}:\n{content}{note}", out)


def _check_summary(request: ReviewRequest, intent: Intent, outputs: dict[str, Any]) -> ReviewResult:
    out = outputs.get("summarize_file") or {}
    summary = out.get("summary") or []
    if not summary:
        return _revise(request, f"the summary of {intent.params['path']} is empty")
    source = str(out.get("path", intent.params["path"]))
    content = _workspace_text(request, source)
    if content is None:
        return _revise(request, f"cannot re-read {source} in the workspace to check the summary")
    # The tool drops markup and code and joins lines: compare with the file read that way.
    sentences = split_sentences(content, source)
    invented = [s for s in summary if not _is_sentence_of(str(s), sentences)]
    if invented:
        return _revise(request, f"summary sentences not found in the file: {invented[:2]}")
    total = out.get("sentence_count")
    lines = [f"Summary of {out.get('path')} ({len(summary)} of {total} sentences, extractive):"]
    lines += [f"  - {sentence}" for sentence in summary]
    return _approve(request, "\n".join(lines), out)


def _is_sentence_of(sentence: str, sentences: list[str]) -> bool:
    """One of `sentences`, or the start of one when the tool shortened it with "…"."""
    if sentence.endswith("…"):
        start = sentence.removesuffix("…")
        return any(candidate.startswith(start) for candidate in sentences)
    return sentence in sentences


def _check_calculate(
    request: ReviewRequest, intent: Intent, outputs: dict[str, Any]
) -> ReviewResult:
    out = outputs.get("calculate") or {}
    value = out.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return _revise(request, f"the calculation returned {value!r}, not a number")
    # Say what was computed, as the tool read it (a forked run may have edited it).
    expression = out.get("expression") or intent.params["expression"]
    return _approve(request, f"{expression} = {value}", out)


def _check_python(request: ReviewRequest, intent: Intent, outputs: dict[str, Any]) -> ReviewResult:
    out = outputs.get("python_exec") or {}
    if out.get("timed_out"):
        return _fail(request, "the snippet ran past its time limit and was stopped")
    code = out.get("exit_code")
    if code != 0:
        last = (str(out.get("stderr") or "").strip().splitlines() or ["no error output"])[-1]
        return _fail(request, f"the snippet exited with code {code}: {last}")
    stdout = str(out.get("stdout") or "")
    return _approve(request, stdout.rstrip("\n") or "(the snippet printed nothing)", out)


def _check_write(request: ReviewRequest, intent: Intent, outputs: dict[str, Any]) -> ReviewResult:
    out = outputs.get("write_file") or {}
    written = str(out.get("path") or intent.params["path"])
    if _workspace_text(request, written) != intent.params["content"]:
        return _revise(request, f"{written} does not hold the text that was asked for")
    return _approve(request, f"wrote {out.get('bytes_written')} bytes to {written}", out)


def _check_documents(
    request: ReviewRequest, intent: Intent, outputs: dict[str, Any]
) -> ReviewResult:
    out = outputs.get("search_documents") or {}
    results = out.get("results") or []
    query = intent.params["query"]
    answer = str(out.get("answer") or "")
    if not results:
        return _approve(request, f"Nothing in your documents about {query!r}.", out)
    # The tool's answer leads (the sentences that answer, or that none does). Its numbered
    # sources follow, and only those it cites: a passage that merely came up in the search
    # is not presented as being about the question.
    cited = {int(number) for number in re.findall(r"\[(\d+)\]", answer)}
    lines = [answer] if answer else []
    if cited:
        lines.append("Sources:")
    else:
        lines.append(f"The nearest passages in your documents (they do not answer {query!r}):")
    for number, found in enumerate(results, 1):
        if cited and number not in cited:
            continue
        text = " ".join(str(found.get("text", "")).split())
        lines.append(f"  [{number}] {found.get('location')}: {text[:200]}")
    return _approve(request, "\n".join(lines), out)


_CHECKS = {
    IntentKind.TRACE: _check_trace,
    IntentKind.FIND_FUNCTION: _check_find,
    IntentKind.SEARCH: _check_search,
    IntentKind.LIST_FILES: _check_list,
    IntentKind.READ_FILE: _check_read,
    IntentKind.SUMMARIZE: _check_summary,
    IntentKind.CALCULATE: _check_calculate,
    IntentKind.PYTHON: _check_python,
    IntentKind.WRITE_FILE: _check_write,
    IntentKind.SEARCH_DOCUMENTS: _check_documents,
}
