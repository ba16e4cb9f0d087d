"""The verifiable-reward game family: enumeration, exact metrics, verifier checks, catalog, CLI."""

from __future__ import annotations

import itertools
import json
from math import comb

import numpy as np
import pytest

import equilibria as eq
from equilibria.cli import main
from equilibria.errors import InvalidGameError, InvalidParameterError, InvalidStrategyError
from equilibria.games.verifiable import VerifiableRewardGame, VerifierError
from equilibria.metrics import verifiable as mv


def _small() -> VerifiableRewardGame:
    # tokens a, b; answers up to 2 tokens: "", a, b, aa, ab, ba, bb
    return VerifiableRewardGame(["a", "b"], 2, [["a b"], ["b", "a a"]])


def _random_policy(game: VerifiableRewardGame, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.ones(game.num_actions), size=(game.num_prompts, game.num_nodes))


def test_enumeration_and_answer_probabilities() -> None:
    g = _small()
    assert g.num_nodes == 3 and g.num_answers == 7
    assert g.node_labels == ["", "a", "b"]
    assert g.answer_labels == [(), ("a",), ("b",), ("a", "a"), ("a", "b"), ("b", "a"), ("b", "b")]
    pi = _random_policy(g)
    q = g.answer_probabilities(pi)
    # by hand: root r, then node a = 1, node b = 2; end = action 2
    for x in range(2):
        p = pi[x]
        expect = [p[0, 2], p[0, 0] * p[1, 2], p[0, 1] * p[2, 2], p[0, 0] * p[1, 0], p[0, 0] * p[1, 1],
                  p[0, 1] * p[2, 0], p[0, 1] * p[2, 1]]
        assert q[x] == pytest.approx(expect, rel=1e-14)
    assert q.sum(axis=1) == pytest.approx([1.0, 1.0], abs=1e-14)
    assert g.pass_rates(pi) == pytest.approx([q[0, 4], q[1, 2] + q[1, 3]], rel=1e-14)
    assert list(g.answer_length) == [0, 1, 1, 2, 2, 2, 2]
    assert list(g.answer_steps) == [1, 2, 2, 2, 2, 2, 2]


def test_exact_metrics_against_brute_force() -> None:
    g = eq.load_game("rlvr:multi(prompts=3, vocab=2, max_length=2, num_correct=3, seed=1)")
    pi = _random_policy(g, 3)
    q = g.answer_probabilities(pi)
    s = (q * g.correct).sum(axis=1)
    k = 3
    assert mv.pass_at_1(g, pi) == pytest.approx(s.mean(), rel=1e-14)
    assert mv.pass_at_k(g, pi, k) == pytest.approx(np.mean(1 - (1 - s) ** k), rel=1e-14)
    # coverage: expected fraction of distinct correct answers seen in k samples, by enumerating
    # all k-tuples of answers
    cov = []
    for x in range(g.num_prompts):
        correct = set(np.flatnonzero(g.correct[x]))
        total = 0.0
        for tup in itertools.product(range(g.num_answers), repeat=k):
            total += np.prod(q[x, list(tup)]) * len(correct & set(tup)) / len(correct)
        cov.append(total)
    assert mv.coverage(g, pi, k) == pytest.approx(np.mean(cov), rel=1e-12)
    # entropy per token: H(answer) by definition over the enumerated answers, decisions by steps
    H = -(q * np.log(q)).sum(axis=1)
    decisions = q @ g.answer_steps
    assert mv.entropy_per_token(g, pi) == pytest.approx(np.mean(H / decisions), rel=1e-12)
    wrong = np.where(g.correct, 0.0, q)
    assert mv.wrong_answer_length(g, pi) == pytest.approx((wrong @ g.answer_length).sum() / wrong.sum())


def test_pass_at_k_estimator_is_unbiased_and_matches_subsets() -> None:
    # 1 − C(n−c, k)/C(n, k) is the fraction of k-subsets of n samples with a correct one
    n = 7
    for c in range(n + 1):
        for k in range(1, n + 1):
            samples = [1] * c + [0] * (n - c)
            frac = np.mean([max(sub) for sub in itertools.combinations(samples, k)])
            assert mv.pass_at_k_estimate(n, c, k) == pytest.approx(frac, abs=1e-12)
    # unbiased (Chen et al. 2021): E_c~Bin(n, s)[estimate] = 1 − (1 − s)^k
    s, k = 0.3, 3
    cs = np.arange(n + 1)
    pmf = np.array([comb(n, c) * s**c * (1 - s) ** (n - c) for c in cs])
    assert pmf @ mv.pass_at_k_estimate(np.full(n + 1, n), cs, k) == pytest.approx(1 - (1 - s) ** k, rel=1e-12)
    with pytest.raises(InvalidParameterError, match="exceeds"):
        mv.pass_at_k_estimate(3, 1, 4)


def test_best_policy_and_nash_conv() -> None:
    g = eq.load_game("rlvr:arith(max_operand=2)")
    best = mv.best_policy(g)
    assert eq.nash_conv(g, best) == 0.0
    assert mv.pass_at_1(g, best) == 1.0
    prior = g.prior_policy
    assert eq.nash_conv(g, prior) == pytest.approx(1.0 - g.pass_rates(prior).mean(), rel=1e-12)
    br = eq.best_response(g, prior, 0)
    assert br.shape == prior.shape and set(np.unique(br)) <= {0.0, 1.0}
    # a prompt without any correct answer: best value 0, gap 0 there
    no = VerifiableRewardGame(["a"], 1, [[], ["a"]])
    u = no.uniform_profile()
    assert eq.nash_conv(no, u) == pytest.approx(0.5 * (1 - 0.5))


def test_catalog_known_values() -> None:
    g = eq.load_game("rlvr:toy")
    assert g.num_prompts == 64
    s = g.pass_rates(g.prior_policy)
    # the prior pass@1 is set to min_pass·(max_pass/min_pass)^{i/63}: 1e-3 to 0.9
    assert s[0] == pytest.approx(1e-3, rel=1e-10) and s[-1] == pytest.approx(0.9, rel=1e-10)
    assert s == pytest.approx(1e-3 * 900 ** (np.arange(64) / 63), rel=1e-10)
    assert sorted(set(g.categories.tolist())) == [0, 1, 2, 3]
    a = eq.load_game("rlvr:arith")
    # 1+1: "2", "0 2", and u + v = 2: "0+2", "1+1", "2+0"
    x = a.prompt_labels.index("1+1")
    found = {" ".join(a.answer_labels[j]) for j in np.flatnonzero(a.correct[x])}
    assert found == {"2", "0 2", "0 + 2", "1 + 1", "2 + 0"}
    m = eq.load_game("rlvr:multi")
    assert np.all(m.correct.sum(axis=1) == 6) and not m.correct[:, 0].any()
    with pytest.raises(InvalidParameterError):
        eq.load_game("rlvr:toy(min_pass=0.5, max_pass=0.1)")
    with pytest.raises(InvalidParameterError):
        eq.load_game("rlvr:toy(vocab=26, max_length=12)")


def test_verifier_checks() -> None:
    with pytest.raises(VerifierError, match="True or False"):
        VerifiableRewardGame(["a"], 1, lambda x, y: 1, num_prompts=2)
    with pytest.raises(VerifierError, match="raised"):
        VerifiableRewardGame(["a"], 1, lambda x, y: y[0] == "a", num_prompts=1)
    with pytest.raises(VerifierError, match="boolean"):
        VerifiableRewardGame(["a"], 1, np.zeros((2, 2)))
    with pytest.raises(InvalidGameError, match="not an answer"):
        VerifiableRewardGame(["a"], 1, [["b"]])
    with pytest.raises(InvalidGameError, match="num_prompts"):
        VerifiableRewardGame(["a"], 1, lambda x, y: True)
    with pytest.raises(InvalidGameError, match="distinct"):
        VerifiableRewardGame(["a", "a"], 1, [["a"]])
    with pytest.raises(InvalidGameError, match="prior_logits"):
        VerifiableRewardGame(["a"], 1, [["a"]], prior_logits=np.zeros((3, 3)))
    def verifier(x: int, y: tuple[str, ...]) -> bool:
        return y == ("a", "b") if x == 0 else y in (("b",), ("a", "a"))

    g = VerifiableRewardGame(["a", "b"], 2, verifier, num_prompts=2)
    assert np.array_equal(g.correct, _small().correct)


def test_profile_json_round_trip_and_bad_profiles() -> None:
    g = _small()
    pi = _random_policy(g)
    back = g.profile_from_json(json.loads(json.dumps(g.profile_to_json(pi))))
    assert np.allclose(back, pi, atol=1e-15)
    with pytest.raises(InvalidStrategyError, match="shape"):
        g.validate_policy(np.ones((2, 3, 2)))
    bad = pi.copy()
    bad[0, 1] *= 2
    with pytest.raises(InvalidStrategyError, match="sums to"):
        g.validate_policy(bad)
    with pytest.raises(InvalidStrategyError, match="no table"):
        g.profile_from_json({"x0": g.profile_to_json(pi)["x0"]})
    with pytest.raises(InvalidStrategyError, match="unknown token"):
        doc = g.profile_to_json(pi)
        doc["x1"][""]["c"] = 0.0
        g.profile_from_json(doc)


def _solve_json(capsys: pytest.CaptureFixture[str], iterations: int) -> dict:
    code = main(["solve", "rlvr:toy", "--method", "grpo", "--iterations", str(iterations), "--seed", "0",
                 "--json"])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


def _nash_conv(doc: dict) -> float:
    sols = doc["solutions"] if isinstance(doc, dict) and "solutions" in doc else doc
    sol = sols[0] if isinstance(sols, list) else sols
    return float(sol["nash_conv"])


def test_cli_done_when(capsys: pytest.CaptureFixture[str]) -> None:
    """`equilibria solve rlvr:toy --method grpo --iterations 300 --seed 0 --json` ends with a NashConv
    below the 10-iteration run's."""
    short = _nash_conv(_solve_json(capsys, 10))
    long = _nash_conv(_solve_json(capsys, 300))
    assert long < short
    assert long < 0.5 * short
    code = main(["solve", "rlvr:toy", "--method", "grpo", "-o", "group_size=0", "--iterations", "5"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
