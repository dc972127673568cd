"""The 50% rule's fixed point over a sparse edge list, in numpy.

The law does not multiply shares through a chain (OFAC FAQ 401): an entity is restricted
when the stakes its *restricted* owners hold in it add up to the threshold or more; from
then on its own stakes count in full, while an unrestricted intermediary carries nothing.
So the restricted set only grows, starting from the listed seeds, and each edge needs
looking at once: when its owner becomes restricted. The loop below propagates a frontier
(the nodes that became restricted in the last step): each step gathers just the frontier's
outgoing edges from a CSR layout, adds their shares to the owned nodes' running sums with
one bincount, and promotes the owned nodes that reach the threshold. A 2,000-deep chain is
2,000 small steps, not 2,000 rescans of every edge; a cycle ends because a node joins once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Shares are percentages; sums such as 33.3 + 16.7 must reach 50 despite binary rounding.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Closure:
    """The restricted set of one run of the fixed point."""

    restricted: np.ndarray  # bool per node
    level: np.ndarray  # int per node: 0 for a seed, k when it became restricted in step k, -1 never
    share: (
        np.ndarray
    )  # float per node: the sum of its restricted owners' stakes (what the test compares)


@dataclass(frozen=True)
class EdgeIndex:
    """Edges sorted by owner, with row pointers: the outgoing edges of node i are order[ptr[i]:ptr[i+1]]."""

    nodes: int
    ptr: np.ndarray
    order: (
        np.ndarray | None
    )  # positions into the original edge arrays; None: they are in owner order
    dst: np.ndarray  # owned node of each sorted edge

    @classmethod
    def by_owner(cls, nodes: int, src: np.ndarray, dst: np.ndarray) -> EdgeIndex:
        # The graph's edges come sorted by owner already; sorting them again cost a second at 5M
        # edges, and an identity order and a copy of `dst` cost 80 MB of the stage's peak.
        ordered = src.size < 2 or bool(np.all(src[1:] >= src[:-1]))
        order = None if ordered else np.argsort(src, kind="stable")
        ptr = np.zeros(nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=nodes), out=ptr[1:])
        return cls(nodes, ptr, order, dst if order is None else dst[order])

    def sorted_weights(self, weight: np.ndarray) -> np.ndarray:
        """`weight` (aligned with the original edge arrays) in the index's order."""
        return weight if self.order is None else weight[self.order]

    def edges_of(self, node: int) -> np.ndarray:
        """Positions in the original edge arrays of the edges leaving `node`."""
        start, end = self.ptr[node], self.ptr[node + 1]
        return np.arange(start, end) if self.order is None else self.order[start:end]

    def outgoing(self, frontier: np.ndarray) -> np.ndarray:
        """Positions (in sorted order) of every edge leaving the frontier nodes, without a Python loop."""
        starts = self.ptr[frontier]
        counts = self.ptr[frontier + 1] - starts
        total = int(counts.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64)
        run_starts = np.cumsum(counts) - counts
        return np.repeat(starts - run_starts, counts) + np.arange(total, dtype=np.int64)


def closure(index: EdgeIndex, weight: np.ndarray, seeds: np.ndarray, threshold: float) -> Closure:
    """Restricted nodes given seed nodes, edge shares (`weight`, aligned with the original edge arrays) and a threshold."""
    sorted_weight = index.sorted_weights(weight)
    restricted = seeds.astype(bool).copy()
    # 32 bits: a level is a step count, at most the number of nodes.
    level = np.where(restricted, 0, -1).astype(np.int32)
    share = np.zeros(index.nodes, dtype=np.float64)
    frontier = np.flatnonzero(restricted)
    step = 0
    while frontier.size:
        step += 1
        edges = index.outgoing(frontier)
        if edges.size == 0:
            break
        targets, local = np.unique(index.dst[edges], return_inverse=True)
        share[targets] += np.bincount(local, weights=sorted_weight[edges], minlength=targets.size)
        reached = targets[(share[targets] >= threshold - TOLERANCE) & ~restricted[targets]]
        restricted[reached] = True
        level[reached] = step
        frontier = reached
    return Closure(restricted, level, share)
