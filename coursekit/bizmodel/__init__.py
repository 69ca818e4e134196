"""Digital business models (数字化商业模式): how the company makes money, in numbers.

Module 1 of the course asks three questions of a business, and this package
has the tools to answer each from the data:

1. **What is the business?** The business model canvas (商业模式画布):
   :class:`Canvas` holds its nine blocks; :meth:`Canvas.from_data` fills the
   revenue streams and the cost structure with the company's yuan amounts and
   shares (:func:`canvas_amounts` gives the numbers as a table), the lesson
   fills the other seven; :func:`coursekit.plots.canvas` draws the familiar
   nine-box picture.
2. **How does it make money?** :func:`revenue_streams` splits revenue into
   online orders, store sales and membership fees by period. The unit
   economics (单位经济模型) show what *one unit* leaves, every line from the
   price down: :func:`order_economics` (one order), :func:`member_economics`
   (one member-year), :func:`store_economics` (one store-month and the
   fit-out's payback), :func:`customer_economics` (one acquired customer
   against CAC, with the payback), all behind :func:`unit_economics`. Each
   returns a :class:`UnitEconomics` whose subtotals add up line by line.
   For a platform (平台) that lets others sell, :func:`platform_economics`
   splits GMV into the platform's take, leaders' commission, subsidies and
   fulfilment; :func:`break_even_take_rate` is the take rate at which the
   platform's margin is zero.
3. **What matters most?** :func:`sensitivity` varies each input of a model
   between a low and a high value, one at a time, and ranks the inputs by
   how far they move the result; :func:`coursekit.plots.tornado` draws the
   tornado chart (龙卷风图).

Every function takes plain tables with the course tables' column names as
defaults and returns a DataFrame or a small frozen result; nothing here
draws.
"""

from __future__ import annotations

from coursekit.bizmodel.canvas import BLOCKS, Canvas, canvas_amounts
from coursekit.bizmodel.customers import customer_economics
from coursekit.bizmodel.economics import KINDS, unit_economics
from coursekit.bizmodel.members import member_economics
from coursekit.bizmodel.orders import order_economics, order_lines
from coursekit.bizmodel.platform import break_even_take_rate, platform_economics
from coursekit.bizmodel.revenue import revenue_streams
from coursekit.bizmodel.sensitivity import sensitivity
from coursekit.bizmodel.stores import store_economics, store_lines
from coursekit.bizmodel.units import UnitEconomics

__all__ = [
    "Canvas",
    "BLOCKS",
    "canvas_amounts",
    "revenue_streams",
    "UnitEconomics",
    "KINDS",
    "unit_economics",
    "order_economics",
    "member_economics",
    "store_economics",
    "customer_economics",
    "order_lines",
    "store_lines",
    "platform_economics",
    "break_even_take_rate",
    "sensitivity",
]
