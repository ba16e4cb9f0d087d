"""The OpenSpiel bridge (optional extra ``equilibria[openspiel]``).

* `from_pyspiel` enumerates any pyspiel game that is small enough into an `ExtensiveFormGame`
  (simultaneous-move games are first made turn-based with ``pyspiel.convert_to_turn_based``);
  information-set labels are OpenSpiel's information-state strings. OpenSpiel gives chance
  probabilities as rounded floats (Kuhn's 1/3 is 0.333…3); where a node's floats are the
  roundings of simple fractions that sum to exactly 1, the fractions are used, so exact solvers
  solve the real game (Kuhn is worth exactly −1/18). Other floats are kept as given, and exact
  results are then exact for that rounded game (`sequence-form-lp` says so in its ``info``).
* `to_tabular_policy` / `from_tabular_policy` move policies between our arrays and
  ``open_spiel.python.policy.TabularPolicy``. They match the two trees by a parallel walk, so
  they work both for bridged games and for our own catalog games whose trees mirror OpenSpiel's
  (Kuhn, Leduc), and they raise `InvalidGameError` where the trees differ.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InvalidGameError, NotApplicableError
from ..games.extensive_form import CHANCE, TERMINAL, ExtensiveFormGame


def _pyspiel() -> Any:
    try:
        import pyspiel
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise NotApplicableError(
            "the OpenSpiel bridge needs the optional extra: pip install 'equilibria[openspiel]'"
        ) from None
    return pyspiel


def from_pyspiel(game: Any, *, max_nodes: int = 2_000_000) -> ExtensiveFormGame:
    """Convert a pyspiel game (or a name like ``"leduc_poker"``) into an `ExtensiveFormGame`."""
    pyspiel = _pyspiel()
    if isinstance(game, str):
        try:
            game = pyspiel.load_game(game)
        except pyspiel.SpielError as exc:
            raise InvalidGameError(f"OpenSpiel cannot load {game!r}: {exc}") from None
    info = game.get_type()
    if info.dynamics == pyspiel.GameType.Dynamics.SIMULTANEOUS:
        game = pyspiel.convert_to_turn_based(game)
    if info.chance_mode == pyspiel.GameType.ChanceMode.SAMPLED_STOCHASTIC:
        raise NotApplicableError(f"{game} has sampled chance outcomes; its tree cannot be enumerated")
    return ExtensiveFormGame.from_state(
        game.new_initial_state(), game.num_players(), title=str(game), max_nodes=max_nodes,
        expand=_expand_spiel,
    )


#: largest denominator tried when reading a float chance probability back as a fraction
MAX_DENOMINATOR = 10**6


def rational_chance_probabilities(probs: list[float]) -> list[Any]:
    """The simple fractions that ``probs`` are roundings of, or ``probs`` unchanged.

    Each float p is replaced by ``Fraction(p).limit_denominator(MAX_DENOMINATOR)`` when that fraction
    rounds back to exactly p and the fractions sum to exactly 1; otherwise (a probability that is
    no simple fraction, as in a game with float parameters) the floats are kept, so nothing is
    invented.
    """
    fracs = [Fraction(float(p)).limit_denominator(MAX_DENOMINATOR) for p in probs]
    if all(float(f) == float(p) for f, p in zip(fracs, probs, strict=True)) and sum(fracs) == 1:
        return fracs
    return [float(p) for p in probs]


_rational_cache: dict[tuple[float, ...], tuple[Any, ...]] = {}


def _rational(probs: tuple[float, ...]) -> tuple[Any, ...]:
    """`rational_chance_probabilities`, remembered per distinct distribution (a game has few)."""
    out = _rational_cache.get(probs)
    if out is None:
        if len(_rational_cache) > 100_000:
            _rational_cache.clear()
        out = _rational_cache[probs] = tuple(rational_chance_probabilities(list(probs)))
    return out


def _expand_spiel(state: Any) -> tuple[int, Any, Any, Any, Any, Any]:
    """The expander of `ExtensiveFormGame.from_state` for pyspiel states: one information-state
    string per decision node, one `child` per edge, chance floats read as fractions (see above)."""
    if state.is_terminal():
        return TERMINAL, None, None, None, None, state.returns()
    if state.is_chance_node():
        outcomes = state.chance_outcomes()
        acts = tuple(a for a, _ in outcomes)
        probs = _rational(tuple(p for _, p in outcomes))
        return CHANCE, None, acts, probs, [state.child(a) for a in acts], None
    player = state.current_player()
    if player < 0:
        raise InvalidGameError(f"state reports player {player}; make simultaneous moves turn-based first")
    acts = tuple(state.legal_actions())
    return player, state.information_state_string(player), acts, None, [state.child(a) for a in acts], None


def _infoset_map(game: ExtensiveFormGame, spiel_game: Any) -> dict[int, str]:
    """Our infoset index -> OpenSpiel information-state string, by walking both trees in parallel."""
    children: dict[int, list[int]] = {}
    parents = game.node_parent
    order = np.argsort(parents[1:], kind="stable") + 1
    for v in order:
        children.setdefault(int(parents[v]), []).append(int(v))
    mapping: dict[int, str] = {}
    stack = [(0, spiel_game.new_initial_state())]
    while stack:
        v, state = stack.pop()
        if state.is_terminal():
            if game.node_player[v] != -2:
                raise InvalidGameError("the game trees differ: a terminal state meets a non-terminal node")
            continue
        if state.is_chance_node():
            actions = [a for a, _ in state.chance_outcomes()]
        else:
            actions = state.legal_actions()
            I = int(game.node_infoset[v])
            key = state.information_state_string()
            if I < 0 or mapping.setdefault(I, key) != key:
                raise InvalidGameError("the game trees differ: our information sets do not match OpenSpiel's")
        kids = children.get(v, [])
        if len(kids) != len(actions):
            raise InvalidGameError(
                f"the game trees differ: node {v} has {len(kids)} children, OpenSpiel's state {len(actions)}"
            )
        for child, a in zip(kids, actions, strict=True):
            stack.append((child, state.child(a)))
    return mapping


def to_tabular_policy(game: ExtensiveFormGame, policy: np.ndarray, spiel_game: Any) -> Any:
    """Our policy array as an OpenSpiel ``TabularPolicy`` for ``spiel_game``."""
    from open_spiel.python.policy import TabularPolicy

    sigma = game.validate_profile(policy)
    tab = TabularPolicy(spiel_game)
    mapping = _infoset_map(game, spiel_game)
    if len(set(mapping.values())) != len(mapping):
        raise InvalidGameError(
            "OpenSpiel merges information sets that this game keeps apart (its information state "
            "forgets part of the player's own history), so a policy cannot be carried over one to one"
        )
    for I, key in mapping.items():
        row = tab.state_lookup[key]
        legal = np.flatnonzero(tab.legal_actions_mask[row])
        tab.action_probability_array[row] = 0.0
        tab.action_probability_array[row, legal] = sigma[I, : len(legal)]
    return tab


def from_tabular_policy(game: ExtensiveFormGame, tabular: Any, spiel_game: Any) -> np.ndarray:
    """An OpenSpiel ``TabularPolicy`` as our policy array."""
    sigma = game.uniform_profile().astype(float)
    for I, key in _infoset_map(game, spiel_game).items():
        row = tabular.state_lookup[key]
        legal = np.flatnonzero(tabular.legal_actions_mask[row])
        sigma[I, : len(legal)] = tabular.action_probability_array[row, legal]
    return game.validate_profile(sigma)
