"""Render the course site (``coursekit build book``, ``make book``).

The site is built with jupyter-book 1.x, offline, from a staged copy of the
course so that nothing in the repository is written to except ``_build/``::

    _build/book_src/       staged source, removed and recreated each build
        _config.yml ...    copied from book/
        _toc.yml           generated from the notebooks that exist
        notebooks/NN_*.ipynb
        solutions/*.ipynb
    _build/book/html/      the site (open index.html)

The table of contents is generated: the start page ``intro`` as root, a part
"Lessons" with every ``notebooks/NN_*.ipynb`` in name order, a part
"Solutions" with every ``solutions/*.ipynb`` in name order (each shown as a
worked solution, :func:`coursekit.build.exercises.worked_solution`), and a part
"Reference" with the timing page ``agenda`` (computed from the notebooks at
each build by :mod:`coursekit.build.agenda`), ``glossary``, ``references``
and any other page of ``book/``. A new notebook therefore never needs a toc edit.

Notebooks are not executed by the build (``execute_notebooks: "off"``): the
site shows the outputs stored in them. The build therefore refuses notebooks
saved with an error output (unless the cell is tagged ``raises-exception``,
the tag nbval and jupyter-book use for an intended error) or saved
unexecuted. jupyter-book runs with ``-n -W --keep-going``, so any Sphinx
warning fails the build instead of being printed and forgotten.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import nbformat

from coursekit.build import webfont
from coursekit.build.agenda import agenda_markdown
from coursekit.build.exercises import read_notebook, worked_solution
from coursekit.errors import ArgumentError

__all__ = [
    "CoursePages",
    "build_book",
    "external_resources",
    "set_repository",
    "course_pages",
    "notebook_problems",
    "toc_text",
]

#: Lessons are the notebooks of ``notebooks/`` named like ``05_fine_grained_ops.ipynb``
#: or, for a module split in parts, ``06a_method.ipynb``.
LESSON_NAME = re.compile(r"^\d{2}[a-z]?_[^/\\]+\.ipynb$")
#: The start page and the pages of the "Reference" part that come first, in this order.
ROOT_PAGE = "intro"
REFERENCE_PAGES = ("glossary", "references")
#: The page computed at each build from the notebooks (coursekit.build.agenda).
AGENDA_PAGE = "agenda.md"
#: A cell with this tag is meant to raise; its error output is part of the lesson.
RAISES_TAG = "raises-exception"
#: Files of ``book/`` that the build writes or that are never content.
_IGNORED = ("_toc.yml", "_build", ".ipynb_checkpoints", "__pycache__", ".DS_Store")
#: How jupyter-book is started (``python -m jupyter_book`` does not exist in 1.x). Importing
#: ``rfc3987_syntax`` builds ~35 parsers and costs 1-2 s per process (jsonschema issue #1428);
#: jsonschema skips it when it cannot be imported, losing only the unused "iri" format checks.
_JB_MAIN = (
    "import sys; sys.modules.setdefault('rfc3987_syntax', None); "
    "from jupyter_book.cli.main import main; sys.exit(main(prog_name='jb'))"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class CoursePages:
    """The notebooks and pages that make up the site, each in toc order.

    Attributes
    ----------
    lessons
        Lesson notebooks, relative to the course root (``notebooks/NN_*.ipynb``).
    solutions
        Solution notebooks, relative to the course root (``solutions/*.ipynb``).
    reference
        Pages of ``book/`` other than the start page, as file names (``glossary.md``).
    """

    lessons: tuple[str, ...]
    solutions: tuple[str, ...]
    reference: tuple[str, ...]


def course_pages(root: Path) -> CoursePages:
    """Find the lessons, solutions and reference pages of the course at ``root``.

    Parameters
    ----------
    root
        The course folder (holding ``book/``, ``notebooks/`` and ``solutions/``).

    Returns
    -------
    CoursePages
        Lessons and solutions in name order; reference pages with ``glossary``
        and ``references`` first, then any other page of ``book/`` by name.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     root = Path(tmp)
    ...     for name in ["notebooks/02_b.ipynb", "notebooks/01_a.ipynb",
    ...                  "notebooks/scratch.ipynb", "book/intro.md", "book/glossary.md"]:
    ...         (root / name).parent.mkdir(exist_ok=True)
    ...         _ = (root / name).write_text("{}", encoding="utf-8")
    ...     course_pages(root)
    CoursePages(lessons=('notebooks/01_a.ipynb', 'notebooks/02_b.ipynb'), solutions=(), reference=('glossary.md',))
    """  # noqa: E501
    root = Path(root)

    def names(folder: str, keep: re.Pattern[str] | None = None) -> tuple[str, ...]:
        found = sorted(p.name for p in (root / folder).glob("*.ipynb") if p.is_file())
        return tuple(f"{folder}/{n}" for n in found if keep is None or keep.match(n))

    pages = sorted(
        p.name
        for p in (root / "book").glob("*")
        if p.is_file() and p.suffix in (".md", ".ipynb") and p.stem != ROOT_PAGE
    )
    first = [n for stem in REFERENCE_PAGES for n in pages if Path(n).stem == stem]
    rest = [n for n in pages if n not in first]
    return CoursePages(
        lessons=names("notebooks", LESSON_NAME),
        solutions=names("solutions"),
        reference=tuple(first + rest),
    )


def toc_text(pages: CoursePages) -> str:
    """The ``_toc.yml`` (jupyter-book 1.x, ``jb-book`` format) for ``pages``.

    Empty parts are left out (jupyter-book refuses a part without chapters).

    Examples
    --------
    >>> pages = CoursePages(("notebooks/01_a.ipynb",), (), ("glossary.md",))
    >>> print(toc_text(pages), end="")
    # Generated by coursekit build book from the notebooks that exist; do not edit.
    format: jb-book
    root: "intro"
    parts:
      - caption: "Lessons"
        chapters:
          - file: "notebooks/01_a"
      - caption: "Reference"
        chapters:
          - file: "glossary"
    """

    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        "# Generated by coursekit build book from the notebooks that exist; do not edit.",
        "format: jb-book",
        f"root: {quoted(ROOT_PAGE)}",
        "parts:",
    ]
    for caption, files in (
        ("Lessons", pages.lessons),
        ("Solutions", pages.solutions),
        ("Reference", pages.reference),
    ):
        if not files:
            continue
        lines += [f"  - caption: {quoted(caption)}", "    chapters:"]
        lines += [f"      - file: {quoted(str(Path(f).with_suffix('').as_posix()))}" for f in files]
    if lines[-1] == "parts:":
        lines.pop()
    return "\n".join(lines) + "\n"


def _cells(path: Path) -> list[dict[str, Any]]:
    """The cells of an nbformat 4 notebook, read as plain JSON.

    Plain JSON instead of nbformat: the check needs no validation, and importing
    nbformat (through jsonschema) costs seconds on some machines.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("nbformat") != 4:
        raise ValueError("not an nbformat 4 notebook")
    cells = data.get("cells")
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        raise ValueError("no list of cells")
    return cells


def notebook_problems(path: Path, *, name: str | None = None) -> list[str]:
    """Why a notebook cannot be shown on the site as it is stored, if it cannot.

    The site shows stored outputs, so a notebook must be saved executed and
    without error outputs. Code cells with no source are ignored; an error
    output in a cell tagged ``raises-exception`` is intended and allowed.

    Parameters
    ----------
    path
        The notebook file.
    name
        How to name the notebook in the messages (default: ``path``).

    Returns
    -------
    list of str
        One message per problem, naming the notebook and the cell; empty when
        the notebook is fine.

    Examples
    --------
    >>> import tempfile
    >>> import nbformat
    >>> from nbformat.v4 import new_code_cell, new_notebook, new_output
    >>> error = new_output("error", ename="KeyError", evalue="'amount'", traceback=[])
    >>> nb = new_notebook(cells=[
    ...     new_code_cell("x = 1", id="ok", execution_count=1),
    ...     new_code_cell("orders['amount']", id="bad", execution_count=2, outputs=[error]),
    ... ])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "03_arpu.ipynb"
    ...     nbformat.write(nb, str(p))
    ...     notebook_problems(p, name="notebooks/03_arpu.ipynb")
    ["notebooks/03_arpu.ipynb, cell 2 (id bad): error output KeyError: 'amount'"]
    """
    label = name if name is not None else str(path)
    try:
        cells = _cells(Path(path))
    except (OSError, ValueError) as exc:
        return [f"{label}: cannot be read as a notebook ({exc})"]
    problems: list[str] = []
    unexecuted: list[str] = []
    for index, cell in enumerate(cells, start=1):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if cell.get("cell_type") != "code" or not source.strip():
            continue
        cid = cell.get("id")
        where = f"{label}, cell {index}" + (f" (id {cid})" if cid else "")
        if cell.get("execution_count") is None:
            unexecuted.append(where)
        tags = cell.get("metadata", {}).get("tags", [])
        if RAISES_TAG in tags:
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                error = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip()
                problems.append(f"{where}: error output {error.rstrip(':')}")
    if unexecuted:
        more = len(unexecuted) - 1
        others = f" and {more} more code cell{'s' if more > 1 else ''}" if more else ""
        problems.insert(
            0,
            f"{unexecuted[0]}{others}: no execution count (the notebook was saved unexecuted)",
        )
    return problems


def _stage(root: Path, src: Path, pages: CoursePages) -> None:
    """Recreate ``src`` from ``book/`` and the notebooks, with a generated toc."""
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(root / "book", src, ignore=shutil.ignore_patterns(*_IGNORED))
    if AGENDA_PAGE in pages.reference:
        (src / AGENDA_PAGE).write_text(agenda_markdown(root), encoding="utf-8")
    for rel in pages.lessons + pages.solutions:
        target = src / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel in pages.solutions:  # shown as a worked solution: no markers, no learner aids
            nb = worked_solution(read_notebook(root / rel), name=rel)
            target.write_text(nbformat.writes(nb), encoding="utf-8")
        else:
            shutil.copyfile(root / rel, target)
    (src / "_toc.yml").write_text(toc_text(pages), encoding="utf-8")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when below it, else absolute."""
    path, cwd = path.resolve(), Path.cwd().resolve()
    if cwd == Path(cwd.anchor) or not path.is_relative_to(cwd):
        return str(path)
    return str(path.relative_to(cwd))


class _PathRewriter:
    """Rewrites staged paths in jupyter-book's messages to the files to edit.

    ``_build/book_src/notebooks/01_a.ipynb`` becomes ``notebooks/01_a.ipynb``,
    a staged page of ``book/`` becomes ``book/<page>``, and the staged output
    folder becomes the final one. The staged folder itself and the generated
    ``_toc.yml`` keep their names (they have no counterpart to edit).
    """

    def __init__(self, root: Path, src: Path, out: Path) -> None:
        pairs: list[tuple[Path, Path, bool]] = [  # (staged, final, only as a folder prefix)
            (src / "_build" / "html", out / "html", False),
            (src / "_build", out, False),
            (src / "_toc.yml", src / "_toc.yml", False),
            (src / "notebooks", root / "notebooks", True),
            (src / "solutions", root / "solutions", True),
            (src, root / "book", True),
        ]
        self._new: dict[str, str] = {}
        patterns: list[tuple[str, str]] = []
        for old, new, prefix in pairs:
            forms = {(str(old.resolve()), str(new.resolve()))}
            forms.add((_shown(old), _shown(new)))
            for old_text, new_text in forms:
                self._new[old_text] = new_text
                tail = r"(?=[/\\])" if prefix else r"(?![\w.-])"
                patterns.append((old_text, re.escape(old_text) + tail))
        patterns.sort(key=lambda p: len(p[0]), reverse=True)
        self._pattern = re.compile(
            "|".join(f"(?P<p{i}>{rx})" for i, (_, rx) in enumerate(patterns))
        )
        self._olds = [old for old, _ in patterns]

    def __call__(self, line: str) -> str:
        def swap(match: re.Match[str]) -> str:
            index = int(match.lastgroup[1:]) if match.lastgroup else 0
            return self._new[self._olds[index]]

        return self._pattern.sub(swap, line)


def _run_jupyter_book(cmd: Sequence[str], rewrite: _PathRewriter) -> int:
    """Run jupyter-book, echoing its output with staged paths rewritten."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
    with subprocess.Popen(
        list(cmd),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        text=True,
        encoding="utf-8",
        errors="replace",
    ) as proc:
        assert proc.stdout is not None
        plain = not sys.stdout.isatty()
        for line in proc.stdout:
            line = rewrite(line)
            sys.stdout.write(_ANSI.sub("", line) if plain else line)
            sys.stdout.flush()
        return proc.wait()


class _Resources(HTMLParser):
    """Collects the addresses a page loads (scripts, styles, fonts, images, frames)."""

    LOADS: ClassVar[dict[str, str]] = {"script": "src", "img": "src", "iframe": "src",
                                       "source": "src", "audio": "src", "video": "src",
                                       "embed": "src", "link": "href"}

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = self.LOADS.get(tag)
        values = dict(attrs)
        if attr is None or not values.get(attr):
            return
        if tag == "link" and not set((values.get("rel") or "").split()) & {
                "stylesheet", "preload", "icon", "modulepreload", "manifest", "prefetch"}:
            return  # a link to another page is not something the page loads
        self.found.append(str(values[attr]))


_REMOTE = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
_CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])((?:https?:)?//[^'")\s]+)""",
                      re.IGNORECASE)


def external_resources(site: Path) -> list[tuple[str, str]]:
    """What the built site would fetch from the network: (file, address) pairs.

    Scripts, stylesheets, fonts, images and frames that pages load from
    another host, and ``url(...)`` / ``@import`` addresses in the site's CSS.
    Links the reader may click (``<a href>``) are not loads and are not listed.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     page = Path(tmp) / "index.html"
    ...     _ = page.write_text('<script src="https://cdn.example/m.js"></script>'
    ...                         '<a href="https://example.org">a link</a>'
    ...                         '<script src="_static/local.js"></script>', encoding="utf-8")
    ...     external_resources(Path(tmp))
    [('index.html', 'https://cdn.example/m.js')]
    """
    site = Path(site)
    found: list[tuple[str, str]] = []
    for path in sorted(site.rglob("*.html")):
        parser = _Resources()
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        found += [(path.relative_to(site).as_posix(), u) for u in parser.found if _REMOTE.match(u)]
    for path in sorted(site.rglob("*.css")):
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [(path.relative_to(site).as_posix(), u) for u in _CSS_URL.findall(text)]
    return found


def _not_offline(site: Path, font: Path) -> bool:
    """Say what keeps the built site from reading offline (network loads, characters the
    shipped font lacks); True when anything does."""
    problems = [f"  {page} loads {url} from the network"
                for page, url in external_resources(site)]
    missing = webfont.uncovered(webfont.chinese_characters(site), font)
    if missing:
        problems.append(f"  the site's Chinese font lacks {len(missing)} character(s) its pages "
                        f"use: {''.join(sorted(missing))[:40]}")
    if problems:
        print("coursekit build book: the site must read offline, on any machine:",
              *problems[:20], "Ship what is missing with the site (book/_static, a Sphinx "
              "extension, coursekit.build.webfont).", sep="\n", file=sys.stderr)
    return bool(problems)


#: Where the staged site gets its Chinese font and the CSS that declares it.
FONT_FILE = "_static/fonts/course-zh.woff"
FONT_CSS = "_static/course-zh.css"


def _ship_chinese_font(src: Path) -> Path:
    """Subset the Chinese font to the staged pages' characters; declare it in CSS."""
    font = webfont.subset_font(webfont.chinese_characters(src) or {"中"}, src / FONT_FILE)
    shutil.copyfile(webfont.font_path().with_name("OFL.txt"), font.with_name("OFL.txt"))
    css = src / FONT_CSS
    css.write_text(webfont.font_css(Path(FONT_FILE).relative_to("_static").as_posix()),
                   encoding="utf-8")
    return font


def set_repository(config: Path, url: str) -> None:
    """Link the staged site to the course repository at ``url`` (in its ``_config.yml``).

    On GitHub, GitLab or Bitbucket the theme's repository button points at it;
    on any other host a link in every page's footer does.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     cfg = Path(tmp) / "_config.yml"
    ...     _ = cfg.write_text("html:\\n  use_repository_button: false\\n", encoding="utf-8")
    ...     set_repository(cfg, "https://github.com/example/course")
    ...     text = cfg.read_text(encoding="utf-8")
    >>> "use_repository_button: true" in text, "url: https://github.com/example/course" in text
    (True, True)
    """
    import yaml  # jupyter-book's own dependency

    if not re.match(r"^https?://[^\s/]+\.[^\s]+$", url):
        raise ArgumentError(f"not a web address: {url!r}", name="--repository", value=url,
                            fix="give the course repository's address, e.g. "
                                "https://github.com/OWNER/NAME")
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    host = url.split("/")[2].lower()
    if any(name in host for name in ("github", "gitlab", "bitbucket")):
        data.setdefault("html", {})["use_repository_button"] = True
        data.setdefault("repository", {})["url"] = url
    else:  # the theme's button knows these three hosts only: a link in the footer instead
        data.setdefault("html", {})["extra_footer"] = (
            f'<a href="{html.escape(url, quote=True)}">The course repository</a>')
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                      encoding="utf-8")


def build_book(root: Path, *, out: Path | None = None, repository: str | None = None) -> int:
    """Render the course site with jupyter-book 1.x; return its exit code.

    Stages ``book/`` with the lesson and solution notebooks under
    ``_build/book_src/`` (recreated each time) with a generated ``_toc.yml``,
    refuses notebooks saved with errors or unexecuted, then runs
    ``jb build <src> -n -W --keep-going --builder html``. No notebook is
    executed and nothing is downloaded; any Sphinx warning fails the build, and
    so does a page that would load a script, style, font or image from the
    network (:func:`external_resources`): the site works offline, MathJax
    included (shipped by the ``sphinx-mathjax-offline`` extension). It brings
    its own Chinese font, subset to the characters its pages use
    (:mod:`coursekit.build.webfont`), and fails when a page shows a Chinese
    character the font lacks.

    Parameters
    ----------
    root
        The course folder (holding ``book/``, ``notebooks/`` and ``solutions/``).
    out
        Folder that receives the site in ``out/html`` (and Sphinx's doctrees);
        default ``root/_build/book``. It is replaced by each build.
    repository
        The course repository's web address: the site then links to it (a
        repository button on every page). Default: no link.

    Returns
    -------
    int
        0 when the site was built without a warning; 1 when a notebook is
        saved with an error output or unexecuted (nothing is built), or
        jupyter-book is missing; otherwise jupyter-book's exit code.

    Examples
    --------
    >>> build_book(Path("."))  # doctest: +SKIP
    ...
    The site is in _build/book/html: open _build/book/html/index.html
    0
    """
    root = Path(root).resolve()
    out = (root / "_build" / "book") if out is None else Path(out).resolve()
    src = root / "_build" / "book_src"
    if not (root / "book" / f"{ROOT_PAGE}.md").is_file():
        print(f"coursekit build book: no book/{ROOT_PAGE}.md in {root}", file=sys.stderr)
        return 1
    try:
        import jupyter_book  # noqa: F401
    except ImportError:
        print(
            "coursekit build book: jupyter-book 1.x is not installed; "
            "install the 'book' extra: pip install -e '.[book]'",
            file=sys.stderr,
        )
        return 1

    pages = course_pages(root)
    if (root / "notebooks").is_dir():  # the timing page is computed from the notebooks
        pages = replace(pages, reference=(AGENDA_PAGE, *pages.reference))
    problems = [
        msg
        for rel in pages.lessons + pages.solutions
        for msg in notebook_problems(root / rel, name=rel)
    ]
    if problems:
        print(
            "coursekit build book: the site shows the outputs stored in the notebooks, "
            "and these notebooks cannot be shown as saved:",
            file=sys.stderr,
        )
        for msg in problems:
            print(f"  {msg}", file=sys.stderr)
        print(
            "Run each of them top to bottom (Restart Kernel and Run All), fix the errors, "
            "save, and build again.",
            file=sys.stderr,
        )
        return 1

    _stage(root, src, pages)
    font = _ship_chinese_font(src)
    if repository:
        set_repository(src / "_config.yml", repository)
    if out.exists():
        shutil.rmtree(out)
    cmd = [
        sys.executable, "-c", _JB_MAIN,
        "build", str(src),
        "--path-output", str(src),
        "-n", "-W", "--keep-going",
        "--builder", "html",
    ]  # fmt: skip
    print(
        f"coursekit build book: {_count(len(pages.lessons), 'lesson')}, "
        f"{_count(len(pages.solutions), 'solution')}, "
        f"{_count(1 + len(pages.reference), 'page')} from book/",
        flush=True,
    )
    code = _run_jupyter_book(cmd, _PathRewriter(root, src, out))
    built = src / "_build"
    if built.is_dir():
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(built), str(out))
    index = out / "html" / "index.html"
    if code == 0 and index.is_file() and _not_offline(out / "html", font):
        return 1
    if code == 0 and index.is_file():
        print(f"The site is in {_shown(out / 'html')}: open {_shown(index)}")
    else:
        print(
            f"coursekit build book: jupyter-book failed (exit code {code}); the warnings "
            "above name the file and line to fix (in a notebook, line 30004 means cell 3, "
            "counting every cell from 1)",
            file=sys.stderr,
        )
        code = code or 1
    return code
