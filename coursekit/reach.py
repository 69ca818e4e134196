"""Precise distribution (精准投放): whom to write to, and how often.

Choosing an audience is the easy half of targeting; the other half is
restraint. Every push, SMS or WeCom message spends a little of the
customer's patience, and when a customer receives several in a few days the
next one is more likely to be ignored, unsubscribed from or complained about.
This module measures that from a message log (one row per message sent, like
``coursekit.load("messages")``):

- :func:`audience`: the users whose tags match a rule (all of these, any of
  those, none of the rest), with the rule written out for the campaign brief;
- :func:`reach_frequency`: per week (or day, month) the *reach* (distinct
  customers contacted) and the *frequency* (messages per customer reached);
- :func:`messages_in_window`: for every message, how many messages the same
  customer had received in the trailing window (7 days by default), itself
  included: the pressure the customer was under when this one arrived;
- :func:`fatigue_curve`: the rate of each outcome (unsubscribed, complained,
  opened ...) by that pressure, with confidence intervals: the fatigue curve;
- :func:`frequency_cap`: what a weekly cap would have removed: messages,
  and the unsubscribes and complaints that came on them.

The fatigue curve is observational: customers who receive many messages may
differ from those who receive few. The simulated company's truth
(``truth.json``, ``message_fatigue``) says how much of the rise is fatigue;
on real data, a randomised frequency test settles it.

Examples
--------
>>> import pandas as pd
>>> log = pd.DataFrame({
...     "user_id": [1, 1, 1, 2],
...     "sent_time": pd.to_datetime(["2025-03-01", "2025-03-03", "2025-03-09", "2025-03-03"]),
...     "complained": [False, True, False, False]})
>>> messages_in_window(log).tolist()  # on 9 March, the 3 March message is 6 days old
[1, 2, 2, 1]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import pandas as pd

# scipy.special is imported inside the functions that use it: 0.3 s less in the
# first cell of every lesson that imports this module
from coursekit._arrays import codes, group_order
from coursekit._periods import freq as _freq
from coursekit._periods import labels as _labels
from coursekit._periods import ordinals as _ordinals
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns

__all__ = [
    "Audience",
    "audience",
    "reach_frequency",
    "messages_in_window",
    "fatigue_curve",
    "frequency_cap",
]

_NS_PER_DAY = 86_400 * 10**9


# --------------------------------------------------------------------------- helpers


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ArgumentError(f"{name} must be a whole number of 1 or more, got {value!r}", name=name)
    return int(value)


def _flags(messages: pd.DataFrame, names: Sequence[str], table: str) -> dict[str, np.ndarray]:
    """Outcome columns as booleans (True/False or 1/0), with no missing values."""
    if isinstance(names, str):
        names = [names]
    if not names:
        raise ArgumentError("no outcome columns given", name="outcomes",
                            fix="e.g. outcomes=['unsubscribed', 'complained']")
    missing = [c for c in names if c not in messages.columns]
    if missing:
        raise DataError(f"missing outcome column(s) {missing}; the table has "
                        f"{list(messages.columns)}", table=table, column=missing,
                        fix="name the yes/no columns that record each outcome")
    out = {}
    for name in names:
        s = messages[name]
        if s.isna().any():
            raise DataError("missing outcome values", table=table, column=name,
                            rows=messages.loc[s.isna().to_numpy(), [name]].head(5),
                            fix="fill them (False when the outcome did not happen) or drop "
                            "the rows")
        if pd.api.types.is_bool_dtype(s.dtype):
            out[name] = s.to_numpy(dtype=bool)
            continue
        ok = pd.api.types.is_numeric_dtype(s.dtype) and s.isin([0, 1]).all()
        if not ok:
            raise DataError(f"expected yes/no values (True/False or 1/0), found {s.dtype}",
                            table=table, column=name,
                            rows=messages.loc[~s.isin([0, 1, True, False]).to_numpy(),
                                              [name]].head(5),
                            fix="turn the column into booleans first, e.g. col == 'yes'")
        out[name] = s.to_numpy() == 1
    return out


def _wilson(x: np.ndarray, n: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for x successes in n trials (n > 0)."""
    from scipy.special import ndtri
    z = ndtri(0.5 + confidence / 2)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def _band_labels(edges: Sequence[int]) -> list[str]:
    labels = []
    for lo, hi in zip(edges, [*edges[1:], None], strict=True):
        if hi is None:
            labels.append(f"{lo}+")
        elif hi - lo == 1:
            labels.append(str(lo))
        else:
            labels.append(f"{lo}-{hi - 1}")
    return labels


def _bands(bands: object) -> list[int]:
    if (not isinstance(bands, Sequence) or isinstance(bands, str) or not bands
            or not all(isinstance(b, Integral) and not isinstance(b, bool) for b in bands)):
        raise ArgumentError(f"bands must be a list of whole numbers, got {bands!r}",
                            name="bands", fix="e.g. bands=(1, 2, 4, 7)")
    edges = [int(b) for b in bands]
    if edges[0] != 1 or any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise ArgumentError(f"bands must start at 1 and increase, got {bands!r}", name="bands",
                            fix="give the first count of each band: (1, 2, 4, 7) makes "
                            "1, 2-3, 4-6, 7+")
    return edges


# --------------------------------------------------------------------------- audience


@dataclass(frozen=True)
class Audience:
    """A campaign audience: who, by which rule, how many.

    Attributes
    ----------
    ids
        The users in the audience.
    rule
        The rule in words, for the campaign brief.
    size
        Number of users in the audience.
    share
        Their share of all users the rule was applied to.
    """

    ids: pd.Index
    rule: str
    size: int
    share: float


def audience(
    tag_frame: pd.DataFrame,
    *,
    all_of: Sequence[str] = (),
    any_of: Sequence[str] = (),
    none_of: Sequence[str] = (),
) -> Audience:
    """The users whose tags match a rule: all of ``all_of``, at least one of
    ``any_of``, none of ``none_of``.

    Parameters
    ----------
    tag_frame
        Users x tags, booleans (the output of
        :meth:`coursekit.segments.TagEngine.apply`, possibly with extra boolean
        columns such as an RFM segment: ``tags.assign(win_back=...)``).
    all_of, any_of, none_of
        Tag names. Empty ``any_of`` means no such condition.

    Returns
    -------
    Audience
        ``ids`` (in the order of ``tag_frame``), the ``rule`` in words, the
        ``size`` and the ``share`` of all users in ``tag_frame``.

    Raises
    ------
    DataError
        No condition at all, an unknown tag (the known ones are listed), a tag
        column that is not boolean.

    Examples
    --------
    >>> import pandas as pd
    >>> tags = pd.DataFrame({"repeat_buyer": [True, True, False, True],
    ...                      "lapsing_buyer": [True, False, True, True],
    ...                      "deal_seeker": [False, False, True, True]},
    ...                     index=pd.Index([1, 2, 3, 4], name="user_id"))
    >>> who = audience(tags, all_of=["lapsing_buyer"], none_of=["deal_seeker"])
    >>> who.ids.tolist(), who.rule, who.share
    ([1], 'lapsing_buyer and not deal_seeker', 0.25)
    """
    if not isinstance(tag_frame, pd.DataFrame) or len(tag_frame) == 0:
        raise DataError("expected a non-empty table of users x tags", table="tag_frame",
                        fix="e.g. segments.TagEngine(segments.default_tags()).apply(features)")
    groups = {"all_of": all_of, "any_of": any_of, "none_of": none_of}
    for key, names in groups.items():
        if isinstance(names, str):
            groups[key] = [names]
    if not any(groups.values()):
        raise ArgumentError("no condition given: the audience would be everyone", name="all_of",
                            fix="name tags in all_of=, any_of= or none_of=")
    wanted = [n for names in groups.values() for n in names]
    unknown = [n for n in wanted if n not in tag_frame.columns]
    if unknown:
        raise DataError(f"unknown tag(s) {unknown}; the table has {list(tag_frame.columns)}",
                        table="tag_frame", column=unknown,
                        fix="name tags of the table (check the spelling), or add the tag to the "
                        "TagEngine that made it")
    for name in dict.fromkeys(wanted):
        if not pd.api.types.is_bool_dtype(tag_frame[name].dtype) or tag_frame[name].isna().any():
            raise DataError(f"tag {name!r} is not a yes/no column ({tag_frame[name].dtype})",
                            table="tag_frame", column=name,
                            rows=tag_frame[[name]].head(3),
                            fix="tags are booleans; make one with a comparison, e.g. "
                            "rfm['segment_en'] == 'important win-back'")
    keep = np.ones(len(tag_frame), dtype=bool)
    for name in groups["all_of"]:
        keep &= tag_frame[name].to_numpy(dtype=bool)
    if groups["any_of"]:
        keep &= tag_frame[list(groups["any_of"])].to_numpy(dtype=bool).any(axis=1)
    for name in groups["none_of"]:
        keep &= ~tag_frame[name].to_numpy(dtype=bool)
    words = list(groups["all_of"])
    if groups["any_of"]:
        words.append("(" + " or ".join(groups["any_of"]) + ")"
                     if len(groups["any_of"]) > 1 else groups["any_of"][0])
    words += [f"not {n}" for n in groups["none_of"]]
    return Audience(ids=tag_frame.index[keep], rule=" and ".join(words),
                    size=int(keep.sum()), share=float(keep.mean()))


# --------------------------------------------------------------------------- reach and frequency


def reach_frequency(
    messages: pd.DataFrame,
    *,
    per: str = "W",
    customer: str = "user_id",
    at: str = "sent_time",
    population: int | None = None,
) -> pd.DataFrame:
    """Reach (distinct customers contacted) and frequency (messages per customer
    reached), per period.

    .. math::

        \\text{reach}_p = |\\{\\text{customers with a message in } p\\}|, \\qquad
        \\text{frequency}_p = \\frac{\\text{messages}_p}{\\text{reach}_p}

    The average hides the tail that fatigue lives in, so the table also gives
    the 90th percentile and the maximum of messages per customer reached.

    Parameters
    ----------
    messages
        One row per message sent.
    per
        ``"D"``, ``"W"`` (weeks from Monday), ``"M"``, ``"Q"`` or ``"Y"``.
    customer, at
        Column names: who received it, when it was sent.
    population
        The number of customers who could be reached (e.g. all users with a
        channel open); adds ``reach_rate`` = reach / population.

    Returns
    -------
    pandas.DataFrame
        One row per period (index ``period``, every period from the first to
        the last message): ``messages``, ``reach``, ``frequency``,
        ``frequency_p90``, ``frequency_max`` (and ``reach_rate``). Periods
        without messages show 0 messages, 0 reach and NaN frequency.

    Raises
    ------
    DataError
        Missing columns, missing ids or times, an empty table.
    ArgumentError
        An unknown ``per``; a population that is not a positive whole number,
        or smaller than the customers the messages reached.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"user_id": [1, 1, 1, 2, 2],
    ...     "sent_time": pd.to_datetime(["2025-03-03", "2025-03-04", "2025-03-05",
    ...                                  "2025-03-04", "2025-03-12"])})
    >>> reach_frequency(log)[["messages", "reach", "frequency"]]  # doctest: +NORMALIZE_WHITESPACE
                           messages  reach  frequency
    period
    2025-03-03/2025-03-09         4      2        2.0
    2025-03-10/2025-03-16         1      1        1.0
    """
    if population is not None:
        population = _positive_int(population, "population")
    cols = columns(messages, "messages", ids=[customer], times=[at])
    freq = _freq(per, name="per")
    ords = _ordinals(cols[at], freq)
    lo, hi = int(ords.min()), int(ords.max())
    per_customer = (
        pd.DataFrame({"p": ords - lo, "c": cols[customer].to_numpy()})
        .groupby(["p", "c"], sort=False).size()
    )
    by_period = per_customer.groupby(level="p")
    n = hi - lo + 1
    index = _labels(np.arange(lo, hi + 1), freq, "period")
    out = pd.DataFrame(
        {
            "messages": np.bincount(ords - lo, minlength=n),
            "reach": by_period.size().reindex(range(n), fill_value=0).to_numpy(),
        },
        index=index,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        out["frequency"] = out["messages"] / out["reach"].replace(0, np.nan)
    out["frequency_p90"] = by_period.quantile(0.9).reindex(range(n)).to_numpy()
    out["frequency_max"] = by_period.max().reindex(range(n)).to_numpy(dtype=float)
    if population is not None:
        seen = len(per_customer.index.unique(level="c"))
        if seen > population:
            raise ArgumentError(
                f"population is smaller than the {seen:,} customers the messages reached: "
                "reach rates would be above 100 %",
                name="population",
                value=population,
                fix="population is everyone who could be reached (e.g. len(users)); filter the "
                "messages to that population first if it is a segment",
            )
        out["reach_rate"] = out["reach"] / population
    return out


# --------------------------------------------------------------------------- fatigue


def _trailing_counts(group: np.ndarray, n_groups: int, t: np.ndarray,
                     window: int) -> np.ndarray:
    """Per row, the rows of its group with a time in ``(t - window, t]``, itself included.

    ``group`` holds codes ``0 .. n_groups - 1``, ``t`` int64 times (not empty).

    Each time is replaced by its rank among the distinct times, so that one
    integer key, the group in the high bits and the rank in the low ones,
    orders the rows by group then time; a row's window is then the run of
    ordered keys from its own key less the distinct times still inside the
    window to the end of its run of equal keys (ties count each other).
    Nothing is sorted by the key itself: the rows are taken in time order (a
    log is usually written in that order already, and then there is no sort
    at all), then grouped by a counting sort (:func:`group_order`), which
    keeps each group's rows in time order. Most rows have no earlier row of
    their group in the window and no tie, and count 1 from a comparison with
    their neighbours; binary searches, with sorted queries, count the others,
    and only their counts are put back in the rows' order.
    """
    by_time = None
    if not (t[1:] >= t[:-1]).all():
        by_time = np.argsort(t, kind="stable")
        t, group = t[by_time], group[by_time]
    new_time = np.concatenate(([True], t[1:] != t[:-1]))
    times = t[new_time]
    # per distinct time, how many distinct times before it are still inside its window
    # (int32: a smaller table to look up in random order)
    back = np.arange(len(times)) - np.searchsorted(times, times - window, side="right")
    back = back.astype(np.int32, copy=False) if len(times) < 2**31 else back
    shift = (len(times) - 1).bit_length()  # group and rank fit in 63 bits below 2**31 rows
    key = np.cumsum(new_time)
    key -= 1  # the rank of the row's time
    key |= group << shift
    order, key = group_order(group, n_groups, key)
    start = key - back[key & ((1 << shift) - 1)]  # the smallest key inside the window
    counts = np.ones(len(key), dtype=np.int64)  # the row itself, in the rows' order
    # rows placed before it with a key inside its window (the same group, at an earlier time
    # inside the window or at the same time): when the row right before is one of them
    earlier = np.flatnonzero(key[:-1] >= start[1:]) + 1
    before = earlier - np.searchsorted(key, start[earlier], side="left")
    # rows placed after it with the same key (the same group at the same time)
    tied = np.flatnonzero(key[:-1] == key[1:])
    after = np.searchsorted(key, key[tied], side="right") - tied - 1
    earlier, tied = order[earlier], order[tied]
    if by_time is not None:
        earlier, tied = by_time[earlier], by_time[tied]
    counts[earlier] += before
    counts[tied] += after
    return counts


def messages_in_window(
    messages: pd.DataFrame,
    *,
    customer: str = "user_id",
    at: str = "sent_time",
    window_days: int = 7,
) -> pd.Series:
    """For every message, the messages its customer received in the trailing
    window, itself included.

    A message sent at time :math:`t` to customer :math:`c` counts every
    message to :math:`c` sent in :math:`(t - w, t]`, with :math:`w` the window
    (``window_days`` days): a message exactly :math:`w` days earlier has left
    the window. Messages at the very same time all count each other.

    Parameters
    ----------
    messages
        One row per message sent.
    customer, at
        Column names.
    window_days
        The window in days (7: "messages this week", as the customer feels it).

    Returns
    -------
    pandas.Series
        Whole numbers >= 1, on the index of ``messages``, named
        ``messages_in_window``.

    Raises
    ------
    DataError
        Missing columns, ids or times; an empty table; a window that is not a
        whole number of days >= 1.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"user_id": [7, 7, 7],
    ...     "sent_time": pd.to_datetime(["2025-05-01 09:00", "2025-05-07 20:00",
    ...                                  "2025-05-08 09:00"])})
    >>> messages_in_window(log).tolist()  # the 1 May message has left the window on 8 May
    [1, 2, 2]
    """
    window_days = _positive_int(window_days, "window_days")
    cols = columns(messages, "messages", ids=[customer], times=[at])
    cust, ids = codes(cols[customer].to_numpy())
    ns = cols[at].to_numpy().astype("datetime64[ns]").astype(np.int64)
    counts = _trailing_counts(cust, len(ids), ns, window_days * _NS_PER_DAY)
    return pd.Series(counts, index=messages.index, name="messages_in_window")


def fatigue_curve(
    messages: pd.DataFrame,
    *,
    outcomes: Sequence[str] = ("unsubscribed", "complained"),
    bands: Sequence[int] = (1, 2, 4, 7),
    customer: str = "user_id",
    at: str = "sent_time",
    window_days: int = 7,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Outcome rates per message by how many messages the customer had received
    in the trailing window: the fatigue curve.

    Each message is put in a band by :func:`messages_in_window` (with the
    default bands: 1, 2-3, 4-6, 7+ messages in 7 days); for each band and
    outcome the rate is

    .. math:: r_b = \\frac{\\text{messages in band } b \\text{ with the outcome}}
                         {\\text{messages in band } b}

    with a Wilson score interval (good for the small rates of unsubscribes and
    complaints, where the normal approximation can go below zero).

    Parameters
    ----------
    messages
        One row per message sent, with one yes/no column per outcome.
    outcomes
        The outcome columns (booleans or 0/1), e.g. ``["unsubscribed",
        "complained", "opened"]``. To study "lost" messages (unsubscribe or
        complaint), add the column first: ``messages.assign(lost=...)``.
    bands
        The first count of each band, starting at 1 and increasing.
    customer, at
        Column names.
    window_days
        The trailing window in days.
    confidence
        Level of the intervals, in (0, 1).

    Returns
    -------
    pandas.DataFrame
        One row per band (index ``messages_in_window``, in order): ``messages``,
        ``customers`` (distinct customers with a message in the band), and per
        outcome ``<outcome>_rate``, ``<outcome>_low``, ``<outcome>_high``.
        A band without messages shows 0 and NaN rates.

    Raises
    ------
    DataError
        Missing columns, ids or times; outcome columns that are not yes/no or
        have missing values; bands that do not start at 1 and increase; a
        confidence outside (0, 1).

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"user_id": [1, 2, 2, 2],
    ...     "sent_time": pd.to_datetime(["2025-03-01", "2025-03-01", "2025-03-02",
    ...                                  "2025-03-03"]),
    ...     "unsubscribed": [False, False, False, True]})
    >>> curve = fatigue_curve(log, outcomes=["unsubscribed"], bands=(1, 3))
    >>> curve[["messages", "customers", "unsubscribed_rate"]]  # doctest: +NORMALIZE_WHITESPACE
                        messages  customers  unsubscribed_rate
    messages_in_window
    1-2                        3          2                0.0
    3+                         1          1                1.0
    """
    if (not isinstance(confidence, Real) or isinstance(confidence, bool)
            or not 0 < confidence < 1):
        raise ArgumentError(f"confidence must be between 0 and 1, got {confidence!r}",
                            name="confidence", fix="e.g. confidence=0.95")
    edges = _bands(bands)
    x = messages_in_window(messages, customer=customer, at=at, window_days=window_days)
    flags = _flags(messages, outcomes, "messages")  # one name or several
    band = np.searchsorted(np.asarray(edges), x.to_numpy(), side="right") - 1
    k = len(edges)
    n = np.bincount(band, minlength=k)
    customers = (
        pd.DataFrame({"b": band, "c": pd.factorize(messages[customer])[0]})
        .drop_duplicates().groupby("b").size().reindex(range(k), fill_value=0).to_numpy()
    )
    labels = _band_labels(edges)
    out = pd.DataFrame({"messages": n, "customers": customers},
                       index=pd.CategoricalIndex(labels, categories=labels, ordered=True,
                                                 name="messages_in_window"))
    seen = n > 0
    for name, flag in flags.items():
        hits = np.bincount(band, weights=flag.astype(float), minlength=k)
        rate = np.full(k, np.nan)
        low, high = rate.copy(), rate.copy()
        rate[seen] = hits[seen] / n[seen]
        low[seen], high[seen] = _wilson(hits[seen], n[seen].astype(float), float(confidence))
        out[f"{name}_rate"], out[f"{name}_low"], out[f"{name}_high"] = rate, low, high
    return out


def frequency_cap(
    messages: pd.DataFrame,
    cap: int,
    *,
    outcomes: Sequence[str] = ("unsubscribed", "complained"),
    customer: str = "user_id",
    at: str = "sent_time",
    window_days: int = 7,
) -> pd.Series:
    """What a cap of ``cap`` messages per customer per window would have removed.

    A message is *over the cap* when the customer had already received
    ``cap`` messages in the trailing window before it (its
    :func:`messages_in_window` exceeds ``cap``). The result counts those
    messages and the outcomes that happened on them.

    This is the first-order estimate the team can compute today: it does not
    re-run history (with the extra messages gone, some later ones would fall
    under the cap) and it credits the cap with every complaint on a removed
    message, although some would have come anyway. It is an upper bound on
    what the cap saves and a fair measure of what it costs in reach.

    Parameters
    ----------
    messages
        One row per message sent.
    cap
        Most messages per customer in any window of ``window_days`` days.
    outcomes
        Yes/no outcome columns to count on the removed messages.
    customer, at, window_days
        As in :func:`messages_in_window`.

    Returns
    -------
    pandas.Series
        ``messages``, ``removed``, ``removed_share``, ``customers_affected``,
        and per outcome ``<outcome>`` (all), ``<outcome>_removed`` and
        ``<outcome>_removed_share``.

    Raises
    ------
    DataError
        As :func:`fatigue_curve`, and a cap that is not a whole number >= 1.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"user_id": [1, 1, 1, 2],
    ...     "sent_time": pd.to_datetime(["2025-03-01", "2025-03-02", "2025-03-03",
    ...                                  "2025-03-01"]),
    ...     "complained": [False, False, True, False]})
    >>> out = frequency_cap(log, 2, outcomes=["complained"])
    >>> out[["removed", "removed_share", "complained_removed_share"]].tolist()
    [1.0, 0.25, 1.0]
    """
    cap = _positive_int(cap, "cap")
    x = messages_in_window(messages, customer=customer, at=at, window_days=window_days)
    flags = _flags(messages, outcomes, "messages")  # one name or several
    over = x.to_numpy() > cap
    values: dict[str, float] = {
        "messages": float(len(x)),
        "removed": float(over.sum()),
        "removed_share": float(over.mean()),
        "customers_affected": float(pd.unique(messages[customer].to_numpy()[over]).size),
    }
    for name, flag in flags.items():
        total = float(flag.sum())
        removed = float((flag & over).sum())
        values[name] = total
        values[f"{name}_removed"] = removed
        values[f"{name}_removed_share"] = removed / total if total else np.nan
    return pd.Series(values, name=f"cap {cap} per {window_days} days")
