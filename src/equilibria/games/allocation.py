"""Online allocation problems: a decision maker against a sequence of requests (a game against nature).

The model is that of Balseiro, Lu & Mirrokni, "The Best of Many Worlds: Dual Mirror Descent for Online
Allocation Problems", Operations Research 2022 (ICML 2020), with a finite action set per request:

- a horizon of T rounds; in round t a request arrives with a reward ``r[t, k]`` and a consumption
  vector ``c[t, k, :]`` (one entry per resource) for each action k = 0..K−1;
- action 0 is the null action (decline / lose / reject): zero reward, zero consumption. It is always
  available, so the budgets can always be respected;
- the total consumption of resource j over the horizon may not exceed its budget ``B_j = ρ_j T``
  (ρ = ``budget_rate``).

The request sequence is data of the game (fixed, generated from a seed by the catalog's input
models), so regret is measured exactly on that sequence, never estimated.

Profiles. The decision maker is the one player. A profile is an array ``x`` of shape (t, K), 0 ≤ t ≤ T,
row s a probability vector over the actions of request s (a one-hot row is a pure decision; a
fractional row is a randomised one, evaluated in expectation). A profile with t < T rows is the
prefix of a run that has met the first t requests.

Budgets are hard: `AllocationGame.realize` executes a profile in order and declines (plays the null
action for) every request whose consumption no longer fits the remaining budget, which is the
stopping rule of the paper's algorithm. Payoffs are those of the realised allocation, so every
profile respects its running budgets as executed; `equilibria.metrics.allocation.constraint_violation`
reports how far the profile *as given* overspends (0 for a learner that respects its budget itself).
A resource can instead be a constraint on the horizon's total only (``running=False``, e.g. a
return-on-spend constraint, whose consumption is negative when a request returns more than it
costs): it is not enforced request by request, and a profile that breaks it shows in
``constraint_violation``.

NashConv (the family's regret): ``OPT_LP(t) − reward(realize(x))``, where OPT_LP(t) is the value of
the hindsight linear relaxation on the first t requests with the whole budgets B (see
`equilibria.metrics.allocation`). For t = T this is the paper's regret against the hindsight
optimum (the LP relaxation bounds the integral optimum from above, so it is the conservative
choice); it is ≥ 0 for every profile.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._checks import check_size
from ..errors import InvalidGameError, InvalidStrategyError, NotApplicableError
from .base import Game

#: relative tolerance of the budget check (the learner's running budget and the game's cumulative sum
#: round differently)
BUDGET_RTOL = 1e-9


def _read_only(a: np.ndarray) -> np.ndarray:
    a = np.array(a, order="C")  # a copy (ascontiguousarray would turn a 0-d array into 1-d)
    a.setflags(write=False)
    return a


class AllocationGame(Game):
    """An online allocation problem with T requests, K actions per request and m resources.

    Parameters: ``rewards`` (T, K), ``costs`` (T, K, m), ``budgets`` (m,) the total budgets B ≥ 0
    (ρ = B / T), ``action_labels`` (K names, action 0 the null action), ``resource_labels`` (m names),
    ``input_model`` (how the sequence was generated, for display), ``data`` (named per-request arrays
    of the generator kept for users, e.g. values and competing bids), ``running`` (m flags, default
    all True: a running budget is enforced request by request, as money one cannot spend twice; a
    resource with False is a constraint on the horizon's total only, e.g. return on spend), ``title``.
    """

    family = "allocation"

    def __init__(
        self,
        rewards: Any,
        costs: Any,
        budgets: Any,
        *,
        action_labels: list[str] | None = None,
        resource_labels: list[str] | None = None,
        input_model: str = "custom",
        data: dict[str, Any] | None = None,
        running: Any = None,
        title: str = "",
    ):
        try:
            r = np.array(rewards, dtype=float)
            c = np.array(costs, dtype=float)
            b = np.array(budgets, dtype=float).reshape(-1)
        except (TypeError, ValueError, OverflowError) as exc:
            raise InvalidGameError(f"allocation game data must be numeric arrays: {exc}") from None
        if r.ndim != 2 or r.shape[0] < 1 or r.shape[1] < 2:
            raise InvalidGameError(
                f"rewards must have shape (T, K) with T >= 1 requests and K >= 2 actions (action 0 = null), "
                f"got {r.shape}"
            )
        T, K = r.shape
        if c.ndim == 2 and b.size == 1:
            c = c[:, :, None]
        if c.ndim != 3 or c.shape[:2] != (T, K):
            raise InvalidGameError(f"costs must have shape (T, K, m) = ({T}, {K}, m), got {c.shape}")
        m = c.shape[2]
        if m < 1 or b.shape != (m,):
            raise InvalidGameError(f"budgets must hold one number per resource ({m}), got shape {b.shape}")
        for name, arr in (("rewards", r), ("costs", c), ("budgets", b)):
            if not np.all(np.isfinite(arr)):
                raise InvalidGameError(f"{name} must be finite numbers")
        if np.any(b < 0):
            raise InvalidGameError(f"budgets must be non-negative, got {b.tolist()}")
        if np.any(r[:, 0] != 0) or np.any(c[:, 0, :] != 0):
            raise InvalidGameError("action 0 is the null action: its rewards and costs must all be 0")
        default = ["null"] + [f"a{k}" for k in range(1, K)]
        labels = list(action_labels) if action_labels is not None else default
        rlabels = list(resource_labels) if resource_labels is not None else [f"r{j}" for j in range(m)]
        if len(labels) != K or len(set(labels)) != K or not all(isinstance(s, str) and s for s in labels):
            raise InvalidGameError(f"action_labels must be {K} distinct non-empty strings, got {labels!r}")
        if len(rlabels) != m or len(set(rlabels)) != m or not all(isinstance(s, str) and s for s in rlabels):
            raise InvalidGameError(f"resource_labels must be {m} distinct non-empty strings, got {rlabels!r}")
        run_mask = np.ones(m, dtype=bool) if running is None else np.array(running, dtype=bool).reshape(-1)
        if run_mask.shape != (m,):
            raise InvalidGameError(
                f"running must hold one flag per resource ({m}), got shape {run_mask.shape}"
            )
        self.running = _read_only(run_mask)
        self.rewards = _read_only(r)
        self.costs = _read_only(c)
        self.budgets = _read_only(b)
        self.budget_rate = _read_only(b / T)
        self.action_labels = tuple(labels)
        self.resource_labels = tuple(rlabels)
        self.input_model = str(input_model)
        self.data = {k: _read_only(np.array(v, dtype=float)) for k, v in (data or {}).items()}
        self.title = title or f"allocation(T={T}, K={K}, m={m})"
        self._index = {s: k for k, s in enumerate(labels)}
        self._lp_cache: dict[int, tuple[float, np.ndarray]] = {}
        self._freeze()

    # -- shape ----------------------------------------------------------------------------------
    @property
    def num_players(self) -> int:
        return 1

    @property
    def horizon(self) -> int:
        return int(self.rewards.shape[0])

    @property
    def num_actions(self) -> int:
        return int(self.rewards.shape[1])

    @property
    def num_resources(self) -> int:
        return int(self.costs.shape[2])

    @property
    def payoff_scale(self) -> float:
        """The largest total reward any allocation can collect (1 when it is 0)."""
        s = float(np.maximum(self.rewards, 0.0).max(axis=1).sum())
        return s if s > 0 else 1.0

    @property
    def alpha(self) -> float:
        """``α = max_{t, k, j} c[t, k, j] / ρ_j`` over the resources with ρ_j > 0 (∞ if a resource with
        zero budget is consumed): Balseiro, Lu & Mirrokni's (2022) adversarial competitive ratio is 1/α."""
        pos = np.maximum(self.costs, 0.0).max(axis=(0, 1))
        rate = self.budget_rate
        if np.any((rate == 0) & (pos > 0)):
            return math.inf
        ok = rate > 0
        return float(np.max(pos[ok] / rate[ok])) if ok.any() else 0.0

    def __repr__(self) -> str:
        return f"AllocationGame({self.title!r}, input={self.input_model!r})"

    def default_method(self) -> str:
        return "dual-mirror-descent"

    def digest(self) -> str:
        """SHA-256 of the data that defines the game (checkpoints compare it), leaving out the
        hindsight-LP cache, which fills as the game is evaluated."""
        import hashlib  # here, not at import: OpenSSL is ~3.5 MB resident

        h = hashlib.sha256()
        for a in (self.rewards, self.costs, self.budgets, self.running):
            h.update(f"{a.dtype.str}{a.shape}".encode())
            h.update(np.ascontiguousarray(a).tobytes())
        h.update(repr((self.action_labels, self.resource_labels, self.input_model)).encode())
        for k in sorted(self.data):
            h.update(k.encode() + f"{self.data[k].shape}".encode() + self.data[k].tobytes())
        return "sha256:" + h.hexdigest()

    # -- profiles -------------------------------------------------------------------------------
    def validate_profile(self, profile: Any) -> np.ndarray:
        """The profile as a float array (t, K) of probability rows, t ≤ T (else `InvalidStrategyError`)."""
        if isinstance(profile, (list, tuple)) and len(profile) == 1 and np.ndim(profile[0]) == 2:
            profile = profile[0]  # a one-player list of strategies
        try:
            x = np.asarray(profile, dtype=float)
        except (TypeError, ValueError, OverflowError):
            raise InvalidStrategyError("an allocation profile is a (t, K) array of probability rows") \
                from None
        K, T = self.num_actions, self.horizon
        if x.ndim == 1 and x.size == 0:
            x = x.reshape(0, K)
        if x.ndim != 2 or x.shape[1] != K:
            raise InvalidStrategyError(
                f"an allocation profile has shape (t, {K}) (one row per request), got {x.shape}"
            )
        if x.shape[0] > T:
            raise InvalidStrategyError(f"the profile has {x.shape[0]} rows but the horizon is {T} requests")
        if not np.all(np.isfinite(x)) or np.any(x < -1e-12) or np.any(np.abs(x.sum(axis=1) - 1.0) > 1e-9):
            bad = int(np.flatnonzero(~np.isfinite(x).all(axis=1) | (x < -1e-12).any(axis=1)
                                     | (np.abs(x.sum(axis=1) - 1.0) > 1e-9))[0])
            raise InvalidStrategyError(
                f"row {bad} of the allocation profile is not a probability vector over the {K} "
                f"actions: {x[bad]}"
            )
        return np.clip(x, 0.0, None)

    def uniform_profile(self, exact: bool = False) -> np.ndarray:
        """Every request answered by the uniform mix of its K actions (executed under the budgets)."""
        if exact:
            raise NotApplicableError("allocation games are evaluated in floating point; drop --exact")
        return np.full((self.horizon, self.num_actions), 1.0 / self.num_actions)

    def profile_to_json(self, profile: Any, exact: bool = False) -> Any:
        """A list with one entry per request met: the action label for a pure decision, else
        ``{label: probability}``."""
        if exact:
            raise NotApplicableError("allocation games are evaluated in floating point; drop --exact")
        x = self.validate_profile(profile)
        out: list[Any] = []
        for row in x:
            k = int(np.argmax(row))
            if row[k] == 1.0:
                out.append(self.action_labels[k])
            else:
                out.append({self.action_labels[j]: float(row[j]) for j in range(len(row)) if row[j] > 0})
        return out

    def profile_from_json(self, data: Any) -> np.ndarray:
        if isinstance(data, list) and len(data) == 1 and isinstance(data[0], list):
            data = data[0]
        if not isinstance(data, list):
            raise InvalidStrategyError(
                "an allocation profile is a JSON list with one entry per request: an action label "
                f"({', '.join(self.action_labels)}) or an object {{label: probability}}"
            )
        if len(data) > self.horizon:
            raise InvalidStrategyError(
                f"the profile has {len(data)} entries but the horizon is {self.horizon}"
            )
        x = np.zeros((len(data), self.num_actions))
        for s, item in enumerate(data):
            if isinstance(item, str):
                if item not in self._index:
                    raise InvalidStrategyError(self._unknown(s, item))
                x[s, self._index[item]] = 1.0
            elif isinstance(item, dict):
                for lab, p in item.items():
                    if lab not in self._index:
                        raise InvalidStrategyError(self._unknown(s, lab))
                    if isinstance(p, bool) or not isinstance(p, (int, float)):
                        raise InvalidStrategyError(
                            f"request {s}: probability of {lab!r} is not a number: {p!r}"
                        )
                    x[s, self._index[lab]] = float(p)
            else:
                raise InvalidStrategyError(
                    f"request {s}: expected an action label or {{label: probability}}, got {item!r}"
                )
        return self.validate_profile(x)

    def _unknown(self, s: int, label: Any) -> str:
        return f"request {s}: unknown action {label!r}; the actions are {', '.join(self.action_labels)}"

    # -- semantics ------------------------------------------------------------------------------
    def consumption(self, profile: Any) -> np.ndarray:
        """Per-request expected consumption (t, m) of the profile as given."""
        x = self.validate_profile(profile)
        t = x.shape[0]
        return np.einsum("tk,tkm->tm", x, self.costs[:t])

    def tolerance(self) -> np.ndarray:
        """The absolute slack of the budget check per resource."""
        scale = np.maximum(self.budgets, np.abs(self.costs).max(axis=(0, 1)))
        return BUDGET_RTOL * np.maximum(scale, 1.0)

    def realize(self, profile: Any) -> np.ndarray:
        """The profile as executed under the running budgets: in order, a request whose consumption no
        longer fits the remaining budget of some running resource is declined (its row becomes the null
        action). Constraints on the total only (``running`` False) are not enforced here; see
        `equilibria.metrics.allocation.constraint_violation`."""
        x = self.validate_profile(profile)
        t = x.shape[0]
        if not self.running.any():
            return x
        cons = np.einsum("tk,tkm->tm", x, self.costs[:t])[:, self.running]
        tol = self.tolerance()[self.running]
        cum = np.cumsum(cons, axis=0)
        budgets = self.budgets[self.running]
        over = np.flatnonzero(np.any(cum > budgets + tol, axis=1))
        if over.size == 0:
            return x
        # sequential from the first request that does not fit (rare: only for profiles that overspend)
        x = x.copy()
        s0 = int(over[0])
        remaining = budgets - (cum[s0 - 1] if s0 > 0 else 0.0)
        for s in range(s0, t):
            if np.all(cons[s] <= remaining + tol):
                remaining = remaining - cons[s]
            else:
                x[s] = 0.0
                x[s, 0] = 1.0
        return x

    def reward(self, profile: Any) -> float:
        """Total reward of the realised allocation."""
        x = self.realize(profile)
        return float(np.einsum("tk,tk->", x, self.rewards[: x.shape[0]]))

    def expected_payoffs(self, profile: Any, exact: bool = False) -> np.ndarray:
        if exact:
            raise NotApplicableError("allocation games are evaluated in floating point; drop --exact")
        return np.array([self.reward(profile)])


def check_allocation_size(what: str, horizon: int, actions: int, resources: int) -> None:
    """Refuse before allocating a game whose arrays (and the hindsight LP on it) exceed the size limit.

    Counted: rewards and costs (T·K·(m+1) floats, three temporaries each) and the sparse LP
    (T·(K−1)·(m+1) nonzeros at 16 bytes, plus HiGHS's copy)."""
    arrays = 8 * 4 * horizon * actions * (resources + 1)
    check_size(what, arrays + 48 * horizon * max(actions - 1, 1) * (resources + 1))
