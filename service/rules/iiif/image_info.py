"""STAND-IN (helper PYR) for the IMG helper's module: only scale_factors.

The lead merges IMG's real module over this one.
"""

from __future__ import annotations


def scale_factors(width: int, height: int, tile: int) -> list[int]:
    """Powers of two from 1 until the whole image fits in one tile."""
    factors = [1]
    while -(-max(width, height) // factors[-1]) > tile:
        factors.append(factors[-1] * 2)
    return factors
