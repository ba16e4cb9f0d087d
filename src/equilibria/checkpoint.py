"""Checkpoints that cannot run code: a zip of NumPy ``.npy`` arrays plus one JSON document.

A checkpoint is user input (a colleague's run, a paper's artefacts), so it is never unpickled. The
file is an ``.npz``-style zip (readable with ``np.load(path, allow_pickle=False)``) holding

- ``checkpoint.json``: the format name and version, the library version, what the run was (learner
  class, method name, options, seed, a digest of the game's data), the learner's state as a tagged
  JSON tree, the `Trace` and the run's metadata;
- ``a0.npy``, ``a1.npy``, ...: every array of the state, written and read with
  ``allow_pickle=False`` (object arrays of `Fraction` are stored as JSON strings instead).

`encode_state` serialises nested dicts, lists, tuples, sets, ints, floats (inf and NaN included),
complex numbers, bools, None, strings, `Fraction`, NumPy scalars and arrays of any numeric, bool
or string dtype, NumPy generators (``bit_generator.state``), module-level library functions (by
name; restored only when the fresh learner holds the same function) and nested objects that expose
``state_dict``/``load_state_dict``. Anything else raises `CheckpointError` at save time naming the
attribute and the learner class, so a learner that keeps such state is caught by the tests and
implements ``state_dict``/``load_state_dict`` itself.

Loading checks, before touching the learner, that the checkpoint was written for the same learner
class, method, options, seed and game (`game_digest`), and then decodes the state against the
fresh learner's own state: the same attributes, the same kinds of values, arrays of the same dtype
and (except for the attributes a learner lists in ``variable_state``) the same shape. Every way a
file can be wrong (truncated, not a zip, foreign members, a pickle inside an ``.npy``, bad JSON, a
wrong version, wrong dtypes or shapes) raises `CheckpointError`.
"""

from __future__ import annotations

import copy
import importlib
import io
import json
import math
import numbers
import os
import re
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import CheckpointError

if TYPE_CHECKING:
    import zipfile

# hashlib (OpenSSL, ~3.5 MB resident) and zipfile are imported where a digest or a file is made, so
# that `import equilibria` does not load them

FORMAT_NAME = "equilibria-checkpoint"
#: version 1 was a pickle (never loaded again); version 2 is this zip of .npy arrays + JSON
CHECKPOINT_VERSION = 2
JSON_MEMBER = "checkpoint.json"
#: the largest JSON document read from a checkpoint
MAX_JSON_BYTES = 256 * 2**20
#: the deepest nesting of a state tree
MAX_DEPTH = 100
#: options that change how a run is computed, not what it computes: they may differ on resume
EXECUTION_OPTIONS = frozenset({"ray", "num_cpus", "results", "progress", "verbose"})
#: the NumPy bit generators a checkpoint may name
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
#: dtype kinds stored as .npy members: bool, integers, floats, complex, strings
_ARRAY_KINDS = "biufcSU"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_MISSING = object()


# ---- encoding -------------------------------------------------------------------------------------


class _Encoder:
    """Turns a state tree into JSON-compatible data plus a list of arrays."""

    def __init__(self, owner: str):
        self.owner = owner
        self.arrays: list[np.ndarray] = []

    def fail(self, path: str, value: Any, why: str = "") -> CheckpointError:
        what = f"{type(value).__module__}.{type(value).__qualname__}"
        return CheckpointError(
            f"cannot checkpoint {self.owner}: attribute {path!r} holds a {what}{why}, which a checkpoint "
            "cannot store; give the class state_dict/load_state_dict methods that leave it out "
            "(rebuild it from the options) or store it as arrays and numbers"
        )

    def encode(self, value: Any, path: str, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise CheckpointError(f"cannot checkpoint {self.owner}: {path!r} is nested too deeply")
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int) and type(value) is int:
            return value
        if type(value) is float:
            return value if math.isfinite(value) else {"t": "float", "v": repr(value)}
        if type(value) is complex:
            return {"t": "complex", "re": self.encode(value.real, path), "im": self.encode(value.imag, path)}
        if isinstance(value, Fraction):
            return {"t": "fraction", "v": str(value)}
        if isinstance(value, np.generic):
            if value.dtype.kind not in _ARRAY_KINDS:
                raise self.fail(path, value)
            return {"t": "scalar", "a": self._array(np.asarray(value))}
        if isinstance(value, np.ndarray):
            if value.dtype.kind == "O":
                flat = [self.encode(v, f"{path}[...]", depth + 1) for v in value.reshape(-1).tolist()]
                return {"t": "object_array", "shape": list(value.shape), "v": flat}
            if value.dtype.kind not in _ARRAY_KINDS or value.dtype.fields is not None:
                raise self.fail(path, value, f" of dtype {value.dtype}")
            return {"t": "array", "a": self._array(value)}
        if isinstance(value, list):
            return [self.encode(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
        if isinstance(value, tuple) and type(value) is tuple:
            return {
                "t": "tuple",
                "v": [self.encode(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)],
            }
        if isinstance(value, dict):
            keys = list(value)
            return {
                "t": "dict",
                "k": [self.encode(k, f"{path} (key)", depth + 1) for k in keys],
                "v": [self.encode(value[k], f"{path}[{k!r}]", depth + 1) for k in keys],
            }
        if isinstance(value, (set, frozenset)):
            items = [self.encode(v, f"{path} (item)", depth + 1) for v in value]
            items.sort(key=lambda x: json.dumps(x, sort_keys=True))
            return {"t": "frozenset" if isinstance(value, frozenset) else "set", "v": items}
        if isinstance(value, np.random.Generator):
            bg = value.bit_generator
            name = type(bg).__name__
            if name not in _BIT_GENERATORS:
                raise self.fail(path, bg)
            return {"t": "generator", "bit_generator": name, "state": self.encode(bg.state, path, depth + 1)}
        if isinstance(value, np.random.RandomState):
            return {"t": "random_state", "state": self.encode(value.get_state(legacy=False), path, depth + 1)}
        if _is_library_function(value):
            return {"t": "function", "name": f"{value.__module__}.{value.__qualname__}"}
        if callable(getattr(value, "state_dict", None)) and callable(getattr(value, "load_state_dict", None)):
            cls = type(value)
            return {
                "t": "object",
                "class": f"{cls.__module__}.{cls.__qualname__}",
                "state": self.encode(value.state_dict(), path, depth + 1),
            }
        if isinstance(value, numbers.Integral) and not isinstance(value, np.generic):
            return int(value)
        raise self.fail(path, value)

    def _array(self, arr: np.ndarray) -> int:
        self.arrays.append(arr if arr.flags.c_contiguous else arr.copy(order="C"))  # keeps 0-d arrays 0-d
        return len(self.arrays) - 1


def _is_library_function(value: Any) -> bool:
    """A plain module-level function of this library (no closure): safe to name instead of store."""
    import types

    if not isinstance(value, types.FunctionType) or value.__closure__ is not None:
        return False
    mod = getattr(value, "__module__", "") or ""
    if not (mod == "equilibria" or mod.startswith("equilibria.")) or "<" in value.__qualname__:
        return False
    return _resolve(mod, value.__qualname__) is value


def _resolve(module: str, qualname: str) -> Any:
    try:
        obj: Any = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        return None
    return obj


def encode_state(state: Any, owner: str = "the learner") -> tuple[Any, list[np.ndarray]]:
    """``state`` as JSON-compatible data and the list of arrays it refers to (see the module doc)."""
    enc = _Encoder(owner)
    if isinstance(state, dict):
        tree = {
            "t": "dict",
            "k": list(state),
            "v": [enc.encode(v, str(k), 1) for k, v in state.items()],
        }
        if not all(isinstance(k, str) for k in state):
            tree["k"] = [enc.encode(k, "(key)", 1) for k in state]
    else:
        tree = enc.encode(state, "state")
    return tree, enc.arrays


# ---- decoding -------------------------------------------------------------------------------------


class _Decoder:
    """Rebuilds a state tree, checking it against the fresh learner's state (the template)."""

    def __init__(self, arrays: list[np.ndarray], owner: str, variable: frozenset[str]):
        self.arrays = arrays
        self.owner = owner
        self.variable = variable

    def bad(self, path: str, why: str) -> CheckpointError:
        return CheckpointError(f"the checkpoint does not fit {self.owner}: {path}: {why}")

    def decode(self, node: Any, template: Any, path: str, depth: int = 0, strict: bool = True) -> Any:
        if depth > MAX_DEPTH:
            raise self.bad(path, "nested too deeply")
        value = self._decode(node, template, path, depth, strict)
        if template is not _MISSING and template is not None and value is not None:
            self._check_kind(value, template, path, strict)
        return value

    def _decode(self, node: Any, template: Any, path: str, depth: int, strict: bool) -> Any:
        if node is None or isinstance(node, (bool, str)):
            return node
        if isinstance(node, int):
            return node
        if isinstance(node, float):
            return node
        if isinstance(node, list):
            items = template if isinstance(template, list) else None
            if strict and items is not None and len(items) != len(node):
                raise self.bad(path, f"a list of {len(node)} items where the learner has {len(items)}")
            return [
                self.decode(
                    v,
                    items[i] if items is not None and i < len(items) else _MISSING,
                    f"{path}[{i}]",
                    depth + 1,
                    strict,
                )
                for i, v in enumerate(node)
            ]
        if not isinstance(node, dict) or not isinstance(node.get("t"), str):
            raise self.bad(path, f"unexpected JSON value {_short(node)}")
        tag = node["t"]
        try:
            if tag == "float":
                text = node["v"]
                if text not in ("inf", "-inf", "nan"):
                    raise ValueError(text)
                return float(text)
            if tag == "complex":
                return complex(self._real(node["re"], path), self._real(node["im"], path))
            if tag == "fraction":
                return _fraction(node["v"])
            if tag == "scalar":
                arr = self._array(node["a"], path)
                if arr.ndim != 0:
                    raise ValueError("a scalar must be a 0-d array")
                return arr[()]
            if tag == "array":
                return self._array(node["a"], path).copy()
            if tag == "object_array":
                shape = tuple(_nonneg_int(s) for s in node["shape"])
                flat = node["v"]
                if not isinstance(flat, list) or len(flat) != math.prod(shape):
                    raise ValueError("the element count does not match the shape")
                out = np.empty(len(flat), dtype=object)
                for i, v in enumerate(flat):
                    item = self.decode(v, _MISSING, f"{path}[...]", depth + 1, strict)
                    if isinstance(item, (list, dict, np.ndarray)):
                        raise ValueError("object arrays hold scalars")
                    out[i] = item
                return out.reshape(shape)
            if tag == "tuple":
                items = template if isinstance(template, tuple) else None
                if strict and items is not None and len(items) != len(node["v"]):
                    raise self.bad(
                        path, f"a tuple of {len(node['v'])} items where the learner has {len(items)}"
                    )
                return tuple(
                    self.decode(
                        v,
                        items[i] if items is not None and i < len(items) else _MISSING,
                        f"{path}[{i}]",
                        depth + 1,
                        strict,
                    )
                    for i, v in enumerate(_list(node["v"]))
                )
            if tag == "dict":
                return self._dict(node, template, path, depth, strict)
            if tag in ("set", "frozenset"):
                items = [
                    self.decode(v, _MISSING, f"{path} (item)", depth + 1, strict) for v in _list(node["v"])
                ]
                return set(items) if tag == "set" else frozenset(items)
            if tag == "generator":
                name = node["bit_generator"]
                if name not in _BIT_GENERATORS:
                    raise ValueError(f"unknown bit generator {name!r}")
                bg = getattr(np.random, name)()
                bg.state = self.decode(node["state"], _MISSING, path, depth + 1, False)
                return np.random.Generator(bg)
            if tag == "random_state":
                rs = np.random.RandomState()
                rs.set_state(self.decode(node["state"], _MISSING, path, depth + 1, False))
                return rs
            if tag == "function":
                name = node["name"]
                if (
                    template is _MISSING
                    or not _is_library_function(template)
                    or (f"{template.__module__}.{template.__qualname__}" != name)
                ):
                    raise self.bad(
                        path, f"the checkpoint names the function {name!r}, which this learner does not use"
                    )
                return template
            if tag == "object":
                return self._object(node, template, path, depth)
        except CheckpointError:
            raise
        except (
            KeyError,
            TypeError,
            ValueError,
            OverflowError,
            ZeroDivisionError,
            AttributeError,
            IndexError,
            RecursionError,
        ) as exc:
            raise self.bad(path, f"malformed {tag!r} entry ({type(exc).__name__}: {exc})") from None
        raise self.bad(path, f"unknown entry type {tag!r}")

    def _real(self, node: Any, path: str) -> float:
        v = self.decode(node, _MISSING, path)
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            raise ValueError("not a number")
        return float(v)

    def _array(self, ref: Any, path: str) -> np.ndarray:
        if not isinstance(ref, int) or isinstance(ref, bool) or not 0 <= ref < len(self.arrays):
            raise self.bad(path, f"refers to array {_short(ref)}, which the file does not hold")
        return self.arrays[ref]

    def _dict(self, node: dict, template: Any, path: str, depth: int, strict: bool) -> dict:
        keys = [self.decode(k, _MISSING, f"{path} (key)", depth + 1, strict) for k in _list(node["k"])]
        vals = _list(node["v"])
        if len(keys) != len(vals):
            raise ValueError("as many keys as values are needed")
        tmpl = template if isinstance(template, dict) else None
        if strict and tmpl is not None:
            try:
                same = set(keys) == set(tmpl)
            except TypeError:
                same = False
            if not same:
                missing = [k for k in tmpl if k not in keys]
                extra = [k for k in keys if k not in tmpl]
                raise self.bad(path, f"keys differ (missing {missing[:5]}, unexpected {extra[:5]})")
        out = {}
        for k, v in zip(keys, vals, strict=True):
            try:
                sub = tmpl.get(k, _MISSING) if tmpl is not None else _MISSING
            except TypeError:
                raise ValueError(f"unhashable key {_short(k)}") from None
            child_strict = strict and not (depth == 0 and k in self.variable)
            out[k] = self.decode(v, sub, _join(path, k), depth + 1, child_strict)
        return out

    def _object(self, node: dict, template: Any, path: str, depth: int) -> Any:
        name = node["class"]
        if template is not _MISSING and template is not None:
            cls = type(template)
            if f"{cls.__module__}.{cls.__qualname__}" != name:
                raise self.bad(
                    path, f"the checkpoint holds a {name} where the learner has a {cls.__qualname__}"
                )
            obj = copy.deepcopy(template)
            sub_template = template.state_dict()
        else:
            module, _, qual = name.rpartition(".")
            cls = _resolve(module, qual) if module.split(".")[0] == "equilibria" else None
            if not isinstance(cls, type) or not callable(getattr(cls, "load_state_dict", None)):
                raise self.bad(
                    path, f"the checkpoint names the class {name!r}, which cannot be restored here"
                )
            obj = cls.__new__(cls)
            sub_template = _MISSING
        obj.load_state_dict(self.decode(node["state"], sub_template, path, depth + 1))
        return obj

    def _check_kind(self, value: Any, template: Any, path: str, strict: bool) -> None:
        kv, kt = _kind(value), _kind(template)
        if kv != kt:
            raise self.bad(path, f"a {kv} where the learner has a {kt}")
        if kv == "array":
            if value.dtype != template.dtype:
                raise self.bad(
                    path, f"an array of dtype {value.dtype} where the learner has {template.dtype}"
                )
            if value.ndim != template.ndim or (strict and value.shape != template.shape):
                raise self.bad(
                    path, f"an array of shape {value.shape} where the learner has {template.shape}"
                )


def _kind(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return "array"
    if isinstance(v, (bool, np.bool_)):
        return "bool"
    if isinstance(v, (numbers.Number, Fraction)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (list, tuple, dict, set, frozenset)):
        return type(v).__name__
    if isinstance(v, np.random.Generator):
        return "generator"
    return type(v).__qualname__


def _join(path: str, key: Any) -> str:
    return str(key) if not path else f"{path}[{key!r}]"


def _short(v: Any) -> str:
    s = repr(v)
    return s if len(s) <= 60 else s[:57] + "..."


def _list(v: Any) -> list:
    if not isinstance(v, list):
        raise TypeError(f"expected a list, got {_short(v)}")
    return v


def _nonneg_int(v: Any) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise ValueError(f"bad dimension {_short(v)}")
    return v


_FRACTION = re.compile(r"-?[0-9]{1,4000}(/[0-9]{1,4000})?")


def _fraction(text: Any) -> Fraction:
    if not isinstance(text, str) or not _FRACTION.fullmatch(text):
        raise ValueError(f"not a fraction: {_short(text)}")
    return Fraction(text)


def decode_state(
    tree: Any,
    arrays: list[np.ndarray],
    template: Any = _MISSING,
    *,
    owner: str = "the learner",
    variable: tuple[str, ...] | frozenset[str] = (),
) -> Any:
    """Inverse of `encode_state`; with ``template`` (the fresh learner's state) it also checks that
    the checkpoint holds the same attributes, kinds of values, dtypes and shapes."""
    return _Decoder(arrays, owner, frozenset(variable)).decode(tree, template, "", 0)


# ---- the game digest ------------------------------------------------------------------------------


def game_digest(game: Any) -> str:
    """A SHA-256 digest of the data that defines ``game`` (its arrays, labels and parameters).

    A game's own ``digest()`` wins if it has one. Otherwise the game's attributes are hashed in
    canonical bytes (dtype, shape and raw bytes of arrays; exact text of numbers), leaving out
    caches (``functools.cached_property`` values) and the title; functions are named by their module
    and qualified name and hashed with their closures and defaults, so two games built by the same
    factory with other parameters differ.
    """
    own = getattr(game, "digest", None)
    if callable(own):
        try:
            value = own()
        except Exception:  # noqa: BLE001 - a broken digest() falls back to the generic one
            value = None
        if isinstance(value, str) and value:
            return value
    import hashlib

    h = hashlib.sha256()
    _hash_into(h, game, 0, set(), top=True)
    return "sha256:" + h.hexdigest()


def _cached_names(cls: type) -> set[str]:
    names = set()
    for klass in cls.__mro__:
        for k, v in vars(klass).items():
            if isinstance(v, cached_property):
                names.add(k)
    return names


def _scalar_tokens(v: Any) -> str | None:
    """Type-tagged text of a sequence of plain scalars (None when it holds anything else)."""
    out = []
    for x in v:
        t = type(x)
        if t is str:
            out.append("s" + x.replace("\x00", "\x00\x00"))
        elif t is float:
            out.append("f" + x.hex())
        elif t is int or t is Fraction:
            out.append("q" + str(x))
        elif t is bool or x is None:
            out.append("c" + repr(x))
        else:
            return None
    return "\x00".join(out)


def _hash_into(h: Any, v: Any, depth: int, seen: set[int], top: bool = False) -> None:
    def put(tag: str, data: bytes = b"") -> None:
        h.update(tag.encode() + b":" + str(len(data)).encode() + b":" + data)

    if depth > 60:
        put("deep")
        return
    if v is None or isinstance(v, (bool, np.bool_)):
        put("const", repr(bool(v) if v is not None else None).encode())
    elif isinstance(v, (int, np.integer)):
        put("int", str(int(v)).encode())
    elif isinstance(v, (float, np.floating)):
        put("float", float(v).hex().encode())
    elif isinstance(v, (complex, np.complexfloating)):
        put("complex", f"{complex(v).real.hex()},{complex(v).imag.hex()}".encode())
    elif isinstance(v, Fraction):
        put("fraction", str(v).encode())
    elif isinstance(v, str):
        put("str", v.encode("utf-8", "surrogatepass"))
    elif isinstance(v, bytes):
        put("bytes", v)
    elif isinstance(v, np.ndarray):
        put("array", f"{v.dtype.str}{v.shape}".encode())
        if v.dtype.kind == "O":
            for x in v.reshape(-1):
                _hash_into(h, x, depth + 1, seen)
        else:
            put("data", np.ascontiguousarray(v).tobytes())
    elif isinstance(v, (list, tuple)):
        put(type(v).__name__, str(len(v)).encode())
        flat = _scalar_tokens(v)
        if flat is None and all(isinstance(x, (list, tuple)) for x in v):
            inner = [_scalar_tokens(x) for x in v]  # a list of rows of scalars (payoff tuples, labels)
            if all(t is not None for t in inner):
                flat = "\x01".join(
                    f"{type(x).__name__}{len(x)}\x02{t}" for x, t in zip(v, inner, strict=True)
                )
        if flat is not None:  # fast path: one hash update for a long list of labels or numbers
            put("scalars", flat.encode("utf-8", "surrogatepass"))
        else:
            for x in v:
                _hash_into(h, x, depth + 1, seen)
    elif isinstance(v, dict):
        put("dict", str(len(v)).encode())
        for k in sorted(v, key=repr):
            _hash_into(h, k, depth + 1, seen)
            _hash_into(h, v[k], depth + 1, seen)
    elif isinstance(v, (set, frozenset)):
        import hashlib

        sub = []
        for x in v:
            hx = hashlib.sha256()
            _hash_into(hx, x, depth + 1, seen)
            sub.append(hx.digest())
        put("set", b"".join(sorted(sub)))
    elif callable(v) and hasattr(v, "__qualname__") and not isinstance(v, type):
        put("function", f"{getattr(v, '__module__', '')}.{v.__qualname__}".encode())
        fn = getattr(v, "__func__", v)
        for cell in getattr(fn, "__closure__", None) or ():
            try:
                _hash_into(h, cell.cell_contents, depth + 1, seen)
            except ValueError:  # an empty cell
                put("empty")
        _hash_into(h, getattr(fn, "__defaults__", None), depth + 1, seen)
        _hash_into(h, getattr(fn, "__kwdefaults__", None), depth + 1, seen)
    elif isinstance(v, type):
        put("class", f"{v.__module__}.{v.__qualname__}".encode())
    elif hasattr(v, "__dict__"):
        cls = type(v)
        put("object", f"{cls.__module__}.{cls.__qualname__}".encode())
        if id(v) in seen:
            put("cycle")
            return
        seen.add(id(v))
        skip = _cached_names(cls)
        if top:
            skip |= {"title"}
        attrs = vars(v)
        for k in sorted(attrs):
            if k in skip or k.startswith("__"):
                continue
            put("attr", k.encode())
            _hash_into(h, attrs[k], depth + 1, seen)
    else:
        put("opaque", f"{type(v).__module__}.{type(v).__qualname__}".encode())


# ---- the file ------------------------------------------------------------------------------------


def write_checkpoint_bytes(document: dict[str, Any], arrays: list[np.ndarray]) -> bytes:
    """The checkpoint file's bytes: ``checkpoint.json`` and ``a<k>.npy`` members in a stored zip."""
    import zipfile

    doc = dict(document)
    doc["arrays"] = [{"dtype": a.dtype.str, "shape": list(a.shape)} for a in arrays]
    try:
        text = json.dumps(doc, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:  # a bug in the encoder, not user input
        raise CheckpointError(f"cannot write the checkpoint's JSON document: {exc}") from None
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(zipfile.ZipInfo(JSON_MEMBER, _ZIP_DATE), text.encode("utf-8"))
        for k, a in enumerate(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, a, allow_pickle=False)
            zf.writestr(zipfile.ZipInfo(f"a{k}.npy", _ZIP_DATE), member.getvalue())
    return buf.getvalue()


def read_checkpoint_file(path: str | os.PathLike) -> tuple[dict[str, Any], list[np.ndarray]]:
    """The JSON document and the arrays of a checkpoint file; `CheckpointError` for anything else."""
    import zipfile

    from ._checks import size_limit

    where = os.fspath(path)
    try:
        with open(where, "rb") as f:
            head = f.read(2)
        if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
            raise CheckpointError(
                f"{where} is a pickle (a checkpoint written by an older equilibria, or not a checkpoint); "
                "it is not loaded, because loading a pickle can run any code. Restart the run without it"
            )
        with zipfile.ZipFile(where) as zf:
            infos = zf.infolist()
            names = [i.filename for i in infos]
            if len(set(names)) != len(names):
                raise CheckpointError(f"{where} is not an equilibria checkpoint: duplicate zip members")
            if JSON_MEMBER not in names:
                raise CheckpointError(
                    f"{where} is not an equilibria checkpoint (format {CHECKPOINT_VERSION}: "
                    f"no {JSON_MEMBER}); "
                    "checkpoints written by equilibria before this format (pickles) cannot be read "
                    "safely, so restart the run without it"
                )
            if any(i.compress_type != zipfile.ZIP_STORED for i in infos):
                raise CheckpointError(f"{where}: compressed members; equilibria writes stored members only")
            total = sum(i.file_size for i in infos)
            if total > size_limit():
                raise CheckpointError(f"{where} declares {total} bytes of content, above the size limit")
            info = zf.getinfo(JSON_MEMBER)
            if info.file_size > MAX_JSON_BYTES:
                raise CheckpointError(f"{where}: the JSON document is too large ({info.file_size} bytes)")
            raw = zf.read(JSON_MEMBER)
            try:
                doc = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
            except (UnicodeDecodeError, ValueError, RecursionError) as exc:
                raise CheckpointError(
                    f"{where}: the checkpoint's JSON document is malformed ({exc})"
                ) from None
            if not isinstance(doc, dict):
                raise CheckpointError(f"{where}: the checkpoint's JSON document is not an object")
            if doc.get("format") != FORMAT_NAME:
                raise CheckpointError(f"{where} is not an equilibria checkpoint (no format {FORMAT_NAME!r})")
            version = doc.get("version")
            if version != CHECKPOINT_VERSION:
                raise CheckpointError(
                    f"{where} is a checkpoint of format version {_short(version)}; this equilibria reads "
                    f"version {CHECKPOINT_VERSION} only"
                )
            specs = doc.get("arrays")
            if not isinstance(specs, list):
                raise CheckpointError(f"{where}: the checkpoint's array list is missing")
            expected = {JSON_MEMBER} | {f"a{k}.npy" for k in range(len(specs))}
            if set(names) != expected:
                extra = sorted(set(names) - expected)[:3]
                missing = sorted(expected - set(names))[:3]
                raise CheckpointError(
                    f"{where}: the checkpoint's members do not match its document "
                    f"(unexpected {extra}, missing {missing})"
                )
            arrays = [_read_member(zf, f"a{k}.npy", spec, where) for k, spec in enumerate(specs)]
    except CheckpointError:
        raise
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint {where} does not exist") from None
    except (
        OSError,
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        ValueError,
        KeyError,
        NotImplementedError,
        RuntimeError,
        OverflowError,
        MemoryError,
    ) as exc:
        raise CheckpointError(
            f"cannot read checkpoint {where}: {type(exc).__name__}: {exc} (truncated or not a checkpoint?)"
        ) from None
    return doc, arrays


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _read_member(zf: zipfile.ZipFile, name: str, spec: Any, where: str) -> np.ndarray:
    import zipfile  # loaded already: the caller opened the file with it

    if (
        not isinstance(spec, dict)
        or not isinstance(spec.get("dtype"), str)
        or not isinstance(spec.get("shape"), list)
    ):
        raise CheckpointError(f"{where}: the description of {name} is malformed")
    if zf.getinfo(name).compress_type != zipfile.ZIP_STORED:
        raise CheckpointError(f"{where}: {name} is compressed; equilibria writes stored members only")
    with zf.open(name) as f:
        data = f.read()
    buf = io.BytesIO(data)
    try:
        # read the header first, so a header that declares a huge array allocates nothing
        version = np.lib.format.read_magic(buf)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(buf)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(buf)
        else:
            raise ValueError(f"unsupported .npy version {version}")
        if dtype.hasobject:
            raise ValueError("object arrays are never loaded (they would be unpickled)")
        if math.prod(shape) * dtype.itemsize != len(data) - buf.tell():
            raise ValueError("the data length does not match the declared shape")
        buf.seek(0)
        arr = np.lib.format.read_array(buf, allow_pickle=False)
    except (ValueError, OSError, EOFError, SyntaxError, TypeError, MemoryError, OverflowError) as exc:
        raise CheckpointError(f"{where}: {name} is not a plain NumPy array ({exc})") from None
    if arr.dtype.kind not in _ARRAY_KINDS or arr.dtype.fields is not None:
        raise CheckpointError(f"{where}: {name} has dtype {arr.dtype}, which checkpoints do not hold")
    if arr.dtype.str != spec["dtype"] or list(arr.shape) != spec["shape"]:
        raise CheckpointError(
            f"{where}: {name} has dtype {arr.dtype.str} and shape {list(arr.shape)}, but the document says "
            f"{_short(spec['dtype'])} and {_short(spec['shape'])}"
        )
    return arr


# ---- temporary files of interrupted writes --------------------------------------------------------


def remove_stale_temporaries(path: str | os.PathLike) -> list[str]:
    """Delete the ``.NAME.xxxxxxxx`` files that an atomic write of ``path`` leaves when killed.

    Called when a run with checkpoint ``path`` starts: a run that was killed during a write leaves
    its `tempfile.mkstemp` file beside the checkpoint. Returns the removed paths.
    """
    p = Path(path)
    pattern = re.compile(re.escape(f".{p.name}.") + r"[A-Za-z0-9_]{8}")
    removed = []
    try:
        entries = list(os.scandir(p.parent if str(p.parent) else "."))
    except OSError:
        return removed
    for e in entries:
        if pattern.fullmatch(e.name) and e.is_file(follow_symlinks=False):
            try:
                os.unlink(e.path)
                removed.append(e.path)
            except OSError:
                pass
    return removed
