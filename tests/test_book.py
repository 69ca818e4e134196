"""The rendered course site: ``coursekit build book`` on a tiny course.

Two real jupyter-book builds (about 5 s each): a good course, and one whose
lesson makes Sphinx warn. Notebooks that are saved with errors or unexecuted
are refused before jupyter-book runs, so those tests are fast.
"""

from __future__ import annotations

import contextlib
import html
import io
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from coursekit.build.book import (
    CoursePages,
    build_book,
    course_pages,
    notebook_problems,
    toc_text,
)

REPO = Path(__file__).resolve().parents[1]
METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python", "version": "3.11.9", "mimetype": "text/x-python"},
}


def lesson(
    title: str,
    marker: str,
    *,
    text: str = "Revenue per user is the {term}`ARPU`.",
    executed: bool = True,
    error: bool = False,
) -> nbformat.NotebookNode:
    """A small notebook saved as after *Run All*: a title, one output, one result."""
    first, second = (1, 2) if executed else (None, None)
    printed = [new_output("stream", name="stdout", text=f"{marker}\n")] if executed else []
    result = [new_output("execute_result", data={"text/plain": "42"}, execution_count=second)]
    if error:
        result = [
            new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])
        ]
    return new_notebook(
        metadata=METADATA,
        cells=[
            new_markdown_cell(f"# {title}\n\n{text}", id="title"),
            new_code_cell(f"print({marker!r})", id="first", execution_count=first, outputs=printed),
            new_code_cell("6 * 7", id="second", execution_count=second, outputs=result),
            new_code_cell("", id="blank"),
        ],
    )


def make_course(root: Path, notebooks: dict[str, nbformat.NotebookNode]) -> Path:
    """A course folder: the repository's ``book/`` plus the given notebooks."""
    shutil.copytree(REPO / "book", root / "book")
    for rel, nb in notebooks.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(root / rel))
    return root


def run_build(root: Path) -> tuple[int, str]:
    """``build_book(root)`` with everything it prints."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        code = build_book(root)
    return code, buffer.getvalue()


def solution(title: str) -> nbformat.NotebookNode:
    """A solution notebook with markers, learner aids and a solution-only note."""
    nb = lesson(title, "solved")
    check = [new_output("stream", name="stdout", text="Correct: `n` matches the data.\n")]
    nb.cells[1:1] = [
        new_markdown_cell("Write each answer where it says your code here.", id="howto",
                          metadata={"tags": ["exercise-only"]}),
        new_markdown_cell("*Worked solutions:* the reference answers.", id="note",
                          metadata={"tags": ["solution-only"]}),
        new_code_cell("# BEGIN SOLUTION q1\nn = 6 * 7\n# STUB: n = ____\n# END SOLUTION\n"
                      "print('Correct: `n` matches the data.')", id="answer", execution_count=3,
                      outputs=check),
        new_code_cell("# q1.hint()\n# q1.solution()", id="aids", execution_count=4),
    ]
    return nb


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    """A good tiny course, built once: (root, exit code, output)."""
    pytest.importorskip("jupyter_book")
    root = make_course(
        tmp_path_factory.mktemp("course"),
        {  # written out of order: the toc must not depend on it
            "notebooks/02_growth.ipynb": lesson("2 · Growth · 增长", "output of lesson two"),
            "notebooks/01_models.ipynb": lesson("1 · Models · 商业模式", "output of lesson one",
                                                text="ARPU is $\\frac{R}{U}$, the {term}`ARPU`."),
            "notebooks/scratch.ipynb": lesson("Scratch", "not a lesson", error=True),
            "solutions/01_models_exercises.ipynb": solution("1 · Exercises · 练习"),
        },
    )
    code, output = run_build(root)
    return root, code, output


def test_site_has_intro_lessons_solutions_and_glossary(site: tuple[Path, int, str]) -> None:
    root, code, output = site
    assert code == 0, output
    html = root / "_build" / "book" / "html"
    for page in [
        "index.html",
        "intro.html",
        "glossary.html",
        "notebooks/01_models.html",
        "notebooks/02_growth.html",
        "solutions/01_models_exercises.html",
    ]:
        assert (html / page).is_file(), page
    assert not (html / "notebooks" / "scratch.html").exists()  # not named NN_*.ipynb
    # the stored outputs are shown; nothing was executed
    assert "output of lesson one" in (html / "notebooks/01_models.html").read_text(encoding="utf-8")
    assert "精细化运营" in (html / "glossary.html").read_text(encoding="utf-8")
    assert "_build/book/html" in output.replace("\\", "/")
    assert (html / "agenda.html").is_file()  # the computed timing page


def test_the_site_loads_nothing_from_the_network(site: tuple[Path, int, str]) -> None:
    from coursekit.build.book import external_resources

    root, code, output = site
    assert code == 0, output
    site_dir = root / "_build" / "book" / "html"
    assert external_resources(site_dir) == []
    page = (site_dir / "notebooks" / "01_models.html").read_text(encoding="utf-8")
    assert '_static/mathjax/tex-chtml.js"' in page          # formulas render offline
    assert (site_dir / "_static" / "mathjax" / "tex-chtml.js").is_file()


def test_the_site_brings_a_chinese_font_for_every_character_it_shows(
        site: tuple[Path, int, str]) -> None:
    from coursekit.build import webfont

    root, code, output = site
    assert code == 0, output
    site_dir = root / "_build" / "book" / "html"
    font = site_dir / "_static" / "fonts" / "course-zh.woff"
    shown = webfont.chinese_characters(site_dir)
    assert {"增", "长", "练", "习"} <= shown                 # from the lesson titles
    assert webfont.uncovered(shown, font) == set()
    assert font.stat().st_size < 300_000                       # subset, not the 10 MB font
    assert (font.parent / "OFL.txt").is_file()                 # the licence travels with it
    intro = (site_dir / "intro.html").read_text(encoding="utf-8")
    assert "_static/course-zh.css" in intro
    css = (site_dir / "_static" / "course-zh.css").read_text(encoding="utf-8")
    assert webfont.FONT_FAMILY in css and 'url("fonts/course-zh.woff")' in css


def test_external_resources_are_found_in_pages_and_styles(tmp_path: Path) -> None:
    from coursekit.build.book import external_resources

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "p.html").write_text(
        '<link rel="stylesheet" href="https://fonts.example/c.css">'
        '<link rel="next" href="https://example.org/next.html">'
        '<img src="//img.example/x.png"><a href="https://example.org">read on</a>',
        encoding="utf-8")
    (tmp_path / "s.css").write_text("@font-face{src:url('https://f.example/z.woff2')}",
                                    encoding="utf-8")
    assert external_resources(tmp_path) == [
        ("a/p.html", "https://fonts.example/c.css"), ("a/p.html", "//img.example/x.png"),
        ("s.css", "https://f.example/z.woff2")]


def test_solutions_read_as_worked_solutions(site: tuple[Path, int, str]) -> None:
    root, code, output = site
    assert code == 0, output
    page = (root / "_build" / "book" / "html" / "solutions" / "01_models_exercises.html")
    text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
    assert "Worked solutions" in text and "n = 6 * 7" in text and "matches the data" in text
    for gone in ("BEGIN SOLUTION", "END SOLUTION", "STUB", "q1.hint()",
                 "Write each answer where"):
        assert gone not in text, gone


def test_toc_lists_notebooks_in_name_order(site: tuple[Path, int, str]) -> None:
    root, _, _ = site
    toc = (root / "_build" / "book_src" / "_toc.yml").read_text(encoding="utf-8")
    order = [
        toc.index('"intro"'),
        toc.index('"notebooks/01_models"'),
        toc.index('"notebooks/02_growth"'),
        toc.index('"solutions/01_models_exercises"'),
        toc.index('"glossary"'),
    ]
    assert order == sorted(order)
    assert "scratch" not in toc
    assert course_pages(root) == CoursePages(
        lessons=("notebooks/01_models.ipynb", "notebooks/02_growth.ipynb"),
        solutions=("solutions/01_models_exercises.ipynb",),
        reference=tuple(
            sorted(
                (p.name for p in (REPO / "book").glob("*.md") if p.stem != "intro"),
                key=lambda n: (n not in ("glossary.md", "references.md"), n),
            )
        ),
    )


def test_toc_leaves_out_empty_parts() -> None:
    text = toc_text(CoursePages(lessons=(), solutions=(), reference=("glossary.md",)))
    assert "Lessons" not in text and "Solutions" not in text
    assert text.endswith('  - caption: "Reference"\n    chapters:\n      - file: "glossary"\n')


def test_notebook_with_error_output_is_refused(tmp_path: Path) -> None:
    root = make_course(
        tmp_path,
        {
            "notebooks/01_models.ipynb": lesson("1 · Models", "fine"),
            "notebooks/03_arpu.ipynb": lesson("3 · ARPU", "x", error=True),
        },
    )
    code, output = run_build(root)
    assert code == 1
    assert "notebooks/03_arpu.ipynb, cell 3 (id second): error output ZeroDivisionError" in output
    assert "01_models" not in output
    assert not (root / "_build" / "book").exists()  # jupyter-book never ran


def test_unexecuted_notebook_is_refused(tmp_path: Path) -> None:
    root = make_course(
        tmp_path,
        {"solutions/05_ops_exercises.ipynb": lesson("5 · Ops", "x", executed=False)},
    )
    code, output = run_build(root)
    assert code == 1
    assert "solutions/05_ops_exercises.ipynb, cell 2 (id first) and 1 more code cell" in output
    assert "saved unexecuted" in output
    assert not (root / "_build" / "book").exists()


def test_intended_error_is_allowed(tmp_path: Path) -> None:
    nb = lesson("Bad input", "x", error=True)
    nb.cells[2].metadata["tags"] = ["raises-exception"]
    nbformat.write(nb, str(tmp_path / "07_bad_input.ipynb"))
    assert notebook_problems(tmp_path / "07_bad_input.ipynb") == []


def test_sphinx_warning_fails_the_build(tmp_path: Path) -> None:
    """jupyter-book 1.x exits 0 on warnings unless run with -W: ours must not."""
    pytest.importorskip("jupyter_book")
    root = make_course(
        tmp_path,
        {"notebooks/04_typo.ipynb": lesson("4 · Typo", "x", text="See {term}`no such term`.")},
    )
    code, output = run_build(root)
    assert code != 0
    # the warning names the repository's notebook, not the staged copy
    assert "notebooks/04_typo.ipynb" in output.replace("\\", "/")
    assert "term not in glossary" in output
    assert "book_src/notebooks" not in output.replace("\\", "/")


def test_the_repository_link_is_set_in_the_staged_config_and_checked(tmp_path: Path) -> None:
    from coursekit.build.book import set_repository
    from coursekit.errors import ArgumentError

    config = tmp_path / "_config.yml"
    shutil.copyfile(REPO / "book" / "_config.yml", config)
    set_repository(config, "https://github.com/example/course")
    text = config.read_text(encoding="utf-8")
    assert "use_repository_button: true" in text
    assert "url: https://github.com/example/course" in text
    shutil.copyfile(REPO / "book" / "_config.yml", config)
    set_repository(config, "https://git.example.org/course")
    text = config.read_text(encoding="utf-8")
    assert "use_repository_button: false" in text
    assert 'href="https://git.example.org/course"' in text
    assert "execute_notebooks: 'off'" in text or "execute_notebooks: off" in text
    with pytest.raises(ArgumentError, match="web address"):
        set_repository(config, "course repo")


def test_a_site_that_would_not_read_offline_is_refused_with_its_reasons(tmp_path: Path,
                                                                       capsys) -> None:
    from coursekit.build import webfont
    from coursekit.build.book import _not_offline

    font = webfont.subset_font({"运"}, tmp_path / "zh.woff")
    site = tmp_path / "html"
    site.mkdir()
    (site / "p.html").write_text("<p>运营</p>", encoding="utf-8")
    assert _not_offline(site, font)
    assert "lacks 1 character(s) its pages use: 营" in capsys.readouterr().err
    (site / "p.html").write_text('<p>运</p><script src="https://cdn.example/x.js"></script>',
                                 encoding="utf-8")
    assert _not_offline(site, font)
    assert "p.html loads https://cdn.example/x.js" in capsys.readouterr().err
    (site / "p.html").write_text("<p>运</p>", encoding="utf-8")
    assert not _not_offline(site, font)
