"""Segments: RFM, member tiers from points, and rule-based tags with TGI.

Three ways an operations team sorts its users into groups it can act on
(分层分群, the core of 精细化运营):

- **RFM** (:func:`rfm`, :func:`segment_summary`, :data:`RFM_SEGMENTS`): how
  recently, how often and how much each customer bought, each split high or
  low, giving the eight classic segments from 重要价值客户 to 一般挽留客户;
- **member tiers** (:func:`tier_points`, :func:`assign_tiers`,
  :func:`transition_matrix`, :func:`tier_transitions`): points from weighted
  purchases and engagement over a trailing window, cut into bronze / silver /
  gold / platinum, and the upgrades and downgrades from month to month;
- **tags** (:class:`Tag`, :class:`TagEngine`, :func:`coverage`,
  :func:`profile`, :func:`tgi`, :func:`user_features`,
  :func:`default_tags`): yes/no labels computed by rules from a per-user
  feature table, in four kinds (descriptive: who; scenario: when / where;
  attitudinal: why; behavioural: what / how), and the TGI that says which
  tags over-represent a target group.

Conventions shared by the functions here:

- ``asof`` is a moment: rows at or after it are ignored. The default is
  midnight after the last day of the data, so the whole last day counts.
- Day counts (``recency_days``, ``tenure_days``) are **calendar days**: the
  number of midnights between the day of the event and the day of ``asof``.
  With the default ``asof`` a customer who bought on the last day of the
  data has a recency of 1. (:func:`coursekit.lifecycle.stages` counts whole
  24-hour days instead; on data with times of day the two can differ by one.)
- Customer ids may be any hashable type; results are indexed by customer id
  in sorted order, so the order of the input rows never matters.
- Everything is vectorised: customers become integer codes and per-customer
  totals come from ``np.bincount`` and ``np.maximum.at``, with no pandas
  groupby over the order rows.
"""

from __future__ import annotations

from coursekit.segments.features import user_features
from coursekit.segments.rfm import RFM_SEGMENTS, SEGMENTS, SEGMENTS_EN, rfm, segment_summary
from coursekit.segments.tags import TAG_KINDS, Tag, TagEngine, coverage, default_tags, profile, tgi
from coursekit.segments.tiers import (
    TIER_CUTOFFS,
    TIER_NAMES_ZH,
    TIER_WEIGHTS,
    TIERS,
    TierTransitions,
    assign_tiers,
    tier_cutoffs,
    tier_points,
    tier_transitions,
    transition_matrix,
)

__all__ = [
    "SEGMENTS",
    "SEGMENTS_EN",
    "RFM_SEGMENTS",
    "rfm",
    "segment_summary",
    "TIERS",
    "TIER_NAMES_ZH",
    "TIER_WEIGHTS",
    "TIER_CUTOFFS",
    "tier_points",
    "assign_tiers",
    "tier_cutoffs",
    "transition_matrix",
    "tier_transitions",
    "TierTransitions",
    "TAG_KINDS",
    "Tag",
    "TagEngine",
    "coverage",
    "profile",
    "tgi",
    "default_tags",
    "user_features",
]
