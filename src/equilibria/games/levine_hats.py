"""Levine's hat game: an identical-interest game of incomplete information.

Each of n players wears a stack of ``h`` hats, each black or white with probability 1/2
independently. A player sees every other player's stack but not their own, and names a position
in their own stack; the team wins (every player gets payoff 1) when every named hat is black, and
gets 0 otherwise. The puzzle is Lionel Levine's (2010, with infinite stacks); Buhler, Freiling,
Graham, Kariv, Roche, Tiefenbruck, Van Alten and Yeroshkin, "On Levine's notorious hat puzzle",
Integers 2021 (arXiv:1407.4711) survey it, and V_{n,h} (the optimum with ``h`` hats) is a lower
bound of the infinite-stack value V_n that increases to it.

A profile is one behaviour strategy per player, an array (O, h) with O = 2^((n−1)h) observations:
row o is the distribution of the named position when the player sees the other stacks coded by o.
Stacks are integers s ∈ [0, 2^h) whose bit k is the hat at position k + 1 (1 = black); the
observation of player i is the others' stacks in increasing player order, the first of them the
most significant digit (base 2^h), i.e. the C-order index of the others' axes of the state tensor.

`LevineHatGame.win_probability` is multilinear in the profile; the metrics core's best responses
(`equilibria.metrics.levine_hats`) pick, per observation, the position whose hat is most likely
black jointly with the others' named hats. The exact team optimum is the solver ``team-optimum``
(`equilibria.solvers.team_optimum`). The strategies studied in the literature (first black hat,
recursive block strategies) are built here as profiles of the finite game, and evaluated on long
stacks in `equilibria.solvers.team_optimum`.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np

from .._checks import check_int
from .._numbers import parse_number
from ..errors import InvalidStrategyError
from .base import Game

#: largest n·h: the state tensor has 2^(n·h) entries (and h of them per entry while evaluating)
MAX_TOTAL_HATS = 20


class LevineHatGame(Game):
    """n players, ``hats`` random black/white hats each; win iff every named hat is black."""

    family = "hats"

    def __init__(self, players: int = 2, hats: int = 2):
        n = check_int("players", players, minimum=2, maximum=MAX_TOTAL_HATS)
        h = check_int("hats", hats, minimum=1, maximum=MAX_TOTAL_HATS)
        if n * h > MAX_TOTAL_HATS:
            from ..errors import SizeLimitError

            raise SizeLimitError(
                f"levine_hats(players={n}, hats={h}) has 2^{n * h} hat configurations; players × hats "
                f"must be at most {MAX_TOTAL_HATS}"
            )
        self.players = n
        self.hats = h
        self.title = f"levine_hats(players={n}, hats={h})"
        self._freeze()

    # -- shape --------------------------------------------------------------------------------
    @property
    def num_players(self) -> int:
        return self.players

    @property
    def num_stacks(self) -> int:
        """2^h: the stacks one player can wear."""
        return 1 << self.hats

    @property
    def num_observations(self) -> int:
        """2^((n−1)h): what one player can see."""
        return 1 << (self.hats * (self.players - 1))

    @property
    def num_states(self) -> int:
        return 1 << (self.hats * self.players)

    @property
    def payoff_scale(self) -> float:
        return 1.0

    @property
    def is_constant_sum(self) -> bool:
        return False

    def default_method(self) -> str:
        return "team-optimum"

    @cached_property
    def bits(self) -> np.ndarray:
        """(2^h, h) int array: ``bits[s, k] = 1`` when hat k + 1 of stack s is black."""
        b = (np.arange(self.num_stacks)[:, None] >> np.arange(self.hats)[None, :]) & 1
        b.setflags(write=False)
        return b

    def stack_label(self, s: int) -> str:
        """``"BW"``: the hats of stack ``s`` from position 1 up (B black, W white)."""
        return "".join("B" if (s >> k) & 1 else "W" for k in range(self.hats))

    @cached_property
    def observation_labels(self) -> list[str]:
        """Labels of the observations: the others' stacks in player order, joined by ``|``."""
        n, m = self.players, self.num_stacks
        labels = []
        for o in range(self.num_observations):
            digits = np.unravel_index(o, (m,) * (n - 1))
            labels.append("|".join(self.stack_label(int(d)) for d in digits))
        return labels

    # -- profiles -----------------------------------------------------------------------------
    def _check_strategy(self, s: Any, i: int, exact: bool) -> np.ndarray:
        O, h = self.num_observations, self.hats
        if exact:
            try:
                arr = np.array(s, dtype=object)
                arr = np.vectorize(Fraction, otypes=[object])(arr) if arr.size else arr
            except (TypeError, ValueError):
                raise InvalidStrategyError(f"player {i + 1}'s strategy must be numbers") from None
        else:
            try:
                arr = np.array(s, dtype=float)
            except (TypeError, ValueError):
                raise InvalidStrategyError(f"player {i + 1}'s strategy must be numbers") from None
        if arr.shape != (O, h):
            raise InvalidStrategyError(
                f"player {i + 1}'s strategy must have shape ({O}, {h}) (one distribution over the {h} "
                f"positions per observation), got {arr.shape}")
        if not exact:
            if not np.all(np.isfinite(arr)) or np.any(arr < -1e-9):
                raise InvalidStrategyError(f"player {i + 1}'s strategy has negative or non-finite entries")
            sums = arr.sum(axis=1)
            if np.any(np.abs(sums - 1.0) > 1e-9 * h):
                o = int(np.argmax(np.abs(sums - 1.0)))
                raise InvalidStrategyError(
                    f"player {i + 1}'s row for observation {self.observation_labels[o]!r} sums to {sums[o]}")
            arr = np.clip(arr, 0.0, None)
            return arr / arr.sum(axis=1, keepdims=True)
        if any(v < 0 for v in arr.flat) or any(sum(row) != 1 for row in arr):
            raise InvalidStrategyError(f"player {i + 1}'s exact strategy rows must be distributions")
        return arr

    def validate_profile(self, profile: Any, exact: bool = False) -> list[np.ndarray]:
        if isinstance(profile, np.ndarray) and profile.dtype != object and profile.ndim == 3:
            profile = list(profile)
        if not isinstance(profile, (list, tuple)) or len(profile) != self.players:
            raise InvalidStrategyError(
                f"a profile of {self.title} is a list of {self.players} strategies, one array "
                f"({self.num_observations}, {self.hats}) per player")
        return [self._check_strategy(s, i, exact) for i, s in enumerate(profile)]

    def uniform_profile(self, exact: bool = False) -> list[np.ndarray]:
        O, h = self.num_observations, self.hats
        if exact:
            return [np.full((O, h), Fraction(1, h), dtype=object) for _ in range(self.players)]
        return [np.full((O, h), 1.0 / h) for _ in range(self.players)]

    def pure_profile(self, positions: Any, exact: bool = False) -> list[np.ndarray]:
        """The profile in which player i names position ``positions[i][o] + 1`` on observation o."""
        O, h = self.num_observations, self.hats
        out = []
        for i, pos in enumerate(positions):
            p = np.asarray(pos, dtype=int)
            if p.shape != (O,) or np.any(p < 0) or np.any(p >= h):
                raise InvalidStrategyError(f"player {i + 1}: need {O} positions in 0..{h - 1}")
            row = np.zeros((O, h), dtype=object if exact else float)
            if exact:
                row[:] = Fraction(0)
            row[np.arange(O), p] = Fraction(1) if exact else 1.0
            out.append(row)
        return out

    def profile_to_json(self, profile: Any, exact: bool = False) -> Any:
        """``[{observation: {position: p}}, ...]``, positions numbered from 1, zero entries left out."""
        prof = self.validate_profile(profile, exact=exact)
        out = []
        for s in prof:
            pl = {}
            for o, lab in enumerate(self.observation_labels):
                pl[lab] = {str(k + 1): (str(v) if exact else float(v)) for k, v in enumerate(s[o]) if v != 0}
            out.append(pl)
        return out

    def profile_from_json(self, data: Any) -> Any:
        if not isinstance(data, list) or len(data) != self.players:
            raise InvalidStrategyError(
                f"a {self.title} profile is a JSON list of {self.players} objects {{observation: "
                "{position: probability}}")
        index = {lab: o for o, lab in enumerate(self.observation_labels)}
        prof = []
        for i, pl in enumerate(data):
            if not isinstance(pl, dict):
                raise InvalidStrategyError(f"player {i + 1}'s strategy must be an object")
            arr = np.zeros((self.num_observations, self.hats), dtype=object)
            arr[:] = Fraction(0)
            for lab, row in pl.items():
                if lab not in index:
                    raise InvalidStrategyError(f"player {i + 1}: unknown observation {lab!r} (stacks like "
                                               f"{self.observation_labels[0]!r}, B black, W white)")
                if not isinstance(row, dict):
                    raise InvalidStrategyError(f"player {i + 1}, {lab!r}: expected {{position: probability}}")
                for pos, p in row.items():
                    try:
                        k = int(pos) - 1
                        val = parse_number(p)
                    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
                        raise InvalidStrategyError(
                            f"player {i + 1}, {lab!r}: bad entry {pos!r}: {p!r}") from None
                    if not 0 <= k < self.hats:
                        raise InvalidStrategyError(
                            f"player {i + 1}: position {pos!r} is not in 1..{self.hats}")
                    arr[index[lab], k] = Fraction(val)
            missing = [lab for lab in index if lab not in pl]
            if missing:
                raise InvalidStrategyError(
                    f"player {i + 1} has no distribution for observation {missing[0]!r}")
            prof.append(arr)
        return self.validate_profile(prof, exact=True)

    # -- payoffs ------------------------------------------------------------------------------
    def black_probabilities(self, profile: Any, exact: bool = False) -> list[np.ndarray]:
        """q_i over the state tensor (shape (2^h,)*n, axis j = player j's stack): the probability that
        player i names a black hat in that state."""
        prof = self.validate_profile(profile, exact=exact)
        n, m = self.players, self.num_stacks
        bits = self.bits.astype(object) if exact else self.bits.astype(float)
        out = []
        for i, s in enumerate(prof):
            sig = np.expand_dims(s.reshape((m,) * (n - 1) + (self.hats,)), i)  # axis i has length 1
            b = bits.reshape((1,) * i + (m,) + (1,) * (n - 1 - i) + (self.hats,))
            out.append((sig * b).sum(axis=-1))
        return out

    def win_probability(self, profile: Any, exact: bool = False) -> Any:
        """P(every named hat is black), a `Fraction` when ``exact``."""
        if exact:
            prof = self.validate_profile(profile, exact=True)
            if all(v.denominator == 1 for s in prof for v in s.flat):
                # a pure profile: count the winning configurations in integers (no Fraction objects)
                ints = [s.astype(np.int64) for s in prof]
                q = self.black_probabilities(ints)
                prod = np.prod(np.stack(q), axis=0)
                return Fraction(int(np.rint(prod.sum())), self.num_states)
        q = self.black_probabilities(profile, exact=exact)
        prod = q[0]
        for qi in q[1:]:
            prod = prod * qi
        total = prod.sum()
        return Fraction(total) / self.num_states if exact else float(total) / self.num_states

    def expected_payoffs(self, profile: Any, exact: bool = False) -> np.ndarray:
        """Every player gets the team's win probability."""
        w = self.win_probability(profile, exact=exact)
        return np.array([w] * self.players, dtype=object if exact else float)

    def __repr__(self) -> str:
        return f"<LevineHatGame: {self.players} players, {self.hats} hats each>"


# ---------------------------------------------------------------------------------------------
# Strategies from the literature, as profiles of the finite game (two players)
# ---------------------------------------------------------------------------------------------

def _two_players(game: LevineHatGame, what: str) -> None:
    from ..errors import NotApplicableError

    if game.players != 2:
        raise NotApplicableError(f"{what} is a two-player strategy; the game has {game.players} players")


def first_black_positions(game: LevineHatGame) -> np.ndarray:
    """Position (0-based) of the partner's first black hat, per observation; 0 when all are white."""
    _two_players(game, "first-black")
    b = game.bits
    return np.where(b.any(axis=1), np.argmax(b, axis=1), 0)


def first_black_profile(game: LevineHatGame, exact: bool = False) -> list[np.ndarray]:
    """Each player names the position of the partner's first black hat (Buhler et al. 2021, §2):
    value (1 − 4^−h)/3 with h hats, 1/3 on infinite stacks."""
    pos = first_black_positions(game)
    return game.pure_profile([pos, pos], exact=exact)


def block_positions(game: LevineHatGame, block_map: Any) -> np.ndarray:
    """A recursive block strategy on a finite stack: read the partner's stack in blocks of k hats;
    ``block_map[c]`` (c the code of the partner's block) is a position 0..k−1 inside the own block,
    or −1 to defer to the next block. After ⌊h/k⌋ blocks all deferred, the rest of the stack is read
    by first black hat, and a stack with no black hat left gives position 1."""
    _two_players(game, "a block strategy")
    f = np.asarray(block_map, dtype=int)
    k = int(round(np.log2(len(f))))
    if len(f) != 1 << k or np.any(f < -1) or np.any(f >= k):
        from ..errors import InvalidParameterError

        raise InvalidParameterError("block_map must have 2^k entries in -1..k-1")
    h = game.hats
    obs = np.arange(game.num_observations)
    pos = np.full(len(obs), -1)
    for start in range(0, h - h % k, k):
        code = (obs >> start) & ((1 << k) - 1)
        choice = f[code]
        fill = (pos < 0) & (choice >= 0)
        pos = np.where(fill, start + choice, pos)
    b = game.bits
    tail = h - h % k
    rest = b[:, tail:]
    first_rest = np.where(rest.any(axis=1), tail + np.argmax(rest, axis=1), 0) if rest.shape[1] else 0
    pos = np.where(pos < 0, first_rest, pos)
    return pos.astype(int)


__all__ = ["LevineHatGame", "block_positions", "first_black_positions", "first_black_profile"]
