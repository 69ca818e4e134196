"""``coursekit sandbox``: the instructor's commands print the sandbox's results readably, and a
mistake (a bad plan, a missing file, a world the sandbox cannot run on) is one paragraph on
stderr and exit code 2, before any work and without a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import refused, run

from coursekit import cli, sandbox
from coursekit.world import write_world

TEAM = next(p for p in sandbox.examples() if p.stem == "team_winback")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("world")
    write_world(folder, users=2000, seed=3)
    return folder


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    """A class's folder: the example plans."""
    folder = tmp_path / "plans"
    folder.mkdir()
    for path in sandbox.examples():
        shutil.copy(path, folder / path.name)
    return folder


# ------------------------------------------------------------------ run


def test_run_prints_the_summary_and_the_kpi_path(capsys, world):
    code, out, err = run(capsys, "sandbox", "run", TEAM, "--seed", "2", "--world", world)
    assert code == 0, err
    result = sandbox.simulate(TEAM, seed=2, world=world)
    assert out.startswith(f"{result.team}: seed 2, world {world}")
    assert f"{result.messages:,} messages" in out
    assert f"profit after fatigue {result.profit_after_fatigue:,.0f} yuan" in out
    for heading in ("by segment: customers and messages", "by segment: money (yuan)",
                    "KPI path by segment and action"):
        assert heading in out
    for segment in result.summary.index:  # every segment and the total
        assert f"\n{segment} " in out
    for step in sandbox.KPI_STEPS:
        assert step in out
    for action in result.kpis.index.get_level_values("action"):
        assert action in out
    total = out.split("by segment: money")[0].splitlines()[-2]  # the row "all" of the path
    assert total.split()[:3] == ["all", f"{int(result.summary.loc['all', 'customers']):,}",
                                 f"{int(result.summary.loc['all', 'reachable']):,}"]


def test_run_of_a_plan_with_a_mistake_names_the_file_and_the_part(capsys, world, tmp_path):
    bad = tmp_path / "team_typo.yaml"
    bad.write_text(TEAM.read_text(encoding="utf-8").replace("medium: wecom", "medium: wechat",
                                                            1), encoding="utf-8")
    err = refused(capsys, "sandbox", "run", bad, "--world", world,
                  says=("coursekit sandbox run: error: ", "team_typo.yaml",
                        "plan.segments[0].actions[0].medium", "unknown medium 'wechat'",
                        "How to fix: use one of"))
    assert len(err.strip().splitlines()) == 2  # what is wrong, and the fix


def test_run_of_unreadable_yaml_is_refused(capsys, world, tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("team: [unclosed\n", encoding="utf-8")
    refused(capsys, "sandbox", "run", bad, "--world", world,
            says=("broken.yaml", "the YAML cannot be read"))


@pytest.mark.parametrize("more, says", [
    (("--seed", "-1"), ("--seed", "cannot be negative")),
    (("--world", "no_such_world"), ("--world", "no such folder", "no_such_world")),
])
def test_run_refuses_a_bad_option(capsys, more, says):
    refused(capsys, "sandbox", "run", TEAM, *more, says=says)


def test_run_of_a_missing_plan_file_is_refused(capsys, tmp_path):
    refused(capsys, "sandbox", "run", tmp_path / "tema_winback.yaml",
            says=("no such plan file", "tema_winback.yaml"))


def test_run_refuses_a_folder_without_a_world_and_world_1(capsys, tmp_path):
    refused(capsys, "sandbox", "run", TEAM, "--world", tmp_path,
            says=("holds no generated world", "checksums.json"))
    write_world(tmp_path / "w1", users=cli.MIN_USERS, seed=1, world=1)
    refused(capsys, "sandbox", "run", TEAM, "--world", tmp_path / "w1",
            says=("World 1", "the sandbox runs on World 2"))


# ------------------------------------------------------------------ leaderboard


def test_leaderboard_prints_the_table_best_first_and_draws_the_chart(capsys, world, plans,
                                                                     tmp_path):
    chart = tmp_path / "board.png"
    code, out, err = run(capsys, "sandbox", "leaderboard", plans, "--seed", "1",
                         "--replicates", "2", "--world", world, "--chart", chart, "--quiet")
    assert code == 0, err
    assert err == ""  # --quiet: no progress bar
    board = sandbox.leaderboard(sorted(plans.glob("*.yaml")), seed=1, replicates=2,
                                world=world)
    assert out.startswith("3 plans and 3 reference rows, 2 replicates (seeds 1-2)")
    lines = out.splitlines()
    first = lines.index(next(line for line in lines if line.split() == ["team"])) + 1
    rows = lines[first:first + len(board)]
    assert [r.split("  ")[0].strip() for r in rows] == list(board.index)
    best = rows[0].split()
    assert f"{board['profit_after_fatigue'].iloc[0]:,.0f}" in best
    assert "profit_95%" in out and " to " in rows[0]
    assert f"wrote {chart}" in out
    assert chart.is_file() and chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_leaderboard_shows_a_progress_bar_unless_quiet(capsys, world, plans):
    code, _, err = run(capsys, "sandbox", "leaderboard", plans, "--replicates", "1",
                       "--world", world)
    assert code == 0
    assert "leaderboard" in err and "6/6" in err  # 3 plans + 3 reference rows, 1 replicate


def test_leaderboard_stops_on_a_bad_plan_naming_its_file(capsys, world, plans):
    (plans / "team_late.yaml").write_text(
        TEAM.read_text(encoding="utf-8").replace("team: Team Winback", "team: Team Late")
        .replace("horizon_weeks: 8", "horizon_weeks: 4"), encoding="utf-8")
    refused(capsys, "sandbox", "leaderboard", plans, "--world", world, "--quiet",
            says=("team_late.yaml", "outside the plan's horizon of 4 weeks"))


def test_leaderboard_refuses_two_teams_of_one_name_naming_both_files(capsys, world, plans):
    shutil.copy(TEAM, plans / "team_winback_copy.yaml")
    refused(capsys, "sandbox", "leaderboard", plans, "--world", world, "--quiet",
            says=("team_winback.yaml and", "team_winback_copy.yaml", "'Team Winback'",
                  "its own name"))


def test_leaderboard_refuses_a_reference_rows_name(capsys, world, tmp_path):
    (tmp_path / "oracle.yaml").write_text(
        TEAM.read_text(encoding="utf-8").replace("team: Team Winback", "team: oracle"),
        encoding="utf-8")
    refused(capsys, "sandbox", "leaderboard", tmp_path, "--world", world, "--quiet",
            says=("oracle.yaml", "reference row's name"))


@pytest.mark.parametrize("more, says", [
    (("--replicates", "0"), ("--replicates", "at least 1 replicate")),
    (("--seed", "-3"), ("--seed", "cannot be negative")),
    (("--chart", "board.jpg2"), ("--chart", ".png")),
    (("--chart", "no_such_folder/board.png"), ("--chart", "no folder no_such_folder")),
    (("--world", "no_such_world"), ("--world", "no such folder")),
])
def test_leaderboard_refuses_a_bad_option_before_any_work(capsys, plans, more, says):
    refused(capsys, "sandbox", "leaderboard", plans, "--quiet", *more, says=says)


def test_leaderboard_refuses_a_folder_without_plans(capsys, tmp_path):
    refused(capsys, "sandbox", "leaderboard", tmp_path, "--quiet",
            says=("no plans", ".yaml"))
    refused(capsys, "sandbox", "leaderboard", tmp_path / "no_such_folder", "--quiet",
            says=("no_such_folder does not exist",))
    refused(capsys, "sandbox", "leaderboard", TEAM, "--quiet",
            says=("is a file, not a folder",))


# ------------------------------------------------------------------ parameters


def test_parameters_lists_every_number_with_its_source(capsys):
    code, out, err = run(capsys, "sandbox", "parameters")
    assert code == 0 and err == ""
    table = sandbox.parameters()
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("name "))
    assert lines[header].split() == ["name", "value", "source", "meaning"]
    rows = [line for line in lines[header + 1:] if line[:1].strip()]
    assert [r.split()[0] for r in rows] == list(table.index)
    sms = next(r for r in rows if r.startswith("message_cost_sms "))
    assert sms.split()[1] == f"{table.loc['message_cost_sms', 'value']:g}"
    assert table.loc["message_cost_sms", "source"] in sms


def test_parameters_of_an_industry_mark_the_presets_numbers(capsys):
    code, out, err = run(capsys, "sandbox", "parameters", "--industry", "education")
    assert code == 0 and err == ""
    cost = next(r for r in out.splitlines() if r.startswith("message_cost_wecom "))
    assert cost.split()[1:3] == ["2", "preset:"]
    refused(capsys, "sandbox", "parameters", "--industry", "fintech",
            says=("--industry", "fintech", "education"))


# ------------------------------------------------------------------ industry and brief


def test_run_in_an_industry_and_against_the_brief(capsys, world, tmp_path):
    code, out, err = run(capsys, "sandbox", "run", TEAM, "--world", world,
                         "--industry", "local_services")
    assert code == 0, err
    result = sandbox.simulate(TEAM, world=world, industry="local_services")
    assert out.startswith(f"{result.team}: seed 0, world {world}, industry local_services")
    assert f"profit after fatigue {result.profit_after_fatigue:,.0f} yuan" in out
    assert out.rstrip().endswith("against the capstone's brief: nothing missing")
    short = tmp_path / "short.yaml"
    short.write_text(TEAM.read_text(encoding="utf-8").replace("wecom_persona:", "notes:"),
                     encoding="utf-8")
    code, out, err = run(capsys, "sandbox", "run", short, "--world", world)
    assert code == 0, err
    assert out.rstrip().endswith("against the capstone's brief: \n  no wecom_persona (企微人设)")


def test_leaderboard_prints_each_rows_paired_lead(capsys, world, plans):
    code, out, err = run(capsys, "sandbox", "leaderboard", plans, "--replicates", "2",
                         "--world", world, "--industry", "health_food", "--quiet")
    assert code == 0, err
    board = sandbox.leaderboard(sorted(plans.glob("*.yaml")), replicates=2, world=world,
                                industry="health_food")
    assert ", industry health_food;" in out.splitlines()[0]
    assert "lead_95%" in out and "compared seed by seed (paired)" in out
    first = next(line for line in out.splitlines() if line.startswith(board.index[0]))
    lo, hi = board.loc[board.index[0], ["lead_low", "lead_high"]]
    assert f"{lo:,.0f} to {hi:,.0f}" in first
