"""The learner protocol and the one run loop that drives every learner.

A `Learner` holds the state of an iterative method on one game. ``step()`` performs one iteration;
``current_strategy()`` is the last iterate and ``average_strategy()`` the time average (or whatever
the method's theory says converges). `run` drives any learner: it evaluates NashConv every
``eval_every`` iterations into a `Trace`, shows a progress bar on a TTY, stops early on ``tol`` or
the learner's own stopping rule, and checkpoints atomically so a killed run resumes on the same
trajectory.
"""

from __future__ import annotations

import copy
import os
import pickle
import sys
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from .errors import CheckpointError, InvalidParameterError

CHECKPOINT_VERSION = 1


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


def save_checkpoint(path: str | os.PathLike, learner: Learner, trace: Trace, meta: dict[str, Any]) -> None:
    payload = {
        "version": CHECKPOINT_VERSION,
        "learner": f"{type(learner).__module__}.{type(learner).__qualname__}",
        "state": learner.state_dict(),
        "trace": trace,
        "meta": meta,
    }
    atomic_write_bytes(path, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))


def load_checkpoint(path: str | os.PathLike, learner: Learner) -> tuple[Trace, dict[str, Any]]:
    try:
        with open(path, "rb") as f:
            payload = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError) as exc:
        raise CheckpointError(f"cannot read checkpoint {path}: {exc}") from None
    if not isinstance(payload, dict) or payload.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(f"{path} is not an equilibria checkpoint (version {CHECKPOINT_VERSION})")
    name = f"{type(learner).__module__}.{type(learner).__qualname__}"
    if payload["learner"] != name:
        raise CheckpointError(
            f"checkpoint {path} was written by {payload['learner']}, not {name}; "
            "resume with the same method or use another checkpoint path"
        )
    learner.load_state_dict(payload["state"])
    return payload["trace"], payload["meta"]


def default_metric(game: Any, profile: Any) -> float:
    from .metrics import nash_conv

    return float(nash_conv(game, profile))


def run(
    learner: Learner,
    iterations: int,
    *,
    eval_every: int | None = None,
    evaluate: str = "both",
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
    - ``tol``: stop once the evaluated NashConv of the returned iterate is at most ``tol``.
    - ``callbacks``: called as ``cb(learner, trace)`` after each evaluation; a callback returning
      ``True`` stops the run.
    - ``checkpoint``: path of a checkpoint written atomically every ``checkpoint_every`` iterations
      (default: at each evaluation) and at the end. With ``resume`` (the default) an existing
      checkpoint is loaded first and the run continues the same trajectory.
    """
    if iterations < 0:
        raise InvalidParameterError(f"iterations must be >= 0, got {iterations}")
    if evaluate not in ("average", "last", "both", "none"):
        raise InvalidParameterError(f"evaluate must be average, last, both or none, not {evaluate!r}")
    if eval_every is None:
        eval_every = max(1, iterations // 50)
    if eval_every < 1:
        raise InvalidParameterError(f"eval_every must be >= 1, got {eval_every}")
    metric = metric or default_metric
    trace = Trace()
    elapsed = 0.0
    if checkpoint is not None and resume and os.path.exists(checkpoint):
        trace, meta = load_checkpoint(checkpoint, learner)
        elapsed = float(meta.get("elapsed", 0.0))
    ck_every = checkpoint_every or learner.checkpoint_every or eval_every
    bar = ProgressBar(iterations, progress, label=type(learner).__name__)
    output = learner.default_output

    def _evaluate() -> float:
        nc = nc_last = float("nan")
        if evaluate in ("average", "both"):
            nc = metric(learner.game, learner.average_strategy())
        if evaluate in ("last", "both"):
            nc_last = metric(learner.game, learner.current_strategy())
        trace.record(learner.iteration, elapsed, nc, nc_last, learner.diagnostics())
        return nc if output == "average" else nc_last

    def _save() -> None:
        if checkpoint is not None:
            save_checkpoint(checkpoint, learner, trace, {"elapsed": elapsed})

    stop = False
    try:
        while learner.iteration < iterations and not stop:
            t0 = time.perf_counter()
            learner.step()
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
    finally:
        bar.close()
    return trace
