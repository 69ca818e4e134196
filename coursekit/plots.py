"""The course's house plot style, with Chinese labels that render everywhere.

:func:`set_style` applies one look to every figure of the course (a light
grid, a muted palette, readable sizes) and makes Chinese text render:
matplotlib's default font, DejaVu Sans, has no CJK glyphs and draws empty
boxes. The fix used here needs nothing but PyPI: the ``zhplot`` package ships
the Noto Sans SC font (SIL Open Font Licence); :func:`font_path` finds it,
and :func:`set_style` registers it with matplotlib's font manager and puts it
in ``font.family`` *after* the Latin font, so Latin text keeps DejaVu Sans
and only the characters it lacks fall back to Noto Sans SC. (Setting
``font.sans-serif`` alone does not do this, and ``seaborn.set_theme`` resets
the family, so lessons use :func:`set_style` and never ``set_theme``.)

Plot helpers draw what the computing functions return; they never compute.
Each takes an optional ``ax`` and returns the Axes it drew on.

Examples
--------
>>> from coursekit import plots
>>> plots.set_style()
>>> plots.missing_glyphs("青木 · 精细化运营")
[]
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "FONT_NAME",
    "PALETTE",
    "font_path",
    "set_style",
    "missing_glyphs",
    "daily_line",
    "ranked_bar",
    "percent_axis",
    "heatmap",
    "diverging_bar",
    "waterfall",
    "leaderboard_chart",
    "bad_vs_good",
    "highlight_lines",
    "small_multiples",
    "metric_tree",
    "dashboard",
    "tornado",
    "canvas",
    "adoption_curve",
    "value_map",
    "ipa_quadrants",
    "perceptual_map",
    "price_meter",
    "persona_heatmap",
    "response_curves",
    "marginal_curves",
    "viral_growth",
    "forest",
]

#: Family name of the CJK fallback font.
FONT_NAME = "Noto Sans SC"
#: Latin font first; CJK characters fall back to :data:`FONT_NAME`.
FONT_FAMILY = ["DejaVu Sans", FONT_NAME]
#: The house colours: a muted, colour-blind-friendly set, the brand green first.
PALETTE = ["#2f7d5b", "#d08a2c", "#4c72b0", "#c44e52", "#8172b3", "#937860", "#64b5cd",
           "#8c8c8c"]
#: The colour that marks what the reader should look at.
HIGHLIGHT = "#c44e52"


@cache
def font_path() -> Path | None:
    """The Noto Sans SC font file shipped by ``zhplot``, or None when it is missing.

    Examples
    --------
    >>> font_path().name
    'NotoSansSC-Regular.ttf'
    """
    from importlib.util import find_spec

    spec = find_spec("zhplot")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "fonts" / "NotoSansSC-Regular.ttf"
        if path.is_file():
            return path
    return None


class _NoBoldFallbackNotice(logging.Filter):
    """Drop matplotlib's notice that the CJK fallback has no bold face.

    Only the regular weight of Noto Sans SC ships; bold titles keep DejaVu
    Sans Bold for Latin text and draw Chinese characters in the regular
    weight, which is what we want, so the notice is noise in every notebook.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("findfont: Failed to find font weight")
                    and FONT_NAME in message)


@cache
def _register_font() -> bool:
    """Add the CJK font to matplotlib's font manager once per process."""
    from matplotlib import font_manager

    path = font_path()
    if path is None:
        return False
    font_manager.fontManager.addfont(str(path))
    logging.getLogger("matplotlib.font_manager").addFilter(_NoBoldFallbackNotice())
    return True


#: How much bigger everything is drawn in each plotting context.
CONTEXTS = {"paper": 0.8, "notebook": 1.0, "talk": 1.5, "poster": 2.0}


def _style_rc(scale: float, font_scale: float) -> dict[str, object]:
    """The house look as matplotlib rcParams: a light grid behind the data, no
    top or right spine, dark grey text, the course palette."""
    from cycler import cycler

    font = 12.0 * scale * font_scale
    return {
        "axes.prop_cycle": cycler(color=PALETTE),
        "axes.facecolor": "white",
        "axes.edgecolor": "#cccccc",
        "axes.linewidth": 1.25 * scale,
        "axes.grid": True,
        "axes.axisbelow": True,
        "axes.labelcolor": "#262626",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.unicode_minus": False,
        "axes.titlesize": font * 1.1,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": font,
        "font.size": font,
        "legend.fontsize": font * 0.92,
        "legend.title_fontsize": font,
        "legend.frameon": False,
        "grid.color": "#cccccc",
        "grid.linewidth": 1.0 * scale,
        "lines.linewidth": 1.5 * scale,
        "lines.solid_capstyle": "round",
        "patch.edgecolor": "white",
        "patch.force_edgecolor": True,
        "text.color": "#262626",
        "xtick.color": "#262626",
        "ytick.color": "#262626",
        "xtick.labelsize": font * 0.92,
        "ytick.labelsize": font * 0.92,
        "xtick.bottom": False,
        "ytick.left": False,
        "image.cmap": "viridis",
        "figure.figsize": (8.0, 4.0),
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "savefig.bbox": "tight",
    }


def set_style(*, context: str = "notebook", font_scale: float = 1.0) -> None:
    """Apply the house style to matplotlib (seaborn's plots follow it too).

    The style is a plain dictionary of matplotlib settings rather than
    ``seaborn.set_theme``: importing seaborn (and scipy.stats with it) takes
    several seconds, which every lesson's first cell would pay even when it
    draws nothing with seaborn. Do not call ``seaborn.set_theme`` after this:
    it resets the fonts.

    Parameters
    ----------
    context
        ``"notebook"`` for lessons, ``"talk"`` for projecting in a live
        session (everything 1.5 times bigger), ``"paper"`` or ``"poster"``.
    font_scale
        Scales every font size on top of the context.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> set_style()
    >>> mpl.rcParams["font.family"]
    ['DejaVu Sans', 'Noto Sans SC']
    >>> set_style(context="talk")
    >>> mpl.rcParams["font.size"]
    18.0
    >>> set_style()
    """
    import matplotlib as mpl

    if context not in CONTEXTS:
        raise ValueError(f"context must be one of {', '.join(CONTEXTS)}, not {context!r}")
    mpl.rcParams.update(_style_rc(CONTEXTS[context], font_scale))
    if _register_font():
        mpl.rcParams["font.family"] = FONT_FAMILY


def missing_glyphs(text: str = "青木 · 精细化运营") -> list[str]:
    """Draw ``text`` on an off-screen canvas and return matplotlib's
    "Glyph ... missing" warnings (an empty list means every character renders).

    Uses the current rcParams: call :func:`set_style` first to test the house
    style.

    Examples
    --------
    >>> set_style()
    >>> missing_glyphs("会员 ARPU −5%")
    []
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 1))
    FigureCanvasAgg(fig)
    fig.text(0.05, 0.4, text)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.1))
    ax.set_title(text)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def percent_axis(ax: Axes, *, axis: str = "y", decimals: int = 0) -> Axes:
    """Format an axis whose values are shares (0-1) as percentages.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0.1, 0.35])
    >>> percent_axis(ax) is ax
    True
    >>> plt.close(fig)
    """
    from matplotlib.ticker import PercentFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(PercentFormatter(1.0, decimals=decimals))
    return ax


def daily_line(
    series: pd.Series,
    *,
    marks: Mapping[str, object] | None = None,
    rolling: int | None = 7,
    title: str | None = None,
    ylabel: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Plot a daily series, its rolling mean, and label marked days.

    Parameters
    ----------
    series
        Values indexed by day (a ``DatetimeIndex``).
    marks
        Label -> day to annotate (e.g. festival peaks); days outside the
        series are skipped.
    rolling
        Window in days of the smoothed line drawn over the daily one
        (None: no smoothed line).
    title, ylabel
        Title (state the finding) and y-axis label.
    ax
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> s = pd.Series(range(30), index=pd.date_range("2025-06-01", periods=30))
    >>> ax = daily_line(s, marks={"618": "2025-06-18"}, title="订单 orders")
    >>> [t.get_text() for t in ax.texts]
    ['618']
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt
    import pandas as pd

    from coursekit.errors import ArgumentError, DataError
    from coursekit.inputs import timestamp

    if not isinstance(series, pd.Series) or not isinstance(series.index, pd.DatetimeIndex):
        got = (f"a Series indexed by {type(series.index).__name__}"
               if isinstance(series, pd.Series) else type(series).__name__)
        raise DataError(f"expected a Series indexed by day (a DatetimeIndex), got {got}",
                        table="series",
                        fix="e.g. orders.set_index('order_time').resample('D').size()")
    _numbers(series, "series", gaps=True)  # NaN: a gap in the line
    if rolling is not None and (isinstance(rolling, bool) or not isinstance(rolling, int)
                                or rolling < 1):
        raise ArgumentError("rolling must be a whole number of days >= 1, or None",
                            name="rolling", value=rolling, fix="e.g. rolling=7")
    days = {label: timestamp(day, "marks") for label, day in (marks or {}).items()}
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 4))
    ax.plot(series.index, series.to_numpy(), lw=0.8, color=PALETTE[0], alpha=0.6,
            label="daily")
    if rolling:
        smooth = series.rolling(rolling, center=True, min_periods=1).mean()
        ax.plot(series.index, smooth.to_numpy(), lw=2, color=PALETTE[0],
                label=f"{rolling}-day mean")
    for label, when in days.items():
        if when not in series.index:
            continue
        value = series.loc[when]
        ax.annotate(label, (when, value), xytext=(0, 6), textcoords="offset points",
                    ha="center", fontsize="small", color=HIGHLIGHT)
    if title:
        ax.set_title(title)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.set_xlabel("")
    ax.legend(loc="upper left")
    return ax


def _check_fmt(fmt: object) -> None:
    """Refuse a label format that cannot write one number (``'{:.2f}'`` can)."""
    from coursekit.errors import ArgumentError

    try:
        fmt.format(1.0)  # type: ignore[attr-defined]
    except (AttributeError, IndexError, KeyError, ValueError):
        raise ArgumentError("fmt must format one number", name="fmt", value=fmt,
                            fix="e.g. fmt='{:.0%}' or fmt='{:,.0f}'") from None


def ranked_bar(
    values: pd.Series,
    *,
    highlight: Sequence[object] = (),
    share: bool = False,
    fmt: str | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars sorted from largest (top) to smallest, values written on them.

    Parameters
    ----------
    values
        One value per label (the index gives the labels).
    highlight
        Labels to draw in the highlight colour.
    share
        Values are shares (0-1): write them as percentages.
    fmt
        Format of the value written on each bar, e.g. ``'{:.2f}'`` for a
        ratio near 1; default ``'{:.0%}'`` for shares, else ``'{:,.0f}'``.
    title, xlabel
        Title (state the finding) and x-axis label.
    ax
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ArgumentError
        A ``fmt`` that cannot write one number.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> values = pd.Series({"自然 organic": 40, "抖音 douyin": 25})
    >>> ax = ranked_bar(values, highlight=["抖音 douyin"])
    >>> [t.get_text() for t in ax.get_yticklabels()]  # from the bottom up
    ['抖音 douyin', '自然 organic']
    >>> plt.close(ax.figure)
    >>> ax = ranked_bar(pd.Series({"search": 2.01, "douyin": 0.77}), fmt="{:.2f}")
    >>> [t.get_text() for t in ax.texts]
    ['0.77', '2.01']
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    if fmt is not None:
        _check_fmt(fmt)
    ordered = _numbers(values, "values", gaps=True).sort_values(ascending=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.45 * len(ordered) + 1.2))
    colours = [HIGHLIGHT if label in set(highlight) else PALETTE[0] for label in ordered.index]
    bars = ax.barh([str(i) for i in ordered.index], ordered.to_numpy(), color=colours)
    fmt = fmt or ("{:.0%}" if share else "{:,.0f}")
    labels = [fmt.format(v) for v in ordered.to_numpy()]
    ax.bar_label(bars, labels=labels, padding=3, fontsize="small")
    if share:
        percent_axis(ax, axis="x")
    ax.margins(x=0.12)
    ax.grid(axis="y", visible=False)
    if title:
        ax.set_title(title)
    if xlabel:
        ax.set_xlabel(xlabel)
    return ax


def heatmap(
    table: pd.DataFrame,
    *,
    fmt: str | None = "{:.0%}",
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    cmap: str = "Greens",
    vmax: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A table as a heatmap, e.g. a cohort retention table; NaN cells stay blank.

    Drawn with matplotlib's ``imshow`` (no seaborn import: it costs seconds).

    Parameters
    ----------
    table
        Rows and columns as shown; values numbers (NaN allowed).
    fmt
        Format of the value written in each cell (None: no text). Text is
        written only when the table has at most 400 cells.
    title, xlabel, ylabel
        Title (state the finding) and axis labels.
    cmap
        Matplotlib colour map.
    vmax
        Value of the darkest colour (default: the largest value).
    ax
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> import pandas as pd
    >>> t = pd.DataFrame([[1.0, 0.4], [1.0, np.nan]], index=["2025-01", "2025-02"])
    >>> ax = heatmap(t)
    >>> [x.get_text() for x in ax.texts]
    ['100%', '40%', '100%']
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from coursekit.errors import ArgumentError

    values = _number_frame(table, "table").to_numpy(dtype=float, na_value=np.nan)
    if vmax is not None and (isinstance(vmax, bool) or not isinstance(vmax, int | float)
                             or not 0 < vmax < np.inf):
        raise ArgumentError("vmax must be a number above 0 (the value of the darkest colour)",
                            name="vmax", value=vmax, fix="e.g. vmax=1 for shares")
    if fmt is not None:
        _check_fmt(fmt)
    rows, cols = values.shape
    if ax is None:
        width = min(max(5.5, 1.6 + 0.9 * cols), 14)
        _, ax = plt.subplots(figsize=(width, min(max(3.0, 1.0 + 0.42 * rows), 10)))
    top = vmax if vmax is not None else np.nanmax(values)
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0, vmax=top, aspect="auto")
    ax.set_xticks(range(cols), [str(c) for c in table.columns])
    ax.set_yticks(range(rows), [str(r) for r in table.index])
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    if fmt is not None and values.size <= 400:
        small = "x-small" if cols > 12 else "small"
        for i in range(rows):
            for j in range(cols):
                v = values[i, j]
                if np.isnan(v):
                    continue
                dark = image.norm(v) > 0.6
                ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=small,
                        color="white" if dark else "#262626")
    if title:
        ax.set_title(title)
    ax.set_xlabel(xlabel if xlabel is not None else str(table.columns.name or ""))
    ax.set_ylabel(ylabel if ylabel is not None else str(table.index.name or ""))
    return ax


# The chart gallery (lesson 6b): a diverging bar, a bad-vs-good pair of panels,
# one series highlighted among many, and small multiples.


def _numbers(values: object, name: str, *, gaps: bool = False) -> pd.Series:
    """``values`` as a non-empty numeric Series without missing values (with ``gaps``:
    missing values allowed, a gap in the chart), or a DataError."""
    import pandas as pd

    from coursekit.errors import DataError

    if isinstance(values, Mapping) and not isinstance(values, pd.Series):
        values = pd.Series(dict(values))
    if not isinstance(values, pd.Series):
        raise DataError(f"{name} must be a pandas Series (labels in the index), not "
                        f"{type(values).__name__}", table=name,
                        fix="pass one value per label, e.g. table['revenue'] or a dict")
    if values.empty:
        raise DataError(f"{name} is empty: nothing to draw", table=name,
                        fix="check the filter that produced it")
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values):
        raise DataError(f"{name} holds {values.dtype} values, not numbers", table=name,
                        rows=values.head(5), fix="pass the numeric column to draw")
    missing = values.isna()
    if missing.any() and not gaps:
        raise DataError(f"{name} has {int(missing.sum())} missing values", table=name,
                        rows=values[missing].head(5),
                        fix="drop them or fill them (e.g. .fillna(0) for 'no change') first")
    return values.astype(float)


def _number_frame(frame: object, name: str) -> pd.DataFrame:
    """``frame`` as a non-empty DataFrame of numeric columns (NaN allowed: gaps in a line)."""
    import pandas as pd

    from coursekit.errors import DataError

    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{name} must be a DataFrame with one column per series, not "
                        f"{type(frame).__name__}", table=name,
                        fix="pivot the table first, e.g. .pivot_table(index='month', "
                        "columns='store_id', values='revenue')")
    if frame.empty or frame.shape[1] == 0:
        raise DataError(f"{name} is empty: nothing to draw", table=name,
                        fix="check the filter or the pivot that produced it")
    bad = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c].dtype)
           or pd.api.types.is_bool_dtype(frame[c].dtype)]
    if bad:
        raise DataError(f"{name} has columns that are not numbers: {bad[:5]}", table=name,
                        column=[str(c) for c in bad[:5]], rows=frame[bad[:5]].head(3),
                        fix="keep only the numeric series to draw (one column each)")
    return frame


def _date_axis(ax: Axes, *, most: int = 8) -> None:
    """Short date labels (2025, Apr, Jul, ...) that do not collide."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator(minticks=2, maxticks=most)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def _label_ends(ax: Axes, data: pd.DataFrame, ends: list[tuple]) -> None:
    """Write labels at the ends of lines, pushed apart (from the bottom up) to at
    least 5% of the lines' y range and at least one label's height on the axes as
    they are scaled (which another line, such as a market size, may stretch)."""
    import numpy as np
    from matplotlib.font_manager import FontProperties
    from matplotlib.transforms import offset_copy

    values = data.to_numpy(dtype=float, na_value=np.nan)
    low, high = np.nanmin(values), np.nanmax(values)
    gap = 0.05 * (high - low) if high > low else 1.0
    y0, y1 = ax.get_ylim()
    tall = ax.get_window_extent().height  # pixels
    if tall > 0 and y1 > y0:
        label_px = 1.3 * FontProperties(size="small").get_size_in_points() * ax.figure.dpi / 72
        gap = max(gap, label_px / tall * (y1 - y0))
    ends = sorted(ends, key=lambda end: end[0])
    heights = np.array([end[0] for end in ends])
    for k in range(1, len(heights)):  # a handful of highlighted lines
        heights[k] = max(heights[k], heights[k - 1] + gap)
    shifted = offset_copy(ax.transData, fig=ax.figure, x=5, y=0, units="points")
    for (_, when, label, colour), height in zip(ends, heights, strict=True):
        ax.text(when, height, label, transform=shifted, va="center", color=colour,
                fontsize="small", clip_on=False)


def diverging_bar(
    values: pd.Series | Mapping[object, float],
    *,
    fmt: str = "{:+,.0f}",
    sort: bool = True,
    positive: str = PALETTE[0],
    negative: str = HIGHLIGHT,
    title: str | None = None,
    xlabel: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars that grow left or right of zero, coloured by their sign.

    The chart for a *difference*: each channel's sign-ups against last year
    or against target, each store's revenue against plan. Positive bars take
    one colour and negative bars another, so the reader sees at once which
    labels are above and which below, and by how much.

    Parameters
    ----------
    values
        One difference per label (the index gives the labels); zero counts
        as positive. No missing values.
    fmt
        Format of the value written at the end of each bar, e.g. ``"{:+.1%}"``
        for shares (then call :func:`percent_axis` with ``axis="x"``).
    sort
        Sort from the most negative (bottom) to the most positive (top);
        False keeps the order given (the first label at the bottom).
    positive, negative
        Colours of the bars at or above zero and below zero.
    title, xlabel
        Title (state the finding) and x-axis label.
    ax
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    DataError
        ``values`` is not a Series or mapping, is empty, is not numeric or has
        missing values.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> set_style()
    >>> ax = diverging_bar(pd.Series({"抖音 douyin": -120, "自然 organic": 300, "门店 store": 40}))
    >>> [t.get_text() for t in ax.get_yticklabels()]  # from the bottom up
    ['抖音 douyin', '门店 store', '自然 organic']
    >>> [t.get_text() for t in ax.texts]
    ['-120', '+40', '+300']
    >>> ax.patches[0].get_facecolor() != ax.patches[2].get_facecolor()
    True
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    v = _numbers(values, "values")
    if sort:
        v = v.sort_values(kind="stable")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.42 * len(v) + 1.2))
    colours = [positive if x >= 0 else negative for x in v.to_numpy()]
    bars = ax.barh([str(i) for i in v.index], v.to_numpy(), color=colours)
    ax.axvline(0, color="#262626", lw=1)
    ax.bar_label(bars, labels=[fmt.format(x) for x in v.to_numpy()], padding=3,
                 fontsize="small")
    ax.margins(x=0.18)
    ax.grid(axis="y", visible=False)
    if title:
        ax.set_title(title)
    if xlabel:
        ax.set_xlabel(xlabel)
    return ax


def bad_vs_good(
    *,
    figsize: tuple[float, float] = (12.0, 4.0),
    labels: tuple[str, str] = ("✗ bad · 差", "✓ good · 好"),
    width_ratios: Sequence[float] | None = None,
) -> tuple[Figure, tuple[Axes, Axes]]:
    """A 1 x 2 figure for a bad and a good chart of the same data, side by side.

    Each panel is a sub-figure with one Axes and a coloured tag above the
    Axes' own title: red for the bad version, which also gets a faint red
    background, green for the good one. Give each Axes its title as usual:
    the bad chart's title says what it gets wrong, the good chart's title
    states the finding.

    Parameters
    ----------
    figsize
        Size of the whole figure in inches.
    labels
        Tags written above the bad and the good panel.
    width_ratios
        Relative widths of the two panels (default equal).

    Returns
    -------
    tuple
        ``(figure, (bad_axes, good_axes))``; each tag is the ``suptitle`` of
        its Axes' sub-figure (``ax.figure``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> set_style()
    >>> fig, (bad, good) = bad_vs_good()
    >>> bad.figure.get_suptitle(), good.figure.get_suptitle()
    ('✗ bad · 差', '✓ good · 好')
    >>> bad.figure is not good.figure and bad.figure.figure is fig
    True
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize, layout="constrained")
    panels = fig.subfigures(1, 2, width_ratios=list(width_ratios or (1, 1)), wspace=0.04)
    axes = []
    for panel, label, colour in zip(panels, labels, (HIGHLIGHT, PALETTE[0]), strict=True):
        panel.suptitle(label, x=0.01, ha="left", color=colour, fontweight="bold",
                       fontsize=plt.rcParams["font.size"])
        axes.append(panel.subplots())
    axes[0].set_facecolor("#fdf5f5")
    return fig, (axes[0], axes[1])


def highlight_lines(
    frame: pd.DataFrame,
    highlight: Sequence[object],
    *,
    label_ends: bool = True,
    title: str | None = None,
    ylabel: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Many series as thin grey lines, the few that matter in colour.

    The cure for a "spaghetti" chart of many coloured lines that nobody can
    follow: every series stays as context, in grey, and the ones the text is
    about are drawn on top in colour and labelled at their last point.

    Parameters
    ----------
    frame
        One column per series, the x values in the index (e.g. months); NaN
        leaves a gap (a store not yet open).
    highlight
        Column labels to draw in colour, the first in the highlight colour.
    label_ends
        Write each highlighted series' label at its last value.
    title, ylabel
        Title (state the finding) and y-axis label.
    ax
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        The grey lines come first in ``ax.lines``, then the highlighted ones.

    Raises
    ------
    DataError
        ``frame`` is not a DataFrame, is empty or has non-numeric columns; a
        label of ``highlight`` is not a column.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> set_style()
    >>> f = pd.DataFrame({"上海": [1, 2, 3], "北京": [2, 2, 2], "成都": [3, 2, 1]})
    >>> ax = highlight_lines(f, ["成都"])
    >>> len(ax.lines), [t.get_text() for t in ax.texts]
    (3, ['成都'])
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from coursekit.errors import DataError

    data = _number_frame(frame, "frame")
    chosen = list(highlight)
    unknown = [h for h in chosen if h not in data.columns]
    if unknown:
        raise DataError(f"highlight names {unknown[:5]}, which are not columns of frame",
                        table="frame", column=[str(u) for u in unknown[:5]],
                        rows=list(data.columns[:10]),
                        fix="pass column labels of frame (same type too: 3 is not '3')")
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4))
    x = data.index
    for column in data.columns:
        if column not in chosen:
            ax.plot(x, data[column].to_numpy(dtype=float, na_value=np.nan), color="#c8c8c8",
                    lw=1, zorder=1)
    colours = [HIGHLIGHT, *[c for c in PALETTE if c != HIGHLIGHT]]
    ends = []
    for k, column in enumerate(chosen):
        colour = colours[k % len(colours)]
        y = data[column].to_numpy(dtype=float, na_value=np.nan)
        ax.plot(x, y, color=colour, lw=2.2, zorder=3)
        seen = np.flatnonzero(~np.isnan(y))
        if len(seen):
            ends.append((y[seen[-1]], x[seen[-1]], str(column), colour))
    if label_ends and ends:
        _label_ends(ax, data, ends)
    if isinstance(x, pd.DatetimeIndex):
        _date_axis(ax)
    ax.margins(x=0.06)
    if title:
        ax.set_title(title)
    if ylabel:
        ax.set_ylabel(ylabel)
    return ax


def small_multiples(
    frame: pd.DataFrame,
    *,
    ncols: int = 4,
    sharey: bool = True,
    context: bool = True,
    title: str | None = None,
    panel_size: tuple[float, float] = (2.8, 2.0),
) -> np.ndarray:
    """One small panel per series, on the same axes, instead of one crowded chart.

    Each panel draws its series in the house colour; with ``context`` every
    other series is drawn behind it in light grey, so each panel reads on its
    own and against the rest. With ``sharey`` the panels share one y scale,
    so heights compare across panels.

    Parameters
    ----------
    frame
        One column per series (panel), the x values in the index; panels in
        column order, left to right and top to bottom.
    ncols
        Panels per row (at least 1).
    sharey
        Share the y axis between panels (False: each panel scales to its own
        series, which shows shapes but hides sizes).
    context
        Draw the other series in light grey behind each panel's own.
    title
        Title of the whole figure (state the finding).
    panel_size
        Width and height of one panel, in inches.

    Returns
    -------
    numpy.ndarray
        The Axes, one per column of ``frame``, in column order (the figure
        is ``axes[0].figure``; unused grid cells are removed).

    Raises
    ------
    DataError
        ``frame`` is not a DataFrame, is empty or has non-numeric columns;
        ``ncols`` is below 1.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> set_style()
    >>> f = pd.DataFrame({"抖音": [3, 4, 6], "自然": [5, 5, 4], "门店": [1, 2, 2]})
    >>> axes = small_multiples(f, ncols=2, title="各渠道注册 sign-ups")
    >>> [a.get_title(loc="left") for a in axes], len(axes[0].figure.axes)
    (['抖音', '自然', '门店'], 3)
    >>> plt.close(axes[0].figure)
    """
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from coursekit.errors import ArgumentError

    data = _number_frame(frame, "frame")
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        raise ArgumentError("ncols must be a whole number >= 1", name="ncols", value=ncols,
                            fix="e.g. ncols=4 panels per row")
    n = data.shape[1]
    cols = min(ncols, n)
    rows = -(-n // cols)
    fig, grid = plt.subplots(rows, cols, figsize=(panel_size[0] * cols, panel_size[1] * rows),
                             sharex=True, sharey=sharey, squeeze=False, layout="constrained")
    axes = grid.ravel()
    x = data.index
    values = data.to_numpy(dtype=float, na_value=np.nan)
    dates = isinstance(x, pd.DatetimeIndex)
    for k, ax in enumerate(axes[:n]):
        if context:
            for j in range(n):
                if j != k:
                    ax.plot(x, values[:, j], color="#dddddd", lw=0.9, zorder=1)
        ax.plot(x, values[:, k], color=PALETTE[0], lw=2, zorder=3)
        ax.set_title(str(data.columns[k]), fontsize="medium", fontweight="normal")
        if dates:
            _date_axis(ax, most=4)
    for ax in axes[n:]:
        fig.delaxes(ax)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold",
                     fontsize=plt.rcParams["axes.titlesize"])
    return axes[:n]


def metric_tree(tree: object, table: pd.DataFrame | None = None, *, after: object = None,
                before: object = None, ax: Axes | None = None) -> Axes:
    """Draw a metric tree: one box per node with its value and its change.

    Parameters
    ----------
    tree
        A :class:`coursekit.diagnose.MetricTree`.
    table
        A table of ``tree.compute(...)``; without it the boxes hold the names only.
    after
        Row label of the period shown (default: the last row).
    before
        Row label of the comparison period: each box shows the relative
        change since then, and its border is green (up) or red (down).
    ax
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from coursekit.diagnose import MetricTree
    >>> tree = MetricTree("gmv = visitors * aov", labels={"gmv": "GMV 成交额"})
    >>> table = tree.compute({"visitors": [100, 120], "aov": [50.0, 45.0]})
    >>> ax = metric_tree(tree, table, before=0, after=1)
    >>> ax.texts[-3].get_text()
    'GMV 成交额\\n5,400\\n+8.0%'
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    from coursekit.errors import ArgumentError

    if not hasattr(tree, "layout"):
        raise ArgumentError("expected a MetricTree", name="tree", value=tree,
                            fix="tree = coursekit.diagnose.MetricTree('gmv = visitors * aov')")
    boxes = tree.layout(table, after=after, before=before)
    depth = int(boxes["level"].max())
    leaves = int((boxes["joins"] == "").sum())
    if ax is None:
        _, ax = plt.subplots(figsize=(max(5.0, 2.3 * leaves), 1.2 + 1.5 * (depth + 1)))
    for node, box in boxes.iterrows():
        kids = boxes[boxes["parent"] == node]
        for kid in kids.itertuples():
            ax.plot([box["x"], kid.x], [-box["level"], -kid.level], color="#b0b0b0", lw=1,
                    zorder=1)
        xs = kids["x"].to_numpy()
        for a, b in zip(xs, xs[1:], strict=False):
            ax.text((a + b) / 2, -box["level"] - 1, box["joins"], ha="center", va="center",
                    fontsize="large", color="#606060", zorder=2)
    edges = {1: PALETTE[0], -1: HIGHLIGHT, 0: "#8c8c8c"}
    for box in boxes.itertuples():
        ax.text(box.x, -box.level, box.text, ha="center", va="center", fontsize="small",
                zorder=3, bbox={"boxstyle": "round,pad=0.4", "facecolor": "white",
                                "edgecolor": edges[box.direction], "linewidth": 1.5})
    ax.set_xlim(-0.6, leaves - 0.4)
    ax.set_ylim(-depth - 0.6, 0.6)
    ax.axis("off")
    return ax


# --------------------------------------------------------------------------- report pages


def _when(period: pd.Period, freq: str) -> str:
    return f"the week of {period.start_time:%Y-%m-%d}" if freq == "W" else str(period)


def _x(index: pd.PeriodIndex) -> np.ndarray:
    """Period labels as the dates they start on (matplotlib draws those)."""
    return index.start_time.to_numpy()


def dashboard(report: object, *, title: str | None = None) -> Figure:
    """One page of four panels: service, shipping, customer structure, activity.

    Each panel's title states what to see in it, computed from the report:

    - service response: median and p90 first response against the target,
      and in how many periods p90 missed it;
    - shipping speed: on-time share by warehouse, the worst period marked;
    - customer structure: buyers stacked new under returning, and the
      returning buyers' share of revenue;
    - customer activity: active users, mean DAU and new sign-ups, and the
      share of registered users active in the last period.

    The figure is not registered with pyplot (it does not pile up in a
    notebook's memory or show twice); a notebook shows it when it is the last
    value of a cell, and ``fig.savefig(...)`` saves it. Fonts come from the
    course's style (:func:`coursekit.plots.set_style`).

    Parameters
    ----------
    report
        The result of :func:`coursekit.reports.dashboard`.
    title
        Title of the page (default: the kind of report and its range).

    Returns
    -------
    matplotlib.figure.Figure
        A 2 x 2 page.

    Raises
    ------
    DataError
        ``report`` is not a :class:`coursekit.reports.Dashboard`.

    Examples
    --------
    >>> import coursekit as ck
    >>> from coursekit import reports
    >>> report = reports.dashboard(ck.load("tickets"), ck.load("orders"), ck.load("users"),
    ...                            ck.load("events"), per="W", start="2025-06-01",
    ...                            end="2025-08-31")
    >>> fig = dashboard(report)
    >>> len(fig.axes)
    4
    >>> fig.axes[1].get_title(loc="left")
    '准时率 Shipping: on-time share fell to 0% at east\\nin the week of 2025-07-14'
    """
    import numpy as np
    import pandas as pd
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    from coursekit.errors import DataError

    parts = ("service", "shipping", "customers", "activity", "per", "target_minutes")
    if not all(hasattr(report, part) for part in parts):
        raise DataError(
            f"expected the result of reports.dashboard(...), got {type(report).__name__}",
            table="report",
            fix="report = coursekit.reports.dashboard(tickets, orders, users, events)",
        )
    freq = report.per
    fig = Figure(figsize=(14, 8.5), layout="constrained")
    axes = fig.subplots(2, 2, sharex=True)
    unit = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}[freq]

    # service response
    ax = axes[0, 0]
    svc = report.service
    x = _x(svc.index)
    ax.plot(x, svc["median_response_minutes"].to_numpy(), color=PALETTE[0],
            label="median 中位数")
    ax.plot(x, svc["p90_response_minutes"].to_numpy(), color=PALETTE[1], label="p90")
    ax.axhline(report.target_minutes, color=HIGHLIGHT, ls="--", lw=1,
               label=f"target {report.target_minutes:g} min")
    p90 = svc["p90_response_minutes"].to_numpy()
    missed, seen = int((p90 > report.target_minutes).sum()), int((~np.isnan(p90)).sum())
    share = svc["within_target"].sum() / max(int(svc["tickets"].sum()), 1)
    ax.set_title(f"首次响应 Service: {share:.0%} of tickets answered within "
                 f"{report.target_minutes:g} min\np90 over the target in {missed} of {seen} "
                 f"{unit}s", loc="left")
    ax.set_ylabel("first response, minutes 分钟")
    top = np.nanmax(np.append(p90, report.target_minutes))
    ax.set_ylim(0, 1.3 * top)  # room for the legend
    ax.legend(loc="upper left")

    # shipping speed
    ax = axes[0, 1]
    ship = report.shipping
    on_time = ship["on_time_share"]
    key = on_time.idxmin() if on_time.notna().any() else None
    grouped = isinstance(ship.index, pd.MultiIndex)
    period, group = (key if grouped else (key, None)) if key is not None else (None, None)
    if grouped:
        table = on_time.unstack()
        for k, name in enumerate(table.columns):
            hot = key is not None and name == group
            ax.plot(_x(table.index), table[name].to_numpy(), lw=2.2 if hot else 1.2,
                    color=HIGHLIGHT if hot else PALETTE[(k + 2) % len(PALETTE)],
                    alpha=1.0 if hot else 0.7, label=str(name))
    else:
        ax.plot(_x(ship.index), on_time.to_numpy(), color=PALETTE[0], label="all orders")
    if key is not None:
        worst = float(on_time.loc[key])
        days = float(ship["mean_delivery_days"].loc[key])
        where = f" at {group}" if group is not None else ""
        ax.annotate(f"{worst:.0%} on time, {days:.1f} days", (period.start_time, worst),
                    xytext=(8, 4), textcoords="offset points", color=HIGHLIGHT,
                    fontsize="small")
        ax.set_title(f"准时率 Shipping: on-time share fell to {worst:.0%}{where}\nin "
                     f"{_when(period, freq)}", loc="left")
    else:
        ax.set_title("准时率 Shipping: no orders\n", loc="left")
    percent_axis(ax)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("delivered on time 准时送达")
    ax.legend(loc="lower left", ncols=2)

    # customer structure
    ax = axes[1, 0]
    cs = report.customers
    if isinstance(cs.index, pd.MultiIndex):
        cs = cs.groupby(level=0).sum(numeric_only=True)
    x = _x(cs.index)
    width = np.median(np.diff(x)) * 0.8 if len(x) > 1 else np.timedelta64(20, "D")
    new = cs["new_buyers"].to_numpy()
    back = cs["returning_buyers"].to_numpy()
    ax.bar(x, new, width=width, color=PALETTE[1], label="new 新客", align="edge")
    ax.bar(x, back, bottom=new, width=width, color=PALETTE[0], label="returning 老客",
           align="edge")
    revenue = float(cs["revenue"].sum())
    rev_share = float(cs["returning_revenue"].sum()) / revenue if revenue else np.nan
    buyer_share = back.sum() / max(int(cs["buyers"].sum()), 1)
    ax.set_title(f"客户结构 Customers: returning buyers are {buyer_share:.0%} of buyers\n"
                 f"and bring {rev_share:.0%} of revenue", loc="left")
    ax.set_ylabel(f"buyers per {unit} 购买人数")
    ax.legend(loc="upper left")

    # customer activity
    ax = axes[1, 1]
    act = report.activity
    x = _x(act.index)
    ax.plot(x, act["active_users"].to_numpy(), color=PALETTE[2], label="active users 活跃用户")
    ax.plot(x, act["new_users"].to_numpy(), color=PALETTE[1], label="new sign-ups 新注册")
    ax.plot(x, act["dau_mean"].to_numpy(), color=PALETTE[4], label="mean DAU 日活")
    # the last whole period: one cut short by the end of the data has fewer active users
    length = (act.index.end_time.normalize() - act.index.start_time).days.to_numpy() + 1
    whole = np.flatnonzero(act["days"].to_numpy() == length)
    last = int(whole[-1]) if len(whole) else len(act) - 1
    ax.set_title(f"用户活跃 Activity: {act['active_share'].iloc[last]:.0%} of registered users "
                 f"active\nin {_when(act.index[last], freq)}", loc="left")
    ax.set_ylabel(f"users per {unit} 用户数")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left")

    locator = AutoDateLocator()
    for ax in axes.ravel():
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        ax.tick_params(axis="x", labelbottom=True)
    kind = {"W": "运营周报 Weekly", "M": "运营月报 Monthly"}.get(freq, "运营报表")
    first, final = report.service.index[[0, -1]]
    span = (f"weeks of {first.start_time:%Y-%m-%d} to {final.start_time:%Y-%m-%d}"
            if freq == "W" else f"{first} to {final}")
    fig.suptitle(title if title is not None else f"{kind} operations dashboard, {span}",
                 fontweight="bold", x=0.01, ha="left")
    return fig


# --------------------------------------------------------------------------- business models


def tornado(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    fmt: str = "{:,.0f}",
    xlabel: str | None = None,
) -> Axes:
    """A tornado chart (龙卷风图): how far each input moves the result, largest swing on top.

    Draws the table of :func:`coursekit.bizmodel.sensitivity`: for each
    input, a bar from the base value to the result with the input at its
    low end and one to the result at its high end, in two colours, with
    both results written at the bar ends and a line at the base value.
    Inputs are sorted by swing, the widest bar on top, which gives the chart
    its funnel shape; the labels carry each input's range when the table
    has it (``input_low``, ``input_high``).

    Parameters
    ----------
    table
        One row per input (the index gives the labels) with ``low``,
        ``high`` and ``base_value``, e.g. the result of
        :func:`coursekit.bizmodel.sensitivity`.
    ax
        Axes to draw on; a new figure when None.
    title
        Title (state the finding: "Price moves profit most").
    fmt
        Format of the results written at the bar ends, e.g. ``'{:,.0f}'``
        (default) or ``'{:.1%}'`` for a margin.
    xlabel
        Label of the x axis (what the model returns).

    Returns
    -------
    matplotlib.axes.Axes
        Two bars per input in ``ax.patches`` (low end, high end; the bottom
        input first).

    Raises
    ------
    DataError
        ``table`` is not a DataFrame with numeric ``low``, ``high`` and
        ``base_value`` columns, or is empty.
    ArgumentError
        A ``fmt`` that cannot write one number.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> set_style()
    >>> t = pd.DataFrame({"low": [4000.0, 3000.0], "high": [12000.0, 13000.0],
    ...                   "base_value": 8000.0}, index=["销量 units", "价格 price"])
    >>> ax = tornado(t, title="价格 moves profit most")
    >>> [x.get_text() for x in ax.get_yticklabels()]  # from the bottom up
    ['销量 units', '价格 price']
    >>> [x.get_text() for x in ax.texts]
    ['4,000', '12,000', '3,000', '13,000']
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from coursekit.errors import DataError

    _check_fmt(fmt)
    need = ["low", "high", "base_value"]
    if not isinstance(table, pd.DataFrame) or not set(need) <= set(table.columns):
        got = list(table.columns) if isinstance(table, pd.DataFrame) else type(table).__name__
        raise DataError(f"expected a table with columns {need}, got {got}", table="table",
                        fix="pass the result of coursekit.bizmodel.sensitivity(model, base, "
                        "ranges)")
    data = _number_frame(table[need], "table")
    values = data.to_numpy(dtype=float, na_value=np.nan)
    if not np.isfinite(values).all():
        raise DataError("table has missing or infinite values", table="table",
                        rows=table.loc[~np.isfinite(values).all(axis=1), need].head(5),
                        fix="every input needs a finite result at both ends")
    swing = np.abs(values[:, 1] - values[:, 0])
    # widest last, so drawn on top; of equal swings the first row of the table on top
    order = np.lexsort((-np.arange(len(swing)), swing))
    labels = [str(i) for i in table.index]
    if {"input_low", "input_high"} <= set(table.columns):
        labels = [f"{name} ({_short(lo)} – {_short(hi)})" for name, lo, hi in
                  zip(labels, table["input_low"], table["input_high"], strict=True)]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.5 * len(order) + 1.4))
    base = float(values[0, 2])
    y = np.arange(len(order))
    low, high = values[order, 0], values[order, 1]
    ax.barh(y, low - base, left=base, color=PALETTE[2], height=0.6,
            label="input at its low end 取低值")
    ax.barh(y, high - base, left=base, color=PALETTE[0], height=0.6,
            label="input at its high end 取高值")
    for k in range(len(order)):
        for value in (low[k], high[k]):
            if value == base:  # no bar on that side: the base line says the value
                continue
            right = value > base
            ax.annotate(fmt.format(value), (value, y[k]), xytext=(4 if right else -4, 0),
                        textcoords="offset points", va="center",
                        ha="left" if right else "right", fontsize="small")
    ax.axvline(base, color="#262626", lw=1, label=f"base 基准 {fmt.format(base)}")
    ax.set_yticks(y, [labels[i] for i in order])
    ax.margins(x=0.18)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 if not xlabel else -0.2),
              ncols=3, fontsize="small")
    if title:
        ax.set_title(title)
    if xlabel:
        ax.set_xlabel(xlabel)
    return ax


def _short(x: float) -> str:
    """A number to three significant figures, with thousands separators and no exponent."""
    return f"{float(f'{x:.3g}'):,g}"


def waterfall(
    lines: object,
    *,
    column: str = "all",
    ax: Axes | None = None,
    title: str | None = None,
    fmt: str = "{:,.1f}",
    ylabel: str = "yuan per unit 元/单位",
) -> Axes:
    """Waterfall chart of a unit's economics: each line a step up or down, subtotals from zero.

    Parameters
    ----------
    lines
        A :class:`coursekit.bizmodel.UnitEconomics`, or its ``lines``: a
        DataFrame indexed by line with a ``sign`` column (+1 a line that
        adds, -1 one taken off, 0 a subtotal) and the values in ``column``.
    column
        The group to draw (``"all"``, or one value of the ``by`` column).
    ax
        Axes to draw on (a new figure if None).
    title
        Title; state what the chart shows.
    fmt
        Format of the value written on each bar.
    ylabel
        Label of the y axis.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    DataError
        No ``sign`` column, no ``column``, values that are not finite numbers.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> set_style()
    >>> lines = pd.DataFrame({"sign": [1, -1, 0, -1, 0], "all": [150.0, 77.0, 73.0, 15.0, 58.0]},
    ...                      index=["price", "goods", "gross_margin", "serving", "contribution"])
    >>> ax = waterfall(lines, title="An order leaves 58 of 150 yuan")
    >>> [round(float(p.get_y()), 1) for p in ax.patches]  # where each bar starts
    [0.0, 73.0, 0.0, 58.0, 0.0]
    >>> plt.close("all")
    """
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from coursekit.errors import DataError

    _check_fmt(fmt)
    table = getattr(lines, "lines", lines)
    if not isinstance(table, pd.DataFrame) or "sign" not in table.columns \
            or column not in table.columns:
        got = list(table.columns) if isinstance(table, pd.DataFrame) else type(table).__name__
        raise DataError(f"expected unit-economics lines with columns 'sign' and {column!r}, "
                        f"got {got}", table="lines",
                        fix="pass a coursekit.bizmodel result (or its .lines) and a column of it")
    sign = _numbers(table["sign"], "lines")
    value = _numbers(table[column], "lines")
    if not sign.isin([-1, 0, 1]).all():
        raise DataError("the sign column holds values other than -1, 0 and 1", table="lines",
                        column="sign", rows=table.loc[~sign.isin([-1, 0, 1])].head(5),
                        fix="+1 a line that adds, -1 one taken off, 0 a subtotal")
    steps = np.where(sign == 0, 0.0, sign * value)
    run = np.cumsum(steps)
    bottom = np.where(sign == 0, 0.0, np.minimum(run, run - steps))
    height = np.where(sign == 0, value, np.abs(steps))
    colours = [{1: PALETTE[2], -1: HIGHLIGHT, 0: PALETTE[0]}[int(s)] for s in sign]
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6.0, 0.85 * len(table) + 1.5), 4.2))
    bars = ax.bar([str(i) for i in table.index], height, bottom=bottom, color=colours)
    ax.bar_label(bars, labels=[fmt.format(v) for v in value], fontsize="small")
    ax.set_ylabel(ylabel)
    ax.margins(y=0.12)
    ax.grid(axis="x", visible=False)
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    if title:
        ax.set_title(title)
    return ax


def _text_width(text: str) -> int:
    """Display width in Latin characters: a Chinese character counts two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wrap(text: str, width: int) -> list[str]:
    """Wrap ``text`` to lines of at most ``width`` (display width); Latin words are
    kept whole, Chinese may break between any two characters."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if _text_width(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for ch in word:  # a word wider than the line (a Chinese phrase): cut it
            if _text_width(line + ch) > width and line:
                lines.append(line)
                line = ""
            line += ch
    if line:
        lines.append(line)
    return lines


#: Where each block of the canvas sits: (x, y, width, height) on a 10 x 3 board.
_CANVAS_BOXES = {
    "key_partners": (0, 1, 2, 2),
    "key_activities": (2, 2, 2, 1),
    "key_resources": (2, 1, 2, 1),
    "value_propositions": (4, 1, 2, 2),
    "customer_relationships": (6, 2, 2, 1),
    "channels": (6, 1, 2, 1),
    "customer_segments": (8, 1, 2, 2),
    "cost_structure": (0, 0, 5, 1),
    "revenue_streams": (5, 0, 5, 1),
}


def canvas(
    canvas: object,
    *,
    ax: Axes | None = None,
    figsize: tuple[float, float] = (15.0, 8.5),
    title: str | None = None,
) -> Axes:
    """The business model canvas (商业模式画布) as the familiar nine boxes.

    Top row, left to right: key partners | key activities over key
    resources | value propositions | customer relationships over channels |
    customer segments; bottom row: cost structure | revenue streams. Each
    box shows its Chinese and English title and its entries as bullets,
    wrapped to the box (text that does not fit is cut at the box's edge:
    keep entries short).

    Parameters
    ----------
    canvas
        A :class:`coursekit.bizmodel.Canvas`.
    ax
        Axes to draw on; a new figure of ``figsize`` when None.
    figsize
        Size of the new figure in inches.
    title
        Title (default: "商业模式画布 Business model canvas").

    Returns
    -------
    matplotlib.axes.Axes
        One rectangle per block in ``ax.patches``, each labelled with the
        block's name (``patch.get_label()``, e.g. ``"value_propositions"``).

    Raises
    ------
    DataError
        ``canvas`` is not a Canvas (it lacks one of the nine blocks).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from coursekit.bizmodel import Canvas
    >>> set_style()
    >>> ax = canvas(Canvas(value_propositions=["健康零食 healthy snacks"]))
    >>> sorted(p.get_label() for p in ax.patches)[:3]
    ['channels', 'cost_structure', 'customer_relationships']
    >>> len(ax.patches)
    9
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from coursekit.bizmodel.canvas import BLOCKS
    from coursekit.errors import DataError

    missing = [b for b in BLOCKS if not hasattr(canvas, b)]
    if missing:
        raise DataError(f"expected a Canvas, got {type(canvas).__name__} without {missing[:3]}",
                        table="canvas",
                        fix="canvas = coursekit.bizmodel.Canvas(value_propositions=[...]) or "
                        "Canvas.from_data(...)")
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 3)
    ax.axis("off")
    fig = ax.figure
    box_in = ax.get_position()
    inch_x = box_in.width * fig.get_figwidth() / 10  # inches per unit of the board
    inch_y = box_in.height * fig.get_figheight() / 3
    base_size = plt.rcParams["font.size"] * 0.78
    pad = 0.08
    for block, (x, y, w, h) in _CANVAS_BOXES.items():
        english, chinese = BLOCKS[block]
        box = Rectangle((x, y), w, h, facecolor="#f7f7f5", edgecolor="#9a9a9a", lw=1.2,
                        label=block, gid=block)
        ax.add_patch(box)
        room = (w - 2 * pad) * inch_x * 72  # points across the box's text

        def fits(text: str, size: float, room: float = room) -> int:
            return int(room / (size * 0.6))  # Latin characters of ~0.6 em per line

        head = f"{chinese} {english}"
        heading = head if _text_width(head) <= fits(head, base_size * 1.1) else \
            f"{chinese}\n{english}"
        ax.text(x + pad, y + h - 0.07, heading, ha="left", va="top", fontweight="bold",
                color=PALETTE[0], fontsize=base_size * 1.1)
        top = y + h - 0.07 - (heading.count("\n") + 1.6) * base_size * 1.1 * 1.2 / 72 / inch_y
        entries = [str(e) for e in getattr(canvas, block)]
        if not entries:
            continue
        size = base_size
        while True:  # shrink the text until it fits the box (down to 6 points)
            lines = []
            for entry in entries:
                wrapped = _wrap(entry, fits(entry, size) - 2)
                lines += ["• " + wrapped[0], *["  " + rest for rest in wrapped[1:]]]
            height = len(lines) * size * 1.35 / 72 / inch_y
            if height <= top - y - 0.04 or size <= 6:
                break
            size = max(6.0, size * 0.9)
        body = ax.text(x + pad, top, "\n".join(lines), ha="left", va="top", fontsize=size,
                       color="#262626", linespacing=1.35, clip_on=True)
        body.set_clip_path(box)
    ax.set_title(title if title is not None else "商业模式画布 Business model canvas")
    return ax


def leaderboard_chart(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    fmt: str = "{:,.0f}",
    xlabel: str | None = None,
) -> Axes:
    """The class's leaderboard (排行榜) as bars: each plan's mean profit after fatigue,
    with its 95% interval.

    Draws the table of :func:`coursekit.sandbox.leaderboard`: one bar per
    row, the best on top, the teams in the house green and the reference
    rows (``kind`` ``reference``: do nothing, message everyone, oracle) in
    grey; the mean is written at the bar's end, a line marks 0 (what doing
    nothing scores) and a whisker the 95% interval of the mean over the
    replicates. The interval is ``profit_after_fatigue_low`` to
    ``profit_after_fatigue_high`` when the table has them (the leaderboard's
    does); otherwise (a table of its own) the
    profit's interval (``profit_low``, ``profit_high``) moved by the mean
    fatigue penalty (``profit_after_fatigue - profit``), which leaves out
    the spread of the penalty itself. A row without an interval (one
    replicate) has no whisker.

    Parameters
    ----------
    table
        One row per plan (the index gives the labels) with
        ``profit_after_fatigue`` and an interval as above, e.g. the result of
        :func:`coursekit.sandbox.leaderboard`.
    ax
        Axes to draw on; a new figure when None.
    title
        Title (default "排行榜 Leaderboard").
    fmt
        Format of the means written at the bar ends (default ``'{:,.0f}'``).
    xlabel
        Label of the x axis (default: profit after fatigue in yuan).

    Returns
    -------
    matplotlib.axes.Axes
        One bar per row in ``ax.patches`` (the bottom row first); the
        whiskers are the error bars in ``ax.containers``.

    Raises
    ------
    DataError
        ``table`` is not a DataFrame with numeric ``profit_after_fatigue`` and
        an interval, is empty, misses a mean, or has an interval that does
        not hold its mean.
    ArgumentError
        A ``fmt`` that cannot write one number.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> set_style()
    >>> board = pd.DataFrame({
    ...     "kind": ["reference", "team", "reference"],
    ...     "profit": [4500.0, 2800.0, 0.0], "profit_low": [4000.0, 2300.0, 0.0],
    ...     "profit_high": [5000.0, 3300.0, 0.0],
    ...     "profit_after_fatigue": [4400.0, 2700.0, 0.0]},
    ...     index=pd.Index(["oracle", "Team Winback", "do nothing"], name="team"))
    >>> ax = leaderboard_chart(board)
    >>> [x.get_text() for x in ax.get_yticklabels()]  # from the bottom up
    ['do nothing', 'Team Winback', 'oracle']
    >>> [x.get_text() for x in ax.texts]
    ['0', '2,700', '4,400']
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from coursekit.errors import DataError

    _check_fmt(fmt)
    own = ["profit_after_fatigue", "profit_after_fatigue_low", "profit_after_fatigue_high"]
    moved = ["profit_after_fatigue", "profit", "profit_low", "profit_high"]
    columns = set(table.columns) if isinstance(table, pd.DataFrame) else set()
    if not (set(own) <= columns or set(moved) <= columns):
        got = list(table.columns) if isinstance(table, pd.DataFrame) else type(table).__name__
        raise DataError(f"expected a table with columns {moved} (or {own}), got {got}",
                        table="table",
                        fix="pass the result of coursekit.sandbox.leaderboard(plans)")
    if set(own) <= columns:
        values = _number_frame(table[own], "table").to_numpy(dtype=float, na_value=np.nan)
        mean, low, high = values.T
    else:
        values = _number_frame(table[moved], "table").to_numpy(dtype=float, na_value=np.nan)
        mean, profit, low, high = values.T
        low, high = low + (mean - profit), high + (mean - profit)
    if not np.isfinite(mean).all():
        raise DataError("table has rows without a mean profit after fatigue", table="table",
                        column="profit_after_fatigue",
                        rows=table.loc[~np.isfinite(mean)].head(5),
                        fix="every plan needs a finite mean: score it on one replicate at least")
    whisker = np.isfinite(low) & np.isfinite(high)
    wrong = whisker & ((low > mean + 1e-9) | (high < mean - 1e-9))
    if wrong.any():
        raise DataError("an interval does not hold its mean", table="table",
                        rows=table.loc[wrong].head(5),
                        fix="pass the leaderboard's table as it is, low end below high end")
    n = len(mean)
    order = np.lexsort((-np.arange(n), mean))  # best last (drawn on top); ties: table order
    kind = (table["kind"].astype(str).to_numpy() if "kind" in columns
            else np.full(n, "team"))
    grey = PALETTE[7]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.5 * n + 1.8))
    y = np.arange(n)
    ax.barh(y, mean[order], color=[grey if kind[i] == "reference" else PALETTE[0]
                                   for i in order], height=0.6)
    shown = whisker[order]
    if shown.any():
        m, lo, hi = mean[order][shown], low[order][shown], high[order][shown]
        ax.errorbar(m, y[shown], xerr=np.vstack([np.maximum(m - lo, 0), np.maximum(hi - m, 0)]),
                    fmt="none", ecolor="#262626", elinewidth=1.2, capsize=4)
    for k, i in enumerate(order):
        right = mean[i] >= 0
        edge = (max(mean[i], high[i]) if right else min(mean[i], low[i])) if whisker[i] \
            else mean[i]
        ax.annotate(fmt.format(mean[i]), (edge, y[k]), xytext=(4 if right else -4, 0),
                    textcoords="offset points", va="center", ha="left" if right else "right",
                    fontsize="small")
    ax.axvline(0, color="#262626", lw=1)
    ax.set_yticks(y, [str(table.index[i]) for i in order])
    ax.margins(x=0.15)
    ax.grid(axis="y", visible=False)
    handles = [Patch(color=PALETTE[0], label="team 团队")]
    if (kind == "reference").any():
        handles.append(Patch(color=grey, label="reference 参照"))
    if shown.any():
        handles.append(Line2D([], [], color="#262626", marker="|", markersize=8, lw=1.2,
                              label="95% interval of the mean 均值的 95% 区间"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2),
              ncols=len(handles), fontsize="small")
    ax.set_title(title if title is not None else "排行榜 Leaderboard")
    ax.set_xlabel(xlabel if xlabel is not None else "profit after fatigue, yuan (mean over "
                  "the replicates) 扣除疲劳成本后的利润（元）")
    return ax


# Module 2: adoption curves, the value-point map, importance x performance, the
# perceptual map, the price meter and persona profiles.


def _new_axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def adoption_curve(
    model: object,
    observed: pd.Series,
    *,
    horizon: int | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """New adopters per period (bars) with a fitted adoption curve, its forecast and peak.

    Parameters
    ----------
    model
        A fitted :class:`coursekit.diffusion.Bass` or
        :class:`coursekit.diffusion.Logistic`.
    observed
        The new adopters per period the model was fitted on (same index).
    horizon
        Periods from launch to draw the curve to (default: the data's, or
        past the peak when the peak lies beyond the data); the part after
        the data is dashed.
    ax
        Axes to draw on; a new figure when None.
    title
        Title (state the finding: "Daily nuts are past their peak").

    Returns
    -------
    matplotlib.axes.Axes
        The bars in ``ax.patches``, the fitted curve and the forecast in
        ``ax.lines`` (fit first), the peak as the last line (a marker).

    Raises
    ------
    DataError
        ``observed`` is not a numeric Series as long as the model's data.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> import pandas as pd
    >>> from coursekit.diffusion import Bass, bass_share
    >>> t = np.arange(0, 31)
    >>> s = pd.Series(np.diff(1000 * bass_share(t, 0.03, 0.4)), index=np.arange(1, 31))
    >>> ax = adoption_curve(Bass(bootstrap=0).fit(s), s, horizon=40)
    >>> len(ax.patches), len(ax.lines)
    (30, 3)
    >>> plt.close(ax.figure)
    """
    import numpy as np
    import pandas as pd

    from coursekit.errors import CourseError, DataError

    if not hasattr(model, "params_"):
        raise CourseError("the model is not fitted: call model.fit(new_adopters) first")
    values = _numbers(observed, "observed")
    n = len(values)
    if n != int(model.n_periods_):
        raise DataError(f"observed has {n} periods, the model was fitted on "
                        f"{int(model.n_periods_)}", table="observed",
                        fix="pass the series the model was fitted on")
    peak_t = float(model.peak_.t)
    end = int(horizon) if horizon is not None else max(n, int(np.ceil(peak_t * 1.15)))
    if end < n:
        end = n
    curve = model.predict(end)
    x_all = np.arange(1, end + 1)
    labels = [str(v)[:7] if isinstance(v, pd.Timestamp | pd.Period) else str(v)
              for v in curve.index]
    ax = _new_axes(ax, (9, 4))
    ax.bar(np.arange(1, n + 1), values.to_numpy(), color=PALETTE[0], alpha=0.45, width=1.0,
           label="observed")
    ax.plot(x_all[:n], curve.to_numpy()[:n], color=PALETTE[2], lw=2, label="fitted")
    ax.plot(x_all[n - 1:], curve.to_numpy()[n - 1:], color=PALETTE[2], lw=2, ls="--",
            label="forecast")
    peak_y = float(np.interp(peak_t, x_all, curve.to_numpy()))
    ax.plot([peak_t], [peak_y], marker="o", color=HIGHLIGHT, ls="none", label="peak")
    step = max(1, end // 8)
    ax.set_xticks(x_all[::step], labels[::step])
    ax.set_ylabel("new adopters per period")
    ax.legend(frameon=False, loc="upper left")
    if title:
        ax.set_title(title)
    return ax


def value_map(
    canvas: pd.DataFrame,
    *,
    ours: str = "qingmu",
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """The strategy canvas (用户价值点位图): each brand's rating over the attributes.

    One line per brand (a column of ``canvas``) across the attributes (its
    rows, in their order: :func:`coursekit.needs.strategy_canvas` sorts them
    by importance), ``ours`` drawn thick in the house green, the others thin.

    Parameters
    ----------
    canvas
        Attributes x brands, mean ratings (numbers).
    ours
        The column drawn as ours.
    ax, title
        Axes to draw on (a new figure when None); title stating the finding.

    Returns
    -------
    matplotlib.axes.Axes
        One line per brand in ``ax.lines``, in the columns' order.

    Raises
    ------
    DataError
        ``canvas`` is not a numeric DataFrame, or ``ours`` is not a column.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> c = pd.DataFrame({"qingmu": [8.0, 6.5], "songguo": [7.0, 7.8]},
    ...                  index=pd.Index(["taste", "price"], name="attribute"))
    >>> ax = value_map(c)
    >>> [line.get_label() for line in ax.lines], ax.lines[0].get_linewidth() > 2
    (['qingmu', 'songguo'], True)
    >>> plt.close(ax.figure)
    """
    import numpy as np

    from coursekit.errors import DataError

    frame = _number_frame(canvas, "canvas")
    if ours not in frame.columns:
        raise DataError(f"no brand {ours!r} among the canvas's columns {list(frame.columns)}",
                        table="canvas", column=ours, fix="pass ours= one of the columns")
    ax = _new_axes(ax, (max(6.0, 1.1 * len(frame) + 2), 4.2))
    x = np.arange(len(frame))
    others = iter(PALETTE[1:])
    for brand in frame.columns:
        mine = brand == ours
        ax.plot(x, frame[brand].to_numpy(dtype=float), marker="o", label=str(brand),
                lw=3.2 if mine else 1.4, color=PALETTE[0] if mine else next(others),
                zorder=3 if mine else 2)
    ax.set_xticks(x, [str(a) for a in frame.index])
    ax.set_ylabel("mean rating")
    ax.legend(frameon=False, ncols=min(len(frame.columns), 5), loc="upper center",
              bbox_to_anchor=(0.5, -0.12))  # below the axis: clear of every point
    if title:
        ax.set_title(title)
    return ax


def ipa_quadrants(table: pd.DataFrame, *, ax: Axes | None = None,
                  title: str | None = None) -> Axes:
    """Importance x performance (IPA): each attribute placed by importance and our rating.

    Draws the table of :func:`coursekit.needs.importance_performance`: one
    labelled point per attribute at (``importance``, ``performance``), the
    cut lines (``importance_cut``, ``performance_cut``) and the quadrant names
    in the corners: "concentrate here" (important, we are weak: bottom right,
    its points in red), "keep up the good work" (top right), "low priority"
    (bottom left), "possible overkill" (top left).

    Parameters
    ----------
    table
        One row per attribute with ``importance``, ``performance``,
        ``importance_cut`` and ``performance_cut``.
    ax, title
        Axes to draw on (a new figure when None); title stating the finding.

    Returns
    -------
    matplotlib.axes.Axes
        The points in ``ax.collections[0]``; one text per attribute, then the
        four quadrant names, in ``ax.texts``.

    Raises
    ------
    DataError
        A column is missing or not numeric.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> t = pd.DataFrame({"importance": [20.0, 10.0], "performance": [6.0, 8.0],
    ...                   "importance_cut": 15.0, "performance_cut": 7.0},
    ...                  index=pd.Index(["price", "packaging"], name="attribute"))
    >>> ax = ipa_quadrants(t)
    >>> [x.get_text() for x in ax.texts][:2]
    ['price', 'packaging']
    >>> plt.close(ax.figure)
    """
    import pandas as pd

    from coursekit.errors import DataError

    need = ["importance", "performance", "importance_cut", "performance_cut"]
    if not isinstance(table, pd.DataFrame) or not set(need) <= set(table.columns):
        raise DataError(f"expected a table with columns {need}", table="table",
                        fix="pass the result of coursekit.needs.importance_performance(...)")
    frame = _number_frame(table[need], "table")
    imp, perf = frame["importance"].to_numpy(float), frame["performance"].to_numpy(float)
    icut, pcut = float(frame["importance_cut"].iloc[0]), float(frame["performance_cut"].iloc[0])
    ax = _new_axes(ax, (7, 5))
    colours = [HIGHLIGHT if i >= icut and p < pcut else PALETTE[0] for i, p in zip(imp, perf,
                                                                                  strict=True)]
    ax.scatter(imp, perf, s=60, c=colours, zorder=3)
    for name, i, p in zip(frame.index, imp, perf, strict=True):
        ax.annotate(str(name), (i, p), xytext=(5, 4), textcoords="offset points")
    ax.axvline(icut, color="#8c8c8c", lw=1, ls="--")
    ax.axhline(pcut, color="#8c8c8c", lw=1, ls="--")
    ax.margins(0.18)  # room for the labels and the quadrant names
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    corners = [(x1, y0, "concentrate here", "right", "bottom"),
               (x1, y1, "keep up the good work", "right", "top"),
               (x0, y0, "low priority", "left", "bottom"),
               (x0, y1, "possible overkill", "left", "top")]
    for x, y, text, ha, va in corners:
        ax.text(x, y, text, ha=ha, va=va, fontsize="small", color="#6f6f6f", style="italic")
    ax.set_xlabel("importance")
    ax.set_ylabel("our performance (mean rating)")
    if title:
        ax.set_title(title)
    return ax


def perceptual_map(pmap: object, *, ours: str = "qingmu", arrows: bool = True,
                   ax: Axes | None = None, title: str | None = None) -> Axes:
    """The perceptual map (定位图): brands as points, attributes as arrows (a biplot).

    Draws a :class:`coursekit.needs.PerceptualMap`: each brand at its
    coordinates, ``ours`` in the house green; with ``arrows``, each
    attribute as an arrow from the centre along its correlation with the
    two axes (scaled to the brands' spread), so a brand lies far along the
    arrows of the attributes it is rated high on. Axis labels carry the
    share of variance each axis explains (PCA).

    Parameters
    ----------
    pmap
        The result of :func:`coursekit.needs.perceptual_map`.
    ours
        The brand drawn as ours (ignored when absent).
    arrows
        Draw the attributes' arrows.
    ax, title
        Axes to draw on (a new figure when None); title stating the finding.

    Returns
    -------
    matplotlib.axes.Axes
        The brands in ``ax.collections[0]``; brand names first in ``ax.texts``,
        then the attributes' names.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from coursekit.needs import perceptual_map as pm
    >>> r = pd.DataFrame({"taste": [8, 7, 6], "price": [6, 8, 7], "trust": [7, 6, 8.5]},
    ...                  index=["qingmu", "songguo", "guorenjia"])
    >>> ax = perceptual_map(pm(r))
    >>> [x.get_text() for x in ax.texts][:3]
    ['qingmu', 'songguo', 'guorenjia']
    >>> plt.close(ax.figure)
    """
    import numpy as np

    from coursekit.errors import DataError

    brands = getattr(pmap, "brands", None)
    attributes = getattr(pmap, "attributes", None)
    if brands is None or attributes is None:
        raise DataError("expected a perceptual map", table="pmap",
                        fix="pass the result of coursekit.needs.perceptual_map(ratings)")
    ax = _new_axes(ax, (7, 6))
    xy = brands[["x", "y"]].to_numpy(dtype=float)
    colours = [PALETTE[0] if b == ours else PALETTE[2] for b in brands.index]
    ax.scatter(xy[:, 0], xy[:, 1], s=90, c=colours, zorder=3)
    for name, (x, y) in zip(brands.index, xy, strict=True):
        ax.annotate(str(name), (x, y), xytext=(6, 6), textcoords="offset points",
                    fontweight="bold" if name == ours else "normal")
    ends = xy
    if arrows and len(attributes):
        reach = float(np.abs(xy).max()) or 1.0
        tips = attributes[["x", "y"]].to_numpy(dtype=float) * reach
        placed: list[tuple[float, float]] = []
        step = 0.06 * reach  # labels of arrows that nearly coincide are stacked
        for name, (x, y) in zip(attributes.index, tips, strict=True):
            ax.annotate("", xy=(x, y), xytext=(0, 0),
                        arrowprops=dict(arrowstyle="->", color="#8c8c8c", lw=1))
            lx, ly = x * 1.1, y * 1.1
            while any(abs(lx - px) < 3 * step and abs(ly - py) < step for px, py in placed):
                ly -= step
            placed.append((lx, ly))
            ax.text(lx, ly, str(name), color="#6f6f6f", fontsize="small",
                    ha="center", va="center")
        ends = np.vstack([xy, tips * 1.1])
    pad = 0.15 * max(float(np.ptp(ends[:, 0])), float(np.ptp(ends[:, 1])), 1e-9)
    ax.set_xlim(ends[:, 0].min() - pad, ends[:, 0].max() + pad)
    ax.set_ylim(ends[:, 1].min() - pad, ends[:, 1].max() + pad)
    ax.axhline(0, color="#d0d0d0", lw=0.8)
    ax.axvline(0, color="#d0d0d0", lw=0.8)
    explained = getattr(pmap, "explained", None)
    if explained is not None:
        ax.set_xlabel(f"axis 1 ({float(explained['x']):.0%} of the differences)")
        ax.set_ylabel(f"axis 2 ({float(explained['y']):.0%})")
    else:
        ax.set_xlabel("axis 1")
        ax.set_ylabel("axis 2")
    if title:
        ax.set_title(title)
    return ax


def price_meter(psm: object, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Van Westendorp's price sensitivity meter: the answer curves, four points, the range.

    Draws a :class:`coursekit.needs.PriceSensitivity`: the shares of
    respondents who find each price too cheap, cheap, expensive and too
    expensive (and the "not cheap" / "not expensive" curves, dotted), the
    four points (PMC, OPP, IPP, PME) marked and labelled, and the acceptable
    range (PMC to PME) shaded. The price axis stops where nearly everyone (99%)
    finds the price too expensive.

    Parameters
    ----------
    psm
        The result of :func:`coursekit.needs.price_sensitivity`.
    ax, title
        Axes to draw on (a new figure when None); title stating the finding.

    Returns
    -------
    matplotlib.axes.Axes
        One line per curve in ``ax.lines`` (in the order of ``psm.curves``'s
        columns); the points' labels in ``ax.texts``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from coursekit.needs import price_sensitivity
    >>> answers = pd.DataFrame({"price_too_cheap": [20, 30, 40], "price_cheap": [40, 50, 60],
    ...                         "price_expensive": [70, 80, 90],
    ...                         "price_too_expensive": [90, 110, 130]})
    >>> ax = price_meter(price_sensitivity(answers))
    >>> [x.get_text() for x in ax.texts]
    ['PMC', 'OPP', 'IPP', 'PME']
    >>> plt.close(ax.figure)
    """
    import numpy as np

    from coursekit.errors import DataError

    curves = getattr(psm, "curves", None)
    if curves is None:
        raise DataError("expected a price sensitivity result", table="psm",
                        fix="pass the result of coursekit.needs.price_sensitivity(answers)")
    ax = _new_axes(ax, (9, 4.5))
    style = {"too_cheap": (PALETTE[2], "-"), "cheap": (PALETTE[6], "-"),
             "not_cheap": (PALETTE[6], ":"), "not_expensive": (PALETTE[1], ":"),
             "expensive": (PALETTE[1], "-"), "too_expensive": (PALETTE[3], "-")}
    price = curves.index.to_numpy(dtype=float)
    for name in curves.columns:
        colour, ls = style.get(name, ("#8c8c8c", "-"))
        ax.plot(price, curves[name].to_numpy(dtype=float), color=colour, ls=ls,
                lw=1.2 if ls == ":" else 2, label=str(name).replace("_", " "))
    lo, hi = psm.acceptable_range
    if np.isfinite(lo) and np.isfinite(hi):
        ax.axvspan(lo, hi, color=PALETTE[0], alpha=0.08, lw=0)
    points = (("PMC", psm.pmc), ("OPP", psm.opp), ("IPP", psm.ipp), ("PME", psm.pme))
    for k, (label, value) in enumerate(points):
        if np.isfinite(value):  # labels at two heights, so close points stay readable
            ax.axvline(value, color="#8c8c8c", lw=0.8, ls="--")
            ax.text(value, 1.02 + 0.06 * (k % 2), label, ha="center", va="bottom",
                    fontsize="small", transform=ax.get_xaxis_transform())
    if "too_expensive" in curves.columns:  # cut the long tail of the highest answers
        over = np.flatnonzero(curves["too_expensive"].to_numpy(dtype=float) >= 0.99)
        if len(over):
            ax.set_xlim(price[0], price[over[0]])
    percent_axis(ax)
    ax.set_xlabel("price (yuan)")
    ax.set_ylabel("share of respondents")
    ax.legend(frameon=False, fontsize="small", loc="center right")
    if title:
        ax.set_title(title, pad=36)
    return ax


def persona_heatmap(model: object, *, names: Mapping[object, str] | None = None,
                    ax: Axes | None = None, title: str | None = None) -> Axes:
    """The personas' profile (用户画像): each persona's z-score on each feature.

    Draws the ``z_`` columns of a fitted :class:`coursekit.needs.Personas`
    profile as a diverging heatmap (blue below the average respondent, red
    above, white at the average), personas as rows labelled with their share.

    Parameters
    ----------
    model
        A fitted :class:`coursekit.needs.Personas`.
    names
        A name for each persona number (the profile's index), once the
        personas have been named; the rows are labelled ``name (share)``.
    ax, title
        Axes to draw on (a new figure when None); title stating the finding.

    Returns
    -------
    matplotlib.axes.Axes
        The z-scores written in ``ax.texts``, row by row.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> import pandas as pd
    >>> from coursekit.needs import Personas
    >>> rng = np.random.default_rng(0)
    >>> x = pd.DataFrame({"a": np.r_[rng.normal(0, 0.3, 50), rng.normal(5, 0.3, 50)],
    ...                   "b": np.r_[rng.normal(5, 0.3, 50), rng.normal(0, 0.3, 50)]})
    >>> ax = persona_heatmap(Personas(k=2).fit(x), names={1: "early birds"})
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['a', 'b']
    >>> ax.get_yticklabels()[0].get_text()
    'early birds (50%)'
    >>> plt.close(ax.figure)
    """
    import numpy as np

    from coursekit.errors import CourseError

    profile = getattr(model, "profile_", None)
    if profile is None:
        raise CourseError("the personas are not fitted: call Personas().fit(features) first")
    zcols = [c for c in profile.columns if str(c).startswith("z_")]
    z = profile[zcols].to_numpy(dtype=float)
    rows, cols = z.shape
    ax = _new_axes(ax, (min(max(6.0, 0.8 * cols + 2), 14), 1.2 + 0.55 * rows))
    top = max(float(np.nanmax(np.abs(z))), 1e-9)
    image = ax.imshow(z, cmap="RdBu_r", vmin=-top, vmax=top, aspect="auto")
    ax.set_xticks(range(cols), [str(c)[2:] for c in zcols], rotation=35, ha="right")
    label = {} if names is None else dict(names)  # a dict or a Series
    ax.set_yticks(range(rows), [f"{label.get(i, i)} ({s:.0%})"
                                for i, s in zip(profile.index, profile["share"], strict=True)])
    ax.grid(False)
    for i in range(rows):
        for j in range(cols):
            ax.text(j, i, f"{z[i, j]:+.1f}", ha="center", va="center", fontsize="x-small",
                    color="white" if abs(image.norm(z[i, j]) - 0.5) > 0.35 else "#262626")
    ax.set_ylabel("persona (share)")
    if title:
        ax.set_title(title)
    return ax


# Module 4 (growth): spend-response curves, marginal returns and the equal-marginal rule,
# viral growth, and a forest of estimates with their intervals.

#: The word for each period code, in axis labels.
_PER_WORD = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}
#: Relative gap under which two marginal returns count as equal (a rounded split).
_EQUAL_RTOL = 0.01
#: What a curve of the caller's that cannot read a spend raises.
_CURVE_FAILS = (TypeError, ValueError, ArithmeticError, LookupError, AttributeError)


def _finite(value: object) -> bool:
    """A finite real number (not a bool, not text)."""
    import numpy as np

    return isinstance(value, int | float | np.integer | np.floating) \
        and not isinstance(value, bool | np.bool_) and bool(np.isfinite(value))


def _is_fit(curves: object) -> bool:
    """A :class:`coursekit.growth.ResponseFit` (read by its parts, so that drawing does
    not import the growth models)."""
    return all(hasattr(curves, part) for part in ("curves", "params", "points"))


def _curve_map(curves: object) -> tuple[list[str], list[object]]:
    """The channels and their functions of spend, or an ArgumentError."""
    from coursekit.errors import ArgumentError

    found = curves.curves if _is_fit(curves) else curves  # type: ignore[attr-defined]
    if not isinstance(found, Mapping) or not found:
        raise ArgumentError("curves must map each channel to a function of spend",
                            name="curves", value=curves,
                            fix="pass fit_response(...) (or its .curves), or "
                            "{'ads': lambda s: 2 * s ** 0.5, ...}")
    bad = [str(k) for k, f in found.items() if not callable(f)]
    if bad:
        raise ArgumentError(f"the curves of {bad[:5]} are not functions of spend",
                            name="curves", fix="give one function of spend per channel")
    return [str(k) for k in found], list(found.values())


def _per_word(curves: object, per: object) -> str:
    """The period the curves count in: a fit's curves are per day; others per ``per``."""
    from coursekit.errors import ArgumentError

    if per is None:
        return "day" if _is_fit(curves) else "period"
    key = per.upper() if isinstance(per, str) else None
    if key not in _PER_WORD:
        raise ArgumentError(f"unknown period {per!r}", name="per",
                            allowed=f"None or one of {list(_PER_WORD)}")
    if _is_fit(curves) and key != "D":
        raise ArgumentError("the curves of fit_response count sign-ups and spend per day, "
                            "whatever periods they were fitted on", name="per", value=per,
                            allowed="None or 'D'")
    return _PER_WORD[key]


def _on_grid(f: object, name: str, spend: np.ndarray) -> np.ndarray:
    """A curve's values at the spends of ``spend`` (one call on the array, or one call per
    spend for a function of one number), or an ArgumentError naming the channel."""
    import numpy as np

    from coursekit.errors import ArgumentError

    with np.errstate(all="ignore"):
        try:
            out = np.asarray(f(spend), dtype=float)  # type: ignore[operator]
            if out.shape != spend.shape:
                raise ValueError("not one value per spend")
        except _CURVE_FAILS:
            try:
                out = np.array([float(f(float(s))) for s in spend])  # type: ignore[operator]
            except _CURVE_FAILS as err:
                raise ArgumentError(f"the curve of {name!r} fails on spend from "
                                    f"{spend.min():g} to {spend.max():g}: {err}",
                                    name="curves",
                                    fix="a curve maps a spend >= 0 to a number") from None
    return out


def _outcomes(f: object, name: str, spend: np.ndarray) -> np.ndarray:
    """The curve at each spend; every value finite, or an ArgumentError."""
    import numpy as np

    from coursekit.errors import ArgumentError

    out = _on_grid(f, name, spend)
    wrong = ~np.isfinite(out)
    if wrong.any():
        raise ArgumentError(f"the curve of {name!r} gives {out[wrong][0]} at spend "
                            f"{spend[wrong][0]:g}", name="curves",
                            fix="a curve maps a spend >= 0 to a finite number")
    return out


def _marginals(f: object, name: str, spend: np.ndarray) -> np.ndarray:
    """Outcome per extra unit of spend: the curve's own ``marginal`` when it has one,
    else a central difference (a forward one near 0). Non-finite values (a power
    curve's first yuan) come back as NaN: a gap in the line."""
    import numpy as np

    own = getattr(f, "marginal", None)
    if callable(own):
        out = _on_grid(own, name, spend)
    else:
        h = 1e-5 * np.maximum(np.abs(spend), 1.0)
        up = _outcomes(f, name, spend + h)
        back = np.where(spend < h, spend, spend - h)  # never below 0
        out = (up - _outcomes(f, name, back)) / (spend + h - back)
    return np.where(np.isfinite(out), out, np.nan)


def _spends(given: object, names: list[str], what: str) -> dict[str, float]:
    """Spend by channel from a mapping or Series: channels of the curves only, each a
    finite number >= 0 (some channels may be left out)."""
    import pandas as pd

    from coursekit.errors import ArgumentError

    if not isinstance(given, Mapping | pd.Series):
        raise ArgumentError(f"{what} must be a Series or dict of spend by channel",
                            name=what, value=given, fix=f"e.g. {what}={{{names[0]!r}: 300.0}}")
    items = list(given.items())
    unknown = [k for k, _ in items if str(k) not in names]
    if unknown:
        raise ArgumentError(f"{what} names channel(s) {unknown[:5]} that have no curve",
                            name=what, allowed=f"channels of curves: {names}")
    twice = sorted({str(k) for k, _ in items if [str(j) for j, _ in items].count(str(k)) > 1})
    if twice:
        raise ArgumentError(f"{what} names channel(s) {twice} more than once", name=what,
                            fix="give one spend per channel")
    out = {}
    for key, value in items:
        if not _finite(value) or float(value) < 0:  # type: ignore[arg-type]
            raise ArgumentError(f"the spend of {key!r} in {what} is not a number >= 0",
                                name=what, value=value, fix="give a spend >= 0 per channel")
        out[str(key)] = float(value)
    return out


def _points_frame(points: object, names: list[str]) -> pd.DataFrame:
    """``channel``, ``spend``, ``outcome`` of the data points drawn behind the curves
    (only the channels drawn), from a fit's ``points`` or a table of one's own."""
    import pandas as pd

    from coursekit.errors import DataError

    table = points.points if _is_fit(points) else points  # type: ignore[attr-defined]
    outcome = next((c for c in ("outcome", "signups") if isinstance(table, pd.DataFrame)
                    and c in table.columns), None)
    if not isinstance(table, pd.DataFrame) or outcome is None \
            or not {"channel", "spend"} <= set(table.columns):
        got = list(table.columns) if isinstance(table, pd.DataFrame) else type(table).__name__
        raise DataError(f"expected a table with columns channel, spend and outcome (or "
                        f"signups), got {got}", table="points",
                        fix="pass fit_response(...).points")
    values = _number_frame(table[["spend", outcome]], "points")
    frame = pd.DataFrame({"channel": table["channel"].astype(str).to_numpy(),
                          "spend": values["spend"].to_numpy(dtype=float),
                          "outcome": values[outcome].to_numpy(dtype=float)})
    frame = frame.loc[frame["channel"].isin(names)]
    if frame.empty:
        raise DataError(f"no point belongs to a channel of curves {names}", table="points",
                        column="channel", rows=table.head(3),
                        fix="pass the points of the same fit as the curves")
    return frame


def _upto(upto: object, spends: list[float], curves: object, fns: list[object]) -> float:
    """The right end of the spend axis: ``upto``; else 1.5 x the largest spend shown; else
    1.5 x a fit's largest spend; else 3 x the largest scale ``b`` of exponential curves
    (where they reach 95 % of their ceiling)."""
    import numpy as np

    from coursekit.errors import ArgumentError

    if upto is not None:
        if not _finite(upto) or upto <= 0:  # type: ignore[operator]
            raise ArgumentError("upto must be a number above 0: the largest spend drawn",
                                name="upto", value=upto, fix="e.g. upto=2000.0")
        return float(upto)  # type: ignore[arg-type]
    seen = [s for s in spends if np.isfinite(s)]
    if seen and max(seen) > 0:
        return 1.5 * max(seen)
    if _is_fit(curves):
        top = float(curves.points["spend"].max())  # type: ignore[attr-defined]
        if np.isfinite(top) and top > 0:
            return 1.5 * top
    scales = [float(f.b) for f in fns if getattr(f, "form", None) == "exponential"]
    if scales:
        return 3.0 * max(scales)
    raise ArgumentError("nothing tells how far to draw the curves", name="upto",
                        fix="give upto= (the largest spend to draw), or current=/proposed= "
                        "spends")


def _channel_colours(names: list[str]) -> dict[str, str]:
    return {name: PALETTE[k % len(PALETTE)] for k, name in enumerate(names)}


def response_curves(
    curves: Mapping[str, object] | object,
    *,
    current: Mapping[str, float] | pd.Series | None = None,
    proposed: Mapping[str, float] | pd.Series | None = None,
    points: object = None,
    upto: float | None = None,
    per: str | None = None,
    dashed_beyond: bool = False,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Spend-response curves (投放响应曲线): each channel's outcome against its spend.

    One line per channel from spend 0 to ``upto``; the current and the
    proposed spend of each channel marked on its curve (filled: current,
    hollow: proposed), so the reader sees how far along the flattening part
    of its curve each channel sits, and where the new split moves it; the
    periods the curves were fitted on as faint points behind them.

    Parameters
    ----------
    curves
        A :class:`coursekit.growth.ResponseFit`, or a mapping of channel to
        a function of spend (e.g. ``fit.curves``, or ``{"ads": lambda s: 2 *
        s ** 0.5}``).
    current, proposed
        Spend by channel (a dict or a Series, e.g. the result of
        :func:`coursekit.growth.allocate_budget`); channels left out get no
        mark.
    points
        The data behind the curves: a ``ResponseFit`` or its ``points``, or
        a table with ``channel``, ``spend`` and ``outcome`` (or ``signups``);
        rows of channels not drawn are left out.
    upto
        The largest spend drawn (default: 1.5 times the largest spend of
        ``current``, ``proposed`` and ``points``; else 1.5 times the largest
        spend a fit was fitted on; else 3 times the largest ``b`` of
        exponential :class:`coursekit.growth.ResponseCurve` curves).
    per
        The period the curves count spend and outcome in, for the axis
        labels: ``"D"``, ``"W"``, ``"M"``, ... (default: a day for a
        ``ResponseFit``, whose curves are per day; "period" otherwise).
    dashed_beyond
        With ``points``: draw each curve solid up to the largest spend of its
        channel among them and dashed beyond, where the curve was never
        measured and says only what its formula extrapolates.
    ax, title
        Axes to draw on (a new figure when None); title stating the finding.

    Returns
    -------
    matplotlib.axes.Axes
        One line per channel in ``ax.lines``, in the order of ``curves``
        (201 points from 0 to ``upto``; with ``dashed_beyond``, the solid
        part, and the dashed parts follow, one per channel); the points
        (those within ``upto``), the current and the proposed marks in
        ``ax.collections``, labelled ``"points"``, ``"current"`` and
        ``"proposed"`` (in that order, those drawn).

    Raises
    ------
    ArgumentError
        Curves that are not functions or fail; spends of unknown channels
        or not numbers >= 0; a bad ``upto`` or ``per``; nothing to tell how
        far to draw (give ``upto``).
    DataError
        ``points`` without ``channel``, ``spend`` and ``outcome`` columns, or
        with no row of a channel drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> curves = {"search": lambda s: 2 * s ** 0.5, "douyin": lambda s: 4 * s ** 0.5}
    >>> ax = response_curves(curves, current={"search": 50, "douyin": 50},
    ...                      proposed={"search": 20, "douyin": 80}, per="D")
    >>> [line.get_label() for line in ax.lines], float(ax.lines[1].get_xdata()[-1])
    (['search', 'douyin'], 120.0)
    >>> ax.collections[1].get_offsets().round(2).tolist()  # proposed: 2√20, 4√80
    [[20.0, 8.94], [80.0, 35.78]]
    >>> ax.get_xlabel()
    'spend per day (yuan)'
    >>> plt.close(ax.figure)
    """
    import numpy as np
    from matplotlib.lines import Line2D

    names, fns = _curve_map(curves)
    word = _per_word(curves, per)
    marks = {what: _spends(given, names, what)
             for what, given in (("current", current), ("proposed", proposed))
             if given is not None}
    data = None if points is None else _points_frame(points, names)
    shown = [s for spends in marks.values() for s in spends.values()]
    if data is not None:
        shown += data["spend"].tolist()
    end = _upto(upto, shown, curves, fns)
    grid = np.linspace(0.0, end, 201)
    values = {name: _outcomes(f, name, grid) for name, f in zip(names, fns, strict=True)}
    colour = _channel_colours(names)
    ax = _new_axes(ax, (8, 4.5))
    if dashed_beyond and data is None:
        from coursekit.errors import ArgumentError

        raise ArgumentError("dashed_beyond needs the points the curves were fitted on",
                            name="dashed_beyond", value=dashed_beyond,
                            fix="pass points=fit (or its points table)")
    seen = ({} if not dashed_beyond else
            data.groupby("channel")["spend"].max().to_dict())  # type: ignore[union-attr]
    for name in names:
        inside = grid <= seen.get(name, np.inf)
        ax.plot(grid[inside], values[name][inside], color=colour[name], lw=2, label=name,
                zorder=2)
    handles = list(ax.lines[-len(names):])
    if dashed_beyond:
        for name in names:
            beyond = grid >= seen[name]
            ax.plot(grid[beyond], values[name][beyond], color=colour[name], lw=2, ls="--",
                    label="_beyond", zorder=2)
        handles.append(Line2D([], [], color="#595959", lw=2, ls="--",
                              label="beyond the spends seen 未观测"))
    if data is not None:
        data = data[data["spend"] <= end]
        ax.scatter(data["spend"], data["outcome"], s=14, alpha=0.3, zorder=1, linewidths=0,
                   c=[colour[c] for c in data["channel"]], label="points")
        handles.append(Line2D([], [], ls="none", marker="o", ms=4, alpha=0.4, color="#8c8c8c",
                              label="data 数据"))
    style = {"current": ("current 当前", True), "proposed": ("proposed 建议", False)}
    for what, spends in marks.items():
        keys = [n for n in names if n in spends]
        if not keys:
            continue
        x = np.array([spends[n] for n in keys])
        y = np.array([_outcomes(fns[names.index(n)], n, x[[k]])[0] for k, n in enumerate(keys)])
        text, filled = style[what]
        ax.scatter(x, y, s=70, zorder=4, linewidths=2, label=what,
                   edgecolors=[colour[n] for n in keys],
                   facecolors=[colour[n] for n in keys] if filled else "white")
        handles.append(Line2D([], [], ls="none", marker="o", ms=8, mew=2, color="#595959",
                              mfc="#595959" if filled else "white", label=text))
    ax.set_xlim(0, end)
    ax.set_ylim(bottom=min(0.0, *(float(v.min()) for v in values.values())))
    ax.set_xlabel(f"spend per {word} (yuan)")
    outcome = "sign-ups" if _is_fit(curves) else "outcome"
    ax.set_ylabel(f"{outcome} per {word}")
    ax.legend(handles=handles, loc="upper left", fontsize="small")
    if title:
        ax.set_title(title)
    return ax


def _common_level(spends: dict[str, float], slopes: dict[str, float]) -> float | None:
    """The marginal return every funded channel shares, when the split follows the
    equal-marginal rule: the channels with spend share one marginal return (within 1 %)
    and none left at 0 returns more on its first unit. None otherwise."""
    import numpy as np

    funded = [slopes[n] for n in spends if spends[n] > 0]
    if not funded or not all(np.isfinite(funded)):
        return None
    level = float(np.mean(funded))
    if max(funded) - min(funded) > _EQUAL_RTOL * abs(level):
        return None
    idle = [slopes[n] for n in spends if spends[n] == 0]
    if any(not np.isfinite(s) or s > level * (1 + _EQUAL_RTOL) for s in idle):
        return None
    return level


def marginal_curves(
    curves: Mapping[str, object] | object,
    *,
    allocation: Mapping[str, float] | pd.Series | None = None,
    upto: float | None = None,
    per: str | None = None,
    cost_of: str | None = "sign-up",
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Marginal returns (边际收益): the outcome each extra unit of spend brings, per channel.

    One line per channel: the slope :math:`f'(s)` of its response curve
    against spend (the curve's own ``marginal`` when it has one, as
    :class:`coursekit.growth.ResponseCurve` does; a finite difference
    otherwise). With diminishing returns the lines fall: each yuan brings
    less than the one before.

    With an ``allocation`` (spend by channel, e.g. from
    :func:`coursekit.growth.allocate_budget`), each channel's point at its
    allocated spend, and, when the split follows the equal-marginal rule
    (every channel with spend at one marginal return :math:`\\lambda`,
    within 1 %, and no channel left at 0 whose first yuan returns more), a
    dashed line at :math:`\\lambda`: moving a yuan between channels on the
    line changes nothing, so no move adds to the total (Boyd & Vandenberghe
    2004, *Convex Optimization*, §5.5.3). A split that breaks the rule (the
    current one, say) gets a dotted line at each channel's own marginal
    return instead: the gaps between them are what a better split gains.

    Parameters
    ----------
    curves
        A :class:`coursekit.growth.ResponseFit`, or a mapping of channel to
        a function of spend.
    allocation
        Spend by channel (a dict or a Series); channels left out get no point.
    upto
        The largest spend drawn (default: 1.5 times the largest allocated
        spend; else as in :func:`response_curves`).
    per
        The period of the curves' spend, for the axis label (default: a
        day for a ``ResponseFit``, "period" otherwise).
    cost_of
        What one unit of the outcome is, for the legend's marginal cost
        (``"sign-up"``: "marginal cost 69 yuan a sign-up"), or None to leave
        the cost out (curves of contribution in yuan, whose inverse is not a
        cost per anything).
    ax, title
        Axes to draw on (a new figure when None); title stating the finding.

    Returns
    -------
    matplotlib.axes.Axes
        One line per channel in ``ax.lines``, in the order of ``curves``
        (201 spends from 0 to ``upto``; NaN where the marginal return is
        infinite, as a power curve's at 0); then, with ``allocation``, the
        dashed common level (label starting ``"equal marginal return"``) or
        one dotted line per channel; the allocation's points in
        ``ax.collections[0]``, in the order of ``curves``.

    Raises
    ------
    ArgumentError
        As :func:`response_curves`: curves, ``allocation``, ``upto``, ``per``.

    Examples
    --------
    The best split of 100 between :math:`2\\sqrt{s}` and :math:`4\\sqrt{s}` is
    20 and 80, where both return :math:`1/\\sqrt{20} = 2/\\sqrt{80} \\approx 0.224`:

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> curves = {"search": lambda s: 2 * s ** 0.5, "douyin": lambda s: 4 * s ** 0.5}
    >>> ax = marginal_curves(curves, allocation={"search": 20.0, "douyin": 80.0})
    >>> level = ax.lines[2]
    >>> level.get_linestyle(), round(float(level.get_ydata()[0]), 3)
    ('--', 0.224)
    >>> plt.close(ax.figure)
    """
    import numpy as np
    from matplotlib.lines import Line2D

    names, fns = _curve_map(curves)
    word = _per_word(curves, per)
    if cost_of is not None and not (isinstance(cost_of, str) and cost_of.strip()):
        from coursekit.errors import ArgumentError

        raise ArgumentError("cost_of must name one unit of the outcome, or be None",
                            name="cost_of", value=cost_of, fix='cost_of="sign-up"')
    spends = {} if allocation is None else _spends(allocation, names, "allocation")
    end = _upto(upto, list(spends.values()), curves, fns)
    grid = np.linspace(0.0, end, 201)
    slopes = {name: _marginals(f, name, grid) for name, f in zip(names, fns, strict=True)}
    colour = _channel_colours(names)
    ax = _new_axes(ax, (8, 4.5))
    for name in names:
        ax.plot(grid, slopes[name], color=colour[name], lw=2, label=name, zorder=2)
    keys = [n for n in names if n in spends]
    at = {n: float(_marginals(fns[names.index(n)], n, np.array([spends[n]]))[0]) for n in keys}
    level = _common_level({n: spends[n] for n in keys}, at) if keys else None
    handles = list(ax.lines[-len(names):])
    if level is not None:
        cost = (f" (marginal cost {1 / level:,.3g} yuan a {cost_of})"
                if level > 0 and cost_of else "")
        handles.append(ax.axhline(
            level, color="#262626", lw=1.2, ls="--", zorder=3,
            label=f"equal marginal return 边际收益相等\n{level:.3g} per yuan{cost}"))
    elif keys:
        for n in keys:
            if np.isfinite(at[n]):
                handles.append(ax.axhline(at[n], color=colour[n], lw=1, ls=":", zorder=1,
                                          label=f"{n} at its spend: {at[n]:.3g} per yuan"))
    if keys:
        shown = [n for n in keys if np.isfinite(at[n])]
        ax.scatter([spends[n] for n in shown], [at[n] for n in shown], s=70, zorder=4,
                   c=[colour[n] for n in shown], edgecolors="white", linewidths=1.5,
                   label="allocation")
        handles.append(Line2D([], [], ls="none", marker="o", ms=8, color="#595959",
                              label="allocated spend 分配"))
    finite = np.concatenate([v[np.isfinite(v)] for v in slopes.values()] + [np.zeros(1)])
    top = float(finite.max())
    ref = [level] if level is not None else list(at.values())
    if not ref:  # the curves a third of the way along the axis
        ref = [float(s[67]) for s in slopes.values()]
    ref = [r for r in ref if np.isfinite(r) and r > 0]
    if ref and top > 4 * max(ref):  # a power curve's near-vertical start
        top = 4 * max(ref)
    ax.set_xlim(0, end)
    ax.set_ylim(min(0.0, float(finite.min())), top * 1.05 if top > 0 else 1.0)
    ax.set_xlabel(f"spend per {word} (yuan)")
    outcome = "sign-ups" if _is_fit(curves) else "outcome"
    ax.set_ylabel(f"{outcome} per extra yuan (marginal return)")
    ax.legend(handles=handles, loc="upper right", fontsize="small")
    if title:
        ax.set_title(title)
    return ax


def viral_growth(
    runs: Mapping[str, pd.DataFrame],
    *,
    market_size: float | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Viral growth (裂变增长): cumulative users over time, one line per simulated run.

    Draws the tables of :func:`coursekit.growth.simulate_viral` side by
    side (different K-factors, cycle times or seeds): each run's cumulative
    ``users`` against its ``day`` (against its index, the cycle number,
    unless every table has a ``day``), labelled at its end, and the market
    size as a dashed line, the ceiling that bends a K above 1 into an S.

    Parameters
    ----------
    runs
        Label -> a table with a ``users`` column (cumulative users) and,
        best, a ``day`` column, e.g. ``{"K = 0.6": simulate_viral(...),
        "K = 1.4": simulate_viral(...)}``.
    market_size
        The market's size, drawn as a dashed line (None: no line).
    ax, title
        Axes to draw on (a new figure when None); title stating the finding.

    Returns
    -------
    matplotlib.axes.Axes
        One line per run in ``ax.lines``, in the order of ``runs``, then the
        market line; the runs' labels in ``ax.texts`` (from the lowest end
        up), each at its line's last day (moved up or down only to keep
        labels apart), then the market's label.

    Raises
    ------
    DataError
        A run that is not a table with a numeric ``users`` column (and a
        numeric ``day`` column, when it has one; a numeric index, when drawn
        by cycle), or is empty.
    ArgumentError
        ``runs`` not a non-empty mapping; ``market_size`` not a number above 0.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from coursekit.growth import simulate_viral
    >>> runs = {f"K = {k}": simulate_viral(1000, k, 14, market_size=50_000, periods=20)
    ...         for k in (0.6, 1.4)}
    >>> ax = viral_growth(runs, market_size=50_000)
    >>> [t.get_text() for t in ax.texts[:2]], float(ax.lines[0].get_xdata()[-1])
    (['K = 0.6', 'K = 1.4'], 280.0)
    >>> ax.lines[-1].get_linestyle(), float(ax.lines[-1].get_ydata()[0])
    ('--', 50000.0)
    >>> plt.close(ax.figure)
    """
    import numpy as np
    import pandas as pd

    from coursekit.errors import ArgumentError, DataError

    if not isinstance(runs, Mapping) or isinstance(runs, pd.DataFrame) or not runs:
        raise ArgumentError("runs must map a label to each simulated run", name="runs",
                            value=runs, fix="e.g. {'K = 0.6': simulate_viral(...), "
                            "'K = 1.4': simulate_viral(...)}")
    if market_size is not None and (not _finite(market_size) or market_size <= 0):
        raise ArgumentError("market_size must be a number above 0 (None: no line)",
                            name="market_size", value=market_size,
                            fix="e.g. market_size=1_000_000")
    lines = {}
    for label, run in runs.items():
        if not isinstance(run, pd.DataFrame) or "users" not in run.columns:
            got = list(run.columns) if isinstance(run, pd.DataFrame) else type(run).__name__
            raise DataError(f"run {label!r} is not a table with a users column, got {got}",
                            table="runs", fix="pass the results of simulate_viral(...)")
        cols = ["day", "users"] if "day" in run.columns else ["users"]
        lines[str(label)] = _number_frame(run[cols], f"runs[{label!r}]")
    by_day = all("day" in frame.columns for frame in lines.values())
    for label, frame in lines.items():
        if not by_day and not pd.api.types.is_numeric_dtype(frame.index.dtype):
            raise DataError(f"run {label!r} has no day column and its index is not the "
                            f"cycle number ({frame.index.dtype})", table="runs",
                            rows=frame.head(3), fix="pass the tables of simulate_viral(...) "
                            "as they are, or give every run a day column")
    colours = iter(PALETTE * (len(lines) // len(PALETTE) + 1))
    ax = _new_axes(ax, (8, 4.5))
    ends, heights, spans = [], [], []
    for label, frame in lines.items():
        x = (frame["day"] if by_day else pd.Series(frame.index, index=frame.index)).to_numpy(
            dtype=float)
        y = frame["users"].to_numpy(dtype=float, na_value=np.nan)
        colour = next(colours)
        ax.plot(x, y, color=colour, lw=2, label=label)
        seen = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        if len(seen):
            ends.append((y[seen[-1]], x[seen[-1]], label, colour))
        heights.append(y)
        spans.append(x)
    if market_size is not None:
        ax.axhline(float(market_size), color="#595959", lw=1.2, ls="--",
                   label=f"market 市场规模 {float(market_size):,.0f}")
        heights.append(np.array([float(market_size)]))
    if ends:
        _label_ends(ax, pd.DataFrame({"users": np.concatenate(heights)}), ends)
    if market_size is not None:  # written at the left, clear of the runs' labels
        ax.text(0.01, float(market_size), f"market 市场规模 {float(market_size):,.0f}",
                transform=ax.get_yaxis_transform(), va="bottom", fontsize="small",
                color="#595959")
    ax.set_ylim(bottom=0)
    xs = np.concatenate(spans)
    if np.isfinite(xs).any():
        first, last = float(np.nanmin(xs)), float(np.nanmax(xs))
        ax.set_xlim(first, last + 0.12 * ((last - first) or 1.0))  # room for the labels
    ax.set_xlabel("day" if by_day else "viral cycle")
    ax.set_ylabel("users (cumulative) 累计用户")
    ax.yaxis.set_major_formatter("{x:,.0f}")
    if title:
        ax.set_title(title)
    return ax


def _row_label(value: object) -> str:
    """A row label as text; the levels of a MultiIndex joined (``format · video``)."""
    return " · ".join(str(v) for v in value) if isinstance(value, tuple) else str(value)


def forest(
    table: pd.DataFrame,
    *,
    estimate: str,
    low: str,
    high: str,
    reference: float | None = None,
    label: str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """A forest plot (森林图): each row's estimate as a dot on its interval, one row a line.

    Rows in the table's order, the first on top, so a table sorted by
    effect reads as a ranking. With a ``reference`` (0 for a difference, 1
    for a ratio such as :func:`coursekit.growth.content_effects`'s
    ``effect``), a vertical line at it, and the rows whose interval lies
    clear of it in the house colour, the others in grey: an interval that
    crosses the reference cannot tell the row from no effect.

    Parameters
    ----------
    table
        One row per estimate, e.g. :func:`coursekit.growth.content_effects`
        or :func:`coursekit.growth.referral_arms`.
    estimate, low, high
        Columns of the estimate and of its interval's ends. A row without an
        interval (both ends missing: a reference level) gets its dot only.
    reference
        The value of "no effect", drawn as a vertical line (None: no line).
    label
        Column of the row labels (None: the index; the levels of a
        MultiIndex are joined with " · ").
    ax, title
        Axes to draw on (a new figure when None); title stating the finding.

    Returns
    -------
    matplotlib.axes.Axes
        The intervals in ``ax.collections[0]`` (one segment per row with an
        interval, in table order), the estimates in ``ax.collections[1]``
        (one point per row, in table order: the first row at the largest
        y); the reference line in ``ax.lines``; the labels as y tick labels.

    Raises
    ------
    DataError
        ``table`` not a non-empty DataFrame; a column missing or not numeric;
        an estimate missing or infinite; an interval with one end missing,
        an infinite end, or not holding its estimate.
    ArgumentError
        ``reference`` not a finite number.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> t = pd.DataFrame({"effect": [1.0, 1.6, 0.9], "effect_low": [None, 1.3, 0.7],
    ...                   "effect_high": [None, 2.0, 1.2]},
    ...                  index=["image_post", "short_video", "live"])
    >>> ax = forest(t, estimate="effect", low="effect_low", high="effect_high", reference=1)
    >>> [x.get_text() for x in ax.get_yticklabels()]  # from the bottom up
    ['live', 'short_video', 'image_post']
    >>> ax.collections[1].get_offsets().tolist()  # (estimate, row): the first row on top
    [[1.0, 2.0], [1.6, 1.0], [0.9, 0.0]]
    >>> plt.close(ax.figure)
    """
    import numpy as np
    import pandas as pd

    from coursekit.errors import ArgumentError, DataError

    need = [estimate, low, high]
    if not isinstance(table, pd.DataFrame):
        raise DataError(f"expected a DataFrame, got {type(table).__name__}", table="table",
                        fix="pass a table with an estimate and its interval per row")
    missing = [c for c in [*need, *([] if label is None else [label])] if c not in table.columns]
    if missing:
        raise DataError(f"missing column(s) {missing}; the table has {list(table.columns)}",
                        table="table", column=missing,
                        fix="name the columns, e.g. estimate='effect', low='effect_low', "
                        "high='effect_high'")
    values = _number_frame(table[need], "table").to_numpy(dtype=float, na_value=np.nan)
    est, lo, hi = values.T
    bad = ~np.isfinite(est)
    if bad.any():
        raise DataError(f"{int(bad.sum())} row(s) without a finite {estimate}", table="table",
                        column=estimate, rows=table.loc[bad, need].head(5),
                        fix=f"leave them out, e.g. table.dropna(subset=[{estimate!r}])")
    bare = np.isnan(lo) & np.isnan(hi)
    broken = ~bare & ~(np.isfinite(lo) & np.isfinite(hi))
    if broken.any():
        raise DataError("interval(s) with one end missing or infinite", table="table",
                        column=[low, high], rows=table.loc[broken, need].head(5),
                        fix="give both ends, or neither (a row drawn as a dot)")
    tol = 1e-9 * np.maximum(1.0, np.abs(est))
    outside = ~bare & ((lo > est + tol) | (hi < est - tol))
    if outside.any():
        raise DataError(f"interval(s) that do not hold their {estimate}", table="table",
                        column=need, rows=table.loc[outside, need].head(5),
                        fix=f"check that {low!r} and {high!r} are the low and high ends")
    if reference is not None and not _finite(reference):
        raise ArgumentError("reference must be a number (0 for a difference, 1 for a "
                            "ratio) or None", name="reference", value=reference)
    names = [_row_label(v) for v in (table.index if label is None else table[label])]
    n = len(est)
    y = np.arange(n - 1, -1, -1, dtype=float)  # the first row on top
    clear = np.ones(n, dtype=bool) if reference is None else \
        ~bare & ((lo > reference) | (hi < reference))
    colours = [PALETTE[0] if c or reference is None else "#8c8c8c" for c in clear]
    ax = _new_axes(ax, (7, 0.42 * n + 1.3))
    has = ~bare
    ax.hlines(y[has], lo[has], hi[has], colors=[c for c, h in zip(colours, has, strict=True)
                                                if h], lw=2.5, zorder=2)
    ax.scatter(est, y, s=45, c=colours, zorder=3, edgecolors="white", linewidths=1)
    if reference is not None:
        ax.axvline(float(reference), color="#262626", lw=1, ls="--", zorder=1)
    ax.set_yticks(y[::-1], names[::-1])  # ticks from the bottom up
    ax.set_ylim(-0.6, n - 0.4)
    ax.margins(x=0.08)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(str(estimate))
    if title:
        ax.set_title(title)
    return ax
