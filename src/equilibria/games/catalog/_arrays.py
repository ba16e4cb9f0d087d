"""Small NumPy steps shared by the catalog's level-by-level tree generators (goofspiel, liar's dice,
Leduc hold'em); no games registered here.

The generators number nodes as `ExtensiveFormGame.from_state` does (breadth first, children in
action order) and hand the arrays to `ExtensiveFormGame._from_arrays`.
"""

from __future__ import annotations

import numpy as np


def free_children(mask: np.ndarray, k: int, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Children of each node over the items ``0 .. width-1`` whose bit is not set in its ``mask``,
    ascending, when every node has exactly ``k`` such items: the parent row of each child, its item
    and its action index (position among its siblings)."""
    bit = np.int64(1) << np.arange(width, dtype=np.int64)
    rows, items = np.nonzero((mask.astype(np.int64)[:, None] & bit[None, :]) == 0)
    return rows, items, np.tile(np.arange(k), len(mask))


def discovery_ids(key: np.ndarray, base: int) -> tuple[np.ndarray, np.ndarray]:
    """Information sets of one level of nodes keyed by ``key`` (equal keys, one set), numbered
    ``base, base+1, ...`` in order of their first node: each node's set, and the position of each
    set's first node (in the sets' order)."""
    uniq, first, inv = np.unique(key, return_index=True, return_inverse=True)
    rank = np.argsort(first, kind="stable")
    dtype = np.int32 if base + len(uniq) < 2**31 else np.int64
    new_id = np.empty(len(uniq), dtype)
    new_id[rank] = base + np.arange(len(uniq))
    return new_id[inv.reshape(-1)], first[rank]
