"""GRPO iterations per second on rlvr:toy (64 prompts, groups of 8): the tabular learner against a
straightforward PyTorch implementation of the same step, in one process.

The PyTorch step is what one would write for a language model, on the same tabular policy: a
logits parameter (prompts, prefixes, vocab + end); answers sampled token by token with
``torch.multinomial`` (L positions, batched over the 512 answers), the verifier's reward looked up
for every answer, GRPO advantages (r − mean)/(std + 1e-4) per group, the loss
−(1/G) Σ_i (1/|o_i|) Σ_t A_i log π(o_t) of one on-policy step, autograd and an SGD step of the
same size. Ours (`equilibria.dynamics.rlvr.GRPO`) samples whole answers by an inverse CDF over the
enumerated answers and applies the closed-form softmax gradient with one bincount. Both run on the
CPU, PyTorch on one thread (the tensors are tiny); repeats are interleaved and the median reported.

    .venv/bin/python bench/bench_rlvr.py [--iterations 200] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import equilibria as eq


def torch_grpo(game, group_size: int, step_size: float, seed: int):
    """A closure doing one straightforward PyTorch GRPO step on ``game``'s tabular policy."""
    import torch

    torch.manual_seed(seed)
    X, N, A = game.prior_logits.shape
    V, L = game.vocab_size, game.max_length
    logits = torch.tensor(game.prior_logits, dtype=torch.float64, requires_grad=True)
    child = torch.tensor(game.child)
    answer_of = torch.tensor(game.answer_of)
    correct = torch.tensor(game.correct)
    prompts = torch.arange(X).repeat_interleave(group_size)
    opt = torch.optim.SGD([logits], lr=step_size)

    def step() -> None:
        S = len(prompts)
        node = torch.zeros(S, dtype=torch.long)
        done = torch.zeros(S, dtype=torch.bool)
        answer = torch.zeros(S, dtype=torch.long)
        logps, masks = [], []
        for depth in range(L):
            dist = torch.softmax(logits[prompts, node], dim=-1)
            action = torch.multinomial(dist.detach(), 1).squeeze(1)
            logps.append(torch.log(dist.gather(1, action[:, None]).squeeze(1)))
            masks.append(~done)
            ends = (action == V) | (depth == L - 1)
            answer = torch.where(~done & ends, answer_of[node, action], answer)
            nxt = child[node, torch.clamp(action, max=V)]
            done = done | ends
            node = torch.where(done, node, nxt)
        reward = correct[prompts, answer].to(torch.float64).view(X, group_size)
        adv = ((reward - reward.mean(1, keepdim=True)) / (reward.std(1, keepdim=True) + 1e-4)).view(-1)
        lp = torch.stack(logps, 1)
        m = torch.stack(masks, 1).to(torch.float64)
        per_answer = (lp * m).sum(1) / m.sum(1)
        loss = -(adv * per_answer).mean() * X  # scaled like ours: the step each prompt's table sees
        opt.zero_grad()
        loss.backward()
        opt.step()

    def policy() -> np.ndarray:
        return torch.softmax(logits.detach(), dim=-1).numpy()

    step.policy = policy  # type: ignore[attr-defined]
    return step


def rate(step, iterations: int) -> float:
    t0 = time.perf_counter()
    for _ in range(iterations):
        step()
    return iterations / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    game = eq.load_game("rlvr:toy")
    ours = eq.make_learner(game, "grpo", seed=0, group_size=8, step_size=1.0)
    theirs = torch_grpo(game, 8, 1.0, 0)
    ours.step()
    theirs()  # warm up
    r_ours, r_torch, ratios = [], [], []
    for _ in range(args.repeats):
        a = rate(ours.step, args.iterations)
        b = rate(theirs, args.iterations)
        r_ours.append(a)
        r_torch.append(b)
        ratios.append(a / b)
    mo, mt = statistics.median(r_ours), statistics.median(r_torch)
    print(f"rlvr:toy: {game.num_prompts} prompts x 8 answers, {game.num_nodes} prefixes, "
          f"{game.num_answers} answers")
    print(f"  equilibria tabular GRPO : {mo:9.1f} it/s  ({1e3 / mo:.2f} ms/it)")
    print(f"  PyTorch straightforward : {mt:9.1f} it/s  ({1e3 / mt:.2f} ms/it)")
    print(f"  ratio (ours / PyTorch)  : {statistics.median(ratios):.1f}x "
          f"(median of {args.repeats} interleaved repeats)")
    # both learn the same task: the exact pass@1 after the timed iterations
    done = 1 + args.iterations * args.repeats
    s_ours = float(game.pass_rates(ours.policy()).mean())
    s_torch = float(game.pass_rates(theirs.policy()).mean())
    print(f"  exact pass@1 after {done} iterations: ours {s_ours:.3f}, PyTorch {s_torch:.3f}")


if __name__ == "__main__":
    main()
