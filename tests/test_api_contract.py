"""The API's conventions (book/conventions.md) hold for every public function.

Walks the signature of every public function and method of the analytics
modules and fails, naming the function, when a concept is spelled another
way, a default is not the course tables' own, a return type depends on the
arguments, or a result carries metadata in ``.attrs``.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

from coursekit.schema import TABLES

MODULES = ["metrics", "cohorts", "funnels", "segments", "lifecycle", "clv", "experiments",
           "reach", "churn", "basket", "diagnose", "reports", "plots", "inputs", "schema",
           "bizmodel", "sandbox", "diffusion", "needs", "governance", "growth"]
ROOT = Path(__file__).resolve().parents[1]

# Another spelling of a concept -> the keyword the package uses for it.
SYNONYMS = {
    "customer_id": "customer", "user": "customer", "user_col": "customer",
    "customer_col": "customer", "id_col": "customer",
    "time": "at", "date": "at", "timestamp": "at", "time_col": "at", "date_col": "at",
    "event_time": "at or event_at", "order_time": "at or order_at",
    "activity_at": "event_at", "ticket_time": "ticket_at", "signup_time": "signup_at",
    "cutoff": "asof", "as_of": "asof", "calibration_end": "asof", "snapshot": "asof",
    "reference_date": "asof", "observation_end": "holdout_end",
    "period": "per", "unit": "per", "freq": "per", "frequency": "per", "granularity": "per",
    "window": "window_days", "within": "window_days", "windows": "window_days",
    "days": "window_days (or a list of day numbers: days)",
    "event": "event_type", "event_col": "event_type",
    "basket": "order_key", "order_id": "order_key", "order": "order_key",
    "item": "product", "product_id": "product",
    "group_by": "by", "groupby": "by", "group": "by (or group: the A/B group column)",
    "end": "asof (or start/end of a report range)",
}
# Spellings that are right where they are, with the reason.
ALLOWED = {
    ("reports", "end"): "start/end pick a range of whole report periods",
    ("cohorts.day_n_retention", "days"): "the list of day numbers N, not a window",
    ("experiments", "group"): "the A/B group column (treatment / control)",
    ("schema", "unit"): "a column's unit of measurement (yuan, days) in the data contract",
}
# Functions whose return type follows their input on purpose.
ELEMENTWISE = {  # numpy-like formulas: a number gives a number, an array an array
    "metrics.ltv_simple", "metrics.roi", "clv.BetaGeo.expected_purchases",
    "growth.ResponseCurve.marginal",
}
REDUCTIONS = {  # like pandas' own reductions: one curve gives a number, a table of them a Series
    "metrics.payback_periods",
}
PERIODS = {"D", "W", "M", "Q", "Y", None}


def _public() -> list[tuple[str, str, inspect.Signature]]:
    out = []
    for name in MODULES:
        mod = importlib.import_module(f"coursekit.{name}")
        for attr in getattr(mod, "__all__", []):
            obj = getattr(mod, attr)
            if inspect.isclass(obj):
                for meth, fn in vars(obj).items():
                    if (meth == "__init__" or not meth.startswith("_")) and inspect.isfunction(fn):
                        out.append((name, f"{name}.{attr}.{meth}", inspect.signature(fn)))
            elif inspect.isfunction(obj):
                out.append((name, f"{name}.{attr}", inspect.signature(obj)))
    return out


PUBLIC = _public()
IDS = [qual for _, qual, _ in PUBLIC]
COLUMNS = {c.name for t in TABLES.values() for c in t.columns}


def _allowed(module: str, qual: str, param: str) -> bool:
    short = qual.split(".", 1)[1]
    return (module, param) in ALLOWED or (f"{module}.{short.split('.')[0]}", param) in ALLOWED


def test_the_walk_finds_the_api():
    assert len(PUBLIC) > 100
    assert {"metrics.arpu", "segments.rfm", "clv.summary", "churn.features"} <= set(IDS)


@pytest.mark.parametrize(("module", "qual", "sig"), PUBLIC, ids=IDS)
def test_one_keyword_per_concept(module, qual, sig):
    wrong = {p: SYNONYMS[p] for p in sig.parameters
             if p in SYNONYMS and not _allowed(module, qual, p)}
    assert not wrong, f"{qual}: use {wrong} (book/conventions.md)"


@pytest.mark.parametrize(("module", "qual", "sig"), PUBLIC, ids=IDS)
def test_defaults_are_the_course_tables_own(module, qual, sig):
    for name, p in sig.parameters.items():
        if name == "customer":
            assert p.default == "user_id", f"{qual}: customer defaults to {p.default!r}"
        if (name == "at" or name.endswith("_at")) and p.default is not inspect.Parameter.empty:
            assert p.default in COLUMNS, f"{qual}: {name}={p.default!r} is no course column"
        if name == "per" and p.default is not inspect.Parameter.empty:
            assert p.default in PERIODS, f"{qual}: per={p.default!r}"
        if name == "asof":
            assert p.default in (None, inspect.Parameter.empty), f"{qual}: asof default"
        if name == "by":
            text = str(p.annotation)
            assert "Series" not in text and "ndarray" not in text, \
                f"{qual}: by is a column name, not {text}"


@pytest.mark.parametrize(("module", "qual", "sig"), PUBLIC, ids=IDS)
def test_one_return_type(module, qual, sig):
    if qual in ELEMENTWISE or qual in REDUCTIONS or qual.endswith(".__init__"):
        return
    ret = str(sig.return_annotation)
    assert sig.return_annotation is not inspect.Signature.empty, f"{qual}: no return annotation"
    kinds = [k.strip() for k in ret.split("|") if k.strip() not in ("None",)]
    pandas_like = [k for k in kinds if re.search(r"Series|DataFrame|float|int\b|ndarray", k)]
    assert len(pandas_like) <= 1, f"{qual} returns {ret}: one type whatever the arguments"


def test_no_metadata_in_attrs():
    """pandas drops ``.attrs`` in most operations: results keep metadata elsewhere."""
    hits = []
    for path in sorted((ROOT / "coursekit").rglob("*.py")):
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\.attrs\b", line):
                hits.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()}")
    assert not hits, "\n".join(hits)


def test_the_conventions_page_names_every_keyword():
    page = (ROOT / "book" / "conventions.md").read_text(encoding="utf-8")
    for keyword in ("customer", "at", "signup_at", "event_at", "order_at", "amount", "asof",
                    "holdout_end", "per", "window_days", "event_type", "order_key", "product",
                    "session", "by", "basis", "DataError", "ArgumentError", "CourseError"):
        assert f"`{keyword}`" in page, keyword


COMPUTING = [m for m in MODULES if m != "plots"]


@pytest.mark.parametrize("module", COMPUTING)
def test_drawing_lives_in_plots(module):
    place = ROOT / "coursekit" / module
    files = sorted(place.glob("*.py")) if place.is_dir() else [place.with_suffix(".py")]
    for path in files:
        assert "matplotlib" not in path.read_text(encoding="utf-8"), \
            f"{path.relative_to(ROOT)} draws: move it to coursekit.plots"


def test_no_module_imports_another_modules_privates():
    """Shared engines are private modules (``_arrays``, ``_periods``, ``_values``); a
    module's own ``_helpers`` stay its own."""
    found = []
    for path in sorted((ROOT / "coursekit").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(
                    "coursekit"):
                continue
            if node.module.split(".")[-1].startswith("_"):
                continue
            private = [a.name for a in node.names if a.name.startswith("_") and a.name != "____"]
            if private:
                found.append(f"{path.relative_to(ROOT)}: {node.module} {private}")
    assert not found, "\n".join(found)
