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

Ray's start-up is quiet: no dashboard, no worker logs forwarded to the driver, its loggers at ERROR
and its Python warnings suppressed, unless `set_verbose` (the CLI's ``--verbose``) asks for them.
A cluster address is checked with a TCP connection (a few seconds' timeout) before ``ray.init``,
which would otherwise wait for a long time on an address where nothing listens.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..errors import InvalidParameterError, NotApplicableError, SolverError

#: seconds to wait for a TCP connection to a cluster address before giving up
CONNECT_TIMEOUT = 3.0
_verbose = False


def set_verbose(verbose: bool) -> bool:
    """Show (True) or hide (False, the default) Ray's start-up logs and warnings. Returns the old value."""
    global _verbose
    old, _verbose = _verbose, bool(verbose)
    return old


def _host_port(address: str) -> tuple[str, int]:
    """``HOST:PORT``, ``ray://HOST:PORT``, ``[v6]:PORT`` or ``HOST`` (Ray's default port 6379; 10001
    for the Ray client) as (host, port)."""
    text = address.strip()
    default = 6379
    if "://" in text:
        scheme, text = text.split("://", 1)
        default = 10001 if scheme == "ray" else default
    text = text.split("/", 1)[0]
    if text.startswith("["):  # an IPv6 literal
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:
        host, port_text = text, ""
    if not host or not all(c.isalnum() or c in "-._:" for c in host):
        raise InvalidParameterError(f"Ray address {address!r} has no valid host; expected HOST:PORT")
    try:
        port = int(port_text) if port_text else default
    except ValueError:
        raise InvalidParameterError(f"Ray address {address!r}: the port must be a number") from None
    if not 0 < port < 65536:
        raise InvalidParameterError(f"Ray address {address!r}: the port must lie in 1..65535")
    return host, port


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """Refuse, within ``timeout`` seconds, a cluster address where nothing accepts a TCP connection.

    ``"auto"`` (Ray's discovery of a cluster started on this machine) and the local forms are not
    checked.
    """
    if not isinstance(address, str) or address.strip().lower() in ("auto", "local", "auto-local", ""):
        return
    host, port = _host_port(address)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except (OSError, UnicodeError) as exc:  # refused, timed out, unknown host, bad name
        reason = "timed out" if isinstance(exc, TimeoutError) else (getattr(exc, "strerror", None) or exc)
        raise InvalidParameterError(
            f"no Ray cluster answers at {address} ({reason}); start one with `ray start --head` "
            "or check the address"
        ) from None


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Hide Ray's start-up chatter: its Python warnings, and what its processes write on stderr."""
    if _verbose:
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ("ray", "ray._private", "ray.worker"):
            logging.getLogger(name).setLevel(logging.ERROR)
        try:
            saved = os.dup(2)
        except OSError:  # no real stderr (embedded, captured): only the warnings are hidden
            yield
            return
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 2)
                yield
            finally:
                os.dup2(saved, 2)
                os.close(devnull)
        finally:
            os.close(saved)


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
        if self.address is not None:
            check_reachable(self.address)  # fail now, in seconds, rather than when the first task runs
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
                "log_to_driver": _verbose,
                "include_dashboard": False,
                "configure_logging": True,
                "logging_level": logging.INFO if _verbose else logging.ERROR,
            }
            if self.address is not None:
                check_reachable(self.address)
                kwargs["address"] = self.address
            elif self.num_cpus is not None:
                kwargs["num_cpus"] = self.num_cpus
            try:
                with _quiet():
                    ray.init(**kwargs)
            except Exception as exc:
                # ray.init raises a bare Exception when its local node does not start in 30 s (an
                # overloaded machine); anything more specific is a bug to report, not a user error
                if self.address is None:
                    if not (type(exc) is Exception or isinstance(exc, (ConnectionError, TimeoutError))):
                        raise
                    msg = " ".join(str(exc).split())[:200]
                    raise SolverError(
                        f"Ray could not start a local node ({msg}); run again, or without --ray"
                    ) from None
                # something answered at the address, but not a Ray cluster Ray could join
                msg = " ".join(str(exc).split())[:200]
                raise InvalidParameterError(f"cannot join a Ray cluster at {self.address}: {msg}") from None
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
    if not isinstance(ray, (bool, str)):
        raise InvalidParameterError(
            f"ray must be True (a local Ray instance), False, or a cluster address 'HOST:PORT'; got {ray!r}"
        )
    if num_cpus is not None:
        from .._checks import check_int

        num_cpus = check_int("num_cpus", num_cpus, minimum=1)
    return RayBackend(ray, num_cpus=num_cpus)
