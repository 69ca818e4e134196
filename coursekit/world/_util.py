"""Small vectorised helpers shared by the generator steps."""

from __future__ import annotations

import zlib

import numpy as np


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
    probs = np.array(list(options.values()), dtype=float)
    return labels[rng.choice(len(labels), size=size, p=probs / probs.sum())]


def group_positions(counts: np.ndarray) -> np.ndarray:
    """Position 0..k-1 of each element within its group, groups laid out by ``counts``."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total, dtype=np.int64) - starts


def sorted_uniform_within(rng: np.random.Generator, owner: np.ndarray) -> np.ndarray:
    """Uniform draws in [0, 1), sorted within each owner (owner must be grouped, ascending).

    Conditional on their count, the points of a Poisson process on an interval
    are sorted uniforms, which is how purchase and session times are placed.
    """
    u = rng.random(len(owner))
    order = np.lexsort((u, owner))
    return u[order]


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


def with_time_of_day(rng: np.random.Generator, t: np.ndarray) -> np.ndarray:
    """Keep the day of each time ``t`` (days, float) and redraw its time of day from
    :func:`hour_profile` (the Poisson draw places times uniformly within a day)."""
    hours = rng.choice(24, size=len(t), p=hour_profile())
    return np.floor(t) + (hours + rng.random(len(t))) / 24.0
