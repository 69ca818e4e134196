"""Shared fixtures: the course tables, loaded once per test session (per worker), and a
second, smaller world to run lessons and checks on."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pandas as pd
import pytest

import coursekit


class CourseTables(Mapping[str, pd.DataFrame]):
    """The default world's tables, each loaded on first use and then shared.

    Tests share the frames: copy one before changing it
    (``tables["orders"].copy()``).
    """

    def __init__(self) -> None:
        self._loaded: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._loaded:
            self._loaded[name] = coursekit.load(name)
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(coursekit.datasets()["name"])

    def __len__(self) -> int:
        return len(coursekit.datasets())


_TABLES = CourseTables()


@pytest.fixture(scope="session")
def tables() -> CourseTables:
    """Every course table by name, loaded once."""
    return _TABLES


@pytest.fixture(scope="session")
def course(tables: CourseTables) -> CourseTables:
    """The course tables by name (test modules may narrow it to a tuple of their own)."""
    return tables


@pytest.fixture(scope="session")
def small_world(tmp_path_factory):
    """A 3,000-user world of seed 7, written once per session (per worker): the second
    world every lesson's claims and every exercise check must also hold on."""
    from coursekit.world import write_world

    out = tmp_path_factory.mktemp("world7")
    write_world(out, users=3_000, seed=7, progress=False)
    return out
