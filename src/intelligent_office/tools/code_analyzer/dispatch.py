"""What one call site may run: its callees, how sure that is, and whether it resolved.

A site calls one definition for certain (`helper()`, `self.run()`, `with Client() as c`,
reading a property), and may run more: the overrides of a method in the subclasses of
the receiver's class (`self.invoke()` in `Command` runs `Group.invoke` on a group), or a
function passed by name (`register(f)`, `partial(f, 1)`, `key=f`), which the callee may
call. Those are *possible* edges. A call whose callee cannot be known statically (an
untyped parameter, an attribute set nowhere) is *unresolved*; calls to code outside
the tree (builtins, the standard library, dependencies) are neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from intelligent_office.tools.code_analyzer.resolution import (
    DefTarget,
    ExternalTarget,
    InstanceTarget,
    Resolver,
    Target,
)
from intelligent_office.tools.code_analyzer.symbols import CALL, ITEM, CallSite, Scope

__all__ = ["POSSIBLE_KINDS", "EdgeKind", "SiteCallees", "site_callees"]

EdgeKind = Literal["call", "with", "property", "override", "callback"]
"""How an edge's caller runs its callee (see the module docstring)."""

POSSIBLE_KINDS: frozenset[str] = frozenset({"override", "callback"})
"""The kinds of edge that may or may not happen at run time."""

# Past this many overrides a site says little; the first ones are kept (sorted by name).
_MOST_OVERRIDES = 25


@dataclass(frozen=True, slots=True)
class SiteCallees:
    """The definitions one site may run, and whether its callee could not be resolved."""

    callees: tuple[tuple[str, EdgeKind], ...] = ()
    unresolved: bool = False


_NOTHING = SiteCallees()
_UNRESOLVED = SiteCallees(unresolved=True)


def site_callees(resolver: Resolver, site: CallSite, scope: Scope) -> SiteCallees:
    """What `site`, written in `scope`, runs."""
    if site.kind == "read" and resolver.property_names.isdisjoint(site.ref):
        return _NOTHING
    if site.kind == "callback" and site.ref[-1] not in resolver.function_names:
        return _NOTHING
    try:
        if site.kind == "call":
            return _call(resolver, site, scope)
        if site.kind == "callback":
            target = resolver.resolve_ref(site.ref, scope)
            if isinstance(target, DefTarget) and not resolver.is_class(target.qualname):
                return SiteCallees(callees=((target.qualname, "callback"),))
            return _NOTHING
        return _member_only(resolver, site, scope)
    except RecursionError:
        return _UNRESOLVED


def _member_only(resolver: Resolver, site: CallSite, scope: Scope) -> SiteCallees:
    """A `with` (`x.__enter__`) or an attribute read (a property's getter): no guessing."""
    crossed: list[str] = []  # `self.size.width` reads the `size` property on the way
    receiver = resolver.resolve_ref(site.ref[:-1], scope, crossed)
    callees: list[tuple[str, EdgeKind]] = [(getter, "property") for getter in crossed]
    found = (
        resolver.class_member(receiver.class_qualname, site.ref[-1])
        if isinstance(receiver, InstanceTarget)
        else None
    )
    if isinstance(found, DefTarget) and not resolver.is_class(found.qualname):
        if site.kind == "with":
            callees.append((found.qualname, "with"))
        elif resolver.is_property(found.qualname):
            callees.append((found.qualname, "property"))
    return SiteCallees(callees=tuple(callees)) if callees else _NOTHING


def _call(resolver: Resolver, site: CallSite, scope: Scope) -> SiteCallees:
    ref = site.ref
    crossed: list[str] = []  # properties read on the way: their getters run too
    callees: list[tuple[str, EdgeKind]] = []
    if len(ref) > 1 and ref[-1] != CALL and not ref[-1].startswith(ITEM):
        receiver = resolver.resolve_ref(ref[:-1], scope, crossed)
        callees += [(getter, "property") for getter in crossed]
        if isinstance(receiver, InstanceTarget):
            return _method_call(resolver, receiver, ref[-1], callees)
        target = resolver.member(receiver, ref[-1]) if receiver is not None else None
    else:
        target = resolver.resolve_ref(ref, scope, crossed)
        callees += [(getter, "property") for getter in crossed]
    return _called(resolver, target, callees)


def _called(
    resolver: Resolver, target: Target | None, callees: list[tuple[str, EdgeKind]]
) -> SiteCallees:
    """Calling `target`: a function, a class (its `__init__`) or an instance (`__call__`)."""
    if isinstance(target, DefTarget):
        if resolver.is_class(target.qualname):
            callees.append((resolver.constructor(target.qualname), "call"))
        else:
            callees.append((target.qualname, "call"))
    elif isinstance(target, InstanceTarget):
        call = resolver.class_member(target.class_qualname, "__call__")
        if isinstance(call, DefTarget):
            callees.append((call.qualname, "call"))
        elif not isinstance(call, ExternalTarget):
            return SiteCallees(callees=tuple(callees), unresolved=True)
    elif target is None:
        return SiteCallees(callees=tuple(callees), unresolved=True)
    # Otherwise a module or something external: no edge, nothing unknown.
    return SiteCallees(callees=tuple(callees))


def _method_call(
    resolver: Resolver, receiver: InstanceTarget, name: str, callees: list[tuple[str, EdgeKind]]
) -> SiteCallees:
    """`obj.name()` on an instance of a class of the tree: the method and its overrides."""
    owner = receiver.class_qualname
    found = resolver.class_member(owner, name)
    if found is None:
        found = resolver.instance_attribute(owner, name)
    overrides = resolver.subclass_members(owner, name)
    if found is None:
        # Defined only in subclasses (an abstract base, an `isinstance` test): each of
        # them may be the one.
        callees += [(item.qualname, "override") for item in overrides[:_MOST_OVERRIDES]]
        return SiteCallees(callees=tuple(callees), unresolved=not overrides)
    if isinstance(found, DefTarget) and resolver.is_property(found.qualname):
        callees.append((found.qualname, "property"))
        return _called(resolver, resolver.call_result(found), callees)
    result = _called(resolver, found, callees)
    if isinstance(found, DefTarget) and not resolver.is_class(found.qualname):
        known = {callee for callee, _ in result.callees}
        more = [item.qualname for item in overrides if item.qualname not in known]
        extra: list[tuple[str, EdgeKind]] = [(q, "override") for q in more[:_MOST_OVERRIDES]]
        return SiteCallees(callees=result.callees + tuple(extra), unresolved=result.unresolved)
    return result
