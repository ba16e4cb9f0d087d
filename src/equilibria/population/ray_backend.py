"""Distributing population work over Ray (Moritz et al., "Ray: a distributed framework for emerging
AI applications", OSDI 2018).

`RayBackend.map(fn, shared, args)` runs ``fn(shared, *a)`` for every ``a`` in ``args`` as Ray
tasks and returns the results *in order*. ``shared`` (the game, or its policy space) is put in the
object store once per backend. Tasks carry their own seeds (spawned from the run's seed and the
task's index by `numpy.random.SeedSequence`), never a worker's state, so a run gives identical
results with or without Ray and with any number of workers.

``address=True`` (or ``"local"``) starts a local Ray instance; any other string is the address of
an existing cluster (``ray start --head`` on one machine, ``ray start --address=HEAD:6379`` on
the others, then ``equilibria solve ... --ray-address HEAD:6379``). Ray is imported only here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..errors import InvalidParameterError, NotApplicableError


def _run_chunk(fn: Callable, shared: Any, chunk: Sequence[tuple]) -> list:
    return [fn(shared, *a) for a in chunk]


class RayBackend:
    """Ray task runner with deterministic, ordered results."""

    def __init__(
        self, address: str | bool | None = True, *, num_cpus: int | None = None, chunks_per_worker: int = 2
    ):
        if address is False or address is None:
            raise InvalidParameterError("RayBackend needs address=True (local) or a cluster address")
        self.address = None if address is True or address in ("local", "auto-local") else str(address)
        self.num_cpus = num_cpus
        self.chunks_per_worker = chunks_per_worker
        self._shared: dict[int, tuple[Any, Any]] = {}
        self._remote: Any = None

    def _ray(self) -> Any:
        try:
            import ray
        except ImportError:
            raise NotApplicableError("Ray is not installed: pip install equilibria[ray]") from None
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {
                "ignore_reinit_error": True,
                "log_to_driver": False,
                "include_dashboard": False,
            }
            if self.address is not None:
                kwargs["address"] = self.address
            elif self.num_cpus is not None:
                kwargs["num_cpus"] = self.num_cpus
            ray.init(**kwargs)
        if self._remote is None:
            self._remote = ray.remote(_run_chunk)
        return ray

    @property
    def num_workers(self) -> int:
        ray = self._ray()
        return max(1, int(ray.cluster_resources().get("CPU", 1)))

    def put(self, shared: Any) -> Any:
        ray = self._ray()
        key = id(shared)
        if key not in self._shared:
            self._shared[key] = (shared, ray.put(shared))  # keep shared alive so its id stays unique
        return self._shared[key][1]

    def map(self, fn: Callable, shared: Any, args: Sequence[tuple]) -> list:
        """``[fn(shared, *a) for a in args]``, computed by Ray tasks in chunks, in order."""
        if not args:
            return []
        ray = self._ray()
        ref = self.put(shared)
        k = max(1, min(len(args), self.num_workers * self.chunks_per_worker))
        bounds = [round(i * len(args) / k) for i in range(k + 1)]
        futures = [self._remote.remote(fn, ref, list(args[bounds[i] : bounds[i + 1]])) for i in range(k)]
        out: list = []
        for part in ray.get(futures):
            out.extend(part)
        return out

    def __getstate__(self) -> dict:
        # object refs do not survive pickling (checkpoints); they are re-created on demand
        return {
            "address": self.address,
            "num_cpus": self.num_cpus,
            "chunks_per_worker": self.chunks_per_worker,
            "_shared": {},
            "_remote": None,
        }


class LocalBackend:
    """The same interface, run in this process (what PSRO uses without Ray)."""

    def map(self, fn: Callable, shared: Any, args: Sequence[tuple]) -> list:
        return [fn(shared, *a) for a in args]


def make_backend(ray: Any = None, num_cpus: int | None = None) -> RayBackend | LocalBackend:
    """``ray`` False/None: in-process; True or ``"local"``: local Ray; a string: that cluster."""
    if ray is None or ray is False or (isinstance(ray, str) and ray.lower() in ("", "false", "0", "no")):
        return LocalBackend()
    if isinstance(ray, str) and ray.lower() in ("true", "1", "yes"):
        ray = True
    return RayBackend(ray, num_cpus=num_cpus)
