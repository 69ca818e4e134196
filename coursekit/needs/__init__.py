"""Needs: what users value, how we compare, who they are, where we stand, what they pay.

The analytics of mining user needs and defining the value proposition
(用户需求挖掘与价值主张), in the order a study uses them:

1. **Value points against competitors.** :func:`importance_performance`
   (IPA, importance x performance per attribute, with the gap to the best
   competitor and the quadrant) and :func:`strategy_canvas` (the value-point
   map, 用户价值点位图: mean rating per brand per attribute, ordered by
   importance, ready for a line chart).
2. **Competitors and segments, weighed.** :func:`competitor_scores` (the
   weighted competitiveness table), :func:`weight_sensitivity` (how robust
   its ranking is to the weights) and :func:`segment_value` (which segment
   to serve first, by size, growth and value).
3. **Personas (用户画像).** :class:`Personas` (k-means on standardised
   features, k chosen by the silhouette), :func:`personas` (the same in one
   call), :func:`adjusted_rand` (agreement with known groups) and
   :func:`persona_tgi` (TGI of tags per persona).
4. **Positioning.** :func:`perceptual_map`: brands on a 2-D map from their
   mean ratings (PCA or MDS).
5. **Price.** :func:`price_sensitivity`: van Westendorp's price sensitivity
   meter.

The package's modules: ``importance``, ``competitors``, ``personas``,
``positioning`` and ``price`` (one concept each), and ``_shared`` (the checks
and survey-layout readers they share).

Survey layouts
--------------
The survey functions read one table in any of four layouts, described by
the keywords ``rating``, ``importance`` and ``overall`` (column names, or
name templates with ``{brand}`` / ``{attribute}`` in them) together with
``attribute``, ``brand`` and ``respondent`` (columns holding the attribute,
the brand and the respondent id):

- **the course survey** (the default): one row per respondent x attribute,
  the attribute in column ``attribute``, the importance in ``importance``
  and one rating column per brand, ``rating_<brand>``
  (``rating="rating_{brand}"``);
- **a row per brand** (the course's ``brand_survey``): one row per
  respondent x brand, a column per attribute and one for the overall
  score: pass ``brand="brand"``, ``attribute=None``, ``rating=`` the list
  of attribute columns, ``overall="overall"``, and ``importance=None`` or
  the importance per attribute from elsewhere (a Series, e.g. the mean
  points of ``survey``);
- **tidy**: one row per respondent x brand x attribute: pass
  ``brand="brand"`` and ``rating="rating"``;
- **wide**: one row per respondent, a column per brand and attribute: pass
  ``attribute=None``, ``rating="rating_{brand}_{attribute}"``,
  ``importance="importance_{attribute}"`` (and ``respondent=None`` when the
  table has no id column: each row is then one respondent).

A per-brand overall score (satisfaction, preference, likelihood to buy) is
read the same way: ``overall="satisfaction_{brand}"`` in the course and wide
layouts (repeated on a respondent's attribute rows in the course layout),
``overall="satisfaction"`` in the tidy one. A value repeated on several rows
must be the same on each. Ratings may be missing (a respondent who does not
know a brand); importance may not.

A template takes every column of its form: ``rating_{brand}`` would also
read a column ``rating_overall`` as a brand called ``overall``. Name the
brands (``brands=`` or ``competitors=``) to read only theirs; that also
settles a template such as ``rating_{brand}_{attribute}`` when brand names
hold the separator themselves (``song_guo``).

References
----------
.. [1] Martilla, J. A. and James, J. C. (1977). Importance-performance
   analysis. *Journal of Marketing* 41(1), 77-79.
.. [2] Kim, W. C. and Mauborgne, R. (2005). *Blue Ocean Strategy*. Harvard
   Business School Press (the strategy canvas).
.. [3] van Westendorp, P. H. (1976). NSS-Price Sensitivity Meter (PSM): a new
   approach to study consumer perception of prices. *Proceedings of the 29th
   ESOMAR Congress*, Venice, 139-167.
.. [4] Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the
   interpretation and validation of cluster analysis. *Journal of
   Computational and Applied Mathematics* 20, 53-65.
.. [5] Hubert, L. and Arabie, P. (1985). Comparing partitions. *Journal of
   Classification* 2, 193-218 (the adjusted Rand index)."""

from __future__ import annotations

from coursekit.needs.competitors import (
    WeightSensitivity,
    competitor_scores,
    segment_value,
    weight_sensitivity,
)
from coursekit.needs.importance import QUADRANTS, importance_performance, strategy_canvas
from coursekit.needs.personas import Personas, adjusted_rand, persona_tgi, personas
from coursekit.needs.positioning import PerceptualMap, perceptual_map
from coursekit.needs.price import PriceSensitivity, price_sensitivity

__all__ = [
    "QUADRANTS",
    "importance_performance",
    "strategy_canvas",
    "competitor_scores",
    "weight_sensitivity",
    "WeightSensitivity",
    "segment_value",
    "Personas",
    "personas",
    "adjusted_rand",
    "persona_tgi",
    "perceptual_map",
    "PerceptualMap",
    "price_sensitivity",
    "PriceSensitivity",
]
