"""Checkpoints (issue 9 §5): resume equals the uninterrupted run for every registered learner; the
file cannot run code; a checkpoint of another game, method, options or seed is refused; every
corrupted or foreign file raises `CheckpointError`; temporary files of killed writes are removed."""

from __future__ import annotations

import io
import json
import math
import os
import pickle
import zipfile
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np
import pytest

import equilibria as eq
from equilibria.checkpoint import (
    JSON_MEMBER,
    decode_state,
    encode_state,
    game_digest,
    read_checkpoint_file,
    remove_stale_temporaries,
)
from equilibria.errors import CheckpointError
from equilibria.registry import METHODS
from equilibria.run import Learner, Trace, load_checkpoint, run, save_checkpoint

#: a small game of each family: the conformance suite's, where each new family adds its own
from test_conformance import FAMILY_GAMES  # noqa: E402


@cache
def game(spec: str = "kuhn_poker") -> Any:
    return eq.load_game(spec)


# ---- resume equals the uninterrupted run --------------------------------------------------------


@pytest.mark.parametrize(
    "method, seed",
    [
        ("cfr", None),
        ("cfr+", None),
        ("dcfr", None),
        ("pcfr+", None),
        ("mccfr-outcome", 11),
        ("mccfr-external", 12),
    ],
)
def test_resume_equals_uninterrupted_run(tmp_path, method, seed):
    g = game()
    full = eq.make_learner(g, method, seed=seed)
    full_trace = run(full, 50, eval_every=10, checkpoint=tmp_path / "full.ckpt")

    path = tmp_path / "split.ckpt"
    first = eq.make_learner(g, method, seed=seed)
    run(first, 20, eval_every=10, checkpoint=path)
    resumed = eq.make_learner(g, method, seed=seed)
    trace = run(resumed, 50, eval_every=10, checkpoint=path)

    assert resumed.iteration == 50
    np.testing.assert_array_equal(resumed.average_strategy(), full.average_strategy())
    np.testing.assert_array_equal(resumed.current_strategy(), full.current_strategy())
    np.testing.assert_array_equal(resumed.cumulative_regret, full.cumulative_regret)
    assert trace.iterations == full_trace.iterations
    assert trace.nash_conv == full_trace.nash_conv
    if seed is not None:  # the generator continues where it stopped
        assert resumed.rng.random() == full.rng.random()


def test_checkpoint_does_not_store_the_derived_layout():
    learner = eq.make_learner(game("leduc_poker"), "cfr+")
    state = learner.state_dict()
    assert "_layout" not in state and "game" not in state
    assert {"cumulative_regret", "cumulative_policy", "sigma", "reach", "iteration"} <= set(state)


LEARNER_CASES = [(e.name, fam) for e in METHODS if e.kind == "learner" for fam in e.families]


def _flat(profile: Any) -> list[np.ndarray]:
    if isinstance(profile, (list, tuple)):
        return [a for p in profile for a in _flat(p)]
    return [np.asarray(profile)]


@pytest.mark.parametrize("method, family", LEARNER_CASES, ids=[f"{m}[{f}]" for m, f in LEARNER_CASES])
def test_every_learner_round_trips(tmp_path, method, family):
    """3 steps, save, load into a fresh learner, 3 more steps each: the same strategies, bit for bit."""
    g = game(FAMILY_GAMES[family])
    a = eq.make_learner(g, method, seed=3)
    for _ in range(3):
        a.step()
    path = tmp_path / "rt.ckpt"
    save_checkpoint(path, a, Trace(), {"elapsed": 0.0})
    b = eq.make_learner(g, method, seed=3)
    load_checkpoint(path, b)
    assert b.iteration == 3
    for _ in range(3):
        a.step()
        b.step()
    for output in ("average", "last"):
        for x, y in zip(_flat(a.strategy(output)), _flat(b.strategy(output)), strict=True):
            np.testing.assert_array_equal(x, y)


# ---- the serialiser ---------------------------------------------------------------------------------


class Inner:
    """A nested learner-like object: it says what its state is."""

    def __init__(self, w: np.ndarray):
        self.w = w

    def state_dict(self) -> dict[str, Any]:
        return {"w": self.w.copy()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.w = state["w"]


def _same(x: Any, y: Any) -> bool:
    if isinstance(x, np.ndarray):
        return (
            isinstance(y, np.ndarray)
            and x.dtype == y.dtype
            and x.shape == y.shape
            and (
                np.array_equal(x, y, equal_nan=x.dtype.kind in "fc")
                if x.dtype.kind != "O"
                else all(_same(a, b) for a, b in zip(x.ravel(), y.ravel(), strict=True))
            )
        )
    if isinstance(x, float):
        return type(y) is float and (
            math.isnan(x) and math.isnan(y) or (x == y and math.copysign(1, x) == math.copysign(1, y))
        )
    if isinstance(x, (list, tuple)):
        return type(x) is type(y) and len(x) == len(y) and all(_same(a, b) for a, b in zip(x, y, strict=True))
    if isinstance(x, dict):
        return type(y) is dict and list(x) == list(y) and all(_same(x[k], y[k]) for k in x)
    if isinstance(x, np.random.Generator):
        return _same(x.bit_generator.state, y.bit_generator.state)
    if isinstance(x, Inner):
        return isinstance(y, Inner) and _same(x.w, y.w)
    return type(x) is type(y) and x == y


def test_the_serialiser_round_trips_every_supported_type():
    mt = np.random.Generator(np.random.MT19937(5))
    mt.random(3)
    state = {
        "ints": [0, -7, 2**80, True, False, None],
        "floats": [0.1, -0.0, math.inf, -math.inf, math.nan, 1e-310, 1.7976931348623157e308],
        "complex": 1.5 - 2j,
        "text": 'ünïcode "quoted"',
        "fraction": Fraction(-1, 3),
        "tuple": (1, (2.5, "x"), []),
        "int_keys": {3: "a", (1, 2): [1.0], "t": {"t": "float", "v": "x"}},  # keys and a lookalike tag
        "set": {1, 2, 3},
        "scalars": [np.float32(1.5), np.int8(-3), np.uint64(2**63), np.bool_(True), np.complex64(1j)],
        "arrays": [
            np.arange(6, dtype=np.int16).reshape(2, 3),
            np.array([np.nan, np.inf, -0.0]),
            np.zeros((0, 4)),
            np.array([True, False]),
            np.array([1 + 2j], dtype=np.complex64),
            np.array(["ab", "c"]),
            np.asfortranarray(np.arange(6.0).reshape(2, 3)),
            np.array([1.0, 2.0], dtype=">f8"),
            np.float16([0.5]),
            np.uint64([2**64 - 1]),
        ],
        "exact": np.array([[Fraction(1, 3), Fraction(-2, 7)], [Fraction(5), Fraction(0)]], dtype=object),
        "rng": np.random.default_rng(42),
        "mt": mt,
        "inner": Inner(np.array([1.0, 2.0])),
    }
    tree, arrays = encode_state(state)
    text = json.dumps(tree, allow_nan=False)  # strict JSON
    back = decode_state(json.loads(text), arrays, state)  # the template says which class "inner" is
    for k in state:
        assert _same(state[k], back[k]) if k != "set" else back[k] == state[k], k
    assert back["rng"].random() == state["rng"].random()
    with pytest.raises(CheckpointError, match="names the class 'test_checkpoint.Inner'"):
        decode_state(json.loads(text), arrays)  # a class outside the library is never imported


def test_unserialisable_state_is_refused_at_save_time_naming_attribute_and_class(tmp_path):
    learner = eq.make_learner(game("rock_paper_scissors"), "hedge")
    learner.callback = lambda x: x  # state a checkpoint cannot hold
    with pytest.raises(CheckpointError, match=r"Hedge.*attribute 'callback' holds a builtins.function"):
        save_checkpoint(tmp_path / "x.ckpt", learner, Trace(), {})
    assert not (tmp_path / "x.ckpt").exists()


def test_the_file_is_an_npz_with_json(tmp_path):
    path = tmp_path / "c.ckpt"
    run(eq.make_learner(game(), "cfr+"), 3, checkpoint=path)
    with np.load(path, allow_pickle=False) as npz:  # plain NumPy reads it, without pickle
        assert len(npz.files) >= 3
    doc, arrays = read_checkpoint_file(path)
    assert doc["version"] == 2 and doc["method"] == "cfr+" and doc["iteration"] == 3
    assert doc["learner"] == "equilibria.dynamics.cfr.CFRPlus"
    assert doc["game"]["digest"] == game_digest(game())
    assert all(a.dtype.kind != "O" for a in arrays)


# ---- the game digest ---------------------------------------------------------------------------------


def test_game_digest_is_the_games_data():
    rps1, rps2 = eq.load_game("rock_paper_scissors"), eq.load_game("rock_paper_scissors")
    d = game_digest(rps1)
    assert d == game_digest(rps2)
    _ = rps1.exact_payoffs, rps1.payoff_scale  # caches do not change it
    assert game_digest(rps1) == d
    assert game_digest(eq.load_game("weighted_rock_paper_scissors(weights=(1, 1, 2))")) != d
    assert game_digest(eq.load_game("centipede(growth=2.0)")) != game_digest(
        eq.load_game("centipede(growth=3.0)")
    )
    assert game_digest(eq.load_game("kuhn_poker")) == game_digest(eq.load_game("kuhn_poker"))


# ---- a checkpoint of another run is refused --------------------------------------------------------


def _first(tmp_path, spec: str, method: str, seed: int | None = None, name: str = "run", **options: Any):
    path = tmp_path / f"{name}.ckpt"
    eq.solve(spec, method, iterations=4, seed=seed, checkpoint=path, **options)
    return path


def test_a_kuhn_checkpoint_is_refused_on_leduc(tmp_path):
    """Defect: a Kuhn checkpoint resumed on Leduc gave an IndexError."""
    path = _first(tmp_path, "kuhn_poker", "cfr+")
    with pytest.raises(CheckpointError, match=r"differs in game.*Kuhn.*Leduc"):
        eq.solve("leduc_poker", "cfr+", iterations=8, checkpoint=path)


def test_the_same_tree_with_other_payoffs_is_refused(tmp_path):
    """Defect: the same tree with other payoffs was accepted."""
    path = _first(tmp_path, "centipede(growth=2.0)", "cfr+")
    with pytest.raises(CheckpointError, match="differs in game"):
        eq.solve("centipede(growth=3.0)", "cfr+", iterations=8, checkpoint=path)
    path2 = _first(tmp_path, "rock_paper_scissors", "hedge", name="nf")
    with pytest.raises(CheckpointError, match="differs in game"):
        eq.solve("weighted_rock_paper_scissors(weights=(1, 1, 2))", "hedge", iterations=8, checkpoint=path2)


def test_another_option_is_refused(tmp_path):
    """Defect: `-o engine=sequence` was accepted and the checkpoint's value silently won."""
    path = _first(tmp_path, "kuhn_poker", "cfr+")
    with pytest.raises(
        CheckpointError, match=r"differs in options engine.*engine='history'.*engine='sequence'"
    ):
        eq.solve("kuhn_poker", "cfr+", iterations=8, checkpoint=path, engine="sequence")
    # an explicit default is the same run
    sol = eq.solve("kuhn_poker", "cfr+", iterations=8, checkpoint=path, engine="history")[0]
    assert sol.iterations == 8


def test_another_method_or_seed_is_refused(tmp_path):
    path = _first(tmp_path, "rock_paper_scissors", "hedge", seed=1, step_size=0.1)
    with pytest.raises(CheckpointError, match=r"differs in [^)]*method.*'hedge'.*'omwu'"):
        eq.solve("rock_paper_scissors", "omwu", iterations=8, seed=1, checkpoint=path, step_size=0.1)
    with pytest.raises(CheckpointError, match=r"differs in seed.*seed 1.*seed 2"):
        eq.solve("rock_paper_scissors", "hedge", iterations=8, seed=2, checkpoint=path, step_size=0.1)
    with pytest.raises(CheckpointError, match=r"differs in options step_size"):
        eq.solve("rock_paper_scissors", "hedge", iterations=8, seed=1, checkpoint=path, step_size=0.2)
    with pytest.raises(CheckpointError, match="differs in [^)]*learner"):
        run(
            eq.make_learner(game(), "mccfr-outcome", seed=0),
            10,
            checkpoint=_first(tmp_path, "kuhn_poker", "cfr+", name="k"),
        )


def test_a_psro_checkpoint_is_refused_as_double_oracle(tmp_path):
    """Defect: a PSRO checkpoint (meta_solver=uniform, seed 1) was resumed as double-oracle, seed 2."""
    path = _first(tmp_path, "kuhn_poker", "psro", seed=1, meta_solver="uniform")
    with pytest.raises(
        CheckpointError,
        match=r"differs in [^)]*method.*'psro' with meta_solver='uniform'.*seed 1.*"
        r"'double-oracle' with meta_solver='nash'.*seed 2",
    ):
        eq.solve("kuhn_poker", "double-oracle", iterations=8, seed=2, checkpoint=path)


# ---- corrupted and foreign files -------------------------------------------------------------------


class Boom:
    """Unpickling this creates a file: the proof that a checkpoint ran code."""

    target = ""

    def __reduce__(self):
        return (open, (self.target, "w"))


def _valid(tmp_path) -> tuple[bytes, Any]:
    path = tmp_path / "valid.ckpt"
    learner = eq.make_learner(game(), "mccfr-outcome", seed=5)
    run(learner, 5, eval_every=5, checkpoint=path)
    return path.read_bytes(), learner


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for n, b in members.items():
            zf.writestr(n, b)
    return buf.getvalue()


def _npy(arr: np.ndarray, allow_pickle: bool = False) -> bytes:
    b = io.BytesIO()
    np.lib.format.write_array(b, arr, allow_pickle=allow_pickle)
    return b.getvalue()


def _with_doc(data: bytes, edit) -> bytes:
    m = _members(data)
    doc = json.loads(m[JSON_MEMBER])
    edit(doc)
    m[JSON_MEMBER] = json.dumps(doc).encode()
    return _zip(m)


def _state_entry(doc: dict, name: str) -> tuple[list, int]:
    keys = doc["state"]["k"]
    return doc["state"]["v"], keys.index(name)


def _corruptions(data: bytes, marker: str) -> list[tuple[str, bytes]]:
    """~60 corrupted or foreign versions of the valid checkpoint ``data``."""
    rng = np.random.default_rng(2024)
    out: list[tuple[str, bytes]] = []
    for cut in (0, 1, 4, 30, 100, len(data) // 3, len(data) // 2, len(data) - 22, len(data) - 1):
        out.append((f"truncated at {cut}", data[:cut]))
    for k in range(5):
        out.append((f"random bytes {k}", rng.bytes(int(rng.integers(1, 3000)))))
    out.append(("empty zip", _zip({})))
    out.append(("pickle", pickle.dumps({"version": 1, "state": {}})))
    out.append(("json file", json.dumps({"format": "equilibria-checkpoint", "version": 2}).encode()))
    m = _members(data)
    arr_names = sorted(n for n in m if n != JSON_MEMBER)
    out.append(("missing array", _zip({n: b for n, b in m.items() if n != arr_names[0]})))
    out.append(("missing json", _zip({n: b for n, b in m.items() if n != JSON_MEMBER})))
    out.append(("extra member", _zip({**m, "evil.py": b"print(1)"})))
    out.append(("renamed member", _zip({("z.npy" if n == arr_names[0] else n): b for n, b in m.items()})))
    out.append(("deflated members", _zip(m, zipfile.ZIP_DEFLATED)))
    boom = Boom()
    Boom.target = marker
    pickled = np.empty(1, dtype=object)
    pickled[0] = boom
    out.append(("pickle inside an npy", _zip({**m, arr_names[0]: _npy(pickled, allow_pickle=True)})))
    Boom.target = ""
    out.append(
        (
            "huge declared npy",
            _zip(
                {
                    **m,
                    arr_names[0]: _npy(np.zeros(3))[:10]
                    + b"{'descr': '<f8', 'fortran_order': False, 'shape': (10000000000000,), }".ljust(118)
                    + b"\n",
                }
            ),
        )
    )
    out.append(("npy of float32", _zip({**m, arr_names[0]: _npy(np.zeros((12, 2), dtype=np.float32))})))
    out.append(("npy of other shape", _zip({**m, arr_names[0]: _npy(np.zeros((11, 2)))})))
    out.append(("npy not npy", _zip({**m, arr_names[0]: b"\x93NUMPY garbage"})))
    out.append(("npy structured", _zip({**m, arr_names[0]: _npy(np.zeros(2, dtype=[("a", "<f8")]))})))
    for text in (
        b"",
        b"{",
        b"[]",
        b"null",
        b"\xff\xfe",
        b'{"format": "equilibria-checkpoint", "version": NaN}',
        b"[" * 100_000 + b"]" * 100_000,
    ):
        out.append((f"json {text[:12]!r}", _zip({**m, JSON_MEMBER: text})))

    def setter(key, value):
        def edit(doc):
            doc[key] = value

        return edit

    for key, value in (
        ("version", 1),
        ("version", 3),
        ("version", "2"),
        ("version", None),
        ("format", "x"),
        ("learner", "os.system"),
        ("method", "cfr"),
        ("seed", 6),
        ("seed", None),
        ("arrays", None),
        ("arrays", []),
        ("state", None),
        ("state", [1, 2]),
        ("trace", None),
        ("trace", {"t": "dict", "k": ["iterations"], "v": [[1]]}),
        ("meta", {"t": "dict", "k": ["elapsed"], "v": [-1.0]}),
        ("iteration", -1),
        ("iteration", 4),
        ("game", {"digest": "x"}),
        ("options", [1]),
        ("options", {"epsilon": 0.5}),
    ):
        out.append((f"json {key}={value!r}", _with_doc(data, setter(key, value))))

    def state_edit(name, fn):
        def edit(doc):
            vals, i = _state_entry(doc, name)
            vals[i] = fn(vals[i])

        return edit

    def drop(name):
        def edit(doc):
            vals, i = _state_entry(doc, name)
            del doc["state"]["k"][i], vals[i]

        return edit

    def add(doc):
        doc["state"]["k"].append("game")
        doc["state"]["v"].append([1, 2])

    out += [
        ("state: array as string", _with_doc(data, state_edit("cumulative_regret", lambda v: "abc"))),
        (
            "state: array ref out of range",
            _with_doc(data, state_edit("cumulative_regret", lambda v: {**v, "a": 99})),
        ),
        ("state: array ref negative", _with_doc(data, state_edit("sigma", lambda v: {**v, "a": -1}))),
        ("state: unknown tag", _with_doc(data, state_edit("sigma", lambda v: {"t": "pickle", "v": "gASV"}))),
        (
            "state: function ref",
            _with_doc(data, state_edit("sigma", lambda v: {"t": "function", "name": "os.system"})),
        ),
        (
            "state: object of foreign class",
            _with_doc(
                data,
                state_edit(
                    "sigma",
                    lambda v: {
                        "t": "object",
                        "class": "subprocess.Popen",
                        "state": {"t": "dict", "k": [], "v": []},
                    },
                ),
            ),
        ),
        ("state: iteration as str", _with_doc(data, state_edit("iteration", lambda v: "5"))),
        (
            "state: bad generator",
            _with_doc(data, state_edit("rng", lambda v: {**v, "bit_generator": "Evil"})),
        ),
        ("state: bad generator state", _with_doc(data, state_edit("rng", lambda v: {**v, "state": 3}))),
        (
            "state: bad fraction",
            _with_doc(data, state_edit("epsilon", lambda v: {"t": "fraction", "v": "1e999999"})),
        ),
        ("state: missing attribute", _with_doc(data, drop("cumulative_policy"))),
        ("state: extra attribute", _with_doc(data, add)),
    ]
    return out


def test_corrupted_or_foreign_checkpoints_raise_checkpoint_error(tmp_path):
    data, learner = _valid(tmp_path)
    marker = str(tmp_path / "PWNED")
    cases = _corruptions(data, marker)
    assert len(cases) >= 60
    for k, (name, blob) in enumerate(cases):
        path = tmp_path / f"bad{k}.ckpt"
        path.write_bytes(blob)
        fresh = eq.make_learner(game(), "mccfr-outcome", seed=5)
        before = {key: np.copy(v) for key, v in fresh.state_dict().items() if isinstance(v, np.ndarray)}
        with pytest.raises(CheckpointError):
            run(fresh, 10, checkpoint=path)
            pytest.fail(f"{name}: resumed")
        assert fresh.iteration == 0, name  # untouched: never silently resumed
        for key, v in before.items():
            np.testing.assert_array_equal(getattr(fresh, key), v)
    assert not os.path.exists(marker), "a checkpoint ran code"


def test_byte_flips_raise_or_change_nothing(tmp_path):
    """A flipped byte either makes the file unreadable (zip CRC, headers, JSON) or is in bytes that
    carry no data (e.g. a timestamp): then the run resumes exactly where the intact file would."""
    data, learner = _valid(tmp_path)
    rng = np.random.default_rng(7)
    for k in range(40):
        blob = bytearray(data)
        pos = int(rng.integers(len(blob)))
        blob[pos] ^= 1 << int(rng.integers(8))
        path = tmp_path / f"flip{k}.ckpt"
        path.write_bytes(bytes(blob))
        fresh = eq.make_learner(game(), "mccfr-outcome", seed=5)
        try:
            load_checkpoint(path, fresh)
        except CheckpointError:
            continue
        for key, v in learner.state_dict().items():
            if isinstance(v, np.ndarray):
                np.testing.assert_array_equal(getattr(fresh, key), v)
        assert fresh.rng.bit_generator.state == learner.rng.bit_generator.state


def test_a_pickle_payload_is_not_executed(tmp_path):
    marker = tmp_path / "created-by-unpickling"
    Boom.target = str(marker)
    try:
        evil_npy = np.empty(1, dtype=object)
        evil_npy[0] = Boom()
        # the old format: a whole pickle
        (tmp_path / "a.ckpt").write_bytes(pickle.dumps({"version": 1, "x": Boom()}))
        # a valid-looking checkpoint whose array is a pickle
        path = tmp_path / "valid.ckpt"
        run(eq.make_learner(game(), "cfr+"), 3, checkpoint=path)
        m = _members(path.read_bytes())
        (tmp_path / "b.ckpt").write_bytes(_zip({**m, "a0.npy": _npy(evil_npy, allow_pickle=True)}))
    finally:
        Boom.target = ""
    for name in ("a.ckpt", "b.ckpt"):
        with pytest.raises(CheckpointError):
            run(eq.make_learner(game(), "cfr+"), 5, checkpoint=tmp_path / name)
        with pytest.raises(ValueError):  # np.load itself refuses without allow_pickle
            np.load(tmp_path / name, allow_pickle=False)["a0"] if name == "b.ckpt" else np.load(
                tmp_path / name
            )
    assert not marker.exists()


# ---- temporary files of killed writes ------------------------------------------------------------------


def test_stale_temporary_files_are_removed_on_start(tmp_path):
    """Defect: a run killed during a checkpoint write left `.run.ckpt.xxxxxxxx` files behind."""
    path = tmp_path / "run.ckpt"
    stale = [tmp_path / ".run.ckpt.ab_cd123", tmp_path / ".run.ckpt.zzzzzzzz"]
    keep = [
        tmp_path / ".run.ckpt.toolongname",
        tmp_path / ".other.ckpt.abcdefgh",
        tmp_path / "run.ckpt.abcdefgh",
    ]
    for p in stale + keep:
        p.write_bytes(b"partial")
    run(eq.make_learner(game("rock_paper_scissors"), "hedge"), 3, checkpoint=path)
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in keep)
    assert remove_stale_temporaries(path) == []


class Counter(Learner):
    """A learner with one integer of state."""

    families = ("normal_form",)

    def __init__(self, game, *, seed=None):
        super().__init__(game, seed=seed)
        self.total = 0

    def _step(self):
        self.total += 1

    def current_strategy(self):
        return self.game.uniform_profile()


def test_a_learner_without_make_learner_is_checked_by_class_and_seed(tmp_path):
    path = tmp_path / "c.ckpt"
    run(Counter(game("rock_paper_scissors"), seed=4), 3, checkpoint=path)
    resumed = Counter(game("rock_paper_scissors"), seed=4)
    run(resumed, 6, checkpoint=path)
    assert resumed.total == 6
    with pytest.raises(CheckpointError, match="differs in seed"):
        run(Counter(game("rock_paper_scissors"), seed=5), 6, checkpoint=path)
