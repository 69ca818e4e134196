"""Lessons back their claims with hidden assertions (docs/REVIEWING.md).

A claim cell is a code cell tagged ``claim`` and ``remove-cell``: the site
leaves it out, nbval and papermill run it, so a change of data that breaks a
claim fails the tests and names it. These tests check the cells' form; the
notebook tests run them.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _claims(path: Path) -> list[dict]:
    return [c for c in _cells(path) if "claim" in c.get("metadata", {}).get("tags", [])]


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_decision_has_its_claims(path):
    decisions = sum("**So:**" in "".join(c["source"]) for c in _cells(path)
                    if c["cell_type"] == "markdown")
    asserts = sum(isinstance(n, ast.Assert)
                  for c in _claims(path) for n in ast.walk(ast.parse("".join(c["source"]))))
    assert decisions == 0 or asserts >= decisions, (
        f"{path.name}: {decisions} decisions ('So:') but {asserts} asserted claims")


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_claim_cells_are_hidden_silent_and_named(path):
    for cell in _claims(path):
        source = "".join(cell["source"])
        assert cell["cell_type"] == "code", source
        assert "remove-cell" in cell["metadata"]["tags"], \
            f"{path.name}: shown on the site: {source}"
        assert not cell.get("outputs"), f"{path.name}: a claim cell prints: {source}"
        checks = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Assert)]
        assert checks, f"{path.name}: a claim cell without an assert: {source}"
        assert all(isinstance(n.msg, ast.Constant | ast.JoinedStr) for n in checks), \
            f"{path.name}: every assert says which claim it checks: {source}"
