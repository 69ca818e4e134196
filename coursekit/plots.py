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
    import pandas as pd
    from matplotlib.axes import Axes

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

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 4))
    ax.plot(series.index, series.to_numpy(), lw=0.8, color=PALETTE[0], alpha=0.6,
            label="daily")
    if rolling:
        smooth = series.rolling(rolling, center=True, min_periods=1).mean()
        ax.plot(series.index, smooth.to_numpy(), lw=2, color=PALETTE[0],
                label=f"{rolling}-day mean")
    for label, day in (marks or {}).items():
        when = pd.Timestamp(day)
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


def ranked_bar(
    values: pd.Series,
    *,
    highlight: Sequence[object] = (),
    share: bool = False,
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
    title, xlabel
        Title (state the finding) and x-axis label.
    ax
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> values = pd.Series({"自然 organic": 40, "抖音 douyin": 25})
    >>> ax = ranked_bar(values, highlight=["抖音 douyin"])
    >>> [t.get_text() for t in ax.get_yticklabels()]  # from the bottom up
    ['抖音 douyin', '自然 organic']
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    ordered = values.sort_values(ascending=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.45 * len(ordered) + 1.2))
    colours = [HIGHLIGHT if label in set(highlight) else PALETTE[0] for label in ordered.index]
    bars = ax.barh([str(i) for i in ordered.index], ordered.to_numpy(), color=colours)
    labels = [f"{v:.0%}" if share else f"{v:,.0f}" for v in ordered.to_numpy()]
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

    values = table.to_numpy(dtype=float, na_value=np.nan)
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
