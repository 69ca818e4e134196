"""Every check of every exercise set, three ways, from one harness.

For each question: the reference answer (its ``_expected()``) is judged
correct, the handed-out stub is "not attempted", and each plausible wrong
answer of ``mistakes()`` is judged incorrect with the hint written for it.
The per-module files (``test_checks_m0N.py``) add answers computed
independently in plain pandas, so that a check cannot agree with itself only.
"""

from __future__ import annotations

import pytest

from coursekit.exercises import ____, m00, m01, m02, m03, m04, m05, m06, m08

SETS = {"m00": m00, "m01": m01, "m02": m02, "m03": m03, "m04": m04, "m05": m05,
        "m06": m06, "m08": m08}
QUESTIONS = [(name, q) for name, mod in SETS.items() for q in mod.EXERCISES.bind({})]
IDS = [f"{name}-{q.qid}" for name, q in QUESTIONS]


def _answers(q, value):
    """An answer as keyword arguments: a dict by variable, or the one variable's value."""
    if len(q.variables) == 1:
        return {q.variables[0]: value}
    expected = q._expected()
    return {**expected, **value}


def test_every_set_has_questions():
    for name, mod in SETS.items():
        assert len(mod.EXERCISES.bind({})) >= 3, name


@pytest.mark.parametrize(("name", "q"), QUESTIONS, ids=IDS)
def test_the_reference_answer_is_correct(name, q):
    result = q.evaluate(**_answers(q, q._expected()))
    assert result.status == "correct", result.text


@pytest.mark.parametrize(("name", "q"), QUESTIONS, ids=IDS)
def test_the_stub_is_not_attempted(name, q):
    assert q.evaluate().status == "not_attempted"
    assert q.evaluate(**{v: ____ for v in q.variables}).status == "not_attempted"


@pytest.mark.parametrize(("name", "q"), QUESTIONS, ids=IDS)
def test_each_plausible_mistake_gets_its_hint(name, q):
    mistakes = q.mistakes()
    assert mistakes, f"{name} {q.qid} has no plausible wrong answer to aim a hint at"
    for value, hint in mistakes:
        result = q.evaluate(**_answers(q, value))
        assert result.status == "incorrect", f"{q.qid}: {value!r} judged {result.status}"
        assert hint in result.text, f"{q.qid}: expected the hint {hint!r}, got {result.text!r}"
