"""coursekit: data, analytics helpers, exercise checks and build tools for the
course *Internet Operations, data-driven* (互联网运营 · 精细化运营).

Light imports only: ``import coursekit`` must stay fast, so heavy modules are
imported inside the functions that need them.

Conventions of every analytics function (the course site's "Conventions"
page has the full table):

- plain DataFrames in, one type out (a DataFrame or a small frozen result);
  column names default to the course tables' own, so ``segments.rfm(orders)``
  needs no keyword; CDNOW calls pass ``customer="customer_id"``;
- one keyword per concept: ``customer`` (the id column), ``at`` (the time
  column of the first table; ``signup_at``, ``order_at``, ``event_at`` ...
  for the others), ``amount``, ``asof`` (exclusive: only rows strictly
  before it count), ``per`` (``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``),
  ``window_days``, ``event_type``, ``order_key``, ``product``, ``by`` (a
  column name);
- bad data raises :class:`DataError` (table, column, example rows, a fix), a
  bad argument :class:`ArgumentError` (its name, the value, what is
  allowed); both are :class:`CourseError` and ``ValueError``.

Examples
--------
>>> import coursekit
>>> orders = coursekit.load("orders")
>>> int(orders["order_id"].is_unique)
1
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coursekit.errors import ArgumentError, CourseError, DataError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__version__ = "0.1.0"
__all__ = ["ArgumentError", "CourseError", "DataError", "datasets", "festivals", "load",
           "setup", "truth", "use_world", "__version__"]


def load(name: str, *, world: str | None = None) -> pd.DataFrame:
    """Load one table of the course data as a typed DataFrame.

    See :func:`coursekit.data.load` for the details.
    """
    from coursekit.data import load as _load

    return _load(name, world=world)


def datasets(*, world: str | None = None) -> pd.DataFrame:
    """The catalog of tables: name, rows, description. See :func:`coursekit.data.catalog`."""
    from coursekit.data import catalog

    return catalog(world=world)


def truth(*, world: str | None = None) -> dict:
    """What really generated the world: its parameters, effects and planted
    incidents (``truth.json``), to set an estimate beside. See
    :func:`coursekit.data.truth`.

    Examples
    --------
    >>> import coursekit
    >>> [incident["name"] for incident in coursekit.truth()["incidents"]]
    ['tracking_outage', 'warehouse_delay', 'payment_bug']
    """
    from coursekit.data import truth as _truth

    return _truth(world=world)


def festivals(*, world: str | None = None) -> pd.DataFrame:
    """The peak day of every festival in the world's calendar, one row each.

    Read from the world's ``truth.json`` (the calendar is data, like the
    tables): the shopping festivals (Women's Day, 618, Double 11, Double 12)
    and the lunar holidays (Spring Festival, Mid-Autumn) of every year.

    Returns
    -------
    pandas.DataFrame
        ``festival`` (name) and ``date`` (a Timestamp), in date order.

    Examples
    --------
    >>> import coursekit
    >>> days = coursekit.festivals()
    >>> days.loc[days["festival"] == "double_11", "date"].dt.strftime("%Y-%m-%d").tolist()
    ['2024-11-11', '2025-11-11']
    """
    import pandas as pd

    listed = truth(world=world).get("festival_days")
    if not listed:
        raise DataError(
            "this world's truth.json has no festival_days",
            table="truth",
            fix="regenerate the world with this version of coursekit "
            "(coursekit data generate ... --force)",
        )
    rows = [(name, day) for name, days in listed.items() for day in days]
    out = pd.DataFrame(rows, columns=["festival", "date"])
    out["date"] = pd.to_datetime(out["date"], format="%Y-%m-%d")
    return out.sort_values(["date", "festival"], ignore_index=True)


def use_world(path: str | None) -> None:
    """Make ``path`` (a folder written by ``coursekit data generate``) the
    world that :func:`load` reads by default; ``None`` goes back to the
    committed default world."""
    from coursekit.data import use_world as _use

    _use(path)


def setup(*, world: str | None = None, style: bool = True) -> None:
    """Prepare a notebook: house plot style with Chinese fonts, tidy pandas
    display, and (optionally) the world to load.

    Parameters
    ----------
    world
        Folder of a generated world to use instead of the default one.
    style
        Apply the house plot style (fonts, colours, sizes).
    """
    if world is not None:
        use_world(world)
    import pandas as pd

    pd.set_option("display.max_columns", 20)
    pd.set_option("display.width", 120)
    pd.set_option("display.precision", 3)
    if style:
        from coursekit.plots import set_style

        set_style()
    _stable_styled_tables()


_styled_tables = 0


def _stable_styled_tables() -> None:
    """Show pandas styled tables the same way on every run of a notebook.

    A ``Styler`` names its HTML table with a random id and prints as
    ``<Styler at 0x...>``, so each run of a lesson changes its saved outputs.
    In IPython this registers two display formatters: the HTML gets the id
    ``T_ck<n>`` (the n-th styled table shown in the kernel) and, unless it has
    table attributes of its own, the class ``dataframe`` so that it looks like
    a plain DataFrame (padding, striped rows); the plain text
    is the formatted table itself, columns aligned. Outside IPython it does
    nothing.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return
    shell = get_ipython()
    if shell is None:
        return
    from pandas.io.formats.style import Styler

    def html(styler: Styler) -> str:
        global _styled_tables
        _styled_tables += 1
        styler = styler.set_uuid(f"ck{_styled_tables}")
        if not styler.table_attributes:  # look like a plain DataFrame (JupyterLab, the site)
            styler = styler.set_table_attributes('class="dataframe"')
        return styler.to_html()

    def text(styler: Styler, printer: object, cycle: bool) -> None:
        rows = [line.split("\t") for line in styler.to_string(delimiter="\t").splitlines()]
        widths = [max(len(r[i]) for r in rows if i < len(r)) for i in range(max(map(len, rows)))]
        lines = ("  ".join(v.rjust(w) for v, w in zip(r, widths, strict=False)) for r in rows)
        printer.text("\n".join(line.rstrip() for line in lines))  # type: ignore[attr-defined]

    formatters = shell.display_formatter.formatters
    formatters["text/html"].for_type(Styler, html)
    formatters["text/plain"].for_type(Styler, text)
