"""Resolving names to what they refer to across the analysed tree.

A name resolves to a `Target`: a module, a definition (function, method or class), an
instance of a class, or `super()` of a class. Imports are followed through re-exports
(`from .core import process_data` in a package's `__init__`), aliases and star imports;
attributes of instances and classes are looked up along the class's bases. Anything
outside the tree (builtins, the standard library, third-party packages) resolves to
`EXTERNAL`: calls to it are not edges, and it is told apart from what cannot be resolved
at all (an untyped parameter, a missing attribute), which `dispatch.py` reports.
"""

from __future__ import annotations

import builtins
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from intelligent_office.tools.code_analyzer.symbols import (
    CALL,
    ELEMENT,
    ITEM,
    AnnotationBinding,
    Binding,
    ClassBinding,
    DefBinding,
    FromBinding,
    ModuleBinding,
    Ref,
    Scope,
    SelfBinding,
    UnknownBinding,
    ValueBinding,
)

__all__ = [
    "EXTERNAL",
    "CollectionTarget",
    "DefTarget",
    "ExternalTarget",
    "InstanceTarget",
    "ModuleTarget",
    "Resolver",
    "SuperTarget",
    "Target",
]


@dataclass(frozen=True, slots=True)
class ModuleTarget:
    """A module or package (possibly one outside the tree)."""

    name: str


@dataclass(frozen=True, slots=True)
class DefTarget:
    """A function, method or class defined in the tree."""

    qualname: str


@dataclass(frozen=True, slots=True)
class InstanceTarget:
    """An instance of a class defined in the tree."""

    class_qualname: str


@dataclass(frozen=True, slots=True)
class SuperTarget:
    """`super()` inside a method of the class: attributes come from its bases."""

    class_qualname: str


@dataclass(frozen=True, slots=True)
class CollectionTarget:
    """A list, set or other collection of instances of a class defined in the tree."""

    class_qualname: str


@dataclass(frozen=True, slots=True)
class ExternalTarget:
    """Something defined outside the tree: a builtin, the standard library, a dependency."""


EXTERNAL = ExternalTarget()
"""The one `ExternalTarget`."""

Target = ModuleTarget | DefTarget | InstanceTarget | SuperTarget | CollectionTarget | ExternalTarget

_BUILTINS = frozenset(dir(builtins))


def in_tree(target: Target | None) -> bool:
    """Whether `target` is something the tree defines (not None, not external)."""
    return target is not None and not isinstance(target, ExternalTarget)


_IN_PROGRESS = object()


class Resolver:
    """Resolves names and call sites against every scope of the analysed tree."""

    def __init__(self, scopes: Iterable[Scope]) -> None:
        self.modules: dict[str, Scope] = {}
        self.scopes: dict[str, Scope] = {}  # functions and classes by qualname; first wins
        for scope in scopes:
            if scope.kind == "module":
                self.modules.setdefault(scope.module, scope)
            else:
                self.scopes.setdefault(scope.qualname, scope)
        self.packages: set[str] = set()
        for name in self.modules:
            parts = name.split(".")
            self.packages.update(".".join(parts[:end]) for end in range(1, len(parts)))
        self._top_level = {name.partition(".")[0] for name in (*self.modules, *self.packages)}
        self._by_suffix: dict[str, list[str]] | None = None
        self._bindings_cache: dict[tuple[int, str], object] = {}
        self._member_cache: dict[tuple[str, str], object] = {}
        self._mro_cache: dict[str, list[str]] = {}
        self._attributes_in_progress: set[tuple[str, str]] = set()
        self._subclasses: dict[str, list[str]] | None = None
        # Names worth resolving for attribute reads and callbacks: most are neither.
        self.property_names = {
            name.rpartition(".")[2] for name, scope in self.scopes.items() if scope.is_property
        }
        self.function_names = {
            name.rpartition(".")[2]
            for name, scope in self.scopes.items()
            if scope.kind == "function"
        }

    # -- call sites -------------------------------------------------------------------

    def callee(self, ref: Ref, scope: Scope) -> str | None:
        """The qualname of the definition a call of `ref` in `scope` runs, if in the tree."""
        try:
            target = self.resolve_ref(ref, scope)
        except RecursionError:
            return None
        if isinstance(target, DefTarget):
            if self.is_class(target.qualname):
                return self.constructor(target.qualname)
            return target.qualname
        if isinstance(target, InstanceTarget):
            call = self.class_member(target.class_qualname, "__call__")
            return call.qualname if isinstance(call, DefTarget) else None
        return None

    def constructor(self, class_qualname: str) -> str:
        """`Cls.__init__` (own or inherited from a class in the tree), else the class."""
        init = self.class_member(class_qualname, "__init__")
        return init.qualname if isinstance(init, DefTarget) else class_qualname

    def is_class(self, qualname: str) -> bool:
        """Whether `qualname` is a class defined in the tree."""
        scope = self.scopes.get(qualname)
        return scope is not None and scope.kind == "class"

    # -- expressions ------------------------------------------------------------------

    def resolve_ref(
        self, ref: Ref, scope: Scope, crossed: list[str] | None = None
    ) -> Target | None:
        """What the chain `ref` (e.g. `("self", "loader", "load")`) means in `scope`.

        Args:
            ref: the chain.
            scope: where it is written.
            crossed: when given, collects the getters of the properties the chain reads.
        """
        head = ref[0]
        target: Target | None
        if head == "super" and len(ref) > 1 and ref[1] == CALL and self._unbound(head, scope):
            owner = _method_class(scope)
            if owner is None:
                return None
            target = SuperTarget(owner.qualname)
            steps = ref[2:]
        else:
            target = self.lookup(head, scope)
            steps = ref[1:]
        for index, step in enumerate(steps):
            if target is None:
                return None
            if step == ELEMENT:
                target = self.element(target)
            elif step.startswith(ITEM):
                continue  # taken with the call before it
            elif step == CALL:
                following = steps[index + 1] if index + 1 < len(steps) else ""
                if following.startswith(ITEM) and following != ELEMENT:
                    target = self.tuple_item(target, int(following[1:]))
                else:
                    target = self.call_result(target)
            else:
                target = self.member(target, step, crossed)
        return target

    def element(self, target: Target) -> Target | None:
        """An element of the collection `target`: `route` in `for route in self.routes`."""
        if isinstance(target, CollectionTarget):
            return InstanceTarget(target.class_qualname)
        return target if isinstance(target, ExternalTarget) else None

    def tuple_item(self, target: Target, index: int) -> Target | None:
        """Item `index` of what calling `target` returns, by its `tuple[...]` annotation."""
        if isinstance(target, ExternalTarget):
            return target
        if not isinstance(target, DefTarget):
            return None
        scope = self.scopes.get(target.qualname)
        if scope is None or scope.parent is None or index >= len(scope.returns_items):
            return None
        item = scope.returns_items[index]
        return self._instance_of(item, scope.parent) if item is not None else None

    def _instance_of(
        self, annotation: Ref, scope: Scope, *, elements: bool = False
    ) -> Target | None:
        annotated = self.resolve_ref(annotation, scope)
        if isinstance(annotated, DefTarget) and self.is_class(annotated.qualname):
            qualname = annotated.qualname
            return CollectionTarget(qualname) if elements else InstanceTarget(qualname)
        return EXTERNAL if isinstance(annotated, ExternalTarget) else None

    def call_result(self, target: Target) -> Target | None:
        """What calling `target` returns: an instance for a class, else the return annotation."""
        if isinstance(target, ExternalTarget):
            return target
        if not isinstance(target, DefTarget):
            return None
        scope = self.scopes.get(target.qualname)
        if scope is None:
            return None
        if scope.kind == "class":
            return InstanceTarget(target.qualname)
        if scope.returns_elements is not None and scope.parent is not None:
            return self._instance_of(scope.returns_elements, scope.parent, elements=True)
        if scope.returns is None or scope.parent is None:
            return None
        if scope.returns[-1] == "Self" and scope.parent.kind == "class":
            return InstanceTarget(scope.parent.qualname)  # typing.Self in a method
        return self._instance_of(scope.returns, scope.parent)

    def member(self, target: Target, name: str, crossed: list[str] | None = None) -> Target | None:
        """The attribute `name` of `target`; a property read is added to `crossed`."""
        if isinstance(target, ExternalTarget | CollectionTarget):
            return EXTERNAL  # a list's own methods: `routes.append(route)`
        if isinstance(target, ModuleTarget):
            return self.module_member(target.name, name)
        if isinstance(target, DefTarget):
            return (
                self.class_member(target.qualname, name) if self.is_class(target.qualname) else None
            )
        if isinstance(target, SuperTarget):
            return self.class_member(target.class_qualname, name, skip_self=True)
        if name == "__class__":
            return DefTarget(target.class_qualname)
        found = self.class_member(target.class_qualname, name)
        if found is None:
            found = self.instance_attribute(target.class_qualname, name)
        if found is None:
            # `isinstance(command, Group)` narrowed it, or the class is abstract: the
            # attribute of a subclass.
            found = next(iter(self.subclass_members(target.class_qualname, name)), None)
        if isinstance(found, DefTarget) and self.is_property(found.qualname):
            if crossed is not None:
                crossed.append(found.qualname)
            return self.call_result(found)  # reading a property returns its value
        return found

    def subclasses(self, class_qualname: str) -> list[str]:
        """Every class in the tree deriving from the class, directly or not, sorted."""
        if self._subclasses is None:
            index: dict[str, list[str]] = {}
            for qualname in sorted(self.scopes):
                if self.scopes[qualname].kind == "class":
                    for base in self.mro(qualname)[1:]:
                        index.setdefault(base, []).append(qualname)
            self._subclasses = index
        return self._subclasses.get(class_qualname, [])

    def subclass_members(self, class_qualname: str, name: str) -> list[DefTarget]:
        """The definitions of `name` in the class's subclasses' own bodies (overrides)."""
        found: list[DefTarget] = []
        for subclass in self.subclasses(class_qualname):
            scope = self.scopes[subclass]
            if name in scope.bindings:
                target = self.resolve_bindings(scope, name)
                if isinstance(target, DefTarget) and target not in found:
                    found.append(target)
        return found

    def is_property(self, qualname: str) -> bool:
        """Whether `qualname` is a method read as an attribute (`@property` and the like)."""
        scope = self.scopes.get(qualname)
        return scope is not None and scope.is_property

    # -- names ------------------------------------------------------------------------

    def lookup(self, name: str, scope: Scope) -> Target | None:
        """Resolve a bare name with Python's scoping: locals, enclosing functions, module."""
        current: Scope | None = scope
        first = True
        while current is not None:
            # A class body's names are not visible inside its methods.
            if (first or current.kind != "class") and name in current.bindings:
                return self.resolve_bindings(current, name)
            if current.kind == "module":
                found = self._star_member(current, name)
                return EXTERNAL if found is None and name in _BUILTINS else found
            first = False
            current = current.parent
        return None

    def _unbound(self, name: str, scope: Scope) -> bool:
        current: Scope | None = scope
        while current is not None:
            if name in current.bindings:
                return False
            current = current.parent
        return True

    def resolve_bindings(self, scope: Scope, name: str) -> Target | None:
        """The first of `name`'s bindings in `scope` that resolves."""
        key = (id(scope), name)
        cached = self._bindings_cache.get(key)
        if cached is _IN_PROGRESS:
            return None  # a cycle such as `x = x.parent`
        if key in self._bindings_cache:
            return cached  # type: ignore[return-value]
        self._bindings_cache[key] = _IN_PROGRESS
        result: Target | None = None
        for binding in scope.bindings[name]:
            found = self.resolve_binding(binding, scope)
            if in_tree(found):
                result = found
                break
            result = result or found  # external, unless a later binding is in the tree
        self._bindings_cache[key] = result
        return result

    def resolve_binding(self, binding: Binding, scope: Scope) -> Target | None:  # noqa: C901
        """What one binding of a name in `scope` refers to."""
        if isinstance(binding, DefBinding):
            return DefTarget(binding.qualname)
        if isinstance(binding, ModuleBinding):
            return ModuleTarget(self.canonical_module(binding.module))
        if isinstance(binding, FromBinding):
            return self.module_member(self.canonical_module(binding.module), binding.name)
        if isinstance(binding, ValueBinding):
            return self.resolve_ref(binding.ref, scope)
        if isinstance(binding, AnnotationBinding):
            return self._instance_of(binding.ref, scope, elements=binding.elements)
        if isinstance(binding, SelfBinding):
            return InstanceTarget(binding.class_qualname)
        if isinstance(binding, ClassBinding):
            return DefTarget(binding.class_qualname)
        assert isinstance(binding, UnknownBinding)
        return None

    # -- modules ----------------------------------------------------------------------

    def canonical_module(self, name: str) -> str:
        """The tree's module for an absolute import of `name`.

        A tree analysed from above its import root (a repository with `src/`) names
        modules `src.app.core`, while the code imports `app.core`: such an import is
        matched by dotted suffix, unless it is a standard-library module.
        """
        if name in self.modules or name in self.packages:
            return name
        top = name.partition(".")[0]
        if top in self._top_level or top in sys.stdlib_module_names:
            return name
        matches = self._suffix_index().get(name)
        return matches[0] if matches else name

    def _suffix_index(self) -> dict[str, list[str]]:
        if self._by_suffix is None:
            index: dict[str, list[str]] = {}
            for full in sorted((*self.modules, *self.packages), key=lambda m: (m.count("."), m)):
                parts = full.split(".")
                for start in range(1, len(parts)):
                    index.setdefault(".".join(parts[start:]), []).append(full)
            self._by_suffix = index
        return self._by_suffix

    def module_member(self, module: str, name: str) -> Target | None:
        """`module.name`: a definition, an imported name or a submodule."""
        key = (module, name)
        cached = self._member_cache.get(key)
        if cached is _IN_PROGRESS:
            return None  # modules that re-export each other's names
        if key in self._member_cache:
            return cached  # type: ignore[return-value]
        self._member_cache[key] = _IN_PROGRESS
        result = self._module_member(module, name)
        self._member_cache[key] = result
        return result

    def _module_member(self, module: str, name: str) -> Target | None:
        scope = self.modules.get(module)
        if scope is not None and name in scope.bindings:
            found = self.resolve_bindings(scope, name)
            if found is not None:
                return found
        submodule = f"{module}.{name}" if module else name
        if submodule in self.modules or submodule in self.packages:
            return ModuleTarget(submodule)
        if scope is not None:
            return self._star_member(scope, name)
        return None if module in self.packages else EXTERNAL

    def _star_member(self, module_scope: Scope, name: str) -> Target | None:
        if name.startswith("_"):
            return None
        for source in module_scope.star_imports:
            found = self.module_member(self.canonical_module(source), name)
            if in_tree(found):
                return found
        return None

    # -- classes ----------------------------------------------------------------------

    def mro(self, class_qualname: str) -> list[str]:
        """The class and its bases defined in the tree, depth-first, each once."""
        cached = self._mro_cache.get(class_qualname)
        if cached is not None:
            return cached
        order: list[str] = []
        self._mro_cache[class_qualname] = order  # a cyclic hierarchy sees the partial order
        self._linearize(class_qualname, order, set())
        return order

    def _linearize(self, class_qualname: str, order: list[str], seen: set[str]) -> None:
        if class_qualname in seen:
            return
        seen.add(class_qualname)
        order.append(class_qualname)
        scope = self.scopes.get(class_qualname)
        if scope is None or scope.parent is None:
            return
        for base in scope.bases:
            target = self.resolve_ref(base, scope.parent)
            if isinstance(target, DefTarget) and self.is_class(target.qualname):
                self._linearize(target.qualname, order, seen)

    def class_member(
        self, class_qualname: str, name: str, *, skip_self: bool = False
    ) -> Target | None:
        """An attribute defined in the body of the class or one of its bases."""
        classes = self.mro(class_qualname)
        for owner in classes[1:] if skip_self else classes:
            scope = self.scopes[owner]
            if name in scope.bindings:
                found = self.resolve_bindings(scope, name)
                if found is not None:
                    return found
        return None

    def instance_attribute(self, class_qualname: str, name: str) -> Target | None:
        """The value of `self.name` as assigned in a method of the class or its bases."""
        key = (class_qualname, name)
        if key in self._attributes_in_progress:
            return None  # `self.node = self.node.parent`
        self._attributes_in_progress.add(key)
        try:
            external: Target | None = None
            for owner in self.mro(class_qualname):
                assignments = self.scopes[owner].instance_attributes.get(name, ())
                for binding, method_scope in assignments:
                    found = self.resolve_binding(binding, method_scope)
                    if in_tree(found):
                        return found
                    external = external or found
            return external
        finally:
            self._attributes_in_progress.discard(key)


def _method_class(scope: Scope) -> Scope | None:
    """The class of the method `scope` is (or is nested in), for `super()`."""
    current: Scope | None = scope
    while current is not None:
        owner = current.enclosing_class()
        if owner is not None and current.kind == "function":
            return owner
        current = current.parent
    return None
