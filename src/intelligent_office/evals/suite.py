"""The eval suite format: cases of real tasks, each with a workspace and checks on the outcome.

A suite is a YAML file:

    name: office                  # optional; the file's stem otherwise
    cases:
      - id: trace-click-main
        capability: trace
        tags: [smoke]
        task: "Trace the call sequence from main() to invoke()"
        workspace: {package: click}          # or {path: examples/sample_app}, {scratch: {}}
        allowed_tools: [trace_calls]         # optional
        approvals: deny                      # what a human answers when asked (deny | approve)
        checks:
          status: completed
          call_chain: {from: main, to: invoke}
          tool_used: trace_calls

Every error is one line naming the file, the case and the field.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from intelligent_office.errors import SuiteError
from intelligent_office.models import Criterion

__all__ = [
    "CallChainCheck",
    "Checks",
    "CitesCallsCheck",
    "DefinedAtCheck",
    "EvalCase",
    "FileContentCheck",
    "ListsFilesCheck",
    "Suite",
    "WorkspaceSpec",
    "load_suite",
    "package_directory",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _as_list(value: Any) -> Any:
    """One string where a list is expected is a list of one."""
    return [value] if isinstance(value, str) else value


class WorkspaceSpec(_Strict):
    """Where a case's task runs: a folder, an installed package's source, or a fresh folder."""

    path: str | None = Field(
        default=None, description="A folder, relative to the suite file or a folder above it."
    )
    package: str | None = Field(
        default=None, description="An import name; its installed source folder, read in place."
    )
    scratch: dict[str, str] | None = Field(
        default=None, description="A new empty folder per case with these files (path: text)."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [name for name in ("path", "package", "scratch") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of path, package or scratch")
        return self


class CallChainCheck(_Strict):
    """The answer's call chain: equal to one the code analyzer proves, or through given hops.

    With `from` and `to`, the analyzer traces the real workspace at check time and every
    chain the answer gives between them must be one of its shortest chains, call sites
    included. With `hops`, the answer's chain must pass through each hop in order and
    every call it cites must be on the cited line of the cited file.
    """

    start: str | None = Field(default=None, alias="from")
    end: str | None = Field(default=None, alias="to")
    root: str = Field(default=".", description="The folder to analyse, in the workspace.")
    hops: list[str] | None = Field(default=None, min_length=2)

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        traced = self.start is not None and self.end is not None
        if traced == (self.hops is not None) or (self.start is None) != (self.end is None):
            raise ValueError("give either from and to, or hops (a list of at least two names)")
        return self


class DefinedAtCheck(_Strict):
    """Every definition of `name` the analyzer finds is cited (file:line) in the answer."""

    name: str
    root: str = "."


class CitesCallsCheck(_Strict):
    """Every line of the root's code calling `name` (a textual search) is cited file:line.

    The search is the analyzer's independent one (`name(` as a name token, not in strings,
    comments, imports or its own `def`), so "who calls X" must be complete: each call
    either resolved by the call graph or listed as a possible caller.
    """

    name: str = Field(pattern=r"^[A-Za-z_]\w*$")
    root: str = "."


class FileContentCheck(_Strict):
    """A file of the workspace after the run."""

    path: str
    equals: str | None = None
    contains: str | None = None
    absent: bool = Field(default=False, description="The file must not exist.")

    @model_validator(mode="after")
    def _one(self) -> Self:
        if sum((self.equals is not None, self.contains is not None, self.absent)) != 1:
            raise ValueError("give exactly one of equals, contains or absent: true")
        return self


class ListsFilesCheck(_Strict):
    """Every file matching `glob` directly in `path` (of the real workspace) is in the answer."""

    path: str = "."
    glob: str = "*"


class Checks(_Strict):
    """What must hold after the run; each given check is computed and reported."""

    status: Literal["completed", "dead_lettered", "unsupported"] | None = None
    answer_contains: list[str] = Field(default_factory=list)
    answer_not_contains: list[str] = Field(default_factory=list)
    answer_matches: str | None = Field(default=None, description="A regex searched for.")
    call_chain: CallChainCheck | None = None
    defined_at: DefinedAtCheck | None = None
    cites_calls: CitesCallsCheck | None = None
    cites_real_lines: bool = Field(
        default=False, description="Every file:line the answer cites exists in the workspace."
    )
    shows_file: str | None = Field(
        default=None, description="The answer shows this file's first non-blank line."
    )
    lists_files: ListsFilesCheck | None = None
    file_content: FileContentCheck | None = None
    tool_used: list[str] = Field(default_factory=list)
    tool_not_used: list[str] = Field(default_factory=list)
    gap_missing: list[str] = Field(
        default_factory=list, description="Capabilities a tool-gap report must name."
    )
    failure_category: str | None = Field(default=None, description="e.g. policy, validation.")
    max_iterations: int | None = Field(default=None, ge=1)
    asked: bool | None = Field(
        default=None,
        description="Whether the run asked a person (an approval of any kind): false runs alone.",
    )
    max_cost: float | None = Field(default=None, ge=0, description="USD, models only.")

    @field_validator(
        "answer_contains", "answer_not_contains", "tool_used", "tool_not_used", "gap_missing",
        mode="before",
    )  # fmt: skip
    @classmethod
    def _one_is_a_list(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("answer_matches")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as error:
                raise ValueError(f"not a valid regular expression: {error}") from None
        return value

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("a case needs at least one check")
        return self


class EvalCase(_Strict):
    """One task to run and what must hold afterwards."""

    id: str = Field(pattern=r"^[\w.-]{1,128}$")
    capability: str = Field(min_length=1, max_length=64)
    task: str = Field(min_length=1)
    workspace: WorkspaceSpec
    allowed_tools: list[str] | None = None
    approvals: Literal["deny", "approve"] = Field(
        default="deny", description="How the eval answers a request for human approval."
    )
    tags: list[str] = Field(default_factory=list)
    documents: dict[str, str] | None = Field(
        default=None,
        description=(
            "Files (path: text) ingested into the case's own memory before its task runs."
            " The case runs as its own user, so no other case sees them (memory on)."
        ),
    )
    criteria: list[Criterion] = Field(
        default_factory=list,
        description=(
            "The task's own acceptance criteria, spelled as on the command line:"
            " `regex:PATTERN`, `file:PATH`, `command:CMD`, or words."
        ),
    )
    checks: Checks

    @field_validator("criteria", mode="before")
    @classmethod
    def _criteria_as_specs(cls, value: Any) -> Any:
        items = _as_list(value)
        if not isinstance(items, list):
            return items
        return [Criterion.parse(item) if isinstance(item, str) else item for item in items]

    @field_validator("documents")
    @classmethod
    def _documents_stay_inside(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for name in value or {}:
            parts = Path(name).parts
            if not parts or Path(name).is_absolute() or ".." in parts:
                raise ValueError(f"document {name!r}: give a relative path without '..'")
        if value is not None and not value:
            raise ValueError("documents: give at least one file (path: text)")
        return value

    @field_validator("tags", "allowed_tools", mode="before")
    @classmethod
    def _one_is_a_list(cls, value: Any) -> Any:
        return _as_list(value)


class Suite(_Strict):
    """A named list of cases, loaded from `path`."""

    name: str
    path: Path
    cases: list[EvalCase]

    @model_validator(mode="after")
    def _unique_ids(self) -> Self:
        seen: set[str] = set()
        for case in self.cases:
            if case.id in seen:
                raise ValueError(f"case id {case.id!r} is used twice")
            seen.add(case.id)
        return self

    def select(
        self, *, tags: list[str] | None = None, ids: list[str] | None = None
    ) -> list[EvalCase]:
        """The cases carrying any of `tags` and named in `ids` (None: no filter)."""
        chosen = [case for case in self.cases if not tags or set(tags) & set(case.tags)]
        if ids:
            unknown = sorted(set(ids) - {case.id for case in self.cases})
            if unknown:
                raise SuiteError(f"{self.path}: no case {unknown[0]!r} in this suite")
            chosen = [case for case in chosen if case.id in ids]
        return chosen

    def workspace_of(self, case: EvalCase) -> Path | None:
        """The folder a case runs in; None for a scratch workspace (made per run).

        Raises:
            SuiteError: the folder or package does not exist.
        """
        spec = case.workspace
        if spec.package is not None:
            return package_directory(spec.package, f"{self.path}: case {case.id!r}")
        if spec.path is None:
            return None
        base = self.path.resolve().parent
        for folder in (base, *base.parents):
            candidate = folder / spec.path
            if candidate.is_dir():
                return candidate
        raise SuiteError(
            f"{self.path}: case {case.id!r}: workspace.path {spec.path!r} is not a folder"
            " next to the suite file or above it"
        )


def package_directory(name: str, where: str = "") -> Path:
    """The folder an importable package is installed in, found without importing it.

    Raises:
        SuiteError: no such package, or a single module rather than a package.
    """
    prefix = f"{where}: " if where else ""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        raise SuiteError(f"{prefix}workspace.package {name!r} is not installed: pip install it")
    locations = list(spec.submodule_search_locations or [])
    if not locations:
        raise SuiteError(f"{prefix}workspace.package {name!r} is a module, not a package")
    return Path(locations[0])


def load_suite(path: Path) -> Suite:
    """Read and validate a suite file; every problem is one line naming the case and field.

    Raises:
        SuiteError: the file is missing, not YAML, or not a valid suite.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError:
        raise SuiteError(f"{path}: cannot be read: check the path") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise SuiteError(f"{path}: malformed YAML{where}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cases"), list):
        raise SuiteError(f"{path}: expected a mapping with a list of cases")
    data = {"name": path.stem, **raw, "path": path}
    try:
        suite = Suite.model_validate(data)
    except ValidationError as error:
        raise SuiteError(_one_line(path, raw, error)) from None
    for case in suite.cases:
        suite.workspace_of(case)  # a missing package or folder is reported now, not mid-run
    return suite


def _one_line(path: Path, raw: dict[str, Any], error: ValidationError) -> str:
    first = error.errors()[0]
    location = list(first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    if len(location) >= 2 and location[0] == "cases" and isinstance(location[1], int):
        index = location[1]
        case = raw["cases"][index]
        name = case.get("id") if isinstance(case, dict) else None
        field = ".".join(str(part) for part in location[2:]) or "case"
        label = f"case {name!r}" if name else f"case #{index + 1}"
        return f"{path}: {label} (cases[{index}]): {field}: {message}"
    field = ".".join(str(part) for part in location) or "suite"
    return f"{path}: {field}: {message}"
