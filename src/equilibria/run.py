"""The learner protocol and the one run loop that drives every learner.

A `Learner` holds the state of an iterative method on one game. ``step()`` performs one iteration;
``current_strategy()`` is the last iterate and ``average_strategy()`` the time average (or whatever
the method's theory says converges). `run` drives any learner: it evaluates NashConv every
``eval_every`` iterations into a `Trace`, shows a progress bar on a TTY, stops early on ``tol`` or
the learner's own stopping rule, and checkpoints atomically so a killed run resumes on the same
trajectory. Checkpoints are zips of NumPy arrays plus JSON (see `equilibria.checkpoint`): loading one
never runs code, and a checkpoint written for another method, options, seed or game is refused.
An evaluated NashConv, or an iterate, that is not finite stops the run with `DivergenceError`.
"""

from __future__ import annotations

import copy
import math
import numbers
import os
import sys
import time
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ._checks import check_choice, check_int, check_positive
from .checkpoint import (
    CHECKPOINT_VERSION,
    EXECUTION_OPTIONS,
    FORMAT_NAME,
    _Encoder,
    decode_state,
    encode_state,
    game_digest,
    read_checkpoint_file,
    remove_stale_temporaries,
    write_checkpoint_bytes,
)
from .errors import CheckpointError, DivergenceError, InvalidParameterError, InvalidStrategyError

__all__ = [
    "CHECKPOINT_VERSION",
    "Learner",
    "ProgressBar",
    "Trace",
    "atomic_write_bytes",
    "load_checkpoint",
    "run",
    "save_checkpoint",
    "set_identity",
]


class Learner(ABC):
    """Base class of every iterative method (scikit-learn style: hyper-parameters in ``__init__``).

    Subclasses implement `_step`, `current_strategy` and, where it differs, `average_strategy`.
    All state lives in instance attributes, so `state_dict` (everything but the game) is a complete
    checkpoint, random generator included.
    """

    #: families of games the learner accepts (``"normal_form"``, ``"extensive_form"``, ...)
    families: ClassVar[tuple[str, ...]] = ()
    #: which iterate `solve` returns by default: ``"average"`` or ``"last"``
    default_output: ClassVar[str] = "average"
    #: checkpoint cadence when the caller gives none (None: at each evaluation). Expensive
    #: iterations (a PSRO oracle run) set 1, so a killed run loses at most one iteration.
    checkpoint_every: ClassVar[int | None] = None
    #: state attributes whose shapes or lengths change during a run (a growing population): a
    #: checkpoint is checked against the fresh learner only for their dtypes and nesting there
    variable_state: ClassVar[tuple[str, ...]] = ()

    def __init__(self, game: Any, *, seed: int | None = None):
        self.game = game
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.iteration = 0

    def step(self) -> None:
        """Run one iteration."""
        self._step()
        self.iteration += 1

    @abstractmethod
    def _step(self) -> None: ...

    @abstractmethod
    def current_strategy(self) -> Any:
        """The last iterate, in the game family's profile form."""

    def average_strategy(self) -> Any:
        """The averaged iterate. Methods whose last iterate is the output need not override."""
        return self.current_strategy()

    def strategy(self, output: str | None = None) -> Any:
        output = output or self.default_output
        if output == "average":
            return self.average_strategy()
        if output == "last":
            return self.current_strategy()
        raise InvalidParameterError(f"output must be 'average' or 'last', not {output!r}")

    def converged(self) -> bool:
        """The method's own stopping rule (e.g. a computable residual below tolerance)."""
        return False

    def diagnostics(self) -> dict[str, float]:
        """Extra per-evaluation numbers for the trace (step sizes, residuals, queries used, ...)."""
        return {}

    def solution_info(self, profile: Any) -> dict[str, Any]:
        """Family-specific scalars about the returned profile, copied into ``Solution.info``."""
        return {}

    def state_dict(self) -> dict[str, Any]:
        return {k: copy.deepcopy(v) for k, v in vars(self).items() if k != "game"}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for k, v in state.items():
            setattr(self, k, copy.deepcopy(v))


@dataclass
class Trace:
    """Evaluations made during a run: iteration, cumulative step time, NashConv of both iterates."""

    iterations: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    nash_conv: list[float] = field(default_factory=list)
    nash_conv_last: list[float] = field(default_factory=list)
    extra: dict[str, list[float]] = field(default_factory=dict)

    def record(self, it: int, secs: float, nc: float, nc_last: float, extra: dict[str, float]) -> None:
        self.iterations.append(it)
        self.seconds.append(secs)
        self.nash_conv.append(nc)
        self.nash_conv_last.append(nc_last)
        for k, v in extra.items():
            self.extra.setdefault(k, []).append(float(v))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __len__(self) -> int:
        return len(self.iterations)


class ProgressBar:
    """A one-line progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, total: int, enabled: bool | None = None, label: str = ""):
        self.total = max(total, 1)
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.label = label
        self._last = 0.0

    def update(self, it: int, nc: float | None = None, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        frac = min(it / self.total, 1.0)
        width = 30
        bar = "#" * int(frac * width) + "-" * (width - int(frac * width))
        msg = f"\r{self.label} [{bar}] {it}/{self.total}"
        if nc is not None:
            msg += f"  NashConv {nc:.3e}"
        sys.stderr.write(msg)
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` so that ``path`` holds either the old or the new content, never a torn file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ---- what a checkpoint is for: learner class, method, options, seed, game -------------------------

_IDENTITIES: weakref.WeakKeyDictionary[Learner, tuple[str, dict[str, Any]]] = weakref.WeakKeyDictionary()
_DIGESTS: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def set_identity(learner: Learner, method: str, options: Mapping[str, Any]) -> None:
    """Record the registered method name and the effective options ``learner`` was built with
    (`equilibria.make_learner` does this), so its checkpoints can refuse another method or options."""
    _IDENTITIES[learner] = (method, dict(options))


def _class_name(obj: Any) -> str:
    cls = obj if isinstance(obj, type) else type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def _digest(game: Any) -> str:
    try:
        cached = _DIGESTS.get(game)
    except TypeError:
        cached = None
    if cached is None:
        cached = game_digest(game)
        try:
            _DIGESTS[game] = cached
        except TypeError:
            pass
    return cached


def _canonical(value: Any) -> Any:
    """A JSON value standing for an option value, for comparison and messages."""
    from fractions import Fraction

    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and not isinstance(value, Fraction):
        v = float(value)
        return v if math.isfinite(v) else repr(v)
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, np.ndarray):
        return (
            [_canonical(v) for v in value.tolist()]
            if value.size <= 64
            else {"array": value.dtype.str, "shape": list(value.shape), "digest": game_digest(value)}
        )
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if callable(value) and hasattr(value, "__qualname__"):
        return f"<function {getattr(value, '__module__', '')}.{value.__qualname__}>"
    return f"<{_class_name(value)}>"


def _seed_value(seed: Any) -> Any:
    if seed is None:
        return None
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return int(seed)
    return _canonical(seed)


def learner_identity(learner: Learner) -> dict[str, Any]:
    """What a checkpoint of ``learner`` is for (JSON): learner class, method, options, seed, game."""
    method, options = _IDENTITIES.get(learner, (None, None))
    game = learner.game
    return {
        "learner": _class_name(learner),
        "method": method,
        "options": None
        if options is None
        else {k: _canonical(v) for k, v in sorted(options.items()) if k not in EXECUTION_OPTIONS},
        "seed": _seed_value(getattr(learner, "seed", None)),
        "game": {
            "digest": _digest(game),
            "family": str(getattr(game, "family", type(game).__name__)),
            "class": _class_name(game),
            "title": str(getattr(game, "title", "") or ""),
        },
    }


def _describe(ident: dict[str, Any], keys: list[str], show_game: bool) -> str:
    parts = []
    if ident.get("method") is not None:
        parts.append(f"method {ident['method']!r}")
    else:
        parts.append(f"learner {str(ident.get('learner')).rsplit('.', 1)[-1]}")
    opts = ident.get("options") or {}
    shown = [f"{k}={opts[k]!r}" for k in keys if k in opts]
    if shown:
        parts[-1] += " with " + ", ".join(shown)
    seed = ident.get("seed")
    parts.append("no seed" if seed is None else f"seed {seed}")
    if show_game:
        g = ident.get("game") or {}
        title = g.get("title") or g.get("class", "?")
        parts.append(f"game {title!r} ({g.get('family')}, {str(g.get('digest'))[:19]}...)")
    return ", ".join(parts)


def check_identity(saved: Any, current: dict[str, Any], path: Any) -> None:
    """Refuse a checkpoint written for another learner, method, options, seed or game."""
    if not isinstance(saved, dict) or not isinstance(saved.get("game"), dict):
        raise CheckpointError(f"checkpoint {path} does not say what run it belongs to")
    differs: list[str] = []
    if saved.get("learner") != current["learner"]:
        differs.append("learner")
    if None not in (saved.get("method"), current["method"]) and saved.get("method") != current["method"]:
        differs.append("method")
    opt_keys: list[str] = []
    so, co = saved.get("options"), current["options"]
    if isinstance(so, dict) and isinstance(co, dict):
        opt_keys = sorted(k for k in set(so) & set(co) if so[k] != co[k])
        if opt_keys:
            differs.append("options " + ", ".join(opt_keys))
    elif so is not None and not isinstance(so, dict):
        raise CheckpointError(f"checkpoint {path}: its options are malformed")
    if saved.get("seed") != current["seed"]:
        differs.append("seed")
    game_differs = saved["game"].get("digest") != current["game"]["digest"]
    if game_differs:
        differs.append("game")
    if differs:
        was = _describe(saved, opt_keys, game_differs)
        now = _describe(current, opt_keys, game_differs)
        raise CheckpointError(
            f"checkpoint {path} belongs to another run (it differs in {', '.join(differs)}): it is for "
            f"{was}; this run has {now}. Resume with the same settings, or use another checkpoint path"
        )


# ---- saving and loading ---------------------------------------------------------------------------


def save_checkpoint(path: str | os.PathLike, learner: Learner, trace: Trace, meta: dict[str, Any]) -> None:
    """Write ``learner``'s state, ``trace`` and ``meta`` to ``path`` atomically (`equilibria.checkpoint`)."""
    from . import __version__

    ident = learner_identity(learner)
    owner = f"{_class_name(learner)}" + (f" (method {ident['method']!r})" if ident["method"] else "")
    state, arrays = encode_state(learner.state_dict(), owner)
    enc = _Encoder("the trace")
    document = {
        "format": FORMAT_NAME,
        "version": CHECKPOINT_VERSION,
        "library_version": __version__,
        **ident,
        "iteration": int(learner.iteration),
        "state": state,
        "trace": enc.encode(trace.as_dict(), "trace"),
        "meta": enc.encode(dict(meta), "meta"),
    }
    atomic_write_bytes(path, write_checkpoint_bytes(document, arrays))


def _trace_from(node: Any, arrays: list[np.ndarray], path: Any) -> Trace:
    data = decode_state(node, arrays, owner="the trace")
    names = ("iterations", "seconds", "nash_conv", "nash_conv_last", "extra")
    if not isinstance(data, dict) or set(data) != set(names):
        raise CheckpointError(f"checkpoint {path}: its trace is malformed")
    cols = [data[k] for k in names[:4]]
    extra = data["extra"]
    if not all(isinstance(c, list) for c in cols) or not isinstance(extra, dict):
        raise CheckpointError(f"checkpoint {path}: its trace is malformed")
    n = len(cols[0])
    for c in [*cols, *extra.values()]:
        if (
            not isinstance(c, list)
            or len(c) != n
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in c)
        ):
            raise CheckpointError(f"checkpoint {path}: its trace columns are malformed")
    if not all(isinstance(k, str) for k in extra) or not all(isinstance(v, int) for v in cols[0]):
        raise CheckpointError(f"checkpoint {path}: its trace is malformed")
    return Trace(cols[0], cols[1], cols[2], cols[3], extra)


def load_checkpoint(path: str | os.PathLike, learner: Learner) -> tuple[Trace, dict[str, Any]]:
    """Load the checkpoint at ``path`` into ``learner``; return its trace and metadata.

    Raises `CheckpointError` when the file is not a readable checkpoint of this format, when it was
    written for another learner class, method, options, seed or game, or when its state does not
    fit the learner (other attributes, kinds of values, dtypes or shapes). Nothing in the file is
    executed, and the learner is left untouched unless the whole state was read and checked.
    """
    doc, arrays = read_checkpoint_file(path)
    check_identity(doc, learner_identity(learner), path)
    owner = _class_name(learner)
    try:
        state = decode_state(
            doc.get("state"),
            arrays,
            learner.state_dict(),
            owner=owner,
            variable=type(learner).variable_state,
        )
    except CheckpointError as exc:
        raise CheckpointError(f"checkpoint {path}: {exc}") from None
    if not isinstance(state, dict) or not all(isinstance(k, str) and not k.startswith("__") for k in state):
        raise CheckpointError(f"checkpoint {path}: the learner state is not a table of attributes")
    it = state.get("iteration", doc.get("iteration"))
    if not isinstance(it, int) or isinstance(it, bool) or it < 0 or it != doc.get("iteration"):
        raise CheckpointError(f"checkpoint {path}: its iteration count is malformed")
    trace = _trace_from(doc.get("trace"), arrays, path)
    if trace.iterations and (max(trace.iterations) > it or min(trace.iterations) < 0):
        raise CheckpointError(f"checkpoint {path}: its trace goes past its iteration count")
    meta = decode_state(doc.get("meta"), arrays, owner="the checkpoint metadata")
    elapsed = meta.get("elapsed", 0.0) if isinstance(meta, dict) else None
    if not isinstance(elapsed, (int, float)) or isinstance(elapsed, bool) or not (0 <= elapsed < math.inf):
        raise CheckpointError(f"checkpoint {path}: its metadata is malformed")
    try:
        learner.load_state_dict(state)
    except CheckpointError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        raise CheckpointError(
            f"checkpoint {path} does not fit {owner}: {type(exc).__name__}: {exc}"
        ) from None
    return trace, meta


def default_metric(game: Any, profile: Any) -> float:
    from .metrics import nash_conv

    return float(nash_conv(game, profile))


# ---- divergence -----------------------------------------------------------------------------------


def _all_finite(profile: Any) -> bool:
    if isinstance(profile, np.ndarray):
        if profile.dtype.kind in "fc":
            return bool(np.isfinite(profile).all())
        if profile.dtype.kind == "O":
            return all(_all_finite(v) for v in profile.reshape(-1).tolist())
        return True
    if isinstance(profile, (list, tuple)):
        return all(_all_finite(v) for v in profile)
    if isinstance(profile, Mapping):
        return all(_all_finite(v) for v in profile.values())
    if isinstance(profile, (float, np.floating, complex, np.complexfloating)):
        return bool(np.isfinite(profile))
    return True


def infinite_nash_conv_allowed(game: Any) -> bool:
    """Whether +inf is a legitimate NashConv on ``game``: a continuous game with an unbounded
    strategy set, where a best response away from equilibrium is unbounded (`metrics.continuous`)."""
    lower, upper = getattr(game, "lower", None), getattr(game, "upper", None)
    try:
        return bool(
            np.isinf(np.asarray(lower, dtype=float)).any() or np.isinf(np.asarray(upper, dtype=float)).any()
        )
    except (TypeError, ValueError):
        return False


def nash_conv_is_valid(game: Any, value: Any) -> bool:
    """NashConv values that are answers: finite ones, and +inf where the game allows it."""
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        return True  # an exact Fraction too large for a float is still an answer
    if math.isnan(v):
        return False
    return math.isfinite(v) or (v > 0 and infinite_nash_conv_allowed(game))


def divergence_error(learner: Learner, what: str, iteration: int) -> DivergenceError:
    method = _IDENTITIES.get(learner, (None, None))[0] or type(learner).__name__
    return DivergenceError(
        f"{method} diverged: {what} at iteration {iteration}; reduce step_size (or the method's "
        "learning rate), or rescale the game's payoffs"
    )


def _diverged(learner: Learner) -> bool:
    """Whether either iterate of ``learner`` holds NaN/inf (False when neither can be computed)."""
    for get in (learner.current_strategy, learner.average_strategy):
        try:
            profile = get()
        except Exception:  # noqa: BLE001 - a broken state is judged by the other iterate
            continue
        if not _all_finite(profile):
            return True
    return False


def _check_profile(learner: Learner, profile: Any, which: str) -> None:
    if not _all_finite(profile):
        raise divergence_error(
            learner, f"the {which} strategy holds NaN or infinite numbers", learner.iteration
        )


# ---- the run loop ---------------------------------------------------------------------------------


def run(
    learner: Learner,
    iterations: int,
    *,
    eval_every: int | None = None,
    evaluate: str = "both",
    output: str | None = None,
    metric: Callable[[Any, Any], float] | None = None,
    tol: float | None = None,
    time_limit: float | None = None,
    callbacks: Iterable[Callable[[Learner, Trace], Any]] = (),
    checkpoint: str | os.PathLike | None = None,
    checkpoint_every: int | None = None,
    resume: bool = True,
    progress: bool | None = None,
) -> Trace:
    """Run ``learner`` until it has done ``iterations`` iterations in all.

    - ``eval_every``: evaluate NashConv every k iterations (default: about 50 evaluations per run)
      and always at the end. ``evaluate`` is ``"average"``, ``"last"``, ``"both"`` or ``"none"``.
    - ``output``: the iterate that will be returned, ``"average"`` or ``"last"`` (default: the
      learner's ``default_output``); ``tol`` applies to it.
    - ``tol``: stop once the evaluated NashConv of the ``output`` iterate is at most ``tol``.
    - ``callbacks``: called as ``cb(learner, trace)`` after each evaluation; a callback returning
      ``True`` stops the run.
    - ``checkpoint``: path of a checkpoint written atomically every ``checkpoint_every`` iterations
      (default: at each evaluation) and at the end. With ``resume`` (the default) an existing
      checkpoint is loaded first and the run continues the same trajectory; it must have been
      written for the same learner class, method, options, seed and game (`CheckpointError`
      otherwise). Temporary files left beside it by a run killed while writing are removed.

    An evaluated NashConv that is NaN (or infinite, where the game does not allow it) or an
    evaluated iterate holding NaN/inf raises `DivergenceError`.
    """
    iterations = check_int("iterations", iterations, minimum=0)
    check_choice("evaluate", evaluate, ("average", "last", "both", "none"))
    output = learner.default_output if output is None else output
    check_choice("output", output, ("average", "last"))
    if eval_every is None:
        eval_every = max(1, iterations // 50)
    eval_every = check_int("eval_every", eval_every, minimum=1)
    if checkpoint_every is not None:
        checkpoint_every = check_int("checkpoint_every", checkpoint_every, minimum=1)
    if tol is not None:
        tol = check_positive("tol", tol, allow_zero=True)
        if evaluate not in ("both", output):
            raise InvalidParameterError(
                f"tol stops on the {output} iterate's NashConv, but evaluate={evaluate!r} does not compute it"
            )
    if time_limit is not None:
        time_limit = check_positive("time_limit", time_limit)
    metric = metric or default_metric
    trace = Trace()
    elapsed = 0.0
    if checkpoint is not None:
        remove_stale_temporaries(checkpoint)
        if resume and os.path.exists(checkpoint):
            trace, meta = load_checkpoint(checkpoint, learner)
            elapsed = float(meta.get("elapsed", 0.0))
    ck_every = checkpoint_every or learner.checkpoint_every or eval_every
    bar = ProgressBar(iterations, progress, label=type(learner).__name__)
    allow_inf = infinite_nash_conv_allowed(learner.game)

    def _measure(profile: Any, which: str) -> float:
        _check_profile(learner, profile, which)
        value = float(metric(learner.game, profile))
        if math.isnan(value) or (math.isinf(value) and not (allow_inf and value > 0)):
            raise divergence_error(learner, f"the {which} strategy's NashConv is {value}", learner.iteration)
        return value

    def _evaluate() -> float:
        nc = nc_last = float("nan")
        if evaluate in ("average", "both"):
            nc = _measure(learner.average_strategy(), "average")
        if evaluate in ("last", "both"):
            nc_last = _measure(learner.current_strategy(), "last")
        trace.record(learner.iteration, elapsed, nc, nc_last, learner.diagnostics())
        return nc if output == "average" else nc_last

    def _save() -> None:
        if checkpoint is not None:
            save_checkpoint(checkpoint, learner, trace, {"elapsed": elapsed})

    # a resumed run that had already stopped (the learner's own rule, or tol on the last
    # evaluation) stays stopped, so it ends where the uninterrupted run ended
    stop = learner.iteration > 0 and learner.converged()
    if tol is not None and trace.iterations and trace.iterations[-1] == learner.iteration:
        last = trace.nash_conv if output == "average" else trace.nash_conv_last
        stop = stop or last[-1] <= tol
    # a learner with `steps(k)` (k iterations in one call, e.g. CFR's compiled JAX engine) runs up
    # to the next evaluation or checkpoint in one call; a time limit needs the per-iteration clock
    batched = callable(getattr(learner, "steps", None)) and time_limit is None

    def _advance() -> None:
        if not batched:
            learner.step()
            return
        it = learner.iteration
        nxt = min(iterations, (it // eval_every + 1) * eval_every)
        if checkpoint is not None:
            nxt = min(nxt, (it // ck_every + 1) * ck_every)
        learner.steps(max(1, nxt - it))

    try:
        while learner.iteration < iterations and not stop:
            t0 = time.perf_counter()
            try:
                _advance()
            except (
                InvalidStrategyError,
                FloatingPointError,
                OverflowError,
                ValueError,
                np.linalg.LinAlgError,
            ) as exc:
                if _diverged(learner):  # a NaN iterate, not the user's input, made the step fail
                    raise divergence_error(
                        learner,
                        f"its iterate holds NaN or infinite numbers ({type(exc).__name__}: {exc})",
                        learner.iteration + 1,
                    ) from exc
                raise
            elapsed += time.perf_counter() - t0
            it = learner.iteration
            if it % eval_every == 0 or it == iterations:
                current = _evaluate() if evaluate != "none" else None
                bar.update(it, current, force=it == iterations)
                if tol is not None and current is not None and current <= tol:
                    stop = True
                if learner.converged():
                    stop = True
                for cb in callbacks:
                    if cb(learner, trace):
                        stop = True
            else:
                bar.update(it)
            if checkpoint is not None and (it % ck_every == 0 or stop or it == iterations):
                _save()
            if time_limit is not None and elapsed >= time_limit:
                stop = True
        if evaluate != "none" and (not trace.iterations or trace.iterations[-1] != learner.iteration):
            _evaluate()
            _save()
        elif evaluate == "none":
            _check_profile(learner, learner.strategy(output), output)
    finally:
        bar.close()
    return trace
