"""Styled tables display the same on every run (coursekit.setup in IPython)."""

import pandas as pd
import pytest

import coursekit


@pytest.fixture(autouse=True)
def pandas_options_restored():
    """setup() sets pandas display options for the process: put them back after."""
    with pd.option_context("display.max_columns", 20, "display.width", 120,
                           "display.precision", 3):
        yield


@pytest.fixture()
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    sh = InteractiveShell.instance()
    yield sh
    InteractiveShell.clear_instance()


def test_styled_tables_get_numbered_ids_and_a_readable_text(shell) -> None:
    coursekit.setup(style=False)
    frame = pd.DataFrame({"share": [0.1234, 0.5], "revenue": [12345.6, 7.0]},
                         index=pd.Index(["douyin_ads", "x"], name="channel"))
    styled = frame.style.format({"share": "{:.1%}", "revenue": "{:,.0f}"})
    first, _ = shell.display_formatter.format(styled)
    second, _ = shell.display_formatter.format(frame.style)
    ids = [d["text/html"].split('<table id="')[1].split('"')[0] for d in (first, second)]
    assert ids[0].startswith("T_ck") and ids[1].startswith("T_ck") and ids[0] != ids[1]
    assert 'class="dataframe"' in first["text/html"]  # styled like a plain DataFrame
    own, _ = shell.display_formatter.format(frame.style.set_table_attributes('class="mine"'))
    assert 'class="mine"' in own["text/html"] and "dataframe" not in own["text/html"]
    assert "0x" not in first["text/plain"]
    assert first["text/plain"].splitlines() == [
        "            share  revenue",
        "   channel",
        "douyin_ads  12.3%   12,346",
        "         x  50.0%        7",
    ]


def test_outside_ipython_setup_leaves_display_alone() -> None:
    coursekit.setup(style=False)  # no shell: nothing registered, nothing raised
    assert "<table" in pd.DataFrame({"a": [1]}).style.to_html()
