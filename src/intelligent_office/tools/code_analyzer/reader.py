"""Reading a parsed module into scopes: what each name is bound to, and where calls are.

One walk over each module's AST records, per scope (module, class, function), the names
it binds (definitions, imports, assignments, parameters) and the call sites in its body.
Nothing is resolved here; resolution needs every module (see `resolution.py`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any, Literal

from intelligent_office.python_ast import parse_expression
from intelligent_office.tools.code_analyzer.parsing import ParsedFile
from intelligent_office.tools.code_analyzer.symbols import (
    CALL,
    ELEMENT,
    ITEM,
    UNKNOWN,
    AnnotationBinding,
    Binding,
    CallSite,
    ClassBinding,
    DefBinding,
    Definition,
    DefinitionKind,
    FromBinding,
    ModuleBinding,
    Ref,
    Scope,
    SelfBinding,
    ValueBinding,
)

__all__ = ["annotation_ref", "read_module", "ref_of", "tuple_item_refs"]


def read_module(parsed: ParsedFile) -> tuple[Scope, list[Scope], list[Definition]]:
    """The module scope, every scope in it (module first) and every definition."""
    reader = _ModuleReader(parsed)
    module_scope = Scope(
        qualname=parsed.module, kind="module", module=parsed.module, file=parsed.display_path
    )
    reader.scopes.append(module_scope)
    reader.body(parsed.tree.body, module_scope)
    return module_scope, reader.scopes, reader.definitions


def ref_of(expression: ast.expr) -> Ref | None:
    """`a.b(...).c` as `("a", "b", "()", "c")`; None for anything else (subscripts ...)."""
    steps: list[str] = []
    node = expression
    while True:
        if isinstance(node, ast.Name):
            steps.append(node.id)
            break
        if isinstance(node, ast.Attribute):
            steps.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            steps.append(CALL)
            node = node.func
        else:
            return None
    steps.reverse()
    return tuple(steps)


# Annotations that wrap the class of the value (`type[X]` would be the class itself).
_WRAPPERS = frozenset({"Optional", "Annotated", "ClassVar", "Final"})
_TUPLES = frozenset({"tuple", "Tuple"})


def _unwrapped(annotation: ast.expr | None) -> ast.expr | None:
    """The annotation without quotes, `| None` and wrappers such as `Optional[...]`."""
    node = annotation
    for _ in range(8):  # a bound on nesting such as Optional[Annotated["X", ...]]
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = parse_expression(node.value.strip()).body
            except SyntaxError:
                return None
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            left_is_none = isinstance(node.left, ast.Constant) and node.left.value is None
            node = node.right if left_is_none else node.left
        elif isinstance(node, ast.Subscript):
            wrapper = ref_of(node.value)
            if wrapper is None or wrapper[-1] not in _WRAPPERS:
                return node
            inner = node.slice
            node = inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
        else:
            return node
    return None


def annotation_ref(annotation: ast.expr | None) -> Ref | None:
    """The class an annotation names: `Loader`, `"Loader"`, `Loader | None`, `Optional[Loader]`."""
    node = _unwrapped(annotation)
    return ref_of(node) if isinstance(node, ast.Name | ast.Attribute) else None


# Collections whose elements are all of the one class they name.
_COLLECTIONS = frozenset(
    {"list", "List", "set", "Set", "frozenset", "FrozenSet", "Sequence", "MutableSequence"}
    | {"Iterable", "Iterator", "Collection", "AbstractSet", "MutableSet", "deque", "Deque"}
)
# Builtins returning the elements of their argument: `list(routes)` holds routes' elements.
_COPIES = frozenset({"list", "tuple", "set", "frozenset", "sorted", "reversed"})


def element_ref(annotation: ast.expr | None) -> Ref | None:
    """The class of the elements of `list[A]`, `Sequence[A] | None`, `tuple[A, ...]`."""
    node = _unwrapped(annotation)
    if not isinstance(node, ast.Subscript):
        return None
    container = ref_of(node.value)
    if container is None:
        return None
    inner = node.slice
    if container[-1] in _TUPLES:
        if isinstance(inner, ast.Tuple) and len(inner.elts) == 2:
            first, second = inner.elts
            if isinstance(second, ast.Constant) and second.value is Ellipsis:
                return annotation_ref(first)
        return None
    return annotation_ref(inner) if container[-1] in _COLLECTIONS else None


def value_ref(value: ast.expr) -> Ref | None:
    """`ref_of`, seeing through `a or b`, `x if c else y` and copies such as `list(x)`."""
    if isinstance(value, ast.BoolOp):
        value = value.values[0]
    elif isinstance(value, ast.IfExp):
        body = value_ref(value.body)
        return body if body is not None else value_ref(value.orelse)
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in _COPIES
        and len(value.args) == 1
        and not value.keywords
    ):
        return value_ref(value.args[0])
    return ref_of(value)


def tuple_item_refs(annotation: ast.expr | None) -> tuple[Ref | None, ...]:
    """The class of each item of `tuple[A, B | None, list[str]]`; empty for anything else."""
    node = _unwrapped(annotation)
    if not isinstance(node, ast.Subscript) or not isinstance(node.slice, ast.Tuple):
        return ()
    container = ref_of(node.value)
    items = node.slice.elts
    if container is None or container[-1] not in _TUPLES:
        return ()
    if any(isinstance(item, ast.Constant) and item.value is Ellipsis for item in items):
        return ()  # tuple[X, ...]: a sequence, not fixed items
    return tuple(annotation_ref(item) for item in items)


def _call_line(func: ast.expr) -> int:
    """The line of the callee's name: for `make()()` the name `make`, for
    `obj\n    .method(...)` the attribute's last line."""
    while isinstance(func, ast.Call):
        func = func.func
    if isinstance(func, ast.Attribute):
        return func.end_lineno or func.lineno
    return func.lineno


def _last_name(ref: Ref) -> str:
    for step in reversed(ref):
        if step != CALL:
            return step
    return ref[0]


def _decorator_names(decorators: list[ast.expr]) -> set[str]:
    names: set[str] = set()
    for decorator in decorators:
        ref = ref_of(decorator.func if isinstance(decorator, ast.Call) else decorator)
        if ref:
            names.add(ref[-1])
    return names


# Nodes with nothing to record beneath them: names, constants, contexts and operators.
_LEAVES: frozenset[type[ast.AST]] = frozenset(
    {ast.Name, ast.Constant, ast.Load, ast.Store, ast.Del, ast.Pass, ast.Break, ast.Continue}
    | {cls for cls in vars(ast).values() if isinstance(cls, type) and issubclass(cls, ast.operator)}
    | {ast.And, ast.Or, ast.Not, ast.Invert, ast.UAdd, ast.USub}
    | {ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn}
)


class _ModuleReader:
    """Walks one module's AST, building scopes and definitions."""

    def __init__(self, parsed: ParsedFile) -> None:
        self.parsed = parsed
        self.scopes: list[Scope] = []
        self.definitions: list[Definition] = []

    def body(self, statements: list[ast.stmt], scope: Scope) -> None:
        for statement in statements:
            self.visit(statement, scope)

    def visit(self, node: ast.AST, scope: Scope) -> None:
        handler = _HANDLERS.get(type(node))
        if handler is not None and handler(self, node, scope):
            return  # the handler walked what it needed
        for field_name in node._fields:
            value = getattr(node, field_name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST) and type(item) not in _LEAVES:
                        self.visit(item, scope)
            elif isinstance(value, ast.AST) and type(value) not in _LEAVES:
                self.visit(value, scope)

    # Each handler returns True when the node's children need no generic walk.

    def call(self, node: ast.Call, scope: Scope) -> bool:
        ref = ref_of(node.func)
        if ref is not None:
            scope.calls.append(CallSite(ref=ref, name=_last_name(ref), line=_call_line(node.func)))
        self.chain_parts(node.func, scope)
        for argument in (*node.args, *(keyword.value for keyword in node.keywords)):
            passed = ref_of(argument) if isinstance(argument, ast.Name | ast.Attribute) else None
            if passed is None:
                self.visit(argument, scope)
                continue
            # A function passed by name (`register(f)`, `key=f`, `partial(f, 1)`) may be
            # called by the callee: a possible edge, resolved only to functions.
            line = argument.end_lineno if isinstance(argument, ast.Attribute) else None
            scope.calls.append(
                CallSite(
                    ref=passed,
                    name=passed[-1],
                    line=line or argument.lineno,
                    kind="callback",
                )
            )
            self.chain_parts(argument, scope)
        return True

    def chain_parts(self, node: ast.expr, scope: Scope) -> None:
        """Walk what a chain `a.b(x).c` holds besides its names: calls, subscripts ..."""
        while isinstance(node, ast.Attribute):
            node = node.value
        if not isinstance(node, ast.Name):
            self.visit(node, scope)

    def attribute(self, node: ast.Attribute, scope: Scope) -> bool:
        if not isinstance(node.ctx, ast.Load):
            return False
        ref = ref_of(node)
        if ref is not None:
            # Reading `obj.size` runs `size`'s getter when it is a property.
            line = node.end_lineno or node.lineno
            scope.calls.append(CallSite(ref=ref, name=node.attr, line=line, kind="read"))
        self.chain_parts(node, scope)
        return True

    def assign(self, node: ast.Assign, scope: Scope) -> bool:
        for target in node.targets:
            if isinstance(target, ast.Tuple | ast.List) and self.unpack(target, node.value, scope):
                continue
            self.bind_value(target, node.value, scope)
        return False

    def unpack(self, target: ast.Tuple | ast.List, value: ast.expr, scope: Scope) -> bool:
        """`a, b = f()`: item N of what `f` returns; False when it cannot be followed."""
        ref = ref_of(value)
        if ref is None or ref[-1] != CALL or scope.kind != "function":
            return False
        if any(isinstance(item, ast.Starred) for item in target.elts):
            return False
        for index, item in enumerate(target.elts):
            if isinstance(item, ast.Name):
                scope.bind(item.id, ValueBinding((*ref, f"{ITEM}{index}")))
            else:
                self.bind_targets(item, scope)
        return True

    def loop(self, node: ast.For | ast.AsyncFor | ast.comprehension, scope: Scope) -> bool:
        target = node.target
        iterated = value_ref(node.iter) if isinstance(target, ast.Name) else None
        if isinstance(target, ast.Name) and iterated is not None and scope.kind == "function":
            # `for route in self.routes`: an element of what `routes` holds.
            scope.bind(target.id, ValueBinding((*iterated, ELEMENT)))
        else:
            self.bind_targets(target, scope)
        return False

    def with_(self, node: ast.With | ast.AsyncWith, scope: Scope) -> bool:
        enter, exit_ = (
            ("__aenter__", "__aexit__")
            if isinstance(node, ast.AsyncWith)
            else ("__enter__", "__exit__")
        )
        for item in node.items:
            ref = ref_of(item.context_expr)
            if ref is not None:
                # `with x:` calls x's `__enter__` and `__exit__`; the line shows `with`.
                for method in (enter, exit_):
                    scope.calls.append(
                        CallSite(ref=(*ref, method), name="with", line=node.lineno, kind="with")
                    )
            if item.optional_vars is not None:
                self.bind_value(item.optional_vars, item.context_expr, scope)
        return False

    def except_handler(self, node: ast.ExceptHandler, scope: Scope) -> bool:
        if node.name:
            scope.bind(node.name, UNKNOWN)
        return False

    def named_expression(self, node: ast.NamedExpr, scope: Scope) -> bool:
        self.bind_value(node.target, node.value, scope)
        return False

    def global_(self, node: ast.Global, scope: Scope) -> bool:
        scope.declared_global.update(node.names)
        return True

    def define(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, scope: Scope
    ) -> str:
        qualname = f"{scope.qualname}.{node.name}"
        kind: DefinitionKind
        if isinstance(node, ast.ClassDef):
            kind = "class"
        elif scope.kind == "class":
            kind = "method"
        elif scope.kind == "function":
            kind = "nested"
        else:
            kind = "function"
        self.definitions.append(
            Definition(
                qualname=qualname,
                name=node.name,
                kind=kind,
                file=self.parsed.display_path,
                line=node.lineno,
            )
        )
        scope.bind(node.name, DefBinding(qualname))
        return qualname

    def child_scope(
        self, qualname: str, kind: Literal["class", "function"], parent: Scope
    ) -> Scope:
        child = Scope(
            qualname=qualname,
            kind=kind,
            module=parent.module,
            file=parent.file,
            parent=parent,
        )
        self.scopes.append(child)
        return child

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope) -> bool:
        # Decorators, defaults and annotations run in the enclosing scope.
        for expression in (*node.decorator_list, *node.args.defaults, *node.args.kw_defaults):
            if expression is not None:
                self.visit(expression, scope)
        qualname = self.define(node, scope)
        inner = self.child_scope(qualname, "function", scope)
        inner.returns = annotation_ref(node.returns)
        inner.returns_items = tuple_item_refs(node.returns)
        inner.returns_elements = element_ref(node.returns)
        # property, cached_property, functools.cached_property, util.memoized_property ...
        inner.is_property = scope.kind == "class" and any(
            name.endswith("property") for name in _decorator_names(node.decorator_list)
        )
        arguments = node.args
        positional = [*arguments.posonlyargs, *arguments.args]
        everything = [*positional, *arguments.kwonlyargs]
        for extra in (arguments.vararg, arguments.kwarg):
            if extra is not None:
                inner.bind(extra.arg, UNKNOWN)
        first_bound = self.bind_first_parameter(node, scope, inner, positional)
        for argument in everything[first_bound:]:
            inner.bind(argument.arg, _annotation_binding(argument.annotation))
        self.body(node.body, inner)
        return True

    def bind_first_parameter(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        scope: Scope,
        inner: Scope,
        positional: list[ast.arg],
    ) -> int:
        """Bind `self` or `cls` of a method; how many parameters that took (0 or 1)."""
        if scope.kind != "class" or not positional:
            return 0
        decorators = _decorator_names(node.decorator_list)
        if "staticmethod" in decorators:
            return 0
        name = positional[0].arg
        if "classmethod" in decorators or node.name in ("__new__", "__init_subclass__"):
            inner.bind(name, ClassBinding(scope.qualname))
        else:
            inner.bind(name, SelfBinding(scope.qualname))
            inner.self_name = name
        return 1

    def class_(self, node: ast.ClassDef, scope: Scope) -> bool:
        for expression in (*node.decorator_list, *node.bases, *node.keywords):
            self.visit(expression, scope)
        qualname = self.define(node, scope)
        inner = self.child_scope(qualname, "class", scope)
        inner.bases = [ref for ref in map(ref_of, node.bases) if ref is not None]
        self.body(node.body, inner)
        return True

    def import_(self, node: ast.Import, scope: Scope) -> bool:
        for alias in node.names:
            if alias.asname:
                scope.bind(alias.asname, ModuleBinding(alias.name))
            else:
                top = alias.name.partition(".")[0]
                scope.bind(top, ModuleBinding(top))
        return True

    def import_from(self, node: ast.ImportFrom, scope: Scope) -> bool:
        module = self.absolute_module(node.module, node.level)
        if module is None:
            return True  # a relative import reaching above the analysed root
        for alias in node.names:
            if alias.name == "*":
                scope.star_imports.append(module)
            else:
                scope.bind(alias.asname or alias.name, FromBinding(module, alias.name))
        return True

    def absolute_module(self, module: str | None, level: int) -> str | None:
        if level == 0:
            return module or ""
        package = self.parsed.module.split(".") if self.parsed.module else []
        if not self.parsed.is_package:
            package = package[:-1]
        if level - 1 > len(package):
            return None
        base = package[: len(package) - (level - 1)]
        if module:
            base.append(module)
        return ".".join(base)

    def annotated_assign(self, node: ast.AnnAssign, scope: Scope) -> bool:
        binding = _annotation_binding(node.annotation)
        if binding is not UNKNOWN:
            self.bind_target(node.target, binding, scope)
        if node.value is not None:
            self.bind_value(node.target, node.value, scope)
            self.visit(node.value, scope)
        elif binding is UNKNOWN:
            self.bind_target(node.target, UNKNOWN, scope)
        return True

    def bind_value(self, target: ast.expr, value: ast.expr, scope: Scope) -> None:
        ref = value_ref(value)
        self.bind_target(target, ValueBinding(ref) if ref else UNKNOWN, scope)

    def bind_target(self, target: ast.expr, binding: Binding, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope.bind(target.id, binding)
        elif isinstance(target, ast.Attribute):
            # `self.loader = Loader()` in a method gives instances a typed attribute.
            owner = scope.enclosing_class()
            if (
                owner is not None
                and scope.self_name is not None
                and isinstance(target.value, ast.Name)
                and target.value.id == scope.self_name
            ):
                owner.instance_attributes.setdefault(target.attr, []).append((binding, scope))
        else:
            self.bind_targets(target, scope)

    def bind_targets(self, target: ast.expr, scope: Scope) -> None:
        """Names bound by unpacking or loops: they shadow outer names but are not followed."""
        if scope.kind != "function":
            return  # a loop variable at module level must not hide a function of that name
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                scope.bind(node.id, UNKNOWN)


def _annotation_binding(annotation: ast.expr | None) -> Binding:
    """An annotation's binding: an instance, a collection of instances, or unknown."""
    ref = annotation_ref(annotation)
    if ref is not None:
        return AnnotationBinding(ref)
    elements = element_ref(annotation)
    return AnnotationBinding(elements, elements=True) if elements is not None else UNKNOWN


# Node handlers, by node type; a class-level table keeps readers free of reference cycles
# (bound methods stored on the reader would keep every parsed tree alive until a gc pass).
_HANDLERS: dict[type[ast.AST], Callable[[_ModuleReader, Any, Scope], bool]] = {
    ast.Call: _ModuleReader.call,
    ast.Attribute: _ModuleReader.attribute,
    ast.FunctionDef: _ModuleReader.function,
    ast.AsyncFunctionDef: _ModuleReader.function,
    ast.ClassDef: _ModuleReader.class_,
    ast.Import: _ModuleReader.import_,
    ast.ImportFrom: _ModuleReader.import_from,
    ast.Assign: _ModuleReader.assign,
    ast.AnnAssign: _ModuleReader.annotated_assign,
    ast.For: _ModuleReader.loop,
    ast.AsyncFor: _ModuleReader.loop,
    ast.comprehension: _ModuleReader.loop,
    ast.With: _ModuleReader.with_,
    ast.AsyncWith: _ModuleReader.with_,
    ast.ExceptHandler: _ModuleReader.except_handler,
    ast.NamedExpr: _ModuleReader.named_expression,
    ast.Global: _ModuleReader.global_,
}
