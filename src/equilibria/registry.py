"""Registries of named games and methods, and the parser for game specs like ``goofspiel(num_cards=4)``.

Modules register themselves with the decorators below. Lookup imports every module under the
plug-in packages once (``games.catalog``, ``solvers``, ``dynamics``, ``population``), so adding a
module is all it takes to add a game or a method; nothing keeps a hand-written list.
Modules that need optional extras (open_spiel, torch, ray) import them inside functions, so that
discovery never fails for lack of an extra.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidParameterError, UnknownNameError

PLUGIN_PACKAGES = (
    "equilibria.games.catalog",
    "equilibria.solvers",
    "equilibria.dynamics",
    "equilibria.population",
)


@dataclass(frozen=True)
class GameEntry:
    name: str
    family: str
    factory: Callable[..., Any]
    description: str = ""


@dataclass(frozen=True)
class MethodEntry:
    """A named method. ``kind`` is ``"solver"`` (a function ``game -> list[Solution]``) or
    ``"learner"`` (a `Learner` subclass driven by the run loop).

    ``certified`` solvers claim to return exact equilibria; `solve` verifies each with the metrics
    core and raises `SolverError` when one fails the check.
    """

    name: str
    kind: str
    target: Any
    families: tuple[str, ...]
    description: str = ""
    certified: bool = False
    options: dict[str, Any] = field(default_factory=dict)


class Registry:
    """Named games (one entry a name)."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, Any] = {}

    def add(self, name: str, entry: Any) -> None:
        old = self._entries.get(name)
        if old is not None and _qualname(old) != _qualname(entry):
            raise ValueError(f"{self.kind} {name!r} registered twice")
        self._entries[name] = entry

    def get(self, name: str) -> Any:
        discover()
        key = normalise_name(name)
        if key not in self._entries:
            raise UnknownNameError(self.kind, name, [_display(e) for e in self._entries.values()])
        return self._entries[key]

    def names(self) -> list[str]:
        """The display names, sorted."""
        discover()
        return sorted(_display(e) for e in self._entries.values())

    def __iter__(self) -> Iterator[Any]:
        discover()
        return iter([self._entries[k] for k in sorted(self._entries)])

    def __contains__(self, name: str) -> bool:
        discover()
        return normalise_name(name) in self._entries

    def remove(self, name: str) -> None:
        self._entries.pop(normalise_name(name), None)


class MethodRegistry(Registry):
    """Named methods. One name may stand for the same algorithm on several game families, each
    family served by its own implementation (``extragradient`` on matrix and on continuous games)."""

    def add(self, name: str, entry: Any) -> None:
        entries = self._entries.setdefault(name, [])
        for old in entries:
            if _qualname(old) == _qualname(entry) and old.options == entry.options:
                return
            if set(old.families) & set(entry.families):
                raise ValueError(
                    f"method {name!r} registered twice for {sorted(set(old.families) & set(entry.families))}"
                )
        entries.append(entry)

    def get(self, name: str, family: str | None = None) -> MethodEntry:
        """The entry for ``name``; with several implementations, the one serving ``family``."""
        entries = super().get(name)
        if family is not None:
            for e in entries:
                if family in e.families:
                    return e
        return entries[0]

    def families(self, name: str) -> tuple[str, ...]:
        return tuple(f for e in super().get(name) for f in e.families)

    def __iter__(self) -> Iterator[Any]:
        discover()
        return iter([e for k in sorted(self._entries) for e in self._entries[k]])


def _display(entry: Any) -> str:
    return (entry[0] if isinstance(entry, list) else entry).name


def _qualname(entry: GameEntry | MethodEntry) -> str:
    t = entry.factory if isinstance(entry, GameEntry) else entry.target
    return f"{getattr(t, '__module__', '')}.{getattr(t, '__qualname__', '')}"


GAMES = Registry("game")
METHODS = MethodRegistry("method")


def normalise_name(name: str) -> str:
    """Names are case-insensitive and treat ``-`` and ``_`` alike for games (``rock-paper-scissors``)."""
    return name.strip().lower().replace("-", "_")


def register_game(name: str, family: str, description: str = "") -> Callable:
    """Register a factory ``(**params) -> Game`` under ``name``."""

    def deco(factory: Callable) -> Callable:
        doc = description or (inspect.getdoc(factory) or "").split("\n")[0]
        GAMES.add(normalise_name(name), GameEntry(name, family, factory, doc))
        return factory

    return deco


def register_method(
    name: str,
    families: tuple[str, ...] | str,
    *,
    kind: str | None = None,
    certified: bool = False,
    description: str = "",
    **options: Any,
) -> Callable:
    """Register a solver function or a `Learner` class under ``name``.

    ``options`` are fixed keyword arguments bound to the target (so one class can serve several
    names, e.g. ``cfr+`` is ``CFR`` with ``regret_matching_plus=True``).
    """
    if isinstance(families, str):
        families = (families,)

    def deco(target: Any) -> Any:
        k = kind or ("learner" if inspect.isclass(target) else "solver")
        doc = description or (inspect.getdoc(target) or "").split("\n")[0]
        METHODS.add(
            normalise_name(name),
            MethodEntry(name, k, target, tuple(families), doc, certified, dict(options)),
        )
        return target

    return deco


_discovered = False


def discover() -> None:
    """Import every plug-in module once so that their registrations run."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    for pkg_name in PLUGIN_PACKAGES:
        try:
            pkg = importlib.import_module(pkg_name)
        except ModuleNotFoundError as exc:
            if exc.name == pkg_name:
                continue
            raise
        for info in pkgutil.walk_packages(pkg.__path__, pkg_name + "."):
            importlib.import_module(info.name)


_SPEC = re.compile(r"^\s*([A-Za-z0-9_:.+\-]+)\s*(?:\((.*)\))?\s*$", re.S)


def parse_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """Split ``"name(a=1, b='x', c=[1, 2])"`` into ``("name", {...})``.

    Values are Python literals; a bare word is taken as a string, so ``order=descending`` works
    on the command line without quoting.
    """
    m = _SPEC.match(spec)
    if not m:
        raise InvalidParameterError(
            f"cannot parse game spec {spec!r}; expected NAME or NAME(param=value, ...)"
        )
    name, args = m.group(1), m.group(2)
    params: dict[str, Any] = {}
    if args and args.strip():
        try:
            call = ast.parse(f"f({args})", mode="eval").body
        except SyntaxError as exc:
            raise InvalidParameterError(f"cannot parse the parameters of {spec!r}: {exc.msg}") from None
        assert isinstance(call, ast.Call)
        if call.args:
            raise InvalidParameterError(f"parameters of {spec!r} must be given by name, e.g. {name}(seed=0)")
        for kw in call.keywords:
            if kw.arg is None:
                raise InvalidParameterError(f"unsupported ** in {spec!r}")
            if isinstance(kw.value, ast.Name):
                params[kw.arg] = kw.value.id
                continue
            try:
                params[kw.arg] = ast.literal_eval(kw.value)
            except ValueError:
                raise InvalidParameterError(
                    f"parameter {kw.arg!r} of {spec!r} must be a literal value"
                ) from None
    return name, params


def call_with_params(fn: Callable, params: dict[str, Any], what: str, *args: Any) -> Any:
    """Call ``fn(*args, **params)``, turning unknown parameter names into a helpful error."""
    target = fn.__init__ if inspect.isclass(fn) else fn
    sig = inspect.signature(target)
    names = list(sig.parameters)
    if inspect.isclass(fn):
        names = names[1:]  # self
    names = names[len(args) :]
    accepts_kwargs = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
    if not accepts_kwargs:
        known = [p for p in names if not p.startswith("_")]
        for key in params:
            if key not in names:
                hint = "; it accepts " + ", ".join(known) if known else "; it takes no parameters"
                raise InvalidParameterError(f"{what} has no parameter {key!r}{hint}")
    return fn(*args, **params)
