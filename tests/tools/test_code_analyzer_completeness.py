"""code_analyzer completeness: what real code does besides plain calls (with, typed values,
overrides, super, properties, decorators, callbacks), what it cannot resolve, "who calls X"
cross-checked by name, and the issue-20 cases read by hand in installed packages."""

from __future__ import annotations

import importlib.util
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from intelligent_office.tools import ToolContext
from intelligent_office.tools.code_analyzer import (
    CallGraph,
    analyze_tree,
    find_function,
    trace_calls,
)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def kinds(graph: CallGraph) -> dict[tuple[str, str], str]:
    """(caller, callee) -> the kind of its surest edge."""
    found: dict[tuple[str, str], str] = {}
    for edge in graph.edges:
        key = (edge.caller, edge.callee)
        if key not in found or not edge.possible:
            found[key] = edge.kind
    return found


async def trace(ctx: ToolContext, root: str, start: str, end: str, **more: Any) -> Any:
    return await trace_calls(ctx, {"root": root, "start": start, "end": end, **more})


async def find(ctx: ToolContext, root: str, name: str) -> Any:
    return await find_function(ctx, {"root": root, "name": name})


# -- constructs, one fixture package each ----------------------------------------------


def test_with_statements_call_enter_and_exit_and_bind_the_value(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "res.py": """
                class Client:
                    def __enter__(self):
                        return self

                    def __exit__(self, *exc):
                        self.close()

                    def close(self):
                        pass

                    def send(self):
                        pass

                    def flush(self):
                        with self:
                            pass

                class Buffered:
                    async def __aenter__(self):
                        return self

                    async def __aexit__(self, *exc):
                        pass

                def use():
                    with Client() as client:
                        client.send()

                async def use_async():
                    async with Buffered() as buffer:
                        pass

                def use_file():
                    with open("x") as handle:
                        handle.read()
            """
        },
    )
    graph = analyze_tree(tmp_path)
    found = kinds(graph)
    assert found[("res.use", "res.Client.__enter__")] == "with"
    assert found[("res.use", "res.Client.__exit__")] == "with"
    assert found[("res.use", "res.Client.send")] == "call"  # `as client` is a Client
    assert found[("res.Client.__exit__", "res.Client.close")] == "call"
    assert found[("res.Client.flush", "res.Client.__exit__")] == "with"  # `with self:`
    assert found[("res.use_async", "res.Buffered.__aexit__")] == "with"
    exit_edge = next(e for e in graph.edges if e.caller == "res.use" and "__exit__" in e.callee)
    line = (tmp_path / "res.py").read_text().splitlines()[exit_edge.line - 1]
    assert (exit_edge.callee_name, line.strip()) == ("with", "with Client() as client:")
    # open() is a builtin: neither an edge nor an unresolved call.
    assert not [e for e in graph.edges if e.caller == "res.use_file"]
    assert graph.unresolved_in("res.use_file") == []


def test_values_typed_by_constructors_annotations_and_tuple_returns(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "svc.py": """
                from __future__ import annotations

                class Client:
                    def request(self):
                        pass

                class Holder:
                    client: Client

                    def __init__(self, other: Client | None = None) -> None:
                        self.other: Client = other or Client()

                    def go(self):
                        self.client.request()
                        self.other.request()

                def built():
                    c = Client()
                    c.request()

                def given(c: Client):
                    c.request()

                def pair() -> tuple[str, Client | None, list[str]]:
                    return "x", Client(), []

                def unpacked():
                    name, client, rest = pair()
                    client.request()
            """
        },
    )
    found = kinds(analyze_tree(tmp_path))
    for caller in ("svc.built", "svc.given", "svc.unpacked"):
        assert found[(caller, "svc.Client.request")] == "call", caller
    assert found[("svc.Holder.go", "svc.Client.request")] == "call"


def test_loop_variables_are_elements_of_typed_collections(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "routes.py": """
                from __future__ import annotations

                from typing import Sequence

                class Route:
                    def url(self):
                        pass

                class Mount:
                    @property
                    def routes(self) -> list[Route]:
                        return []

                    def find(self):
                        for route in self.routes or []:
                            route.url()

                class Router:
                    def __init__(self, routes: Sequence[Route] | None = None) -> None:
                        self.routes = [] if routes is None else list(routes)

                    def find(self):
                        for route in self.routes:
                            route.url()
                        self.routes.append(Route())

                def first(items: tuple[Route, ...]):
                    return [item.url() for item in items]
            """
        },
    )
    graph = analyze_tree(tmp_path)
    found = kinds(graph)
    assert found[("routes.Mount.find", "routes.Route.url")] == "call"
    assert found[("routes.Mount.find", "routes.Mount.routes")] == "property"
    assert found[("routes.Router.find", "routes.Route.url")] == "call"
    assert found[("routes.first", "routes.Route.url")] == "call"
    assert graph.unresolved_in("routes.Router.find") == []  # a list's own append


def test_overrides_in_subclasses_are_possible_edges_and_super_is_certain(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "cmd.py": """
                class Command:
                    def main(self):
                        return self.invoke()

                    def invoke(self):
                        return 1

                    def run(self):
                        return self.resolve()

                class Group(Command):
                    def invoke(self):
                        return super().invoke()

                    def resolve(self):
                        return 2

                class Chain(Group):
                    pass
            """
        },
    )
    graph = analyze_tree(tmp_path)
    found = kinds(graph)
    assert found[("cmd.Command.main", "cmd.Command.invoke")] == "call"
    assert found[("cmd.Command.main", "cmd.Group.invoke")] == "override"
    assert found[("cmd.Group.invoke", "cmd.Command.invoke")] == "call"  # super()
    # Only a subclass defines it (an abstract base, an isinstance test): possible.
    assert found[("cmd.Command.run", "cmd.Group.resolve")] == "override"
    assert graph.unresolved_in("cmd.Command.run") == []


def test_property_reads_call_the_getter_and_decorators_keep_the_function(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "props.py": """
                import functools

                def logged(function):
                    @functools.wraps(function)
                    def wrapper(*args, **kwargs):
                        return function(*args, **kwargs)
                    return wrapper

                class Box:
                    @property
                    def size(self) -> int:
                        return self.measure()

                    def measure(self):
                        return 3

                    def area(self):
                        return self.size * self.size

                @logged
                def helper():
                    return Box().area()

                def main():
                    return helper()
            """
        },
    )
    found = kinds(analyze_tree(tmp_path))
    assert found[("props.Box.area", "props.Box.size")] == "property"
    assert found[("props.Box.size", "props.Box.measure")] == "call"
    assert found[("props.main", "props.helper")] == "call"  # through the decorator
    assert found[("props.helper", "props.Box.area")] == "call"


def test_partial_and_functions_passed_by_name_are_possible_callbacks(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "cb.py": """
                import functools

                class Registry:
                    def register(self, handler):
                        self.handler = handler

                def on_event(event):
                    return event

                def by_key(item):
                    return item

                class Worker:
                    def handle(self):
                        pass

                    def start(self, registry: Registry):
                        registry.register(self.handle)

                def setup(registry: Registry, items):
                    registry.register(on_event)
                    sorted(items, key=by_key)
                    later = functools.partial(on_event, 1)
                    isinstance(items, Registry)
                    return later
            """
        },
    )
    graph = analyze_tree(tmp_path)
    found = kinds(graph)
    assert found[("cb.setup", "cb.Registry.register")] == "call"
    assert found[("cb.setup", "cb.on_event")] == "callback"
    assert found[("cb.setup", "cb.by_key")] == "callback"
    assert found[("cb.Worker.start", "cb.Worker.handle")] == "callback"
    assert ("cb.setup", "cb.Registry") not in found  # a class passed to isinstance
    assert all(edge.possible for edge in graph.edges if edge.kind == "callback")


def test_calls_that_cannot_be_resolved_are_recorded_not_external_ones(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "dyn.py": """
                import os
                from pathlib import Path

                def target():
                    pass

                def run(handler, config):
                    handler()
                    config.loader.load()
                    os.path.join("a", "b")
                    Path("x").exists()
                    len([])
            """
        },
    )
    graph = analyze_tree(tmp_path)
    assert [(call.call, call.line) for call in graph.unresolved_in("dyn.run")] == [
        ("handler()", 8),
        ("config.loader.load()", 9),
    ]


async def test_a_trace_without_a_path_names_the_calls_it_could_not_resolve(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path,
        {
            "app.py": """
                def main(plugin):
                    prepare()
                    plugin.run()

                def prepare():
                    pass

                def target():
                    pass

                def isolated():
                    pass
            """
        },
    )
    ctx = ToolContext(workspace=tmp_path)
    result = await trace(ctx, ".", "main", "target")
    assert result["found"] is False
    assert result["unresolved"] == {
        "count": 1,
        "examples": [{"call": "plugin.run()", "caller": "app.main", "file": "app.py", "line": 3}],
    }
    # Nothing unresolved on the way: a plain "no".
    result = await trace(ctx, ".", "isolated", "target")
    assert result["unresolved"] == {"count": 0, "examples": []}


async def test_who_calls_lists_the_name_matches_the_graph_did_not_resolve(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path,
        {
            "lib/__init__.py": "",
            "lib/core.py": """
                from lib.util import shared

                class Pipeline:
                    def run(self):
                        return shared()  # shared() in a comment is no call

                def via_unknown(anything):
                    return anything.shared()

                TEXT = "shared() in a string is no call either"
            """,
            "lib/util.py": """
                def shared():
                    return 1

                class Other:
                    def shared(self):
                        return 2

                def typed(other: Other):
                    return other.shared()
            """,
        },
    )
    ctx = ToolContext(workspace=tmp_path)
    result = await find(ctx, "lib", "lib.util.shared")
    assert [(c["file"], c["line"], c["kind"]) for c in result["callers"]] == [
        ("lib/core.py", 5, "call")
    ]
    # The graph resolved util.py:10 to Other.shared: decided, not missed. core.py:8 is
    # an untyped value: a possible caller.
    assert result["possible_callers"] == [
        {"file": "lib/core.py", "line": 8, "text": "return anything.shared()"}
    ]
    assert result["possible_callers_count"] == 1


# -- issue 20's cases in installed packages, read by hand ------------------------------


def installed_package(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent


def source_line(base: Path, file: str, line: int) -> str:
    return (base / file).read_text().splitlines()[line - 1]


async def test_rich_console_print_reaches_render_buffer_through_exit() -> None:
    # rich/console.py: Console.print does `with self:`; Console.__exit__ calls
    # self._exit_buffer(), which calls _check_buffer -> _write_buffer -> _render_buffer.
    package = installed_package("rich")
    ctx = ToolContext(workspace=package.parent)
    result = await trace(ctx, "rich", "Console.print", "Console._render_buffer")
    assert result["found"] is True
    path = result["paths"][0]
    assert path["functions"] == [
        "rich.console.Console.print",
        "rich.console.Console.__exit__",
        "rich.console.Console._exit_buffer",
        "rich.console.Console._check_buffer",
        "rich.console.Console._write_buffer",
        "rich.console.Console._render_buffer",
    ]
    first = path["calls"][0]
    assert (first["kind"], first["callee_name"]) == ("with", "with")
    assert source_line(package.parent, first["file"], first["line"]).strip() == "with self:"
    for call in path["calls"][1:]:
        assert call["kind"] == "call"
        assert call["callee_name"] in source_line(package.parent, call["file"], call["line"])


async def test_httpx_get_reaches_client_request_through_with_as() -> None:
    # httpx2/_api.py (the httpx the project depends on): get() returns request(...);
    # request() does `with Client(...) as client: return client.request(...)`.
    package = installed_package("httpx2")
    ctx = ToolContext(workspace=package.parent)
    result = await trace(ctx, "httpx2", "httpx2._api.get", "Client.request")
    assert [path["functions"] for path in result["paths"]] == [
        ["httpx2._api.get", "httpx2._api.request", "httpx2._client.Client.request"]
    ]
    last = result["paths"][0]["calls"][-1]
    assert "client.request(" in source_line(package.parent, last["file"], last["line"])


async def test_click_make_context_has_six_call_sites_group_invoke_among_them() -> None:
    package = installed_package("click")
    ctx = ToolContext(workspace=package.parent)
    result = await find(ctx, "click", "make_context")
    sites = [(c["file"], c["caller"]) for c in result["callers"]]
    assert len(sites) == 6, sites
    assert sites.count(("click/core.py", "click.core.Group.invoke")) == 2
    assert sites.count(("click/core.py", "click.core.Command.main")) == 1
    shell = ("click/shell_completion.py", "click.shell_completion._resolve_context")
    assert sites.count(shell) == 3
    for caller in result["callers"]:
        assert "make_context(" in source_line(package.parent, caller["file"], caller["line"])
    assert result["possible_callers"] == []


async def test_starlette_url_path_for_callers_are_all_listed() -> None:
    # applications.py (Starlette.url_path_for), requests.py (url_for), and routing.py's
    # Mount, Host and Router, which loop over their routes: five calls.
    package = installed_package("starlette")
    ctx = ToolContext(workspace=package.parent)
    result = await find(ctx, "starlette", "url_path_for")
    cited = {(c["file"], c["line"]) for c in result["callers"]}
    cited |= {(m["file"], m["line"]) for m in result["possible_callers"]}
    calls = {
        (f"starlette/{file.name}", number)
        for file in package.glob("*.py")
        for number, text in enumerate(file.read_text().splitlines(), 1)
        if re.search(r"\w\.url_path_for\(", text)
    }
    assert len(calls) == 5
    assert calls <= cited
    # All five resolved by the graph: `for route in self.routes` is typed by the
    # `routes` property (`-> list[BaseRoute]`) or `list(routes)` of `Sequence[BaseRoute]`.
    assert {(c["file"], c["line"]) for c in result["callers"]} == calls
    assert result["possible_callers"] == []


@pytest.mark.parametrize("package_name", ["sqlalchemy"])
def test_a_large_package_is_analysed_with_unresolved_calls_counted(package_name: str) -> None:
    package = installed_package(package_name)
    graph = analyze_tree(package, display_base=package.parent)
    assert graph.files_parsed > 200 and len(graph.edges) > 10_000
    assert graph.unresolved  # a large dynamic codebase always has some
    possible = [edge for edge in graph.edges if edge.possible]
    assert possible and len(possible) < len(graph.edges)
