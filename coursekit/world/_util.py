"""Small vectorised helpers shared by the generator steps.

Most of the generator's cost at millions of users is sorting and random
access on arrays of tens of millions of rows, so the helpers here avoid both
where they can: sorted uniforms come from cumulative sums of exponential
spacings (no sort), and the sorts that remain pack the key and the row
position into one ``int64`` and sort values, not indices (stable, and several
times faster than ``argsort`` or ``lexsort``).
"""

from __future__ import annotations

import zlib

import numpy as np

SECONDS_PER_DAY = 86_400


def rng_for(seed: int, step: str) -> np.random.Generator:
    """An independent random stream per generator step.

    Each step draws from its own stream, derived from the world seed and the
    step's name, so adding a new table later leaves every existing table
    byte-identical.
    """
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(step.encode())]))


def choice(rng: np.random.Generator, options: dict[str, float], size: int) -> np.ndarray:
    """Draw ``size`` labels with the given probabilities (normalised)."""
    labels = np.array(list(options))
    return labels[choice_codes(rng, options, size)]


def choice_codes(rng: np.random.Generator, options: dict[str, float], size: int) -> np.ndarray:
    """Like :func:`choice` but return positions in ``list(options)`` (``int8``)."""
    probs = np.array(list(options.values()), dtype=float)
    cum = np.cumsum(probs / probs.sum())
    cum[-1] = 1.0
    return np.searchsorted(cum, rng.random(size), side="right").astype(np.int8)


def group_positions(counts: np.ndarray) -> np.ndarray:
    """Position 0..k-1 of each element within its group, groups laid out by ``counts``."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total, dtype=np.int64) - starts


def sorted_uniform_within(rng: np.random.Generator, counts: np.ndarray) -> np.ndarray:
    """Uniform draws in [0, 1), sorted within consecutive groups of sizes ``counts``.

    Conditional on their count, the points of a Poisson process on an interval
    are sorted uniforms, which is how purchase and session times are placed.
    The ``k`` sorted uniforms of a group are the first ``k`` partial sums of
    ``k + 1`` exponential spacings divided by their total, so no sort is needed
    (time and memory linear in the number of draws).
    """
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0)
    groups = np.flatnonzero(counts)
    k = counts[groups]
    # Each non-empty group gets k + 1 spacings; the last one closes the interval.
    ends = np.cumsum(k + 1)
    csum = np.cumsum(rng.standard_exponential(int(ends[-1])))
    base = np.where(ends > k + 1, csum[np.maximum(ends - k - 2, 0)], 0.0)
    span = csum[ends - 1] - base
    drop = np.zeros(int(ends[-1]), dtype=bool)
    drop[ends - 1] = True
    u = csum[~drop]
    del csum, drop
    u -= np.repeat(base, k)
    u /= np.repeat(span, k)
    return np.minimum(u, np.nextafter(1.0, 0.0))


def sort_order(key: np.ndarray, key_bits: int) -> np.ndarray:
    """Stable permutation that sorts non-negative integer keys below ``2**key_bits``.

    The key and the row position are packed into one ``int64`` and the values
    are sorted (SIMD sort, no index indirection); ties keep their input order.
    Falls back to a stable ``argsort`` when the packed value would not fit.
    """
    n = len(key)
    pos_bits = max(1, int(n - 1).bit_length())
    if key_bits + pos_bits > 63:
        return np.argsort(key, kind="stable")
    packed = np.asarray(key, dtype=np.int64) << pos_bits
    packed |= np.arange(n, dtype=np.int64)
    packed.sort()
    packed &= (1 << pos_bits) - 1
    return packed


def seconds(t: np.ndarray) -> np.ndarray:
    """Days since START (float) to whole seconds (``int64``), as published."""
    s = np.multiply(np.asarray(t, dtype=float), float(SECONDS_PER_DAY))
    if s.ndim == 0:
        return np.int64(np.round(s))
    np.round(s, out=s)
    return s.astype(np.int64)


def grouped_time_order(group: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Stable permutation ordering rows by ``group`` then by time ``t`` (to the second).

    Meant for rows already almost in that order (built group by group, with
    only same-day swaps to fix): a stable sort of one ``int64`` key is then
    close to linear.
    """
    key = np.asarray(group, dtype=np.int64) << 27
    key |= seconds(t)
    return np.argsort(key, kind="stable")


def hour_profile() -> np.ndarray:
    """Share of activity by hour of the day: a lunch bump and an evening peak."""
    h = np.arange(24)
    w = (
        0.15
        + 0.6 * np.exp(-0.5 * ((h - 12.5) / 1.5) ** 2)
        + 1.0 * np.exp(-0.5 * ((h - 21) / 2) ** 2)
    )
    w[1:7] *= 0.25
    return w / w.sum()


def with_time_of_day(rng: np.random.Generator, t: np.ndarray,
                     profiles: np.ndarray | None = None,
                     rows: np.ndarray | None = None) -> np.ndarray:
    """Keep the day of each time ``t`` (days, float) and redraw its time of day from
    :func:`hour_profile` (the Poisson draw places times uniformly within a day), or,
    given ``profiles`` (hour profiles as rows) and ``rows``, from ``profiles[rows[i]]``."""
    if profiles is None:
        cum = np.cumsum(hour_profile())
        cum[-1] = 1.0
        hours = np.searchsorted(cum, rng.random(len(t)), side="right")
    else:
        cum = np.cumsum(profiles, axis=1)
        cum[:, -1] = 1.0
        draw = rng.random(len(t))
        hours = np.zeros(len(t), dtype=np.int64)
        for h in range(cum.shape[1]):  # a comparison per hour, not a rows x 24 matrix
            hours += draw > cum[:, h][rows]
        del draw
    out = hours + rng.random(len(t))
    out /= 24.0
    out += np.floor(t)
    return out
