"""code_analyzer: call resolution feature by feature, the tools' answers, the sample app's
chain, and chains read by hand from real third-party packages installed in the venv."""

from __future__ import annotations

import importlib.util
import textwrap
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from intelligent_office.errors import ToolError
from intelligent_office.tools import ToolContext
from intelligent_office.tools.code_analyzer import (
    CallGraph,
    analyze_tree,
    find_function,
    trace_calls,
)

REPO = Path(__file__).resolve().parents[2]


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def edges(graph: CallGraph) -> set[tuple[str, str]]:
    return {(edge.caller, edge.callee) for edge in graph.edges}


def chain(result: Any, index: int = 0) -> list[str]:
    functions: list[str] = result["paths"][index]["functions"]
    return functions


def assert_lines_name_callees(workspace: Path, calls: list[dict[str, Any]]) -> None:
    """Each call's file:line shows the callee's name, as a reviewer would check it."""
    for call in calls:
        line = (workspace / call["file"]).read_text().splitlines()[call["line"] - 1]
        assert call["callee_name"] in line, (call, line)


@pytest.fixture
def ctx(tmp_path: Path) -> ToolContext:
    return ToolContext(workspace=tmp_path)


async def trace(ctx: ToolContext, root: str, start: str, end: str, **more: Any) -> Any:
    return await trace_calls(ctx, {"root": root, "start": start, "end": end, **more})


async def find(ctx: ToolContext, root: str, name: str) -> Any:
    return await find_function(ctx, {"root": root, "name": name})


# -- resolution, feature by feature ---------------------------------------------------


def test_module_level_functions_and_nested_functions(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "tool.py": """
                def helper():
                    return 1

                def outer():
                    def inner():
                        return helper()
                    return inner()

                if __name__ == "__main__":
                    outer()
            """
        },
    )
    graph = analyze_tree(tmp_path)
    assert edges(graph) == {
        ("tool.outer", "tool.outer.inner"),
        ("tool.outer.inner", "tool.helper"),
        ("tool.<module>", "tool.outer"),
    }
    kinds = {name: d.kind for name, d in graph.definitions.items()}
    assert kinds == {
        "tool.helper": "function",
        "tool.outer": "function",
        "tool.outer.inner": "nested",
    }


def test_imports_across_packages_aliases_and_relative_imports(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "proj/__init__.py": "",
            "proj/util/__init__.py": "from .text import clean\n",
            "proj/util/text.py": "def clean(s):\n    return s.strip()\n",
            "proj/util/numbers.py": "def parse(s):\n    return int(s)\n",
            "proj/core/__init__.py": "",
            "proj/core/engine.py": """
                import proj.util.numbers
                import proj.util.text as text_mod
                from proj.util import clean as tidy
                from . import steps
                from .. import util
                from ..util.numbers import parse as to_int

                def dotted(s):
                    return proj.util.numbers.parse(s)

                def module_alias(s):
                    return text_mod.clean(s)

                def function_alias(s):
                    return tidy(s)

                def sibling(s):
                    return steps.first(s)

                def parent_package(s):
                    return util.clean(s)

                def relative_alias(s):
                    return to_int(s)
            """,
            "proj/core/steps.py": "def first(s):\n    return s[0]\n",
        },
    )
    graph = analyze_tree(tmp_path)
    engine = "proj.core.engine"
    assert edges(graph) == {
        (f"{engine}.dotted", "proj.util.numbers.parse"),
        (f"{engine}.module_alias", "proj.util.text.clean"),
        (f"{engine}.function_alias", "proj.util.text.clean"),  # re-exported by util/__init__
        (f"{engine}.sibling", "proj.core.steps.first"),
        (f"{engine}.parent_package", "proj.util.text.clean"),
        (f"{engine}.relative_alias", "proj.util.numbers.parse"),
    }
    aliased = next(edge for edge in graph.edges if edge.caller == f"{engine}.function_alias")
    assert aliased.callee_name == "tidy"  # the name written at the call site


def test_methods_through_self_cls_static_and_base_classes(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "shapes/base.py": """
                class Shape:
                    def area(self):
                        return self._compute()

                    def _compute(self):
                        return 0

                    def describe(self):
                        return "shape"
            """,
            "shapes/square.py": """
                from shapes.base import Shape

                class Square(Shape):
                    def __init__(self, side):
                        self.side = side

                    @classmethod
                    def unit(cls):
                        return cls(1)

                    @classmethod
                    def make(cls, side):
                        return cls.validate(side)

                    @staticmethod
                    def validate(side):
                        return side

                    def describe(self):
                        return super().describe() + self.label()

                    def label(self):
                        return Square.validate("square")

                    def total(self):
                        return self.area()
            """,
        },
    )
    graph = analyze_tree(tmp_path)
    square = "shapes.square.Square"
    assert edges(graph) == {
        ("shapes.base.Shape.area", "shapes.base.Shape._compute"),
        (f"{square}.unit", f"{square}.__init__"),
        (f"{square}.make", f"{square}.validate"),
        (f"{square}.describe", "shapes.base.Shape.describe"),  # super()
        (f"{square}.describe", f"{square}.label"),
        (f"{square}.label", f"{square}.validate"),
        (f"{square}.total", "shapes.base.Shape.area"),  # inherited, through self.
    }
    assert graph.definitions[f"{square}.unit"].kind == "method"
    assert graph.definitions[square].kind == "class"


def test_constructors_and_typed_locals_attributes_and_parameters(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app.py": """
                from __future__ import annotations

                from typing import Self

                class Loader:
                    def __init__(self, path):
                        self.path = path

                    def load(self):
                        return []

                class Plain:
                    def go(self):
                        return 1

                class Child(Loader):
                    pass

                class Service:
                    def __init__(self) -> None:
                        self.loader = Loader("x")

                    def fetch(self):
                        return self.loader.load()

                    def copy(self) -> Self:
                        return self

                def make_loader() -> Loader:
                    return Loader("y")

                def with_local():
                    loader = Loader("z")
                    return loader.load()

                def with_parameter(loader: Loader | None):
                    return loader.load()

                def with_string_annotation(loader: "Loader"):
                    return loader.load()

                def with_factory():
                    return make_loader().load()

                def with_self_type(service: Service):
                    return service.copy().fetch()

                def constructors():
                    Plain().go()
                    Child("c")
            """
        },
    )
    graph = analyze_tree(tmp_path)
    found = edges(graph)
    assert ("app.Service.__init__", "app.Loader.__init__") in found
    assert ("app.Service.fetch", "app.Loader.load") in found
    assert ("app.with_local", "app.Loader.load") in found
    assert ("app.with_parameter", "app.Loader.load") in found
    assert ("app.with_string_annotation", "app.Loader.load") in found
    assert ("app.with_factory", "app.Loader.load") in found
    assert ("app.with_self_type", "app.Service.fetch") in found
    # A class without __init__ is itself the callee; a subclass runs its base's __init__.
    assert ("app.constructors", "app.Plain") in found
    assert ("app.constructors", "app.Plain.go") in found
    assert ("app.constructors", "app.Loader.__init__") in found


def test_star_imports_callable_instances_properties_and_import_cycles(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "lib/__init__.py": "from lib.helpers import *\nfrom lib.cycle_a import ping\n",
            "lib/helpers.py": """
                class Formatter:
                    def __call__(self, text):
                        return text

                    def reset(self):
                        pass

                class Document:
                    @property
                    def formatter(self) -> Formatter:
                        return Formatter()

                def shout(text):
                    return text.upper()
            """,
            # Two modules that import from each other must not send resolution in circles.
            "lib/cycle_a.py": "from lib.cycle_b import pong\n\ndef ping():\n    return pong()\n",
            "lib/cycle_b.py": "from lib.cycle_a import ping\n\ndef pong():\n    return ping()\n",
            "user.py": """
                from lib import *
                from lib import Document, Formatter

                def use(document: Document):
                    fmt = Formatter()
                    fmt("x")
                    document.formatter.reset()
                    return shout("x")
            """,
        },
    )
    found = edges(analyze_tree(tmp_path))
    assert ("user.use", "lib.helpers.Formatter.__call__") in found
    assert ("user.use", "lib.helpers.Formatter.reset") in found  # through the property
    assert ("user.use", "lib.helpers.shout") in found  # two star imports deep
    assert ("lib.cycle_a.ping", "lib.cycle_b.pong") in found
    assert ("lib.cycle_b.pong", "lib.cycle_a.ping") in found
    # Reading the property runs its getter.
    assert ("user.use", "lib.helpers.Document.formatter") in found


def test_unresolvable_and_shadowed_calls_are_not_edges(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "mod.py": """
                import os
                import requests

                def process(x):
                    return x

                def run(process, items):
                    print(len(items))
                    os.path.join("a", "b")
                    requests.get("http://example.com")
                    return process(items)

                def loop(items):
                    for process in items:
                        process()
            """
        },
    )
    assert edges(analyze_tree(tmp_path)) == set()


def test_namespace_packages_and_src_layout_imports(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            # No __init__.py anywhere: plain directories are namespace packages.
            "src/pkg/jobs/runner.py": """
                from pkg.jobs.tasks import work

                def start():
                    return work()
            """,
            "src/pkg/jobs/tasks.py": "def work():\n    return 1\n",
        },
    )
    # Analysed from above `src/`, the modules are `src.pkg...` while the code imports `pkg...`.
    graph = analyze_tree(tmp_path)
    assert edges(graph) == {("src.pkg.jobs.runner.start", "src.pkg.jobs.tasks.work")}
    # Analysed from `src/`, the names are the import names.
    graph = analyze_tree(tmp_path / "src")
    assert edges(graph) == {("pkg.jobs.runner.start", "pkg.jobs.tasks.work")}


def test_a_call_spanning_lines_is_reported_on_the_line_with_the_callee_name(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path,
        {
            "fluent.py": """
                class Query:
                    def where(self):
                        return self

                    def build(self):
                        return (
                            self
                            .where()
                        )
            """
        },
    )
    (edge,) = analyze_tree(tmp_path).edges
    assert (edge.callee, edge.line, edge.callee_name) == ("fluent.Query.where", 8, "where")


def test_a_root_inside_a_package_keeps_the_package_names(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "top/__init__.py": "",
            "top/a.py": "from top.b import g\n\ndef f():\n    return g()\n",
            "top/b.py": "from . import c\n\ndef g():\n    return c.h()\n",
            "top/c.py": "def h():\n    return 0\n",
        },
    )
    graph = analyze_tree(tmp_path / "top")
    assert edges(graph) == {("top.a.f", "top.b.g"), ("top.b.g", "top.c.h")}


# -- the tools ------------------------------------------------------------------------


async def test_trace_calls_returns_every_shortest_path_in_a_stable_order(
    ctx: ToolContext, tmp_path: Path
) -> None:
    write_tree(
        tmp_path,
        {
            "flow.py": """
                def main():
                    left()
                    right()
                    detour()

                def left():
                    target()

                def right():
                    target()

                def detour():
                    left()

                def target():
                    pass
            """
        },
    )
    result = await trace(ctx, ".", "main()", "target", max_paths=5)
    assert result["found"] is True
    assert [path["functions"] for path in result["paths"]] == [
        ["flow.main", "flow.left", "flow.target"],
        ["flow.main", "flow.right", "flow.target"],
    ]
    assert result["paths"][0]["calls"] == [
        {
            "caller": "flow.main",
            "callee": "flow.left",
            "callee_name": "left",
            "file": "flow.py",
            "line": 2,
            "kind": "call",
        },
        {
            "caller": "flow.left",
            "callee": "flow.target",
            "callee_name": "target",
            "file": "flow.py",
            "line": 7,
            "kind": "call",
        },
    ]
    one = await trace(ctx, ".", "main", "target", max_paths=1)
    assert [path["functions"] for path in one["paths"]] == [result["paths"][0]["functions"]]
    assert one == await trace(ctx, ".", "main", "target", max_paths=1)


async def test_trace_calls_when_both_exist_but_nothing_connects_them(
    ctx: ToolContext, tmp_path: Path
) -> None:
    write_tree(tmp_path, {"m.py": "def a():\n    pass\n\ndef b():\n    a()\n"})
    result = await trace(ctx, ".", "a", "b")
    assert (result["found"], result["paths"], result["missing"]) == (False, [], [])
    assert (result["start_matches"], result["end_matches"]) == (["m.a"], ["m.b"])


async def test_names_match_by_dotted_suffix_only(ctx: ToolContext, tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/pipeline.py": "class Pipeline:\n    def run(self):\n        pass\n",
            "pkg/other.py": "def run():\n    pass\n\ndef line():\n    pass\n",
        },
    )
    result = await find(ctx, ".", "run")
    assert [d["qualname"] for d in result["definitions"]] == [
        "pkg.other.run",
        "pkg.pipeline.Pipeline.run",
    ]
    result = await find(ctx, ".", "Pipeline.run()")
    assert [d["qualname"] for d in result["definitions"]] == ["pkg.pipeline.Pipeline.run"]
    result = await find(ctx, ".", "peline.run")
    assert result["definitions"] == []


async def test_a_plain_typo_is_traced_as_the_one_name_it_misspells(
    ctx: ToolContext, tmp_path: Path
) -> None:
    write_tree(
        tmp_path,
        {"app.py": "def main():\n    process_data([])\n\ndef process_data(rows):\n    pass\n"},
    )
    result = await trace(ctx, ".", "mian()", "proces_data")
    assert result["corrected"] == {"mian()": "main", "proces_data": "process_data"}
    assert (result["found"], result["missing"]) == (True, [])
    assert chain(result) == ["app.main", "app.process_data"]
    found = await find(ctx, ".", "proces_data")
    assert found["corrected"] == {"proces_data": "process_data"}
    assert [d["qualname"] for d in found["definitions"]] == ["app.process_data"]
    assert found["name"] == "proces_data"  # what was asked, beside what was used


async def test_missing_names_too_far_or_ambiguous_come_with_the_closest_names(
    ctx: ToolContext, tmp_path: Path
) -> None:
    write_tree(
        tmp_path,
        {
            "app.py": "def main():\n    load_a()\n\ndef load_a():\n    pass\n\n"
            "def load_b():\n    pass\n"
        },
    )
    # Two names one edit away: no guess, only the closest names.
    result = await trace(ctx, ".", "main", "load_c")
    assert (result["corrected"], result["found"]) == ({}, False)
    assert result["missing"] == [{"name": "load_c", "closest": ["load_b", "load_a"]}]
    # Two edits in a short name are not a typo.
    found = await find(ctx, ".", "mani_x")
    assert (found["corrected"], found["definitions"]) == ({}, [])


async def test_find_function_lists_definitions_and_callers(
    ctx: ToolContext, tmp_path: Path
) -> None:
    write_tree(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/cart.py": """
                class Cart:
                    def __init__(self):
                        self.items = []

                    def add(self, item):
                        self.items.append(item)
            """,
            "shop/api.py": """
                from shop.cart import Cart

                def checkout():
                    cart = Cart()
                    cart.add(1)
                    cart.add(2)
            """,
        },
    )
    result = await find(ctx, "shop", "Cart.add")
    assert result["definitions"] == [
        {"qualname": "shop.cart.Cart.add", "file": "shop/cart.py", "line": 5, "kind": "method"}
    ]
    assert result["callers"] == [
        {
            "caller": "shop.api.checkout",
            "callee": "shop.cart.Cart.add",
            "file": "shop/api.py",
            "line": 5,
            "kind": "call",
        },
        {
            "caller": "shop.api.checkout",
            "callee": "shop.cart.Cart.add",
            "file": "shop/api.py",
            "line": 6,
            "kind": "call",
        },
    ]
    assert result["closest"] == []
    assert (result["root"], result["files_parsed"], result["skipped"]) == ("shop", 3, [])
    # A class's callers are the calls constructing it.
    classes = await find(ctx, "shop", "Cart")
    assert [d["kind"] for d in classes["definitions"]] == ["class"]
    assert [(c["callee"], c["line"]) for c in classes["callers"]] == [
        ("shop.cart.Cart.__init__", 4)
    ]


async def test_unparseable_files_are_skipped_with_a_reason(
    ctx: ToolContext, tmp_path: Path
) -> None:
    write_tree(
        tmp_path,
        {
            "good.py": "def main():\n    helper()\n\ndef helper():\n    pass\n",
            "broken.py": "def oops(:\n    pass\n",
            "escapes.py": 'PATTERN = "\\d+"\n\ndef f():\n    pass\n',  # warns, still parses
        },
    )
    (tmp_path / "blob.py").write_bytes(b"\x7fELF\x00\x01\x02\x00binary")
    (tmp_path / "latin.py").write_bytes(b"NAME = '\xe9t\xe9'\n")
    result = await trace(ctx, ".", "main", "helper")
    assert result["found"] is True
    assert result["files_parsed"] == 2
    reasons = {item["file"]: item["reason"] for item in result["skipped"]}
    assert set(reasons) == {"blob.py", "broken.py", "latin.py"}
    assert reasons["blob.py"] == "binary file (contains NUL bytes)"
    assert reasons["broken.py"].startswith("syntax error at line 1")
    assert reasons["latin.py"].startswith("undecodable as utf-8")


async def test_a_symlink_out_of_the_root_is_not_followed(ctx: ToolContext, tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"secret.py": "def hidden():\n    pass\n", "tree/app.py": "def main():\n    pass\n"},
    )
    (tmp_path / "tree" / "link.py").symlink_to(tmp_path / "secret.py")
    result = await find(ctx, "tree", "hidden")
    assert result["definitions"] == []
    assert result["skipped"] == [
        {"file": "tree/link.py", "reason": "symlink to a file outside the root"}
    ]


async def test_roots_that_are_missing_outside_or_not_directories_are_refused(
    ctx: ToolContext, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ToolError, match="does not exist"):
        await trace(ctx, "nowhere", "a", "b")
    with pytest.raises(ToolError, match="outside the workspace"):
        await trace(ctx, "..", "a", "b")
    with pytest.raises(ToolError, match="outside the workspace"):
        await find(ctx, "/etc", "a")
    with pytest.raises(ToolError, match="not a .py file"):
        await find(ctx, "notes.txt", "a")
    with pytest.raises(ToolError, match="max_paths"):
        await trace(ctx, ".", "a", "b", max_paths=0)


async def test_a_single_file_root(ctx: ToolContext, tmp_path: Path) -> None:
    write_tree(tmp_path, {"scripts/one.py": "def a():\n    b()\n\ndef b():\n    pass\n"})
    result = await trace(ctx, "scripts/one.py", "a", "b")
    assert chain(result) == ["one.a", "one.b"]
    assert result["paths"][0]["calls"][0]["file"] == "scripts/one.py"
    assert result["root"] == "scripts/one.py"


def test_the_tools_declare_root_as_a_workspace_path() -> None:
    for item in (trace_calls, find_function):
        assert item.spec.path_parameters == ["root"]
        assert item.spec.idempotent is True
    required = trace_calls.spec.parameters["required"]
    assert isinstance(required, list) and set(required) == {"root", "start", "end"}


# -- the sample app -------------------------------------------------------------------


async def test_the_sample_app_chain_from_main_to_process_data() -> None:
    ctx = ToolContext(workspace=REPO)
    result = await trace(ctx, "examples/sample_app", "main()", "process_data()")
    assert result["found"] is True
    assert result["skipped"] == []
    assert len(result["paths"]) == 1
    calls = result["paths"][0]["calls"]
    assert [(c["caller"], c["callee"], c["file"], c["line"]) for c in calls] == [
        # pipeline = Pipeline(config); summary = pipeline.run()
        ("app.main.main", "app.pipeline.Pipeline.run", "examples/sample_app/app/main.py", 16),
        # return self._stage(records)
        (
            "app.pipeline.Pipeline.run",
            "app.pipeline.Pipeline._stage",
            "examples/sample_app/app/pipeline.py",
            19,
        ),
        # from app.core import processing as proc ... return proc.process_data(records)
        (
            "app.pipeline.Pipeline._stage",
            "app.core.processing.process_data",
            "examples/sample_app/app/pipeline.py",
            24,
        ),
    ]
    for call in calls:
        line = (REPO / call["file"]).read_text().splitlines()[call["line"] - 1]
        short_name = call["callee"].rsplit(".", 1)[1]
        assert short_name in line and call["callee_name"] == short_name, (call, line)


# -- third-party trees, chains read by hand -------------------------------------------


def installed_package(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent


async def test_a_chain_in_typer_read_by_hand() -> None:
    # Read in typer 0.29.2 (site-packages/typer):
    #   typer/main.py:1126  Typer.__call__: `return get_command(self)(*args, **kwargs)`
    #   typer/main.py:1164  get_command: `... = get_install_completion_arguments()`
    #   typer/main.py:102   get_install_completion_arguments:
    #                       `install_param, show_param = get_completion_inspect_parameters()`
    #                       (main.py:21 `from .completion import get_completion_inspect_parameters`)
    #   typer/completion.py:21  get_completion_inspect_parameters:
    #                       `parameters = get_params_from_function(...)`
    #                       (completion.py:12 `from .utils import get_params_from_function`)
    package = installed_package("typer")
    ctx = ToolContext(workspace=package.parent)
    result = await trace(
        ctx, "typer", "Typer.__call__", "typer.utils.get_params_from_function", max_paths=10
    )
    expected = [
        "typer.main.Typer.__call__",
        "typer.main.get_command",
        "typer.main.get_install_completion_arguments",
        "typer.completion.get_completion_inspect_parameters",
        "typer.utils.get_params_from_function",
    ]
    paths = [path["functions"] for path in result["paths"]]
    assert expected in paths, paths
    calls = result["paths"][paths.index(expected)]["calls"]
    assert [c["file"] for c in calls] == ["typer/main.py"] * 3 + ["typer/completion.py"]
    assert_lines_name_callees(package.parent, calls)
    if metadata.version("typer") == "0.29.2":
        assert [c["line"] for c in calls] == [1126, 1164, 102, 21]


async def test_a_chain_in_pydantic_settings_read_by_hand() -> None:
    # Read in pydantic-settings 2.16.3 (site-packages/pydantic_settings):
    #   main.py:258  BaseSettings.__init__:
    #                `else __pydantic_self__.__class__._settings_init_sources(`
    #   main.py:479  BaseSettings._settings_init_sources: `env_settings = EnvSettingsSource(`
    #                (imported from .sources, which re-exports .providers.env) -> its __init__
    #   sources/providers/env.py:89  EnvSettingsSource.__init__:
    #                `self.env_vars = self._load_env_vars()`
    #   sources/providers/env.py:99  EnvSettingsSource._load_env_vars:
    #                `return parse_env_vars(os.environ, ...)` (from ..utils import parse_env_vars)
    package = installed_package("pydantic_settings")
    ctx = ToolContext(workspace=package.parent)
    result = await trace(ctx, "pydantic_settings", "BaseSettings.__init__", "parse_env_vars")
    assert result["found"] is True
    (path,) = result["paths"]
    assert path["functions"] == [
        "pydantic_settings.main.BaseSettings.__init__",
        "pydantic_settings.main.BaseSettings._settings_init_sources",
        "pydantic_settings.sources.providers.env.EnvSettingsSource.__init__",
        "pydantic_settings.sources.providers.env.EnvSettingsSource._load_env_vars",
        "pydantic_settings.sources.utils.parse_env_vars",
    ]
    calls = path["calls"]
    assert [c["callee_name"] for c in calls] == [
        "_settings_init_sources",
        "EnvSettingsSource",  # the constructor call
        "_load_env_vars",
        "parse_env_vars",
    ]
    assert_lines_name_callees(package.parent, calls)
    if metadata.version("pydantic-settings") == "2.16.3":
        assert [(c["file"], c["line"]) for c in calls] == [
            ("pydantic_settings/main.py", 258),
            ("pydantic_settings/main.py", 479),
            ("pydantic_settings/sources/providers/env.py", 89),
            ("pydantic_settings/sources/providers/env.py", 99),
        ]


def test_every_edge_in_a_large_third_party_tree_points_at_the_callee_name() -> None:
    package = installed_package("rich")
    graph = analyze_tree(package, display_base=package.parent)
    assert graph.skipped == [] and graph.files_parsed > 50
    assert len(graph.edges) > 1000
    texts: dict[str, list[str]] = {}
    for edge in graph.edges:
        if edge.file not in texts:
            texts[edge.file] = (package.parent / edge.file).read_text().splitlines()
        assert edge.callee_name in texts[edge.file][edge.line - 1], edge
