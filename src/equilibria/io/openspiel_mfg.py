"""Bridge to OpenSpiel's mean-field games: any ``pyspiel`` MFG as a `MeanFieldGame`, policies both ways.

`from_openspiel(game)` walks the OpenSpiel game tree once per population, in the depth-first order
of OpenSpiel's own evaluators (``PolicyValue``, ``BestResponse``: children in legal-action and
chance-outcome order, every node cached by its observation string), and builds:

* states: at t ≥ 1 the position of the decision node's mean-field node in the union of OpenSpiel's
  ``distribution_support()`` lists of that step (one index space for all populations, so a
  population's own states are a block of it), then mean-field nodes outside every support; at
  t = 0 the decision nodes in the order the initial chance node reaches them; an absorbing "end"
  state for terminal nodes;
* transitions: from each decision node and legal action through the chance nodes to the next
  mean-field node (their probabilities do not depend on μ in OpenSpiel's games except
  dynamic_routing, whose travel times do: the bridge reads them once, so it does not model that game;
  `equilibria.games.catalog.mean_field_routing` is its native port);
* rewards: ``reward(t, μ_t)`` sets μ_t on the first-visited mean-field node that precedes each
  decision node (``update_distribution``) and reads ``rewards()``, which is what OpenSpiel's
  evaluators do, so hidden state kept by the game (such as a last action) is the one their caches
  see. The rewards of terminal nodes and of mean-field nodes before the update (constants of the
  tree, as the evaluators read them) are added to the reward of the decision that leads to them.

This is a faithful but slow model (each reward evaluation calls OpenSpiel once per decision node):
use it to load an arbitrary OpenSpiel MFG, to convert policies, and to check our native ports in
`equilibria.games.catalog.mean_field_games`.

`to_openspiel_policy(bridge, π)` gives an OpenSpiel ``Policy`` that plays our policy array;
`from_openspiel_policy(bridge, policy)` reads an OpenSpiel policy into an array.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InvalidGameError, NotApplicableError
from ..games.mean_field import MeanFieldGame


@dataclass
class OpenSpielMFG:
    """A bridged game: ``game`` (ours) and the maps between our (k, t, s) and OpenSpiel's strings."""

    game: MeanFieldGame
    openspiel_game: Any
    #: OpenSpiel decision-node string -> (population, step, state)
    index: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    #: (population, step, state) -> a representative OpenSpiel decision state
    states: dict[tuple[int, int, int], Any] = field(default_factory=dict)


def _import_pyspiel() -> Any:
    try:
        import pyspiel  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - open_spiel is a dev extra
        raise NotApplicableError("the OpenSpiel bridge needs open_spiel (pip install open_spiel)") from exc
    return pyspiel


def load_openspiel_mfg(name: str, params: dict[str, Any] | None = None) -> OpenSpielMFG:
    """Load an OpenSpiel MFG by name (python games are registered on import) and bridge it."""
    pyspiel = _import_pyspiel()
    if name.startswith("python_mfg_"):
        import importlib  # noqa: PLC0415

        try:
            importlib.import_module(f"open_spiel.python.mfg.games.{name[len('python_mfg_'):]}")
        except ImportError:
            pass
    try:
        game = pyspiel.load_game(name, params or {})
    except pyspiel.SpielError as exc:
        raise InvalidGameError(f"OpenSpiel cannot load {name!r}: {exc}") from None
    return from_openspiel(game)


def from_openspiel(os_game: Any) -> OpenSpielMFG:
    """Bridge a loaded OpenSpiel mean-field game (see the module docstring)."""
    pyspiel = _import_pyspiel()
    if os_game.get_type().dynamics != pyspiel.GameType.Dynamics.MEAN_FIELD:
        raise NotApplicableError(f"{os_game.get_type().short_name} is not a mean-field game")
    DEFAULT = pyspiel.PlayerId.DEFAULT_PLAYER_ID
    CHANCE, MEAN_FIELD = pyspiel.PlayerId.CHANCE, pyspiel.PlayerId.MEAN_FIELD
    roots = list(os_game.new_initial_states())
    K = len(roots)
    A = os_game.num_distinct_actions()

    def key(state: Any) -> str:
        return state.observation_string(DEFAULT)

    # ---- one depth-first walk per population, in the evaluators' order ----------------------
    decisions: list[dict[tuple[int, str], Any]] = [{} for _ in range(K)]  # (t, string) -> state
    mf_before: list[dict[tuple[int, str], Any]] = [{} for _ in range(K)]  # (t, decision string) -> mf node
    supports: dict[int, dict[str, int]] = {}
    mf_names: dict[int, list[str]] = {}  # every mean-field node string per step, in walk order
    own_support: dict[str, list[str]] = {}
    order0: list[list[str]] = [[] for _ in range(K)]
    seen: set[str] = set()
    horizon = 0

    def walk(k: int, state: Any, t: int, mf_node: Any) -> None:
        nonlocal horizon
        s = key(state)
        if s in seen:
            return
        seen.add(s)
        if state.is_terminal():
            horizon = max(horizon, t)
            return
        player = state.current_player()
        if player == CHANCE:
            for action, _ in state.chance_outcomes():
                walk(k, state.child(action), t, mf_node)
        elif player == MEAN_FIELD:
            support = list(state.distribution_support())
            mf_names.setdefault(t + 1, []).append(s)
            own_support[s] = support
            union = supports.setdefault(t + 1, {})
            for name in support:  # one index space per step: the union of the nodes' supports
                union.setdefault(name, len(union))
            child = state.clone()
            child.update_distribution([1.0 / max(len(support), 1)] * len(support))
            walk(k, child, t + 1, state)
        else:
            if int(player) < 0:
                raise NotApplicableError(f"unexpected OpenSpiel node type at {s!r}")
            decisions[k][(t, s)] = state
            if mf_node is not None:
                mf_before[k][(t, s)] = mf_node
            elif t == 0:
                order0[k].append(s)
            else:
                raise NotApplicableError(f"decision node {s!r} is not preceded by a mean-field node")
            horizon = max(horizon, t + 1)
            for action in state.legal_actions():
                walk(k, state.child(action), t, None)

    for k, root in enumerate(roots):
        walk(k, root, 0, None)
    H = horizon

    # ---- state indices ---------------------------------------------------------------------
    n0 = sum(len(o) for o in order0)
    # states at step t: the support's entries in its order, then mean-field nodes outside it
    support_pos: dict[int, dict[str, int]] = {}
    for t, names in mf_names.items():
        pos = dict(supports.get(t, {}))
        for name in names:
            pos.setdefault(name, len(pos))
        support_pos[t] = pos
    S_core = max([n0] + [len(v) for v in support_pos.values()])
    end = S_core  # absorbing end state (terminal nodes; unreachable padding points here too)
    S = S_core + 1
    pos0 = {}
    for k in range(K):
        for s in order0[k]:
            pos0[(k, s)] = len(pos0)

    index: dict[str, tuple[int, int, int]] = {}
    reps: dict[tuple[int, int, int], Any] = {}
    mf_rep: dict[tuple[int, int, int], Any] = {}
    for k in range(K):
        for (t, s), st in decisions[k].items():
            if t == 0 and (t, s) not in mf_before[k]:
                i = pos0[(k, s)]
            else:
                mf = mf_before[k][(t, s)]
                name = key(mf)
                if name not in support_pos[t]:
                    raise NotApplicableError(
                        f"mean-field node {name!r} is not in its step's distribution support"
                    )
                i = support_pos[t][name]
                mf_rep[(k, t, i)] = mf
            if (k, t, i) in reps:
                raise NotApplicableError(f"two decision nodes share state {i} at step {t}")
            index[s] = (k, t, i)
            reps[(k, t, i)] = st

    # ---- transitions, legal actions and constant rewards -------------------------------------
    legal = np.zeros((K, H, S, A), dtype=bool)
    const = np.zeros((K, H, S, A))
    state_const = np.zeros((K, H, S))
    outcomes: dict[tuple[int, int, int, int], dict[int, float]] = {}
    reached = np.zeros((K, H, S), dtype=bool)
    for (k, t, i), st in reps.items():
        reached[k, t, i] = True
        if (k, t, i) in mf_rep:
            state_const[k, t, i] = mf_rep[(k, t, i)].rewards()[k]
        for a in st.legal_actions():
            legal[k, t, i, a] = True
            dist: dict[int, float] = {}
            frontier = [(st.child(a), 1.0)]
            while frontier:
                node, p = frontier.pop()
                if node.is_terminal():
                    dist[end] = dist.get(end, 0.0) + p
                    const[k, t, i, a] += p * node.rewards()[k]
                elif node.current_player() == CHANCE:
                    frontier.extend((node.child(c), p * q) for c, q in node.chance_outcomes())
                elif node.current_player() == MEAN_FIELD:
                    j = support_pos[t + 1][key(node)]
                    dist[j] = dist.get(j, 0.0) + p
                else:
                    raise NotApplicableError(f"a decision follows {str(st)!r} without a mean-field node")
            outcomes[(k, t, i, a)] = dist
    # unreached states and illegal actions: every action legal, stay put (they carry no mass)
    legal[~legal.any(-1)] = True
    B = max((len(d) for d in outcomes.values()), default=1)
    targets = np.zeros((K, H, S, A, B), dtype=np.intp)
    probs = np.zeros((K, H, S, A, B))
    targets[...] = np.arange(S)[None, None, :, None, None]
    probs[..., 0] = 1.0
    for (k, t, i, a), d in outcomes.items():
        js = list(d)
        targets[k, t, i, a, : len(js)] = js
        targets[k, t, i, a, len(js):] = js[0]
        probs[k, t, i, a] = 0.0
        probs[k, t, i, a, : len(js)] = [d[j] for j in js]
    # mass on the end state stays there
    targets[:, :, end] = end
    probs[:, :, end] = 0.0
    probs[:, :, end, :, 0] = 1.0

    initial = np.zeros((K, S))
    for k, root in enumerate(roots):
        frontier = [(root, 1.0)]
        while frontier:
            node, p = frontier.pop()
            if node.current_player() == CHANCE:
                frontier.extend((node.child(c), p * q) for c, q in node.chance_outcomes())
            else:
                _, _, i = index[key(node)]
                initial[k, i] += p

    keys_t = [sorted(kt for kt in reps if kt[1] == t) for t in range(H)]
    base_rewards = np.zeros((K, H, S))
    for (k, t, i), st in reps.items():
        if t == 0 and (k, t, i) not in mf_rep:
            base_rewards[k, t, i] = st.rewards()[k]

    # where each mean-field node's own support lies in its step's index space
    lookups = {
        kti: np.array([support_pos[kti[1]][name] for name in own_support[key(mf)]], dtype=np.intp)
        for kti, mf in mf_rep.items()
    }

    def reward(t: int, mu: np.ndarray) -> np.ndarray:
        r = base_rewards[:, t] + state_const[:, t]
        total = mu.sum(0)
        for k, tt, i in keys_t[t]:
            mf = mf_rep.get((k, tt, i))
            if mf is not None:
                node = mf.clone()
                node.update_distribution(total[lookups[(k, tt, i)]].tolist())
                r[k, i] += node.rewards()[k]
        return r[:, :, None] + const[:, t]

    def transition(t: int, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return targets[:, t], probs[:, t]

    labels = [f"s{i}" for i in range(S_core)] + ["end"]
    ours = MeanFieldGame(
        S, A, reward=reward, transition=transition, initial=initial, horizon=H, num_populations=K,
        legal_actions=legal, state_labels=labels, title=f"OpenSpiel {os_game.get_type().short_name}",
    )
    return OpenSpielMFG(ours, os_game, index, reps)


def to_openspiel_policy(bridge: OpenSpielMFG, policy: Any) -> Any:
    """An OpenSpiel ``Policy`` playing our policy array (shape ``(K, H, S, A)``)."""
    from open_spiel.python import policy as policy_std  # noqa: PLC0415

    pi = bridge.game.validate_policy(policy)
    index = bridge.index
    pyspiel = _import_pyspiel()
    DEFAULT = pyspiel.PlayerId.DEFAULT_PLAYER_ID

    class _ArrayPolicy(policy_std.Policy):
        def action_probabilities(self, state: Any, player_id: Any = None) -> dict[int, float]:
            k, t, i = index[state.observation_string(DEFAULT)]
            return {a: float(pi[k, t, i, a]) for a in state.legal_actions()}

    return _ArrayPolicy(bridge.openspiel_game, list(range(bridge.game.num_populations)))


def from_openspiel_policy(bridge: OpenSpielMFG, policy: Any) -> np.ndarray:
    """Our policy array from an OpenSpiel ``Policy`` (uniform at states OpenSpiel never reaches)."""
    pi = bridge.game.uniform_policy()
    for (k, t, i), st in bridge.states.items():
        row = np.zeros(bridge.game.num_actions)
        for a, p in policy.action_probabilities(st).items():
            row[a] = p
        pi[k, t, i] = row
    return bridge.game.validate_policy(pi)
