"""The brand's routine messages while a plan runs: their load, and the fatigue a plan adds.

The world's CRM goes on writing to every customer during a plan
(``coursekit.world.messaging``): per week, ``params.MESSAGE_RATES`` of the
customer's CRM segment, times their send intensity (the end state's
``message_intensity``), times the festival run-up of the week
(:func:`coursekit.sandbox.world.send_multiplier`), split over the media that
reach them by ``params.MESSAGE_MEDIA`` weight; a medium they unsubscribed
from stays silent. The purposes follow ``params.MESSAGE_PURPOSE_MIX`` of the
segment.

Two things follow for a plan:

- **load**: every plan message counts the routine messages of the week in
  its fatigue count ``x`` (the world's ``x`` is all the brand's messages in
  the trailing 7 days);
- **fatigue added to routine messages**: a plan's messages also raise the
  count ``x`` of the routine messages sent around them, so some readers who
  would have stayed unsubscribe (or complain) on a routine message.
  :func:`added_fatigue` gives the expected number per customer and medium,
  ``r x share x sum_p mix_p [P(r + k) - P(r)]``, ``r`` the week's routine
  messages, ``k`` the plan's messages that week (a routine message at a
  random time of the week has on average the plan's messages of 7 days in
  its trailing window) and ``P`` the world's logistic
  (``params.MESSAGE_FATIGUE``).

Examples
--------
Two lapsing customers (code 3) with two routine messages in the week, all on
SMS; the plan sends the first nothing and the second three messages:

>>> import numpy as np
>>> on_sms = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]])  # app_push, sms, wecom
>>> added = added_fatigue("unsubscribe", np.array([2.0, 2.0]), np.array([0, 3]), on_sms,
...                       np.array([3, 3]))
>>> added.round(4).tolist()
[[0.0, 0.0], [0.0, 0.0194], [0.0, 0.0]]
"""

from __future__ import annotations

import numpy as np

from coursekit.world import marketing
from coursekit.world import params as P

__all__ = ["MIX", "RATE", "added_fatigue", "shares", "weekly_mean"]

_MEDIA = list(P.MESSAGE_MEDIA)
_PURPOSES = list(P.MESSAGE_PURPOSES)
_FAT = P.MESSAGE_FATIGUE
# The messaging segment of each CRM segment code (marketing.SEGMENTS, then no order yet).
_LABELS = [*marketing.SEGMENTS, "prospect"]
#: Routine messages per week by CRM segment code (marketing.SEGMENTS, then no order yet:
#: the world's 'prospect' rate).
RATE = np.array([P.MESSAGE_RATES[s] for s in _LABELS])
#: Purpose mix of routine messages by CRM segment code (rows sum to 1).
MIX = np.array([P.MESSAGE_PURPOSE_MIX[s] for s in _LABELS])


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def shares(reach: np.ndarray, ever_reach: np.ndarray) -> np.ndarray:
    """Share of a customer's routine messages delivered on each medium, by media x users.

    The world splits a customer's messages over the media that ever reached
    them by weight; those of a medium they unsubscribed from are not sent.

    Examples
    --------
    >>> shares(np.array([[True], [False], [True]]), np.array([[True], [True], [True]])).round(3)
    array([[0.346],
           [0.   ],
           [0.423]])
    """
    weight = np.array([P.MESSAGE_MEDIA[m]["weight"] for m in _MEDIA])[:, None]
    total = (weight * ever_reach).sum(axis=0)
    return np.where(reach, weight, 0.0) / np.where(total > 0, total, 1.0)


def weekly_mean(segment: np.ndarray, intensity: np.ndarray, share: np.ndarray,
                push: float) -> np.ndarray:
    """Expected routine messages in a week per customer.

    Parameters
    ----------
    segment
        CRM segment codes at the week's start.
    intensity
        The CRM's send intensity of each customer.
    share
        Media x customers (:func:`shares`).
    push
        The week's mean send multiplier.

    Returns
    -------
    numpy.ndarray
        ``RATE[segment] x intensity x share.sum(axis=0) x push``.

    Examples
    --------
    >>> weekly_mean(np.array([1, 5]), np.array([1.0, 2.0]), np.ones((3, 2)) / 3, 1.0).tolist()
    [1.6, 0.06]
    """
    return RATE[segment] * intensity * share.sum(axis=0) * push


def added_fatigue(event: str, routine: np.ndarray, plan: np.ndarray, share: np.ndarray,
                  segment: np.ndarray) -> np.ndarray:
    """Expected extra unsubscribes (``event="unsubscribe"``) or complaints (``"complaint"``)
    on the week's routine messages caused by the plan's ``plan`` messages.

    Parameters
    ----------
    event
        ``"unsubscribe"`` or ``"complaint"``.
    routine
        The week's routine messages per customer (``r``).
    plan
        The plan's messages delivered to each customer in the week (``k``).
    share
        Media x customers: share of the routine messages on each medium (:func:`shares`).
    segment
        CRM segment codes (the purpose mix).

    Returns
    -------
    numpy.ndarray
        Media x customers: ``r x share x sum_p mix_p [P(r + k) - P(r)]``; 0
        where ``k`` or ``r`` is 0.
    """
    r = np.asarray(routine, dtype=float)
    k = np.asarray(plan, dtype=float)
    out = np.zeros(share.shape)
    for m, medium in enumerate(_MEDIA):
        for p, purpose in enumerate(_PURPOSES):
            z = (_FAT[event]["intercept"] + P.MESSAGE_MEDIA[medium][event]
                 + _FAT["purpose_shift"][purpose])
            slope = _FAT[event]["slope"]
            out[m] += MIX[segment, p] * (_logistic(z + slope * (r + k)) - _logistic(z + slope * r))
    return out * r * share
