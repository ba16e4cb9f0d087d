"""Gambit's n-player solvers (issue 15, item 8) against pygambit, on Gambit's own files and random games.

Peers: ``pygambit.nash.simpdiv_solve`` / ``enumpoly_solve`` (and gnm / ipa where they are registered) on
the same games. Every profile one of our solvers returns must be an equilibrium by our NashConv and by
pygambit's ``max_regret``; ``enumpoly`` must find every equilibrium pygambit's ``enumpoly_solve`` finds.
The game corpus is Gambit's catalog as shipped with pygambit: the three-player games of Nau, Gomez
Canovas & Hansen, "On the geometry of Nash equilibria and correlated equilibria", IJGT 2004 (sections
4-6), and the reduced strategic forms of the three- and four-player trees in the catalog.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pygambit as gbt
import pytest

import equilibria as eq
from equilibria.cli import main
from equilibria.errors import InvalidParameterError, NotApplicableError, SizeLimitError
from equilibria.games.normal_form import NormalFormGame
from equilibria.metrics import nash_conv

CATALOG = pathlib.Path(gbt.__file__).parent / "catalog_data"
NAU = CATALOG / "journals" / "ijgt" / "nau2004"
TREES = ["journals/ijgt/selten1975/fig1.efg", "journals/ijgt/selten1975/fig3.efg",
         "conf/itcs/jakobsen2016/fig3.efg"]


def _gambit_files(tmp: pathlib.Path) -> dict[str, pathlib.Path]:
    """Gambit's n-player (n >= 3) games as .nfg files: the catalog's tables and its trees' strategic forms."""
    files = {p.stem: p for p in sorted(NAU.glob("sec[456].nfg"))}
    for rel in TREES:
        g = gbt.read_efg(str(CATALOG / rel))
        path = tmp / (rel.replace("/", "_")[:-4] + ".nfg")
        path.write_text(g.to_nfg())
        files[path.stem] = path
    return files


@pytest.fixture(scope="module")
def gambit_games(tmp_path_factory) -> dict[str, tuple[NormalFormGame, gbt.Game]]:
    files = _gambit_files(tmp_path_factory.mktemp("nfg"))
    assert len(files) == 6
    out = {}
    for name, path in files.items():
        ours = eq.load_game(str(path))
        assert isinstance(ours, NormalFormGame) and ours.num_players >= 3
        out[name] = (ours, gbt.read_nfg(str(path)))
    return out


def _random(shape: tuple[int, ...], seed: int) -> tuple[NormalFormGame, gbt.Game]:
    """A generic game: payoffs with 3 decimals (exact in Gambit's rationals too)."""
    U = np.round(np.random.default_rng(seed).normal(size=(len(shape), *shape)), 3)
    return NormalFormGame(U), gbt.Game.from_arrays(*[U[i] for i in range(len(shape))])


def _to_gambit(G: gbt.Game, profile: list[np.ndarray]) -> gbt.MixedStrategyProfile:
    return G.mixed_strategy_profile(data=[[float(x) for x in s] for s in profile])


def _from_gambit(p: gbt.MixedStrategyProfile) -> list[np.ndarray]:
    return [np.array([float(p[s]) for s in pl.strategies]) for pl in p.game.players]


def _range(game: NormalFormGame) -> float:
    return float(game.payoffs.max() - game.payoffs.min())


def _assert_equilibrium(game: NormalFormGame, G: gbt.Game, profile: list[np.ndarray], rtol: float) -> None:
    """An equilibrium by both libraries' regret, relative to the payoff range."""
    scale = _range(game)
    ours = float(nash_conv(game, profile))
    theirs = float(_to_gambit(G, profile).max_regret())
    assert ours <= rtol * scale, f"our NashConv {ours}"
    assert theirs <= rtol * scale, f"pygambit's max_regret {theirs}"


def _same(p: list[np.ndarray], q: list[np.ndarray], atol: float) -> bool:
    return all(np.allclose(a, b, rtol=0, atol=atol) for a, b in zip(p, q, strict=True))


RANDOM = [((2, 2, 2), 0), ((2, 2, 2), 3), ((3, 2, 2), 1), ((2, 2, 2, 2), 2)]


# ---- enumpoly ------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape,seed", RANDOM)
def test_enumpoly_finds_every_equilibrium_pygambit_finds(shape, seed):
    game, G = _random(shape, seed)
    ours = eq.solve(game, "enumpoly")
    theirs = [_from_gambit(p) for p in gbt.nash.enumpoly_solve(G).equilibria]
    assert theirs
    for q in theirs:
        assert any(_same(s.strategies, q, 1e-6) for s in ours), f"missed pygambit's {q}"
    for s in ours:
        _assert_equilibrium(game, G, s.strategies, 1e-9)
    # Wilson, "Computing equilibria of n-person games", SIAM J. Appl. Math. 1971: a generic game has an
    # odd number of equilibria. pygambit's list is sometimes even (it misses full-support roots here,
    # e.g. the (2,2,2,2) game of seed 2), ours is the complete odd set.
    assert len(ours) % 2 == 1, [s.strategies for s in ours]


def test_enumpoly_on_gambits_files(gambit_games):
    # (pygambit's enumpoly_solve does not return on sec6, whose equilibria form a segment)
    for name in ("sec4", "sec5", "journals_ijgt_selten1975_fig1"):
        game, G = gambit_games[name]
        ours = eq.solve(game, "enumpoly")
        for s in ours:
            _assert_equilibrium(game, G, s.strategies, 1e-9)
        theirs = [_from_gambit(p) for p in gbt.nash.enumpoly_solve(G).equilibria]
        for q in theirs:
            assert any(_same(s.strategies, q, 1e-5) for s in ours) or not all(
                s.info["isolated"] for s in ours), f"{name}: missed pygambit's {q}"
    # Nau et al. 2004, section 4: the unique equilibrium, in irrational strategies
    game, G = gambit_games["sec4"]
    sols = eq.solve(game, "enumpoly")
    assert len(sols) == 1 and sols[0].info["isolated"]
    x = sols[0].strategies
    assert all(0 < p < 1 for s in x for p in s)


def test_enumpoly_refuses_too_many_supports():
    game, _ = _random((4, 4, 4), 0)
    with pytest.raises(SizeLimitError, match="max_supports"):
        eq.solve(game, "enumpoly", max_supports=1000)
    with pytest.raises(InvalidParameterError):
        eq.solve(game, "enumpoly", starts=0)


# ---- simpdiv -------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape,seed", [*RANDOM, ((3, 3, 3), 0), ((3, 3, 3), 2)])
def test_simpdiv_returns_an_equilibrium_by_both_regrets(shape, seed):
    game, G = _random(shape, seed)
    (sol,) = eq.solve(game, "simpdiv")
    _assert_equilibrium(game, G, sol.strategies, 1e-9)
    start = G.mixed_strategy_profile(data=[[1] + [0] * (k - 1) for k in shape], rational=True)
    (theirs,) = gbt.nash.simpdiv_solve(start).equilibria
    # pygambit's answer is approximate (max regret 1e-8 of the payoff range), ours polished
    assert float(theirs.max_regret()) <= 1e-7 * _range(game)


def test_simpdiv_on_gambits_files(gambit_games):
    for game, G in gambit_games.values():
        (sol,) = eq.solve(game, "simpdiv")
        # degenerate games (continua of equilibria) may not polish: then the grid point's accuracy
        _assert_equilibrium(game, G, sol.strategies, 1e-9 if sol.info["polished"] else 1e-7)


def test_simpdiv_regret_shrinks_with_the_mesh():
    """van der Laan, Talman & van der Heyden 1987: a completely labelled simplex of mesh d is an O(d)
    approximate equilibrium, so the best regret of each restart is bounded by a constant times d."""
    game, _ = _random((3, 3, 3), 0)
    (sol,) = eq.solve(game, "simpdiv", polish_result=False)
    grids = sol.info["grids"]
    assert len(grids) >= 10
    meshes = np.array([d for d, _ in grids])
    regrets = np.array([r for _, r in grids])
    np.testing.assert_allclose(meshes[1:] / meshes[:-1], 0.5)
    # every vertex of the complete simplex is within d (per coordinate) of the others; a payoff range of
    # R moves a regret by at most R per unit of probability moved, summed over the players' coordinates
    bound = 2 * _range(game) * sum(game.num_actions) * meshes
    assert np.all(regrets <= bound), np.c_[meshes, regrets, bound]
    assert regrets[-1] <= 1e-8 * _range(game)


def test_simpdiv_from_a_start_and_options():
    game, G = _random((3, 2, 2), 1)
    (sol,) = eq.solve(game, "simpdiv", start=[["1/3", "1/3", "1/3"], ["1/2", "1/2"], [1, 0]], refine=3)
    _assert_equilibrium(game, G, sol.strategies, 1e-9)
    assert sol.info["grids"][0][0] == pytest.approx(1 / 18)
    for bad in ({"refine": 1}, {"maxregret": 0.0}, {"start": [[1, 0], [1, 0], [1, 0]]},
                {"start": [["1/2", "1/3", "1/6"], ["1/2", "1/3"], [1, 0]]}, {"max_pivots": 0}):
        with pytest.raises(InvalidParameterError):
            eq.solve(game, "simpdiv", **bad)


# ---- gnm -----------------------------------------------------------------------------------------


def test_gnm_finds_pygambits_equilibria_on_the_same_ray():
    """Govindan & Wilson 2003: from the ray of the default perturbation (1 on the first strategies) the
    path crosses λ = 0 an odd number of times; each crossing is an equilibrium, the ones Gambit finds."""
    game, G = _random((2, 2, 2), 1)
    ours = eq.solve(game, "gnm")
    theirs = [_from_gambit(p) for p in gbt.nash.gnm_solve(G).equilibria]
    assert len(ours) == len(theirs) == 3
    for s in ours:
        _assert_equilibrium(game, G, s.strategies, 1e-9)
        assert any(_same(s.strategies, q, 1e-6) for q in theirs)
    assert ours[0].info["crossings"] % 2 == 1 and ours[0].info["final_lambda"] < -1


def test_gnm_with_a_perturbation_and_on_gambits_file(gambit_games):
    game, G = _random((3, 2, 2), 1)
    # a shorter path (end_lambda) keeps the test fast (bench/bench_nplayer.py runs 4-player games)
    for s in eq.solve(game, "gnm", perturbation=[[0, 0.5, 1], [1, 0], [0, 1]], end_lambda=-0.5):
        _assert_equilibrium(game, G, s.strategies, 1e-9)
    game, G = gambit_games["sec4"]
    (sol,) = eq.solve(game, "gnm")
    _assert_equilibrium(game, G, sol.strategies, 1e-9)
    for bad in ({"perturbation": [[1, 1], [1, 0], [1, 0]]}, {"end_lambda": 1.0}, {"step_size": 0.0}):
        with pytest.raises(InvalidParameterError):
            eq.solve(game, "gnm", **bad)


@pytest.mark.parametrize("method", ["simpdiv", "enumpoly"])
def test_refuses_other_families_and_runs_from_the_cli(method, capsys, gambit_games, tmp_path):
    with pytest.raises(NotApplicableError):
        eq.solve(eq.load_game("kuhn_poker"), method)
    path = NAU / "sec4.nfg"
    assert main(["solve", str(path), "--method", method, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out
    assert main(["solve", str(path), "--method", method, "-o", "bogus=1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err and "\n" not in err
