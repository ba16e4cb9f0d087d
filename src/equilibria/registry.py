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
from typing import Any, ClassVar

from .errors import InvalidParameterError, UnknownNameError

PLUGIN_PACKAGES = (
    "equilibria.games.catalog",
    "equilibria.solvers",
    "equilibria.dynamics",
    "equilibria.population",
)


@dataclass(frozen=True)
class Parameter:
    """One parameter of a game factory or one option of a method, as its signature declares it.

    ``default`` is `Parameter.REQUIRED` when the caller must give a value; ``annotation`` is the
    type hint as written in the source (a string), or ``""`` when there is none; ``fixed`` marks an
    option bound by the registration (``cfr+`` is ``CFR`` with ``regret_matching_plus=True``).
    """

    REQUIRED: ClassVar[object] = inspect.Parameter.empty

    name: str
    default: Any = inspect.Parameter.empty
    annotation: str = ""
    fixed: bool = False

    @property
    def required(self) -> bool:
        return self.default is inspect.Parameter.empty

    def format(self) -> str:
        """``name: type = default`` (``name: type`` when required)."""
        text = self.name + (f": {self.annotation}" if self.annotation else "")
        if not self.required:
            text += f" = {self.default!r}"
        return text


@dataclass(frozen=True)
class GameEntry:
    name: str
    family: str
    factory: Callable[..., Any]
    description: str = ""
    #: a parameter that is the length of the run (a horizon): when a spec leaves it out, `load_game`
    #: with ``iterations=`` (so ``solve`` and the CLI's ``--iterations``) sets it to the run's length
    horizon_param: str | None = None

    def parameters(self) -> list[Parameter]:
        """The factory's parameters with their defaults and type hints, in signature order."""
        return _signature_parameters(self.factory, skip=0)

    def signature(self) -> str:
        """``name(param=default, ...)``, or just ``name`` for a game without parameters."""
        params = self.parameters()
        if not params:
            return self.name
        inner = ", ".join(p.name if p.required else f"{p.name}={p.default!r}" for p in params)
        return f"{self.name}({inner})"

    def docstring(self) -> str:
        return inspect.getdoc(self.factory) or self.description

    def describe(self) -> str:
        """A few lines for a person: the signature, the family, the docstring and the parameters."""
        lines = [self.signature(), f"  family: {self.family.replace('_', '-')}"]
        params = self.parameters()
        if params:
            lines.append("  parameters:")
            lines += [f"    {p.format()}" for p in params]
        else:
            lines.append("  parameters: none")
        doc = self.docstring()
        if doc:
            lines.append("")
            lines += ["  " + line if line else "" for line in doc.splitlines()]
        return "\n".join(lines)


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

    def parameters(self) -> list[Parameter]:
        """The options a user may set, with defaults and type hints, then the ones bound by the
        registration (``fixed``).

        For a solver these are the function's keyword-only parameters; for a learner, the keyword
        parameters of its ``__init__``. The game, ``exact`` and ``seed`` (set by ``solve`` itself,
        ``--exact`` and ``--seed`` on the command line) are left out.
        """
        if self.kind == "learner" and inspect.isclass(self.target):
            params = _signature_parameters(self.target, skip=1)
        else:
            params = _signature_parameters(self.target, skip=1, keyword_only=True)
        free = [p for p in params if p.name not in _RUN_OPTIONS and p.name not in self.options]
        fixed = [Parameter(k, v, "", fixed=True) for k, v in self.options.items()]
        return free + fixed

    def docstring(self) -> str:
        return inspect.getdoc(self.target) or self.description

    def citation(self, short: bool = False) -> str:
        """The paper the method implements, as its docstring (or else its module's) cites it:
        ``Authors, "Title", Venue Year``, or with ``short`` ``Author et al. Year``; ``""`` if none."""
        text = citation_from_docstring(self.docstring(), short=short)
        if not text:
            module = inspect.getmodule(self.target)
            doc = inspect.getdoc(module) or "" if module is not None else ""
            text = citation_from_docstring(doc, short=short)
        return text

    def describe(self) -> str:
        """A few lines for a person: name, kind, families, options with defaults, the docstring."""
        kind = "exact solver" if self.kind == "solver" else "learner (driven by the run loop)"
        lines = [
            self.name,
            f"  kind: {kind}" + ("; every answer is certified by the metrics core" if self.certified else ""),
            f"  families: {', '.join(f.replace('_', '-') for f in self.families)}",
        ]
        cite = self.citation()
        if cite:
            lines.append(f"  paper: {cite}")
        params = self.parameters()
        free = [p for p in params if not p.fixed]
        fixed = [p for p in params if p.fixed]
        if free:
            lines.append("  options (set with -o NAME=VALUE):")
            lines += [f"    {p.format()}" for p in free]
        else:
            lines.append("  options: none")
        if fixed:
            lines.append("  fixed by this name: " + ", ".join(f"{p.name}={p.default!r}" for p in fixed))
        doc = self.docstring()
        if doc:
            lines.append("")
            lines += ["  " + line if line else "" for line in doc.splitlines()]
        return "\n".join(lines)


#: keyword arguments that `solve` and the run loop set themselves; they are not method options
_RUN_OPTIONS = frozenset({"exact", "seed", "iterations", "tol", "eval_every", "checkpoint", "callbacks"})


def _signature_parameters(target: Any, *, skip: int, keyword_only: bool = False) -> list[Parameter]:
    """The named parameters of ``target`` (a function, or a class's ``__init__``), after the first
    ``skip`` positional ones (the game), without ``self``, ``*args`` and ``**kwargs``."""
    fn = target.__init__ if inspect.isclass(target) else target
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return []
    params = list(sig.parameters.values())
    if inspect.isclass(target) and params and params[0].name == "self":
        params = params[1:]
    out = []
    positional = 0
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name.startswith("_"):
            continue
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and positional < skip:
            positional += 1
            continue
        if keyword_only and p.kind is not p.KEYWORD_ONLY:
            continue
        ann = p.annotation
        if ann is p.empty:
            ann_text = ""
        elif isinstance(ann, str):
            ann_text = ann
        else:
            ann_text = getattr(ann, "__name__", None) or str(ann)
        out.append(Parameter(p.name, p.default, ann_text))
    return out


_YEAR = r"(?<![\d.:/])(?P<year>18\d\d|19\d\d|20[0-4]\d)(?!\d)"
_NAME = r"(?:(?:von|van|de|der|da|di|du|le|la)\s+)*[A-Z][a-z\u00df-\u024f'][\w'\u00c0-\u024f-]*"
_AUTHORS = (r"(?P<authors>" + _NAME + r"(?:(?:,\s*and\s+|,\s*|\s*&\s*|\s+and\s+)" + _NAME + r")*"
            r"(?:\s+et\s+al\.?)?)")
# Authors, "Title", Venue Year -- the form the docstrings of this library use
_CITATION = re.compile(
    _AUTHORS + r"[,.:]?\s*[\"\u201c](?P<title>[^\"\u201d]{8,})[\"\u201d][^\"]{0,80}?" + _YEAR
)
# Authors (Year), Authors, Venue Year, Authors (Venue Year)
_SHORT_CITATION = re.compile(_AUTHORS + r",?\s*\(?(?:[A-Z][\w.:-]*[A-Z][\w.:-]*\s+){0,3}" + _YEAR)
# capitalised words that start a sentence, not an author list
_LEAD_WORDS = {"See", "From", "After", "As", "In", "Following", "Cf", "Cf.", "The", "This", "Paper", "Ref",
               "Reference", "References", "Implements", "Follows", "Based", "Per"}


def _short_authors(authors: str) -> str:
    names = [a.strip() for a in re.split(r",|&|\band\b", authors) if a.strip()]
    if not names:
        return authors
    if "et al" in authors or len(names) > 2:
        return names[0].replace(" et al.", "").replace(" et al", "") + " et al."
    return " & ".join(names)


def citation_from_docstring(doc: str, short: bool = False) -> str:
    """The first literature reference in a docstring: ``Authors, "Title", Venue Year`` when it is
    written so, else ``Authors (Year)``; with ``short``, ``Author et al. Year``. ``""`` when none."""
    text = " ".join(doc.split())
    m = _CITATION.search(text)
    if m is None:
        m = _SHORT_CITATION.search(text)
    if m is None:
        return ""
    authors = m.group("authors").strip(" ,;")
    words = authors.split()
    while words and words[0].strip(",") in _LEAD_WORDS:
        words = words[1:]
    authors = " ".join(words) or authors
    if short:
        return f"{_short_authors(authors)} {m.group('year')}"
    start = text.index(authors, m.start())
    end = m.end()
    if text.count("(", start, end) > text.count(")", start, end) and text[end : end + 1] == ")":
        end += 1
    cite = text[start:end].strip(" ;,")
    return cite[1:-1] if cite.startswith("(") and cite.endswith(")") else cite


class Registry:
    """Named games (one entry a name). ``packages``: the plug-in packages whose modules register
    this kind of entry, imported on the first lookup (`discover`)."""

    def __init__(self, kind: str, packages: tuple[str, ...] = (), index: tuple[str, str] | None = None):
        self.kind = kind
        self.packages = packages
        #: (module, attribute) of a dict name -> module (relative to the first package) that registers
        #: it: a lookup by name imports that module only, not every plug-in (start-up time, memory)
        self.index = index
        self._entries: dict[str, Any] = {}

    def add(self, name: str, entry: Any) -> None:
        old = self._entries.get(name)
        if old is not None and _qualname(old) != _qualname(entry):
            raise ValueError(f"{self.kind} {name!r} registered twice")
        self._entries[name] = entry

    def get(self, name: str) -> Any:
        key = normalise_name(name)
        if key not in self._entries and self.index is not None:
            module, attr = self.index
            where = getattr(importlib.import_module(module), attr).get(key)
            if where is not None:
                importlib.import_module(f"{self.packages[0]}.{where}")
        if key not in self._entries:
            discover(self.packages)
        if key not in self._entries:
            raise UnknownNameError(self.kind, name, [_display(e) for e in self._entries.values()])
        return self._entries[key]

    def names(self) -> list[str]:
        """The display names, sorted."""
        discover(self.packages)
        return sorted(_display(e) for e in self._entries.values())

    def __iter__(self) -> Iterator[Any]:
        discover(self.packages)
        return iter([self._entries[k] for k in sorted(self._entries)])

    def __contains__(self, name: str) -> bool:
        discover(self.packages)
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

    def entries(self, name: str) -> list[MethodEntry]:
        """Every implementation registered under ``name`` (one per group of families)."""
        return list(super().get(name))

    def __iter__(self) -> Iterator[Any]:
        discover(self.packages)
        return iter([e for k in sorted(self._entries) for e in self._entries[k]])


def _display(entry: Any) -> str:
    return (entry[0] if isinstance(entry, list) else entry).name


def _qualname(entry: GameEntry | MethodEntry) -> str:
    t = entry.factory if isinstance(entry, GameEntry) else entry.target
    return f"{getattr(t, '__module__', '')}.{getattr(t, '__qualname__', '')}"


# games are registered by the catalog only, so listing or loading one never imports a learner
GAMES = Registry("game", ("equilibria.games.catalog",),
                 index=("equilibria.games.catalog._index", "GAME_MODULES"))
METHODS = MethodRegistry("method", PLUGIN_PACKAGES)


def normalise_name(name: str) -> str:
    """Names are case-insensitive and treat ``-`` and ``_`` alike for games (``rock-paper-scissors``)."""
    return name.strip().lower().replace("-", "_")


def register_game(
    name: str, family: str, description: str = "", *, horizon_param: str | None = None
) -> Callable:
    """Register a factory ``(**params) -> Game`` under ``name``; ``horizon_param`` names the factory's
    parameter that is the run's length (see `GameEntry.horizon_param`)."""

    def deco(factory: Callable) -> Callable:
        doc = description or (inspect.getdoc(factory) or "").split("\n")[0]
        if horizon_param is not None and horizon_param not in inspect.signature(factory).parameters:
            raise TypeError(f"{name}: horizon_param {horizon_param!r} is not a parameter of its factory")
        GAMES.add(normalise_name(name), GameEntry(name, family, factory, doc, horizon_param))
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


_discovered: set[str] = set()


def discover(packages: tuple[str, ...] = PLUGIN_PACKAGES) -> None:
    """Import every module of the plug-in ``packages`` (all by default) once, so that their
    registrations run."""
    for pkg_name in packages:
        if pkg_name in _discovered:
            continue
        _discovered.add(pkg_name)
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
        except (ValueError, MemoryError, RecursionError):  # NUL bytes; nesting past the parser's limit
            raise InvalidParameterError(f"cannot parse the parameters of {spec!r}") from None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "f"):
            raise InvalidParameterError(
                f"cannot parse game spec {spec!r}; expected NAME or NAME(param=value, ...)"
            )
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
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                # not a literal, an unhashable key ({[1]: 2}), or nested past Python's limit
                raise InvalidParameterError(
                    f"parameter {kw.arg!r} of {spec!r} must be a literal value such as 3, 0.5, 'text' "
                    "or (1, 2)"
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
    required = [
        n for n in names
        if sig.parameters[n].default is inspect.Parameter.empty
        and sig.parameters[n].kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        and n not in params
    ]
    if required:
        raise InvalidParameterError(f"{what} needs the parameter{'s' if len(required) > 1 else ''} "
                                    + ", ".join(required))
    return fn(*args, **params)
