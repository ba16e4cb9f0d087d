"""Small NumPy steps shared by the catalog's level-by-level tree generators (goofspiel, liar's dice,
Leduc hold'em); no games registered here.

The generators number nodes as `ExtensiveFormGame.from_state` does (breadth first, children in
action order) and hand the arrays to `ExtensiveFormGame._from_arrays`.
"""

from __future__ import annotations

import numpy as np

from ..extensive_form import index_dtype


def free_children(mask: np.ndarray, k: int, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Children of each node over the items ``0 .. width-1`` whose bit is not set in its ``mask``,
    ascending, when every node has exactly ``k`` such items: the parent row of each child, its item
    and its action index (position among its siblings)."""
    bit = np.int64(1) << np.arange(width, dtype=np.int64)
    rows, items = np.nonzero((mask.astype(np.int64)[:, None] & bit[None, :]) == 0)
    return rows, items, np.tile(np.arange(k), len(mask))


def discovery_ids(key: np.ndarray, base: int, size: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Information sets of one level of nodes keyed by ``key`` (equal keys, one set), numbered
    ``base, base+1, ...`` in order of their first node: each node's set, and the position of each
    set's first node (in the sets' order).

    With ``size`` (every key is below it, and a table of ``size`` entries is affordable) the sets
    are found with a table indexed by key instead of sorting the keys.
    """
    if size is None:
        uniq, first, inv = np.unique(key, return_index=True, return_inverse=True)
        rank = np.argsort(first, kind="stable")
        first, inv = first[rank], inv.reshape(-1)
        table = np.empty(len(uniq), index_dtype(base + len(uniq)))
        table[rank] = base + np.arange(len(uniq))
        return table[inv], first
    pos = np.full(size, len(key), np.int64)
    np.minimum.at(pos, key, np.arange(len(key)))  # each key's first node
    first = np.sort(pos[pos < len(key)])
    del pos
    table = np.empty(size, index_dtype(base + len(first)))
    table[key[first]] = base + np.arange(len(first))
    return table[key], first


def join_levels(num_nodes: int, index: np.dtype, where: list[np.ndarray], what: list[np.ndarray],
                chunks: dict[str, list[np.ndarray]]) -> dict[str, np.ndarray]:
    """The node arrays of a tree generated one level at a time: ``infoset`` (the sets ``what`` at
    the decision nodes ``where``, −1 elsewhere) and each list of ``chunks`` joined into one array.
    The lists are emptied as they are joined, so one copy of each array is alive at a time."""
    node_infoset = np.full(num_nodes, -1, index)
    for w, x in zip(where, what, strict=True):
        node_infoset[w] = x
    where.clear()
    what.clear()
    arrays = {"infoset": node_infoset}
    for name, parts in chunks.items():
        arrays[name] = np.concatenate(parts)
        parts.clear()
    return arrays
