"""The JAX engine of the CFR family (``engine="jax"``): one ``jax.jit``-compiled function per iteration.

It computes the ``"history"`` engine's iteration (`equilibria.dynamics.cfr.HistoryLayout`) over the
same index arrays, in the same floating-point order, so on a CPU its iterates equal the NumPy
engine's bit for bit (and therefore OpenSpiel's, which the history engine reproduces). The loops
over players, depth levels, sibling ranks, action columns and the k-th histories of infosets are
unrolled when the function is traced, so every shape is static and the whole iteration is one
XLA program: the Python and dispatch overhead is paid once per iteration instead of once per array
operation, which is what a small tree (Kuhn poker) is made of.

Differences of layout from the NumPy engine, none of which changes an operand or an order of
addition:

* history values live in one array per depth level; a level is the sibling sums of its parents
  (one gather of the children's products, sibling by sibling in node order, then the sums) and
  the constant terminal utilities elsewhere (no scatter);
* the per-history regrets are laid out "k-th history of each infoset" by a gather with a zero
  padding row, then added to the cumulative regret k = 0, 1, ... (as ``accumulate_regret``);
* the scalars that depend on the iteration t (``t``, ``t^γ``, DCFR's two discounts) are computed
  in Python with the NumPy engine's formulas and passed in, so no power is evaluated by XLA;
* XLA lets LLVM contract ``a * b + c`` into one fused multiply-add (one rounding instead of NumPy's
  two) and turns a division by a broadcast into a multiplication by reciprocals. Either changes
  the last bit, which CFR+ amplifies (1e-16 grows to 1e-4 within 200 Leduc iterations). So every
  product that is later added passes through ``opaque`` (its bits XOR-ed with a runtime zero, an
  identity the compiler cannot see through), and regret matching divides by row sums laid out by
  a gather.

The learner's state stays NumPy (``cumulative_regret``, ``cumulative_policy``, ``sigma``,
``reach``): after each iteration the learner holds NumPy views of the results (read-only; no copy
on a CPU), and the next iteration starts from the JAX arrays behind them as long as the learner
still holds those views, so checkpoints stay pickle-free ``.npy`` files and a resumed run equals an
uninterrupted one. `CFR.steps` (`JaxEngine.run`) does ``k`` iterations in one call
(``lax.scan``), paying the dispatch once per k iterations, which is what a small tree needs.

Float64: JAX computes in float32 unless ``jax_enable_x64`` is set. Building the engine sets it
(``jax.config.update("jax_enable_x64", True)``), which is process-wide: JAX code of the caller that
creates arrays without an explicit dtype gets float64 afterwards. CFR needs float64 to equal the
NumPy engine (and OpenSpiel).

On a GPU (JAX's default device when one is present) the same code runs; the measures above
apply there too, but equality with the CPU has only been tested on the CPU, where the tests run.
JAX is the optional extra ``pip install equilibria[jax]``; this module imports it only inside its
functions, and the compiled functions are cached per game and per set of terms (`_COMPILED`).
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from ..errors import NotApplicableError


def _jax() -> Any:
    """The ``jax`` module with float64 enabled, or NotApplicableError naming the extra."""
    try:
        import jax
    except ImportError:  # pragma: no cover - exercised with jax hidden (tests monkeypatch the import)
        raise NotApplicableError(
            "engine='jax' needs JAX: pip install equilibria[jax] (or pick engine='history' or 'sequence')"
        ) from None
    jax.config.update("jax_enable_x64", True)
    return jax


#: the learner's state, in the order of the compiled function's arguments
_STATE = ("cumulative_regret", "cumulative_policy", "sigma", "reach")

#: compiled iterations per game: id(game) -> (weak reference to the game, {option key: functions})
_COMPILED: dict[int, tuple[Any, dict[tuple, tuple[Any, Any]]]] = {}


def _pow(t: int, e: float) -> float:
    """``t ** e`` as the NumPy engine's ``_average_increment`` computes it (a Python float)."""
    return float(t**e)


class JaxEngine:
    """A jit-compiled iteration of a `CFR` learner's options over its `TreeLayout` and
    `HistoryLayout`; built once per learner (derived from the game, never checkpointed)."""

    def __init__(self, learner: Any):
        jax = _jax()
        self.device = str(jax.devices()[0])
        self._learner_options(learner)
        # the traced function depends on the tree and on which terms exist, not on the exponents'
        # values (passed in per call): learners of one game with such options share the compiled code
        key = (self.alternating, self.plus, self.alpha is not None, self.average_form)
        game = learner.game
        ref, compiled = _COMPILED.get(id(game), (None, {}))
        if ref is None or ref() is not game:
            for k in [k for k, (r, _) in _COMPILED.items() if r() is None]:
                del _COMPILED[k]
            compiled = {}
            _COMPILED[id(game)] = (weakref.ref(game), compiled)
        if key not in compiled:
            compiled[key] = self._compile(jax, self._build(learner._layout, learner._history))
        self._step, self._many = compiled[key]

    @staticmethod
    def _compile(jax: Any, step: Any) -> tuple[Any, Any]:
        """One iteration, and k iterations in one call (``lax.scan`` over per-iteration scalars)."""

        def many(state, scalars):
            def body(carry, s):
                return step(*carry, s), None

            out, _ = jax.lax.scan(body, state, scalars)
            return out

        return jax.jit(step), jax.jit(many)

    def _learner_options(self, learner: Any) -> None:
        self.alternating = learner.alternating
        self.plus = learner.regret_matching_plus
        self.alpha, self.beta, self.gamma = learner.alpha, learner.beta, learner.gamma
        self.average_form = learner._average_form

    def scalars(self, t: int) -> np.ndarray:
        """Iteration t's scalars ``[t, t^γ, positive discount, negative discount, 0.0]``, computed
        in Python exactly as the NumPy engine does (the last: the runtime zero of ``opaque``)."""
        from .cfr import _discount

        pos = neg = 1.0
        if self.alpha is not None:
            pos, neg = _discount(t, self.alpha), _discount(t, self.beta)
        tg = _pow(t, self.gamma) if self.average_form == "power" else 1.0
        return np.array([float(t), tg, pos, neg, 0.0])

    def step(self, learner: Any, t: int) -> None:
        """Iteration t of ``learner`` (its NumPy state in, its NumPy state out)."""
        self._store(learner, self._step(*self._state(learner), self.scalars(t)))

    def run(self, learner: Any, k: int) -> None:
        """``k`` iterations in one compiled call (``lax.scan``; each new k compiles once); the
        learner's iteration counter advances by k. Equal to k calls of `step` (same arithmetic)."""
        t0 = learner.iteration + 1
        scal = np.stack([self.scalars(t) for t in range(t0, t0 + k)])
        self._store(learner, self._many(self._state(learner), scal))
        learner.iteration += k

    def _state(self, learner: Any) -> tuple:
        """The learner's state as the arrays of the last call where the learner still holds their
        NumPy views (no copy back to the device), else its NumPy arrays (a checkpoint just loaded)."""
        arrays = tuple(getattr(learner, k) for k in _STATE)
        last = getattr(self, "_last", None)
        if last is not None and all(a is v for a, v in zip(arrays, last[0], strict=True)):
            return last[1]
        return arrays

    def _store(self, learner: Any, out: Any) -> None:
        # NumPy views of the results (no copy on a CPU; read-only): the learner's state stays NumPy
        views = tuple(np.asarray(x) for x in out)
        for key, v in zip(_STATE, views, strict=True):
            setattr(learner, key, v)
        self._last = (views, tuple(out))

    # ---- the traced iteration ------------------------------------------------------------------
    def _build(self, L: Any, H: Any) -> Any:
        import jax.numpy as jnp
        from jax import lax

        n, A = L.num_players, L.max_actions
        N = H.products.size - 1
        NA = H.num_policy_entries
        edge = jnp.asarray(H.weights[NA:])
        edge_source = jnp.asarray(H.edge_source)
        parent_seq = jnp.asarray(L.parent)
        uniform = jnp.asarray(L.uniform)
        # depth slices [lo, hi) of the breadth-first node order: the root's, then the child slices
        # of H.steps (deepest first there); a step's parents fill the slice that ends at its lo
        child_slices = [(lo, hi) for lo, hi, _, _ in H.steps]
        bounds = sorted([(0, min((lo for lo, _ in child_slices), default=N))] + child_slices)
        ending_at = {b: (a, b) for a, b in bounds}
        level_plan = []  # (parent slice, child slice, sibling index, parent mask) per step, deepest first
        for lo, hi, parents, pad in H.steps:
            plo, phi = ending_at[lo]
            # sibling j of every node of the parent slice, in node order: a child's position in
            # the child slice, or hi - lo (a zero slot) past the last child and at terminals
            sib = np.full((pad.shape[0], phi - plo), hi - lo, dtype=np.int64)
            sib[:, parents - plo] = np.where(pad == N, hi - lo, pad - lo)
            is_parent = np.zeros(phi - plo, dtype=bool)
            is_parent[parents - plo] = True
            level_plan.append((plo, phi, lo, hi, jnp.asarray(sib), jnp.asarray(is_parent)))
        per_player = []
        for p in range(n):
            val = H.values[p]  # terminal utilities of p, zero elsewhere (N + 1 entries)
            lo_p, hi_p = L.spans[p]
            D = H.nodes[p]
            rank, rows = H.slots[p]
            K = len(H.buffers[p])
            # gather index of the k-th history of each infoset row in D's order (len(D): zero row)
            kth = np.full((K, hi_p - lo_p), len(D), dtype=np.int64)
            kth[rank, rows] = np.arange(len(D))
            per_player.append(dict(
                terminal=[jnp.asarray(val[a:b]) for a, b in bounds],
                children=jnp.asarray(H.children[p]), nodes=jnp.asarray(D),
                opponent_seq=[jnp.asarray(s) for s in H.opponent_seq[p]],
                chance=jnp.asarray(H.chance[p]), legal=jnp.asarray(H.legal[p]),
                kth=[jnp.asarray(k) for k in kth], masks=[jnp.asarray(m) for m in H.masks[p]],
                span=(lo_p, hi_p),
            ))
        index_of = {b: i for i, b in enumerate(bounds)}
        blocks = L.blocks
        alternating, plus, discount = self.alternating, self.plus, self.alpha is not None
        average_form = self.average_form

        def opaque(x, key):
            # XLA lets LLVM contract ``a * b + c`` into one fused multiply-add (one rounding
            # instead of two): that changes the last bit, which CFR+ amplifies. XOR-ing the bits with a
            # runtime zero (``key``) is an identity neither XLA nor LLVM can see through, so a
            # product passed through it is rounded on its own, as NumPy does.
            bits = lax.bitcast_convert_type(x, jnp.int64) ^ key
            return lax.bitcast_convert_type(bits, jnp.float64)

        def regret_match(R, lo, hi):
            pos = jnp.maximum(R, 0.0)
            total = pos[:, 0]
            for a in range(1, A):
                total = total + pos[:, a]
            none = total <= 0.0
            pos = pos + none[:, None] * uniform[lo:hi]
            total = total + none
            # the row sums laid out by a gather, not a broadcast: XLA would turn the division by a
            # broadcast into a multiplication by reciprocals (a different rounding)
            rep = jnp.asarray(np.repeat(np.arange(hi - lo), A))
            return pos / total[rep].reshape(pos.shape)

        def realization_plan(sigma, r, p):
            for b in blocks[p]:
                plan = r[jnp.asarray(b.parent)][:, None] * sigma[b.lo:b.hi]
                r = r.at[1 + b.lo * A:1 + b.hi * A].set(plan.ravel())
            return r

        def regrets(sigma, reach, p, key):
            P = per_player[p]
            w = jnp.concatenate([sigma.ravel(), edge])[edge_source]
            vals = list(P["terminal"])
            for plo, phi, lo, hi, sib, is_parent in level_plan:
                prod = jnp.concatenate([opaque(w[lo:hi] * vals[index_of[(lo, hi)]], key), jnp.zeros(1)])
                Q = prod[sib]  # the children's products, sibling by sibling; zeros past the last
                v = Q[0] if len(Q) == 1 else Q[0] + Q[1]
                for j in range(2, Q.shape[0]):
                    v = v + Q[j]
                i = index_of[(plo, phi)]
                vals[i] = jnp.where(is_parent, v, vals[i])  # terminals keep their utilities
            val = jnp.concatenate(vals + [jnp.zeros(1)])
            seqs = P["opponent_seq"]
            right = None
            for q in range(p + 1, n):
                right = reach[seqs[q]] if right is None else right * reach[seqs[q]]
            right = P["chance"] if right is None else right * P["chance"]
            left = None
            for q in range(p):
                left = reach[seqs[q]] if left is None else left * reach[seqs[q]]
            cf = right if left is None else left * right
            return opaque(cf[:, None] * (val[P["children"]] - val[P["nodes"]][:, None]) * P["legal"], key)

        def accumulate(R, S, p, per_history, increment):
            P = per_player[p]
            lo, hi = P["span"]
            ext = jnp.concatenate([per_history, jnp.zeros((1, A))])
            acc = R[lo:hi]
            for idx in P["kth"]:
                acc = acc + ext[idx]
            R = R.at[lo:hi].set(acc)
            acc, x = S[lo:hi], increment[lo:hi]
            for mask in P["masks"]:
                acc = jnp.where(mask, acc + x, acc)
            return R, S.at[lo:hi].set(acc)

        def finish(R, sigma, reach, p, pos, neg, key):
            lo, hi = L.spans[p]
            Rp = R[lo:hi]
            if discount:
                Rp = opaque(Rp * jnp.where(Rp >= 0, pos, neg), key)
            if plus:
                Rp = jnp.maximum(Rp, 0.0)
            sigma = sigma.at[lo:hi].set(regret_match(Rp, lo, hi))
            return R.at[lo:hi].set(Rp), sigma, realization_plan(sigma, reach, p)

        def step(R, S, sigma, reach, s):
            t, tg, pos, neg = s[0], s[1], s[2], s[3]
            key = lax.bitcast_convert_type(s[4], jnp.int64)  # s[4] = +0.0: all bits zero
            own = reach[parent_seq][:, None]
            if average_form == "uniform":
                increment = own * sigma
            elif average_form == "linear":
                increment = (t * own) * sigma
            else:
                increment = (own * sigma) * tg
            increment = opaque(increment, key)
            if alternating:
                for p in range(n):
                    R, S = accumulate(R, S, p, regrets(sigma, reach, p, key), increment)
                    R, sigma, reach = finish(R, sigma, reach, p, pos, neg, key)
            else:
                per = [regrets(sigma, reach, p, key) for p in range(n)]
                for p in range(n):
                    R, S = accumulate(R, S, p, per[p], increment)
                for p in range(n):
                    R, sigma, reach = finish(R, sigma, reach, p, pos, neg, key)
            return R, S, sigma, reach

        return step
