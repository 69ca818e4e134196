"""Exercise checks for the course notebooks: ``q1.check()``, ``q1.hint()``,
``q1.solution()``.

One module per course module (``m00``, ``m01``, ...) defines the questions
of its exercise notebook and an ``EXERCISES`` set; a notebook binds them::

    from coursekit.exercises import m00
    q1, q2, q3 = m00.EXERCISES.bind(globals())

Examples
--------
>>> from coursekit.exercises import ____, Exercise, ExerciseSet
>>> repr(____)
'____'
"""

from coursekit.exercises.core import (
    Exercise,
    ExerciseSet,
    Result,
    ____,
    describe_type,
    diff_frame,
    diff_number,
    diff_series,
    diff_set,
    diff_text,
    diff_value,
    find_course_root,
    same,
)

__all__ = [
    "____",
    "Exercise",
    "ExerciseSet",
    "Result",
    "describe_type",
    "diff_frame",
    "diff_number",
    "diff_series",
    "diff_set",
    "diff_text",
    "diff_value",
    "find_course_root",
    "same",
]
