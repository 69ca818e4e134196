"""Small helpers shared by the tests (imported as ``from helpers import ...``)."""

from __future__ import annotations

from coursekit.errors import ArgumentError, CourseError, DataError


def named(err: CourseError) -> object:
    """What a coursekit error points at: the column of a DataError, the
    argument of an ArgumentError (for tests whose cases mix both kinds)."""
    if isinstance(err, DataError):
        return err.column
    if isinstance(err, ArgumentError):
        return err.name
    raise AssertionError(f"not a DataError or ArgumentError: {type(err).__name__}: {err}")
