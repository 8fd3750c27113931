"""The GitHub Pages workflow: valid for GitHub, clean for zizmor, and the official Pages flow.

Both tools run offline: check-jsonschema with its vendored copy of the workflow schema, zizmor
with --offline (it reads .github/zizmor.yml).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import MINIMAL_SITE, REPO, tree

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
ZIZMOR_CONFIG = REPO / ".github" / "zizmor.yml"


def check_schema(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
         str(path)], capture_output=True, text=True, timeout=120)


def zizmor(path: Path) -> list[dict]:
    """zizmor's findings for one workflow file, as JSON."""
    beside_python = str(Path(sys.executable).parent)
    program = shutil.which("zizmor", path=beside_python) or shutil.which("zizmor")
    if program is None:
        pytest.fail("zizmor is not installed: pip install -r requirements-dev.txt")
    done = subprocess.run([program, "--offline", "--no-progress", "--format", "json", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 or 10 <= done.returncode <= 14, done.stderr  # 1x: findings
    return json.loads(done.stdout)


def load_workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def test_the_workflow_matches_githubs_schema():
    result = check_schema(WORKFLOW)

    assert (result.returncode, result.stdout.strip()) == (0, "ok -- validation done"), result.stdout


def test_the_schema_check_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "pages.yml"
    broken.write_text(WORKFLOW.read_text().replace("pages: write", "pages: publish"))

    result = check_schema(broken)

    assert result.returncode == 1
    assert "'publish' is not one of ['read', 'write', 'none']" in result.stdout


def test_zizmor_finds_nothing():
    assert zizmor(WORKFLOW) == []


def test_zizmor_would_catch_a_checkout_that_keeps_its_credentials(tmp_path):
    copy = tmp_path / ".github" / "workflows" / "pages.yml"
    copy.parent.mkdir(parents=True)
    shutil.copy2(ZIZMOR_CONFIG, tmp_path / ".github" / "zizmor.yml")
    copy.write_text(WORKFLOW.read_text().replace("persist-credentials: false", "fetch-depth: 1"))

    assert [finding["ident"] for finding in zizmor(copy)] == ["artipacked"]


def test_the_workflow_is_githubs_pages_flow():
    workflow = load_workflow()
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]

    assert workflow["on"] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert workflow["permissions"] == {}
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert [step.get("uses") or step["run"] for step in build["steps"]] == [
        "actions/checkout@v7", "actions/setup-python@v7", "pip install -r requirements.txt",
        "actions/configure-pages@v6", 'python build.py build --default-url "$PAGES_URL"',
        "actions/upload-pages-artifact@v5"]
    checkout, python, _, pages, site, upload = build["steps"]
    assert checkout["with"] == {"persist-credentials": False}
    # The build is told the address Pages serves the site at, through the environment.
    assert pages["id"] == "pages"
    assert site["env"] == {"PAGES_URL": "${{ steps.pages.outputs.base_url }}"}
    assert python["with"]["cache"] == "pip"
    assert upload["with"] == {"path": "_site"}
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert [step["uses"] for step in deploy["steps"]] == ["actions/deploy-pages@v5"]


def test_the_workflow_uploads_what_the_build_writes():
    site = yaml.safe_load((REPO / "site.yml").read_text(encoding="utf-8"))

    assert site.get("output", "_site") == "_site"
    assert (REPO / "requirements.txt").is_file()


def build_step() -> dict:
    (step,) = [step for step in load_workflow()["jobs"]["build"]["steps"]
               if "build.py" in step.get("run", "")]
    return step


def run_as_the_workflow(root: Path, tmp_path: Path, base_url: str) -> subprocess.CompletedProcess:
    """The build step's script, run by bash in `root` as the runner runs it, with `python` this
    Python and PAGES_URL what configure-pages gives (its base_url has no trailing '/')."""
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir(exist_ok=True)
    python = bin_folder / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    shutil.copy2(REPO / "build.py", root / "build.py")
    env = {**os.environ, "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": str(REPO), "PAGES_URL": base_url}
    return subprocess.run(["bash", "-e", "-c", build_step()["run"]], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_workflows_build_is_for_the_address_pages_gives_unless_url_is_set(make_project,
                                                                             tmp_path):
    root = make_project({"content/index.md": "I study engines.\n"})

    result = run_as_the_workflow(root, tmp_path, "https://ada.github.io/my.site")

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith(
        "url is empty in site.yml: built for https://ada.github.io/my.site/ (--default-url)\n"
        "built 2 pages, ")
    site = tree(root / "_site")
    assert b"<loc>https://ada.github.io/my.site/</loc>" in site["sitemap.xml"]
    assert b"<id>https://ada.github.io/my.site/</id>" in site["feed.xml"]
    assert b'href="/my.site/css/style.css"' in site["404.html"]
    assert b"url:" not in (root / "site.yml").read_bytes()

    # site.yml's url, once set, is the one the site is built for.
    (root / "site.yml").write_text(MINIMAL_SITE + "url: https://www.example.org/\n")
    result = run_as_the_workflow(root, tmp_path, "https://ada.github.io/my.site")

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("built 2 pages, ")
    site = tree(root / "_site")
    assert b"<loc>https://www.example.org/</loc>" in site["sitemap.xml"]
    assert b"github.io" not in b"".join(site.values())


def test_zizmor_would_catch_the_address_pasted_into_the_script(tmp_path):
    copy = tmp_path / ".github" / "workflows" / "pages.yml"
    copy.parent.mkdir(parents=True)
    shutil.copy2(ZIZMOR_CONFIG, tmp_path / ".github" / "zizmor.yml")
    copy.write_text(WORKFLOW.read_text().replace('"$PAGES_URL"',
                                                 '"${{ steps.pages.outputs.base_url }}"'))

    assert [finding["ident"] for finding in zizmor(copy)] == ["template-injection"]
