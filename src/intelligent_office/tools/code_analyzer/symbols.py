"""What reading a module records: definitions, name bindings, call sites and scopes.

A callee is written as a `Ref`, a dotted chain such as `("self", "_stage")`, or
`("Pipeline", "()", "run")` for `Pipeline(...).run`. A name's bindings say what it was
assigned (a definition, an import, a value, an annotation); `resolution.py` turns them
into what they refer to once every module has been read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "CALL",
    "ELEMENT",
    "ITEM",
    "UNKNOWN",
    "CallKind",
    "AnnotationBinding",
    "Binding",
    "CallSite",
    "ClassBinding",
    "DefBinding",
    "Definition",
    "DefinitionKind",
    "FromBinding",
    "ModuleBinding",
    "Ref",
    "Scope",
    "SelfBinding",
    "UnknownBinding",
    "ValueBinding",
]

CALL = "()"
"""The step of a `Ref` that stands for calling what came before."""

Ref = tuple[str, ...]
DefinitionKind = Literal["function", "method", "nested", "class"]
CallKind = Literal["call", "with", "read", "callback"]
"""How a site runs code: a call, a `with` (`__enter__`/`__exit__`), reading an attribute
(a property's getter) or passing a function by name (a callback, `functools.partial`)."""

ITEM = "#"
"""The first character of a `Ref` step that takes item N of a tuple: `("f", "()", "#1")`."""

ELEMENT = "#*"
"""The `Ref` step that takes an element of a collection: `for x in self.items`."""


@dataclass(frozen=True, slots=True)
class Definition:
    """A function, method or class defined in the analysed tree."""

    qualname: str
    name: str
    kind: DefinitionKind
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class DefBinding:
    """A name bound by `def` or `class`."""

    qualname: str


@dataclass(frozen=True, slots=True)
class ModuleBinding:
    """A name bound to a module by `import a.b` (binds `a`) or `import a.b as m`."""

    module: str


@dataclass(frozen=True, slots=True)
class FromBinding:
    """A name bound by `from module import name`; relative modules already made absolute."""

    module: str
    name: str


@dataclass(frozen=True, slots=True)
class ValueBinding:
    """A name bound to the value of an expression: `x = Loader()`, `with make() as x`."""

    ref: Ref


@dataclass(frozen=True, slots=True)
class AnnotationBinding:
    """A name annotated with a type: `def f(loader: Loader)`; an instance of it.

    With `elements`, a collection of instances: `loaders: list[Loader]`.
    """

    ref: Ref
    elements: bool = False


@dataclass(frozen=True, slots=True)
class SelfBinding:
    """The first parameter of a method: an instance of the class."""

    class_qualname: str


@dataclass(frozen=True, slots=True)
class ClassBinding:
    """The first parameter of a classmethod: the class itself."""

    class_qualname: str


@dataclass(frozen=True, slots=True)
class UnknownBinding:
    """A name bound to something the analysis cannot follow; it still shadows outer names."""


Binding = (
    DefBinding
    | ModuleBinding
    | FromBinding
    | ValueBinding
    | AnnotationBinding
    | SelfBinding
    | ClassBinding
    | UnknownBinding
)

UNKNOWN = UnknownBinding()
"""The one `UnknownBinding`."""


@dataclass(frozen=True, slots=True)
class CallSite:
    """A call in a scope's body.

    Attributes:
        ref: the callee expression as a chain of names.
        name: the callee's name as written (the last name of the chain; `with` for a
            context manager).
        line: the line where that name appears.
        kind: how the site runs the callee.
    """

    ref: Ref
    name: str
    line: int
    kind: CallKind = "call"


@dataclass(slots=True, eq=False)
class Scope:
    """A module, class or function body: its bindings and call sites.

    Attributes:
        qualname: `app.pipeline` for a module, `app.pipeline.Pipeline.run` for a method.
        kind: what kind of body this is.
        module: the module the scope belongs to.
        file: the display path of the module's file.
        parent: the enclosing scope; None for a module.
        bindings: every binding of each name, in source order.
        calls: the call sites directly in this body (not in nested functions or classes).
        bases: a class's base classes, as written.
        instance_attributes: a class's `self.x = value` assignments, with the method
            scope the value is read in and whether the binding is an annotation.
        star_imports: the modules a module imports with `from m import *`.
        returns: a function's return annotation.
        returns_items: the item annotations of a function returning `tuple[A, B]`.
        returns_elements: the element annotation of a function returning `list[A]`.
        is_property: whether a method is a property: reading the attribute calls it.
        self_name: a method's name for its instance (`self`), for `self.x = ...`.
        declared_global: names a function declares `global`.
    """

    qualname: str
    kind: Literal["module", "class", "function"]
    module: str
    file: str
    parent: Scope | None = None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    calls: list[CallSite] = field(default_factory=list)
    bases: list[Ref] = field(default_factory=list)
    instance_attributes: dict[str, list[tuple[Binding, Scope]]] = field(default_factory=dict)
    star_imports: list[str] = field(default_factory=list)
    returns: Ref | None = None
    returns_items: tuple[Ref | None, ...] = ()
    returns_elements: Ref | None = None
    is_property: bool = False
    self_name: str | None = None
    declared_global: set[str] = field(default_factory=set)

    def bind(self, name: str, binding: Binding) -> None:
        """Add a binding of `name` in this scope."""
        if name in self.declared_global:
            return  # `global x` assigns the module's x; not followed
        self.bindings.setdefault(name, []).append(binding)

    def enclosing_class(self) -> Scope | None:
        """For a method's scope, the class scope it is defined in."""
        if self.parent is not None and self.parent.kind == "class":
            return self.parent
        return None
