"""Small helpers shared by the tests (imported as ``from helpers import ...``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import coursekit
from coursekit import cli
from coursekit.errors import ArgumentError, CourseError, DataError


def run(capsys: pytest.CaptureFixture, *argv: object) -> tuple[int, str, str]:
    """Run the ``coursekit`` command in process: exit code, stdout, stderr."""
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def refused(capsys: pytest.CaptureFixture, *argv: object, says: tuple[str, ...]) -> str:
    """Run a command that must be refused: exit 2, one paragraph on stderr naming the
    problem (``coursekit SUBCOMMAND: error: ...``, with every text of ``says``)."""
    code, out, err = run(capsys, *argv)
    assert code == 2, (out, err)
    assert "Traceback" not in err
    assert err.startswith("coursekit ") and ": error: " in err
    assert "\n\n" not in err.strip()  # one paragraph
    for text in says:
        assert text in err, err
    return err


def named(err: CourseError) -> object:
    """What a coursekit error points at: the column of a DataError, the
    argument of an ArgumentError (for tests whose cases mix both kinds)."""
    if isinstance(err, DataError):
        return err.column
    if isinstance(err, ArgumentError):
        return err.name
    raise AssertionError(f"not a DataError or ArgumentError: {type(err).__name__}: {err}")


def wrong(question, hint_words: str, **answer: object) -> str:
    """A plausible wrong answer to an exercise check: *Incorrect*, with the hint aimed at
    it, and nothing of the simulated company's truth (shown beside correct answers
    only). Returns the message."""
    r = question.evaluate(**answer)
    assert r.status == "incorrect", r.text
    assert hint_words in r.message, r.message
    assert "simulated" not in r.message and "simulation" not in r.message, r.message
    return r.message


def right(question, **answer: object) -> str:
    """A right answer to an exercise check: *Correct*. Returns the message."""
    r = question.evaluate(**answer)
    assert r.status == "correct", r.text
    return r.message


@contextmanager
def in_world(folder: Path) -> Iterator[None]:
    """Use the world at ``folder`` for the ``with`` block, then the default again."""
    coursekit.use_world(folder)
    try:
        yield
    finally:
        coursekit.use_world(None)


def every_check_holds(exercises) -> None:
    """In the world in use, each question's reference answer is correct, and each keeps
    at least one plausible mistake, which gets its hint."""
    for q in exercises.bind({}):
        expected = q._expected()
        whole = ((lambda v, q=q: {q.variables[0]: v}) if len(q.variables) == 1
                 else (lambda v, e=expected: {**e, **v}))
        assert q.evaluate(**whole(expected)).is_correct, q.qid
        mistakes = q.mistakes()
        assert mistakes, q.qid
        for value, hint in mistakes:
            r = q.evaluate(**whole(value))
            assert r.status == "incorrect" and hint in r.text, (q.qid, value, r.text)


def holds_its_contract(df, name: str) -> None:
    """A generated table passes its contract, key included, with the contract's columns
    in order and their dtypes."""
    from coursekit.schema import coerce, validate

    validate(df, name, check_key=True)
    typed = coerce(df.iloc[:0], name)
    assert list(df.columns) == list(typed.columns), name
    assert all(df[c].dtype == typed[c].dtype for c in df.columns), name


def survives_csv(df, name: str, folder: Path) -> None:
    """Written as CSV and read back through the contract, a table is the same (categories
    come back as text categories with the same labels)."""
    import pandas as pd

    from coursekit.data.io import read_raw, write_table
    from coursekit.schema import coerce, validate

    back = coerce(read_raw(write_table(df, folder, name, "csv")), name)
    validate(back, name, check_key=True)
    labels = [c for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)]
    assert all(list(back[c].cat.categories) == list(df[c].cat.categories) for c in labels), name
    pd.testing.assert_frame_equal(back.astype({c: str for c in labels}),
                                  df.astype({c: str for c in labels}), obj=name)
