"""Errors that say what went wrong, where, and what to do about it.

Every public coursekit function checks what it is given at the door and
raises one of these instead of returning a silently wrong number or letting
a traceback escape from deep inside pandas:

- :class:`CourseError`: the base class; catch it to catch everything
  coursekit raises on purpose. Also used on its own for a wrong order of
  calls (a model used before it is fitted).
- :class:`DataError`: a table, column or file is not what the function needs
  (table, column, a few example rows, how to fix it).
- :class:`ArgumentError`: an argument is not allowed (its name, the value
  given, what is allowed).

Both :class:`DataError` and :class:`ArgumentError` are also ``ValueError``,
so code written against plain pandas habits still catches them.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["ArgumentError", "CourseError", "DataError"]


def _label(value: object) -> str:
    """A column label as text, whatever its type (``0``, ``("a", "b")``, ``"amount"``)."""
    return value if isinstance(value, str) else repr(value)


def _labels(column: object) -> str:
    if isinstance(column, str) or not isinstance(column, Iterable):
        return _label(column)
    return ", ".join(_label(c) for c in column)


class CourseError(Exception):
    """Base class of every error coursekit raises on purpose.

    Examples
    --------
    >>> issubclass(DataError, CourseError), issubclass(ArgumentError, CourseError)
    (True, True)
    """


class DataError(CourseError, ValueError):
    """A table, column or file is not what a coursekit function needs.

    Parameters
    ----------
    message
        What is wrong, in one sentence.
    table
        Name of the table that is wrong, e.g. ``"orders"``.
    column
        The offending column (any label pandas allows) or several of them.
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
    >>> print(DataError("missing values", table="t", column=0))
    t.0: missing values
    """

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        column: object | None = None,
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
            where = f"{self.table}.{_labels(self.column)}: "
        elif self.table:
            where = f"{self.table}: "
        elif self.column is not None:
            where = f"column {_labels(self.column)}: "
        text = where + self.reason
        if self.rows is not None:
            text += "\nExample rows:\n" + str(self.rows)
        if self.fix:
            text += "\nHow to fix: " + self.fix
        return text

    def __reduce__(self):  # keep the keywords when pickled (worker processes)
        return (_rebuild_data_error, (self.reason, self.table, self.column, self.rows, self.fix))


def _rebuild_data_error(reason, table, column, rows, fix) -> DataError:
    return DataError(reason, table=table, column=column, rows=rows, fix=fix)


class ArgumentError(CourseError, ValueError):
    """An argument of a coursekit function is not allowed.

    Parameters
    ----------
    message
        What is wrong with it, in one sentence.
    name
        The argument's name, e.g. ``"per"``.
    value
        The value that was given (shown when given).
    allowed
        What is allowed, in words (``"'D', 'W' or 'M'"``, ``"a number above 0"``).
    rows
        Offending entries, when the argument is a table or a list.
    fix
        What to do about it, when more than "use an allowed value" helps.

    Examples
    --------
    >>> err = ArgumentError("unknown period", name="per", value="Q",
    ...                     allowed="'D', 'W' or 'M'")
    >>> print(err)
    argument per: unknown period (got 'Q')
    Allowed: 'D', 'W' or 'M'
    >>> isinstance(err, ValueError), isinstance(err, DataError), err.name
    (True, False, 'per')
    """

    _NOTHING = object()

    def __init__(
        self,
        message: str,
        *,
        name: str,
        value: object = _NOTHING,
        allowed: str | None = None,
        rows: object | None = None,
        fix: str | None = None,
    ) -> None:
        self.reason = message
        self.name = name
        self.value = None if value is ArgumentError._NOTHING else value
        self.allowed = allowed
        self.rows = rows
        self.fix = fix
        text = f"argument {_labels(name)}: {message}"
        if value is not ArgumentError._NOTHING:
            text += f" (got {_short(value)})"
        if rows is not None:
            text += "\nExample entries:\n" + str(rows)
        if allowed:
            text += "\nAllowed: " + allowed
        if fix:
            text += "\nHow to fix: " + fix
        self._has_value = value is not ArgumentError._NOTHING
        super().__init__(text)

    def __reduce__(self):
        value = self.value if self._has_value else ArgumentError._NOTHING
        return (_rebuild_argument_error,
                (self.reason, self.name, value, self.allowed, self.rows, self.fix))


def _rebuild_argument_error(reason, name, value, allowed, rows, fix) -> ArgumentError:
    if value is None:
        return ArgumentError(reason, name=name, allowed=allowed, rows=rows, fix=fix)
    return ArgumentError(reason, name=name, value=value, allowed=allowed, rows=rows, fix=fix)


def _short(value: object) -> str:
    text = repr(value)
    if len(text) > 60:
        size = f" of {len(value)}" if hasattr(value, "__len__") else ""
        text = f"<{type(value).__name__}{size}>"
    return text
