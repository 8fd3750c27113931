"""The build cache (.cache/scholarpage/): it only saves time, never changes the output."""
from __future__ import annotations

import pickle

import pytest

from conftest import build_ok, tree
from scholarpage import cache
from scholarpage.config import Project

CACHE = ".cache/scholarpage"
PUBLICATION = "content/publications/2023-sun-dime-fm.yml"


def plain_build(root, out) -> dict[str, bytes]:
    """The site as a build without any cache makes it."""
    build_ok(root, "build", "--no-cache", "--out", str(out))
    return tree(out)


def test_cold_warm_and_unchanged_builds_equal_a_cacheless_build(example_project, tmp_path):
    build_ok(example_project)
    assert (example_project / CACHE / "publications.pickle").is_file()
    cold = tree(example_project / "_site")
    assert cold == plain_build(example_project, tmp_path / "plain")

    build_ok(example_project)
    assert tree(example_project / "_site") == cold

    path = example_project / PUBLICATION
    path.write_text(path.read_text().replace("DIstilling", "Distilling"))
    build_ok(example_project)
    warm = tree(example_project / "_site")
    assert warm != cold
    assert b"DIME-FM: Distilling" in warm["index.html"]
    assert warm == plain_build(example_project, tmp_path / "plain-after-edit")


def test_no_cache_keeps_no_cache(example_project):
    build_ok(example_project, "build", "--no-cache")
    assert not (example_project / ".cache").exists()


def test_cached_files_report_their_problems_again(make_project):
    root = make_project({"content/index.md": "Hello.\n", "content/publications/a.yml": "# none yet\n"})
    warning = "content/publications/a.yml: warning: is empty: no publication in it\n"
    assert build_ok(root).stderr == warning
    assert build_ok(root).stderr == warning


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other data"])
def test_a_corrupted_cache_is_ignored_and_rebuilt(example_project, damage):
    build_ok(example_project)
    expected = tree(example_project / "_site")
    saved = example_project / CACHE / "publications.pickle"
    templates = [p for p in (example_project / CACHE).glob("templates-*/*") if p.is_file()]
    assert templates
    broken = {"garbage": b"not a pickle",
              "truncated": saved.read_bytes()[: saved.stat().st_size // 2],
              "other data": pickle.dumps(["a list, not the cache's dict"])}[damage]
    for path in [saved, *templates]:
        path.write_bytes(broken)

    build_ok(example_project)

    assert tree(example_project / "_site") == expected
    assert pickle.loads(saved.read_bytes())["publications"]


def test_another_engine_starts_afresh(example_project, monkeypatch):
    build_ok(example_project)
    project = Project(example_project)
    assert cache.DiskCache(project).memory.publications

    monkeypatch.setattr(cache, "__version__", "another version")
    assert cache.DiskCache(project).memory.publications == {}
