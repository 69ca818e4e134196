"""Exercise checks: outcomes, comparison helpers, hints and solutions."""

from __future__ import annotations

import pickle

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from coursekit.exercises import (
    Exercise,
    ExerciseSet,
    Result,
    ____,
    core,
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

ORDERS = pd.DataFrame(
    {
        "user_id": [1, 1, 2, 3, 3, 3],
        "channel": ["app", "app", "web", "web", "web", "app"],
        "amount": [10.0, 30.0, 20.0, 5.0, 5.0, 10.0],
    }
)
ALL_USERS = 5  # two of them never ordered


class Arpu(Exercise):
    qid = "q1"
    title = "ARPU"
    variables = ("arpu",)
    hints = ("Revenue over which users?", "All users, buyers or not.", "Use ALL_USERS.")
    calls = 0

    def _expected(self):
        type(self).calls += 1
        return ORDERS["amount"].sum() / ALL_USERS

    def mistakes(self):
        buyers = ORDERS["user_id"].nunique()
        return [(ORDERS["amount"].sum() / buyers, "You divided by buyers: that is ARPPU.")]


class ChannelRevenue(Exercise):
    qid = "q2"
    title = "Revenue by channel"
    variables = ("by_channel",)
    ignore_order = True

    def _expected(self):
        return ORDERS.groupby("channel")["amount"].sum()


class TopChannel(Exercise):
    qid = "q3"
    variables = ("top_channel",)

    def _expected(self):
        return ORDERS.groupby("channel")["amount"].sum().idxmax()


class Pair(Exercise):
    qid = "q4"
    variables = ("arpu", "arppu")

    def _expected(self):
        revenue = ORDERS["amount"].sum()
        return {"arpu": revenue / ALL_USERS, "arppu": revenue / ORDERS["user_id"].nunique()}

    def mistakes(self):
        e = self._expected()
        return [({"arpu": e["arppu"], "arppu": e["arpu"]}, "ARPU and ARPPU are swapped.")]


class Summary(Exercise):
    qid = "q5"
    variables = ("summary",)

    def _expected(self):
        return ORDERS.groupby("user_id", as_index=False).agg(
            orders=("amount", "size"), revenue=("amount", "sum")
        )


# --- the placeholder and Result --------------------------------------------


def test_placeholder_is_one_object_that_stays_itself():
    assert repr(____) == "____" and str(____) == "____"
    assert type(____)() is ____
    assert pickle.loads(pickle.dumps(____)) is ____
    assert ____.head(3) is ____ and ____["x"] is ____ and ____.a.b() is ____
    with pytest.raises(AttributeError):
        ____._repr_html_  # noqa: B018 - IPython must not find display hooks on it


def test_result_text_and_validation():
    r = Result("not_attempted", "set `x`.")
    assert r.text == "Not attempted: set `x`." and not r.is_correct
    assert Result("correct", "ok").text.startswith("Correct:")
    assert "<" not in Result("incorrect", "a<b").html().split("</span>")[1].replace("</div>", "")
    with pytest.raises(ValueError, match="status"):
        Result("right", "")


# --- evaluate(): every outcome ---------------------------------------------


def test_missing_variable_is_not_attempted():
    r = Arpu({}).evaluate()
    assert r.status == "not_attempted"
    assert "`arpu`" in r.message and "q1.check()" in r.message


def test_placeholder_is_not_attempted():
    r = Arpu({"arpu": ____}).evaluate()
    assert r.status == "not_attempted" and "____" in r.message


def test_correct_answer():
    r = Arpu({"arpu": 80 / 5}).evaluate()
    assert r == Result("correct", "`arpu` matches the data.")


def test_correct_message_can_be_set():
    class Explained(Arpu):
        correct_message = "ARPU counts every user."

    assert Explained({"arpu": 16.0}).evaluate().message == "ARPU counts every user."


def test_known_mistake_gets_its_hint():
    r = Arpu({"arpu": 80 / 3}).evaluate()
    assert r == Result("incorrect", "You divided by buyers: that is ARPPU.")


def test_generic_incorrect_names_direction_not_answer():
    r = Arpu({"arpu": 17.5}).evaluate()
    assert r.status == "incorrect"
    assert r.message == "`arpu` is too high."
    assert "16" not in r.message


def test_answers_can_be_passed_directly():
    q = Arpu({"arpu": ____})
    assert q.evaluate(arpu=16.0).status == "correct"
    assert q.evaluate().status == "not_attempted"


def test_series_answer_in_any_order():
    good = ORDERS.groupby("channel")["amount"].sum().sort_values()
    assert ChannelRevenue({"by_channel": good}).evaluate().status == "correct"
    bad = good * 2
    r = ChannelRevenue({"by_channel": bad}).evaluate()
    assert r.status == "incorrect" and "differ in 2 of 2 rows" in r.message


def test_string_answer_ignores_case():
    assert TopChannel({"top_channel": " APP "}).evaluate().status == "correct"
    assert TopChannel({"top_channel": "web"}).evaluate().text == (
        "Incorrect: `top_channel` is not the expected one."
    )


def test_several_variables():
    e = Pair()._expected()
    assert Pair({"arpu": e["arpu"], "arppu": ____}).evaluate().status == "not_attempted"
    assert Pair().evaluate(**e).status == "correct"
    swapped = Pair().evaluate(arpu=e["arppu"], arppu=e["arpu"])
    assert swapped == Result("incorrect", "ARPU and ARPPU are swapped.")
    r = Pair().evaluate(arpu=e["arpu"], arppu=1.0)
    assert r.message == "`arppu` is too low."


def test_dataframe_answer_messages():
    e = Summary()._expected()
    assert Summary().evaluate(summary=e[["revenue", "user_id", "orders"]]).status == "correct"
    as_index = e.set_index("user_id")
    assert "as the index" in Summary().evaluate(summary=as_index).message
    no_revenue = e.drop(columns="revenue")
    assert "misses column(s) `revenue`" in Summary().evaluate(summary=no_revenue).message
    assert "has 2 rows; expected 3" in Summary().evaluate(summary=e.head(2)).message


def test_expected_is_computed_once_per_instance():
    Arpu.calls = 0
    q = Arpu({"arpu": 1.0})
    for _ in range(3):
        q.evaluate()
    assert Arpu.calls == 1
    Arpu({"arpu": 1.0}).evaluate()
    assert Arpu.calls == 2


# --- wrong types never raise ------------------------------------------------


class Explodes:
    def __eq__(self, other):
        raise RuntimeError("no comparing me")

    __hash__ = None

    def __float__(self):
        raise RuntimeError("no converting me")


WEIRD = [
    None,
    "16",
    [16.0, 1.0],
    {"arpu": 16},
    pd.DataFrame({"a": [1, 2]}),
    pd.Series([16.0, 2.0]),
    np.array([[1, 2]]),
    object(),
    print,
    Explodes(),
    pd.NA,
    float("nan"),
    True,
    pd.Timestamp("2026-01-01"),
]
EXPECTED = [
    16.0,
    "app",
    {"app", "web"},
    [1, 2],
    {"a": 1},
    True,
    pd.Series([1.0, 2.0], index=["a", "b"]),
    pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}),
    np.array([1.0, 2.0]),
]


@pytest.mark.parametrize("answer", WEIRD, ids=lambda a: type(a).__name__)
@pytest.mark.parametrize("expected", EXPECTED, ids=lambda e: type(e).__name__)
def test_diff_value_never_raises(answer, expected):
    message = diff_value(answer, expected, name="`x`")
    if answer is True and expected is True:
        assert message is None
    else:
        assert isinstance(message, str) and "`x`" in message


@pytest.mark.parametrize("answer", WEIRD, ids=lambda a: type(a).__name__)
def test_wrong_type_is_incorrect_and_names_the_type(answer):
    r = Arpu({"arpu": answer}).evaluate()
    assert r.status == "incorrect"
    said = ("should be a number", "single number", "is NaN where a number is due")
    assert any(s in r.message for s in said)


def test_a_crashing_compare_is_incorrect_not_an_exception():
    class Fragile(Arpu):
        def compare(self, arpu):
            return None if arpu + 1 > 0 else self.incorrect("negative")

    r = Fragile({"arpu": "text"}).evaluate()
    assert r.status == "incorrect"
    assert "TypeError" in r.message and "`arpu` should be a number." in r.message


def test_data_errors_in_expected_are_not_blamed_on_the_learner():
    class Broken(Exercise):
        qid, variables = "q9", ("x",)

        def _expected(self):
            raise FileNotFoundError("orders.parquet")

    with pytest.raises(FileNotFoundError):
        Broken({"x": 1}).evaluate()


# --- comparison helpers ------------------------------------------------------


def test_diff_number():
    assert diff_number(0.1 + 0.2, 0.3) is None
    assert diff_number(np.float64(2.0), 2) is None
    assert diff_number(np.array(2.0), 2) is None
    assert diff_number(1.01, 1.0, rtol=0.02) is None
    assert diff_number(float("nan"), float("nan")) is None
    assert "100 times too large" in diff_number(25.0, 0.25)
    assert "100 times too small" in diff_number(0.25, 25.0)
    assert diff_number(-3.0, 3.0) == "the answer has the wrong sign."
    assert "should be a number" in diff_number(True, 1.0)


def test_a_measured_number_is_right_to_three_significant_figures():
    assert diff_number(0.123, 0.12345) is None          # what pandas shows, rounded
    assert diff_number(12.3, 12.3456) is None
    assert diff_number(1235.0, 1234.56) is None
    assert diff_number(0.12, 0.12345) == "the answer is too low."     # two figures are not enough
    assert diff_number(0.124, 0.12345) == "the answer is too high."
    assert diff_number(12.3, 12346) is not None         # a count is exact
    assert diff_number(12300, 12346) is not None
    assert "100 times too large" in diff_number(12.3, 0.12345)   # a percentage, read to 3 figures
    assert diff_series(pd.Series([0.123, 4.57]), pd.Series([0.12345, 4.5678])) is None
    assert diff_series(pd.Series([0.12, 4.57]), pd.Series([0.12345, 4.5678])) is not None


def test_an_answer_in_another_natural_type_is_read():
    import datetime

    assert diff_number(pd.Series([3.0]), 3.0) is None             # one row, e.g. from .loc
    assert diff_number(pd.DataFrame({"arpu": [3.0]}), 3.0) is None
    assert diff_number(np.array([3.0]), 3.0) is None
    assert diff_text(pd.Series([9.5], index=["douyin_ads"]).nlargest(1), "douyin_ads") is None
    assert diff_text(pd.Series(["web"]), "web") is None
    assert diff_text(["web"], "web") is None
    day = pd.Timestamp("2025-11-11")
    for answer in ("2025-11-11", datetime.date(2025, 11, 11), datetime.datetime(2025, 11, 11, 9),
                   np.datetime64("2025-11-11"), pd.Period("2025-11-11", "D"), day):
        assert diff_value(answer, day) is None, answer
    assert diff_value("2025-11-12", day) == "the answer is a later day than the right one."
    assert "should be a day" in diff_value("Double 11", day)


def test_diff_text_and_set():
    assert diff_text("Web", "web") is None
    assert "should be a string" in diff_text(3, "web")
    assert diff_set(pd.Series(["a", "b", "b"]), {"a", "b"}) is None
    assert diff_set(["a", "c"], {"a", "b"}) == (
        "the answer misses 1 expected item and has 1 item that should not be there."
    )
    assert "should be a collection" in diff_set("ab", {"a", "b"})
    assert "unhashable" in diff_set([["a"]], {"a"})


def test_diff_series_options():
    e = pd.Series([1.0, 2.0, 3.0], index=pd.Index(["a", "b", "c"], name="k"))
    shuffled = e.iloc[[2, 0, 1]]
    assert "wrong order" in diff_series(shuffled, e)
    assert diff_series(shuffled, e, ignore_order=True) is None
    assert diff_series(e.reset_index(drop=True), e, ignore_index=True) is None
    assert "different index labels" in diff_series(e.rename({"a": "z"}), e)
    values_only = shuffled.reset_index(drop=True)
    assert diff_series(values_only, e, ignore_index=True, ignore_order=True) is None
    assert "should hold numbers" in diff_series(e.astype(str), e)
    assert "select the column" in diff_series(e.to_frame(), e)


def test_diff_frame_options():
    e = pd.DataFrame({"channel": ["app", "web"], "users": [5, 7], "share": [0.4, 0.6]})
    assert diff_frame(e.iloc[::-1], e, ignore_order=True, ignore_index=True) is None
    assert "wrong order" in diff_frame(e.iloc[::-1], e)
    assert "unexpected column(s) `extra`" in diff_frame(e.assign(extra=1), e)
    assert "column `share` differs in 1 of 2 rows" in diff_frame(e.assign(share=[0.4, 0.7]), e)
    assert diff_frame(e.assign(share=[0.40001, 0.6]), e, rtol=1e-3) is None
    assert "reset_index" in diff_frame(e.set_index("channel"), e)
    assert "Series" in diff_frame(e["users"], e)
    dates = pd.DataFrame({"d": pd.to_datetime(["2026-01-01", None])})
    assert diff_frame(dates.copy(), dates) is None


def test_diff_value_containers_and_same():
    assert diff_value((1, 2.0), [1, 2]) is None
    assert "has 1 items; expected 2" in diff_value([1], [1, 2])
    assert "item 1 of the answer is too high." == diff_value([1, 3], [1, 2])
    assert "unexpected key(s) `c`" in diff_value({"a": 1, "c": 2}, {"a": 1})
    assert same(np.bool_(True), True) and not same(1, True)
    assert describe_type(____) == "the placeholder ____"


# --- check(), hint(), solution() --------------------------------------------


def test_check_prints_outcome_and_returns_none(capsys):
    assert Arpu({"arpu": 16.0}).check() is None
    assert capsys.readouterr().out == "Correct: `arpu` matches the data.\n"
    Arpu({}).check()
    assert capsys.readouterr().out.startswith("Not attempted:")


def test_check_displays_text_and_html_in_ipython(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    shown = []
    monkeypatch.setattr(InteractiveShell, "initialized", classmethod(lambda cls: True))
    monkeypatch.setattr("IPython.display.display", lambda obj, raw: shown.append((obj, raw)))
    Arpu({"arpu": 80 / 3}).check()
    (bundle, raw), = shown
    assert raw is True
    assert bundle["text/plain"] == "Incorrect: You divided by buyers: that is ARPPU."
    assert "#cf222e" in bundle["text/html"] and "ARPPU" in bundle["text/html"]


def test_hints_advance_and_clamp(capsys):
    q = Arpu({})
    for _ in range(4):
        q.hint()
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "Hint 1 of 3: Revenue over which users?",
        "Hint 2 of 3: All users, buyers or not.",
        "Hint 3 of 3: Use ALL_USERS.",
        "Hint 3 of 3: Use ALL_USERS.",
    ]
    q.hint(1)
    q.hint()
    q.hint(0)
    q.hint(99)
    assert capsys.readouterr().out.splitlines() == [
        "Hint 1 of 3: Revenue over which users?",
        "Hint 2 of 3: All users, buyers or not.",
        "Hint 1 of 3: Revenue over which users?",
        "Hint 3 of 3: Use ALL_USERS.",
    ]
    TopChannel({}).hint()
    assert "no hint for q3" in capsys.readouterr().out


def _course(tmp_path, stem="00_demo_exercises"):
    (tmp_path / "solutions").mkdir()
    nb = new_notebook(
        cells=[
            new_code_cell("from coursekit.exercises import ____", id="setup"),
            new_code_cell(
                "users = 5\n# BEGIN SOLUTION q1\nrevenue = 80.0\narpu = revenue / users\n"
                "# END SOLUTION\nq1.check()",
                id="q1",
            ),
        ]
    )
    nbformat.write(nb, str(tmp_path / "solutions" / f"{stem}.ipynb"))
    return tmp_path


def test_solution_comes_from_the_solution_notebook(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSEKIT_ROOT", str(_course(tmp_path)))
    q1, q3 = ExerciseSet("00_demo", [Arpu, TopChannel]).bind({})
    q1.solution()
    assert capsys.readouterr().out == (
        "Solution (q1):\nrevenue = 80.0\narpu = revenue / users\n"
    )
    q3.solution()
    assert "no solution for q3" in capsys.readouterr().out


def test_solution_displays_markdown_code_block(tmp_path, monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.setenv("COURSEKIT_ROOT", str(_course(tmp_path)))
    shown = []
    monkeypatch.setattr(InteractiveShell, "initialized", classmethod(lambda cls: True))
    monkeypatch.setattr("IPython.display.display", lambda obj, raw: shown.append(obj))
    (q1,) = ExerciseSet("00_demo_exercises", [Arpu]).bind({})
    q1.solution()
    assert shown[0]["text/markdown"].endswith(
        "```python\nrevenue = 80.0\narpu = revenue / users\n```"
    )


def test_solution_without_a_course_folder(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(core, "find_course_root", lambda: None)
    (q1,) = ExerciseSet("00_demo", [Arpu]).bind({})
    q1.solution()
    out = capsys.readouterr().out
    assert "solutions/00_demo_exercises.ipynb" in out and "course website" in out
    monkeypatch.setattr(core, "find_course_root", lambda: tmp_path)
    q1.solution()
    assert "was not found" in capsys.readouterr().out
    Arpu({}).solution()
    assert "not tied to a notebook" in capsys.readouterr().out


def test_find_course_root(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSEKIT_ROOT", str(tmp_path))
    assert find_course_root() == tmp_path
    monkeypatch.delenv("COURSEKIT_ROOT")
    root = find_course_root()
    assert root is None or (root / "solutions").is_dir()


# --- ExerciseSet ----------------------------------------------------------------


def test_bind_returns_instances_in_order_and_defines_placeholder():
    ns: dict = {}
    s = ExerciseSet("03_cohorts", [TopChannel, Arpu])
    q3, q1 = s.bind(ns)
    assert (type(q3), type(q1)) == (TopChannel, Arpu)
    assert ns["____"] is ____ and q1.namespace is ns and q1.notebook == "03_cohorts_exercises"
    assert s.qids == ("q3", "q1") and len(s) == 2 and list(s) == [TopChannel, Arpu]
    ns["arpu"] = 16.0
    assert q1.evaluate().status == "correct"
    assert repr(q1) == "<Arpu q1: ARPU>"


def test_exercise_set_rejects_bad_members():
    with pytest.raises(ValueError, match="twice"):
        ExerciseSet("x", [Arpu, Arpu])
    with pytest.raises(TypeError):
        ExerciseSet("x", [int])

    class NoVars(Exercise):
        qid = "q1"

    with pytest.raises(ValueError, match="variable"):
        ExerciseSet("x", [NoVars])
