"""The OpenSpiel bridge (optional extra ``equilibria[openspiel]``).

* `from_pyspiel` enumerates any pyspiel game that is small enough into an `ExtensiveFormGame`
  (simultaneous-move games are first made turn-based with ``pyspiel.convert_to_turn_based``);
  information-set labels are OpenSpiel's information-state strings.
* `to_tabular_policy` / `from_tabular_policy` move policies between our arrays and
  ``open_spiel.python.policy.TabularPolicy``. They match the two trees by a parallel walk, so
  they work both for bridged games and for our own catalog games whose trees mirror OpenSpiel's
  (Kuhn, Leduc), and they raise `InvalidGameError` where the trees differ.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidGameError, NotApplicableError
from ..games.extensive_form import ExtensiveFormGame


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
        game.new_initial_state(), game.num_players(), title=str(game), max_nodes=max_nodes
    )


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
