"""Look at the difference, find the reason (看差异、找原因).

When a number moves (GMV down 8 % this month, deliveries slower this week),
an operator answers four questions in turn, and this module has one tool for
each:

1. **Which part of the formula moved?** A *metric tree* (指标树 / 指标拆解)
   writes the number as a product or a sum of parts: GMV = visitors x
   conversion x order value, visitors = app + mini-program visitors.
   :class:`MetricTree` holds such a tree, computes every node for every period
   and checks that the parts really make the whole; :func:`gmv_tree` builds the
   course company's GMV tree from its events and orders.
2. **How much of the change does each part explain?** :func:`decompose` splits
   the change of the whole between two periods into exact contributions: for a
   product, the log-mean Divisia index (LMDI); for a sum, each part's change;
   for a ratio across segments (conversion over channels), a *mix* effect
   (the segments' weights moved) and a *rate* effect (their own rates moved).
   :meth:`MetricTree.explain` does it for every node of a tree at once.
3. **Where does it come from?** :func:`drill_down` ranks the values of one or
   several dimensions (channel, device, warehouse ...) by their contribution
   to the change, so the top row says where to look.
4. **Since when?** :func:`anomalies` compares each day with a robust baseline
   of the weeks before it and flags unusual days; :func:`episodes` groups them
   into incidents with a start and an end. For a rate on few trials a day
   (orders per cart on one device), :func:`rate_drops` judges every run of
   days as one, against the binomial chance at the usual rate.

:func:`gap_to_target` compares actual figures with their targets (目标差距).

Every contribution here is *exact*: the contributions add up to the change of
the whole, to rounding, so a table can always be checked by its sum.

References
----------
- Ang, B. W. (2005). The LMDI approach to decomposition analysis: a practical
  guide. *Energy Policy* 33(7), 867-871.
- Kitagawa, E. M. (1955). Components of a difference between two rates.
  *Journal of the American Statistical Association* 50(272), 1168-1194.
- Leys, C. et al. (2013). Detecting outliers: do not use standard deviation
  around the mean, use absolute deviation around the median. *Journal of
  Experimental Social Psychology* 49(4), 764-766.
- Freeman, M. F. and Tukey, J. W. (1950). Transformations related to the
  angular and the square root. *Annals of Mathematical Statistics* 21(4),
  607-611.
"""

from __future__ import annotations

from coursekit.diagnose.anomalies import anomalies, episodes
from coursekit.diagnose.decomposition import decompose
from coursekit.diagnose.drill import drill_down
from coursekit.diagnose.rates import rate_drops
from coursekit.diagnose.targets import gap_to_target
from coursekit.diagnose.trees import MetricTree, gmv_tree

__all__ = [
    "MetricTree",
    "gmv_tree",
    "decompose",
    "drill_down",
    "anomalies",
    "episodes",
    "rate_drops",
    "gap_to_target",
]
