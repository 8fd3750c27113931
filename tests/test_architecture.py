"""The shape of the engine: data flows one way, and a build loads only what it uses.

The pipeline (site.yml -> content -> render -> output) never reaches out to the tools built on
top of it (the command line, the dev server, the importer, deploy, check, scaffolding), so each
of those can change without touching a build. Heavy libraries are imported where they are used,
so `python build.py --help` and a build without Markdown start fast.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest

from conftest import REPO

PACKAGE = REPO / "scholarpage"
BESIDE_THE_PIPELINE = {"cli", "serve", "watch", "importer", "bibfile", "deploy", "check", "scaffold",
                       "newsite"}
ALLOWED_AT_TOP = {"yaml"}  # needed by every build; everything else third-party loads lazily


def modules() -> list[str]:
    return sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def pipeline_modules() -> list[str]:
    return [m for m in modules() if m not in BESIDE_THE_PIPELINE]


def import_nodes(module: str, *, top_level_only: bool = False) -> list[ast.stmt]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    nodes = list(ast.iter_child_nodes(tree)) if top_level_only else list(ast.walk(tree))
    for node in list(nodes):
        if top_level_only and isinstance(node, ast.Try):  # `try: import x` at the top
            nodes += [n for block in (node.body, *[h.body for h in node.handlers]) for n in block]
    return [n for n in nodes if isinstance(n, (ast.Import, ast.ImportFrom))]


def imports(module: str, *, top_level_only: bool = False) -> set[str]:
    """The package's own modules that a module imports, anywhere in it (or only at the top)."""
    names = set()
    for node in import_nodes(module, top_level_only=top_level_only):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[1] for a in node.names if a.name.startswith("scholarpage.")}
        elif node.level and node.module:  # from .config import x
            names.add(node.module.split(".")[0])
        elif node.level:  # from . import config, model
            names |= {a.name for a in node.names}
        elif node.module.startswith("scholarpage."):
            names.add(node.module.split(".")[1])
        elif node.module == "scholarpage":
            names |= {a.name for a in node.names}
    return names & set(modules())


def third_party_at_top(module: str) -> set[str]:
    names = set()
    for node in import_nodes(module, top_level_only=True):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif not node.level:
            names.add(node.module.split(".")[0])
    return names - {"scholarpage", "__future__"} - set(sys.stdlib_module_names)


def test_the_imports_are_read():
    assert {"config", "content", "render", "output"} <= imports("pipeline")
    assert "pipeline" in imports("cli")  # imported inside a command handler
    assert "pipeline" not in imports("cli", top_level_only=True)
    assert third_party_at_top("yamlfile") == {"yaml"} and third_party_at_top("render") == set()


STAGES = ["config", "content", "render", "output", "cache", "pipeline"]  # in the order data flows


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_imports_no_stage_after_it(stage):
    assert imports(stage) & set(STAGES[STAGES.index(stage) + 1:]) == set()


@pytest.mark.parametrize("module", sorted(set(pipeline_modules()) - set(STAGES)))
def test_what_the_stages_share_imports_no_stage(module):
    """The records, YAML, schema, problems and the like sit below every stage."""
    assert imports(module) & set(STAGES) == set()


@pytest.mark.parametrize("module", pipeline_modules())
def test_pipeline_modules_never_import_the_tools_beside_it(module):
    assert imports(module) & BESIDE_THE_PIPELINE == set()


@pytest.mark.parametrize("module", pipeline_modules())
def test_pipeline_modules_import_only_stdlib_and_yaml_at_the_top(module):
    assert third_party_at_top(module) <= ALLOWED_AT_TOP


def loaded_modules(root, *args: str) -> set[str]:
    """The modules loaded by running the command line with `args` in `root`, beyond those the
    interpreter had loaded when it started (a site-wide start-up hook may load some)."""
    code = ("import sys\nstarted = set(sys.modules)\nfrom scholarpage.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print('MODULES', *sorted(set(sys.modules) - started))\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=root, env=env,
                            capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("MODULES"))
    return set(line.split()[1:])


def test_help_loads_no_engine(tmp_path):
    loaded = loaded_modules(tmp_path, "--help")
    assert "argparse" in loaded
    assert loaded & {"scholarpage.pipeline", "yaml", "jinja2", "markdown"} == set()


def _top(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


def test_a_build_loads_no_tool_beside_the_pipeline_and_no_markdown_without_markdown(make_project):
    root = make_project({
        "content/index.md": "---\ntitle: About\n---\nI build engines.\n",
        "content/publications/a.yml": "title: A Paper\nauthors: [Ada Lovelace]\ntype: conference\n",
    })
    loaded = loaded_modules(root)
    assert (root / "_site" / "index.html").is_file()
    assert "scholarpage.render" in loaded and "jinja2" in _top(loaded)
    assert {f"scholarpage.{m}" for m in BESIDE_THE_PIPELINE - {"cli"}} & loaded == set()
    assert _top(loaded) & {"markdown", "bibtexparser", "watchdog", "tornado", "livereload"} == set()


def test_a_build_with_nothing_to_do_loads_only_what_it_needs(make_project):
    root = make_project({
        "content/index.md": "---\ntitle: About\n---\nI build `engines`, see [this](https://a.org).\n",
        "content/publications/a.yml": "title: A Paper\nauthors: [Ada Lovelace]\ntype: conference\n",
    })
    assert "jinja2" in _top(loaded_modules(root))  # the first build renders and writes
    loaded = _top(loaded_modules(root))
    assert (root / ".cache").is_dir()
    # Nothing to render, write or parse: neither Jinja2 nor the modules only those need.
    assert loaded & {"jinja2", "markupsafe", "markdown", "json", "html", "shutil", "tempfile",
                     "argparse", "typing"} == set()
    assert {"yaml", "scholarpage"} <= loaded


def test_markdown_is_loaded_when_the_content_has_markdown(make_project):
    root = make_project({"content/index.md": "---\ntitle: About\n---\nI build:\n\n- engines\n"})
    assert "markdown" in _top(loaded_modules(root))
