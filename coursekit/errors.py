"""Errors that say what went wrong, where, and what to do about it.

Every public coursekit function validates its input at the door and raises
:class:`DataError` instead of returning a silently wrong number or letting a
traceback escape from deep inside pandas.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["DataError", "CourseError"]


class CourseError(Exception):
    """Base class for coursekit's own errors (not about a table's content)."""


class DataError(ValueError):
    """A table, column or file is not what a coursekit function needs.

    Parameters
    ----------
    message
        What is wrong, in one sentence.
    table
        Name of the table (or argument) that is wrong, e.g. ``"orders"``.
    column
        Name of the offending column, when there is one.
    rows
        A few offending rows (a DataFrame or any printable object); shown
        below the message so the learner can see the problem.
    fix
        What to do about it.

    Examples
    --------
    >>> err = DataError("amounts must not be negative", table="orders",
    ...                 column="amount", fix="net refunds first")
    >>> print(err)
    orders.amount: amounts must not be negative
    How to fix: net refunds first
    >>> isinstance(err, ValueError)
    True
    """

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        column: str | Sequence[str] | None = None,
        rows: object | None = None,
        fix: str | None = None,
    ) -> None:
        self.table = table
        self.column = column
        self.rows = rows
        self.fix = fix
        self.reason = message
        super().__init__(self._render())

    def _render(self) -> str:
        where = ""
        if self.table and self.column is not None:
            cols = self.column if isinstance(self.column, str) else ", ".join(self.column)
            where = f"{self.table}.{cols}: "
        elif self.table:
            where = f"{self.table}: "
        elif self.column is not None:
            cols = self.column if isinstance(self.column, str) else ", ".join(self.column)
            where = f"column {cols}: "
        text = where + self.reason
        if self.rows is not None:
            text += "\nExample rows:\n" + str(self.rows)
        if self.fix:
            text += "\nHow to fix: " + self.fix
        return text
