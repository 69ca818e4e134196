"""Checks for module 0, the welcome exercises (``solutions/00_welcome_exercises.ipynb``).

Expected values are computed from the data of the world in use, so the
checks stay right on any generated world.

Examples
--------
>>> from coursekit.exercises import m00
>>> q1, q2, q3 = m00.EXERCISES.bind({})
>>> q1.evaluate().status
'not_attempted'
"""

from __future__ import annotations

import pandas as pd

import coursekit
from coursekit.exercises.core import Exercise, ExerciseSet

YEAR = 2025


def _daily_orders(year: int, column: str | None = None) -> pd.Series:
    orders = coursekit.load("orders")
    orders = orders[orders["order_time"].dt.year == year]
    day = orders["order_time"].dt.normalize()
    if column is None:
        return orders.groupby(day).size()
    return orders.groupby(day)[column].sum()


class SignupsByChannel(Exercise):
    """Number of users per acquisition channel."""

    qid = "q1"
    title = "Sign-ups by channel"
    variables = ("signups",)
    ignore_order = True
    hints = (
        "Every row of `users` is one person who signed up; the `channel` column says how.",
        "Count the rows per channel: `value_counts()` does it and sorts the largest first.",
    )
    correct_message = "each channel's number of sign-ups; module 4 sets them against cost."

    def _expected(self) -> pd.Series:
        return coursekit.load("users")["channel"].value_counts()

    def mistakes(self) -> list[tuple[object, str]]:
        users, orders = coursekit.load("users"), coursekit.load("orders")
        per_order = orders.merge(users[["user_id", "channel"]], on="user_id")["channel"]
        buyers = users[users["user_id"].isin(orders["user_id"])]["channel"]
        return [
            (
                users["channel"].value_counts(normalize=True),
                "These are shares of users; the question asks for the number of users.",
            ),
            (
                per_order.value_counts(),
                "You counted orders per channel; count users (rows of `users`) instead.",
            ),
            (
                buyers.value_counts(),
                "You counted only users who bought; every sign-up counts, buyer or not.",
            ),
        ]


class PeakDay(Exercise):
    """The busiest day of the year by orders, and its multiple of the median day."""

    qid = "q2"
    title = "The busiest day of 2025"
    variables = ("peak_day", "peak_ratio")
    rtol = 1e-3
    hints = (
        "Keep the 2025 orders, then count orders per calendar day "
        "(`order_time.dt.normalize()` turns a time into its day).",
        "`daily.idxmax()` gives the busiest day; divide `daily.max()` by `daily.median()`.",
    )
    correct_message = "the peak is a big multiple of a normal day: capacity is planned on it."

    def _expected(self) -> dict[str, object]:
        daily = _daily_orders(YEAR)
        return {"peak_day": daily.idxmax(), "peak_ratio": float(daily.max() / daily.median())}

    def mistakes(self) -> list[tuple[object, str]]:
        daily = _daily_orders(YEAR)
        revenue = _daily_orders(YEAR, "amount")
        orders = coursekit.load("orders")
        everything = orders.groupby(orders["order_time"].dt.normalize()).size()
        return [
            (
                {"peak_ratio": float(daily.max() / daily.mean())},
                "The ratio uses the mean day; the question asks for the median day, which a few "
                "festival days do not pull up.",
            ),
            (
                {"peak_ratio": float(revenue.max() / revenue.median())},
                "That ratio is of revenue; count orders per day instead.",
            ),
            (
                {"peak_ratio": float(everything.max() / everything.median())},
                "Your days cover both years; keep 2025 only.",
            ),
        ]


class BuyerShare(Exercise):
    """Share of users who placed at least one order."""

    qid = "q3"
    title = "How many users ever buy?"
    variables = ("buyer_share",)
    rtol = 1e-6
    hints = (
        "A buyer is a user with at least one order: count distinct `user_id`s in `orders`.",
        "Divide the number of distinct buyers by the number of rows in `users`.",
    )
    correct_message = "the rest signed up and never bought: module 5 asks what to do about them."

    def _expected(self) -> float:
        users, orders = coursekit.load("users"), coursekit.load("orders")
        return orders["user_id"].nunique() / len(users)

    def mistakes(self) -> list[tuple[object, str]]:
        users, orders = coursekit.load("users"), coursekit.load("orders")
        buyers = orders["user_id"].nunique()
        return [
            (
                len(orders) / len(users),
                "You divided orders by users; a buyer with five orders is still one buyer.",
            ),
            (1 - buyers / len(users), "That is the share who never bought."),
            (buyers / len(orders), "Divide by the number of users, not the number of orders."),
        ]


EXERCISES = ExerciseSet("00_welcome_exercises", [SignupsByChannel, PeakDay, BuyerShare])
