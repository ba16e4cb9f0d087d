"""`stackelberg`: strong Stackelberg equilibria by multiple LPs (Conitzer & Sandholm, EC 2006).

Checked against independent computations: exact enumeration of the vertices of the follower's
best-response regions (sympy rationals), and the DOBSS mixed-integer program (Paruchuri et al.,
"Playing games for security: an efficient exact algorithm for solving Bayesian Stackelberg games",
AAMAS 2008) by scipy's `milp`; plus the paper's example and known properties (zero-sum games: the
SSE value is the minimax value, von Stengel & Zamir, "Leadership games with convex strategy sets",
GEB 2010; the SSE leader payoff is at least any Nash payoff of the leader).
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction

import numpy as np
import pytest
import sympy
from scipy.optimize import LinearConstraint, milp

import equilibria as eq
from equilibria.cli import main
from equilibria.errors import InvalidParameterError, NotApplicableError
from equilibria.games.normal_form import NormalFormGame
from equilibria.solvers.stackelberg import exact_simplex


def _brute_force_sse(L: np.ndarray, F: np.ndarray) -> Fraction:
    """The SSE leader value by enumerating the vertices of every best-response region, exactly.

    The optimal commitment is a vertex of some region {x ∈ Δ : j is a follower best response};
    every such vertex solves ``Σx = 1`` with m−1 of the equations ``x_i = 0`` or
    ``(F_j − F_k)·x = 0`` active. Each candidate is evaluated with leader-favourable tie breaking.
    """
    m, n = F.shape
    eqs = [[int(r == i) for r in range(m)] for i in range(m)]
    eqs += [[F[i, j] - F[i, k] for i in range(m)] for j in range(n) for k in range(j + 1, n)]
    best = None
    for rows in itertools.combinations(range(len(eqs)), m - 1):
        M = sympy.Matrix([eqs[r] for r in rows] + [[1] * m])
        if M.det() == 0:
            continue
        x = M.solve(sympy.Matrix([0] * (m - 1) + [1]))
        if any(v < 0 for v in x):
            continue
        x = [Fraction(int(v.p), int(v.q)) for v in x]
        fol = [sum(x[i] * F[i, j] for i in range(m)) for j in range(n)]
        br = [j for j in range(n) if fol[j] == max(fol)]
        val = max(sum(x[i] * L[i, j] for i in range(m)) for j in br)
        best = val if best is None else max(best, val)
    return best


def _dobss_value(L: np.ndarray, F: np.ndarray) -> float:
    """The SSE leader value by the DOBSS MILP (one follower type), solved by scipy's HiGHS MILP.

    Variables ``z_ij = x_i q_j`` (m·n), ``q_j`` binary (n), ``a`` the follower's value:
    max Σ z_ij L_ij s.t. Σ z = 1, Σ_j z_ij ≤ 1, q_j ≤ Σ_i z_ij ≤ 1, Σ q = 1,
    0 ≤ a − Σ_i F_ij Σ_h z_ih ≤ (1 − q_j)·M.
    """
    m, n = F.shape
    nz = m * n
    nv = nz + n + 1
    big = 2 * (np.abs(F).max() + 1)
    c = np.zeros(nv)
    c[:nz] = -L.reshape(-1)
    rows, lo, hi = [], [], []

    def add(row, lb, ub):
        rows.append(row)
        lo.append(lb)
        hi.append(ub)

    add(np.r_[np.ones(nz), np.zeros(n + 1)], 1, 1)
    for j in range(n):
        r = np.zeros(nv)
        r[[i * n + j for i in range(m)]] = 1
        r[nz + j] = -1
        add(r, 0, np.inf)  # Σ_i z_ij ≥ q_j
    add(np.r_[np.zeros(nz), np.ones(n), 0], 1, 1)
    x_of = np.zeros((m, nv))  # x_i = Σ_j z_ij
    for i in range(m):
        x_of[i, i * n:(i + 1) * n] = 1
    for j in range(n):
        r = -(F[:, j] @ x_of)
        r[-1] = 1
        add(r, 0, np.inf)  # a ≥ follower payoff of j
        r2 = r.copy()
        r2[nz + j] = big
        add(r2, -np.inf, big)  # a − payoff_j ≤ (1 − q_j) M
    integrality = np.r_[np.zeros(nz), np.ones(n), 0]
    bounds_lo = np.r_[np.zeros(nz + n), -np.inf]
    bounds_hi = np.r_[np.ones(nz + n), np.inf]
    from scipy.optimize import Bounds

    res = milp(c, constraints=LinearConstraint(np.array(rows), lo, hi), integrality=integrality,
               bounds=Bounds(bounds_lo, bounds_hi), options={"mip_rel_gap": 1e-12})
    assert res.status == 0
    return -res.fun


def test_conitzer_sandholm_example() -> None:
    """Their Fig. 1: Up dominates for the leader (Nash payoff 2), committing to (1/2, 1/2) gets 3.5."""
    g = NormalFormGame.from_bimatrix([[2, 4], [1, 3]], [[1, 0], [0, 1]])
    s = eq.solve(g, "stackelberg", exact=True)[0]
    assert s.exact
    assert list(s.strategies[0]) == [Fraction(1, 2), Fraction(1, 2)]
    assert list(s.strategies[1]) == [0, 1]
    assert list(s.payoffs) == [Fraction(7, 2), Fraction(1, 2)]
    f = eq.solve(g, "stackelberg")[0]
    np.testing.assert_allclose(f.strategies[0], [0.5, 0.5], atol=1e-9)
    np.testing.assert_allclose(f.payoffs, [3.5, 0.5], atol=1e-9)
    assert f.info["follower_response"] == 1 and f.info["values"][0] == pytest.approx(2.0)


@pytest.mark.parametrize("seed", range(12))
def test_exact_matches_vertex_enumeration(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n = rng.integers(1, 4, size=2)
    A = rng.integers(-4, 5, size=(m, n))
    B = rng.integers(-4, 5, size=(m, n))  # small integers: many ties, the hard case
    g = NormalFormGame.from_bimatrix(A, B)
    s = eq.solve(g, "stackelberg", exact=True)[0]
    L, F = g.bimatrix(exact=True)
    assert s.payoffs[0] == _brute_force_sse(L, F)
    x, y = s.strategies
    j = s.info["follower_response"]
    fol = F.T @ x
    assert fol[j] == max(fol), "the response is a follower best response"
    lead = L.T @ x
    assert lead[j] == max(lead[k] for k in range(n) if fol[k] == max(fol)), "ties go to the leader"
    assert sum(x) == 1 and all(v >= 0 for v in x) and y[j] == 1
    fl = eq.solve(g, "stackelberg")[0]
    assert fl.payoffs[0] == pytest.approx(float(s.payoffs[0]), abs=1e-8)


@pytest.mark.parametrize("seed", range(4))
def test_float_matches_dobss_milp(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    A, B = rng.normal(size=(2, 5, 6)) * 10.0 ** rng.integers(-3, 4)
    g = NormalFormGame.from_bimatrix(A, B)
    s = eq.solve(g, "stackelberg")[0]
    ref = _dobss_value(A, B)
    assert s.payoffs[0] == pytest.approx(ref, rel=1e-7, abs=1e-9 * np.abs(A).max())
    # the follower's action is a best response (to LP accuracy)
    x, j = s.strategies[0], s.info["follower_response"]
    assert (B.T @ x)[j] >= (B.T @ x).max() - 1e-8 * np.abs(B).max()


def test_leader_option_is_transpose() -> None:
    rng = np.random.default_rng(7)
    A, B = rng.integers(-5, 6, size=(2, 3, 4))
    g = NormalFormGame.from_bimatrix(A, B)
    gt = NormalFormGame.from_bimatrix(B.T, A.T)
    s1 = eq.solve(g, "stackelberg", leader=1, exact=True)[0]
    s0 = eq.solve(gt, "stackelberg", exact=True)[0]
    assert s1.info["leader"] == 1
    assert list(s1.strategies[1]) == list(s0.strategies[0])
    assert list(s1.payoffs) == list(s0.payoffs[::-1])


@pytest.mark.parametrize("seed", range(4))
def test_zero_sum_value_is_minimax(seed: int) -> None:
    g = eq.load_game(f"random_zero_sum(rows=4, cols=3, seed={seed})")
    s = eq.solve(g, "stackelberg")[0]
    assert s.payoffs[0] == pytest.approx(float(eq.solve(g, "lp")[0].info["value"]), abs=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_leader_gets_at_least_any_nash_payoff(seed: int) -> None:
    g = eq.load_game(f"random_integer(rows=3, cols=3, low=-5, high=5, seed={seed})")
    s = eq.solve(g, "stackelberg", exact=True)[0]
    for ne in eq.solve(g, "vertex-enumeration", exact=True):
        assert s.payoffs[0] >= ne.payoffs[0]


def test_exact_simplex_small_lps() -> None:
    # max x + y s.t. x + 2y + s = 4, 3x + y + t = 6  ->  x = 8/5, y = 6/5
    z, v = exact_simplex(np.array([[1, 2, 1, 0], [3, 1, 0, 1]]), np.array([4, 6]), np.array([1, 1, 0, 0]))
    assert v == Fraction(14, 5) and list(z[:2]) == [Fraction(8, 5), Fraction(6, 5)]
    assert exact_simplex(np.array([[1, 1]]), np.array([-1]), np.array([1, 0])) is None  # infeasible


def test_not_two_player_and_bad_options() -> None:
    three = eq.load_game("random_uniform(players=3, actions=2, seed=0)")
    with pytest.raises(NotApplicableError, match="two-player"):
        eq.solve(three, "stackelberg")
    with pytest.raises(NotApplicableError, match="two-player"):
        eq.solve(NormalFormGame(np.ones((1, 3))), "stackelberg")
    g = eq.load_game("battle_of_the_sexes")
    for bad in (2, -1, 0.5, "x"):
        with pytest.raises(InvalidParameterError, match="leader"):
            eq.solve(g, "stackelberg", leader=bad)


def test_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", "battle_of_the_sexes", "--method", "stackelberg", "--exact", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out
    assert main(["solve", "battle_of_the_sexes", "--method", "stackelberg", "-o", "leader=3"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "leader" in err


def test_degenerate_bimatrix(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    """Follower payoffs 1e-12 apart: HiGHS would drop the difference and return commitment (1, 0)
    with response 0, which is not a best response to it; float mode refuses, exact mode solves it:
    the leader mixes just enough, x = (10^12, 1)/(10^12 + 1), to make column 0 a best response."""
    from fractions import Fraction

    from equilibria.errors import DegenerateGameError
    from equilibria.io.nfg import write_nfg

    F_tiny = [[Fraction(0), Fraction(1, 10**12)], [Fraction(1), Fraction(0)]]
    game = NormalFormGame.from_bimatrix([[1, 0], [0, 0]], F_tiny)
    with pytest.raises(DegenerateGameError, match="exact=True"):
        eq.solve(game, "stackelberg")
    sol = eq.solve(game, "stackelberg", exact=True)[0]
    assert sol.info["follower_response"] == 0
    assert list(sol.info["commitment"]) == [Fraction(10**12, 10**12 + 1), Fraction(1, 10**12 + 1)]
    path = tmp_path / "tiny.nfg"
    write_nfg(game, path)
    assert main(["solve", str(path), "--method", "stackelberg"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "exact" in err
    assert main(["solve", str(path), "--method", "stackelberg", "--exact", "--json"]) == 0
