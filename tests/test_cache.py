"""The build cache (.cache/scholarpage/): it only saves time, never changes the output."""
from __future__ import annotations

import dataclasses
import marshal
import os
import pickle
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import REPO, build_ok, eventually, held_back, run_cli, tree, write_files
from scholarpage import cache, content, model, pipeline
from scholarpage.config import Project
from scholarpage.content import FileResult
from scholarpage.problems import Problem

CACHE = ".cache/scholarpage"
PUBLICATION = "content/publications/2023-sun-dime-fm.yml"


def plain_build(root, out) -> dict[str, bytes]:
    """The site as a build without any cache makes it."""
    build_ok(root, "build", "--no-cache", "--out", str(out))
    return tree(out)


def packs(root: Path) -> list[Path]:
    return sorted((root / CACHE).glob(f"*/*{cache.PACK}"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("pages", [True, False])
def test_cold_warm_and_unchanged_builds_equal_a_cacheless_build(example_project, tmp_path, pages):
    if not pages:
        edit(example_project / "site.yml", "output: _site\n", "output: _site\npublication_pages: false\n")
    build_ok(example_project)
    assert packs(example_project)
    cold = tree(example_project / "_site")
    assert cold == plain_build(example_project, tmp_path / "plain")
    assert any(name.startswith("publications/") for name in cold) is pages

    build_ok(example_project)
    assert tree(example_project / "_site") == cold

    changes = [
        (PUBLICATION, "DIstilling", "Distilling"),  # one publication
        ("content/coauthors.yml", "https://", "http://"),  # links in many entries
        ("site.yml", "name: Ximeng Sun", "name: Ximeng Sun-Li"),  # every page
        ("themes/frontpage/templates/partials/macros.html", "class=\"copy\"", "class=\"copy it\""),  # a template
        ("content/index.md", "Hello, I am", "Hi, I am"),  # the bio
        ("site.yml", 'url: ""', 'url: "https://a.example.org/"'),  # absolute links, a feed
        ("site.yml", "https://a.example.org/", "https://b.example.org/"),  # in kept templates too
    ]
    for number, (name, old, new) in enumerate(changes):
        edit(example_project / name, old, new)
        build_ok(example_project)
        warm = tree(example_project / "_site")
        assert warm != cold
        assert warm == plain_build(example_project, tmp_path / f"plain-{number}"), name
        cold = warm
    assert b"DIME-FM: Distilling" in cold["index.html"] and b"class=\"copy it\"" in cold["index.html"]
    assert cold["robots.txt"].endswith(b"Sitemap: https://b.example.org/sitemap.xml\n")


@pytest.mark.parametrize("listing", [False, True])
def test_adding_and_removing_publications_equals_a_cacheless_build(example_project, tmp_path,
                                                                   listing):
    if listing:  # a publication's page placing a list: its kept frame names who is listed
        theme = example_project / "themes/frontpage/templates/publication.html"
        (example_project / "templates").mkdir(exist_ok=True)
        (example_project / "templates/publication.html").write_text(theme.read_text().replace(
            "<h1>{{ pub.title|title_html }}</h1>",
            "<h1>{{ pub.title|title_html }}</h1><ul>{{ publication_entries([pub]) }}</ul>"))
    build_ok(example_project)
    build_ok(example_project)
    folder = example_project / "content/publications"
    (folder / "2023-sun-dime-fm.yml").rename(folder / "2023-sun-dime-fm-renamed.yml")
    (folder / "2020-sun-adashare.yml").unlink()
    (folder / "new.md").write_text("---\ntitle: New\nauthors: [Ada]\ntype: preprint\n---\nIt *is*.\n")
    (folder / "first.md").write_text("---\ntitle: First\nauthors: [Ada]\ntype: preprint\nyear: 2030\n---\n")
    build_ok(example_project)
    site = tree(example_project / "_site")
    assert site == plain_build(example_project, tmp_path / "plain")
    (first,) = [data for name, data in site.items() if name.endswith("-first/index.html")]
    assert (b"<ul><li" in first) is listing


def test_no_cache_keeps_no_cache(example_project):
    build_ok(example_project, "build", "--no-cache")
    assert not (example_project / ".cache").exists()


def test_the_cache_folder_ignores_itself_for_git(example_project):
    build_ok(example_project)
    assert (example_project / CACHE / ".gitignore").read_text() == "*\n"


def test_cached_files_report_their_problems_again(make_project):
    root = make_project({"content/index.md": "Hello.\n", "content/publications/a.yml": "# none yet\n"})
    warning = "content/publications/a.yml: warning: is empty: no publication in it\n"
    assert build_ok(root).stderr == warning
    assert build_ok(root).stderr == warning
    # An empty list, and a bio of front matter alone, are empty too (the reviewer's report).
    write_files(root, {"content/index.md": "---\ntitle: About\n---\n\n", "content/publications/a.yml": "[]\n"})
    for _ in range(2):
        assert build_ok(root).stderr == "content/index.md: warning: is empty: the page has no bio\n" + warning


# A pickle that, if ever unpickled, writes the file named in it: the cache must never run it.
def exploit(marker: Path) -> bytes:
    class Exploit:
        def __reduce__(self):
            return (Path.write_text, (marker, "ran"))

    return pickle.dumps(Exploit())


def damage(kind: str, saved: bytes, marker: Path) -> bytes:
    return {
        "garbage": b"\x00not a pack\xff",
        "truncated": saved[: len(saved) // 2],
        "pickle": exploit(marker),
        "unsealed data": saved[saved.index(b"\n") + 1:],
        "a byte changed": saved[:-10] + bytes([saved[-10] ^ 1]) + saved[-9:],
        "another seal": b"0" * 64 + saved[64:],
    }[kind]


@pytest.mark.parametrize("kind", ["garbage", "truncated", "pickle", "unsealed data",
                                  "a byte changed", "another seal"])
def test_a_damaged_or_malicious_cache_is_ignored_and_rebuilt(example_project, tmp_path, kind):
    build_ok(example_project)
    expected = tree(example_project / "_site")
    marker = tmp_path / "marker"
    for path in packs(example_project):
        path.write_bytes(damage(kind, path.read_bytes(), marker))
    shipped = example_project / CACHE / "publications.pickle"  # what an older engine read
    shipped.write_bytes(exploit(marker))

    build_ok(example_project)

    assert not marker.exists()
    assert tree(example_project / "_site") == expected
    assert not shipped.exists()
    for path in packs(example_project):  # rewritten as this engine writes them
        assert any(cache._read_pack(path, cache.user_secret()))


def clock(monkeypatch, now_ns: int) -> None:
    """Builds in this process take `now_ns` for the time, which tells when a file has settled."""
    monkeypatch.setattr(content, "time", SimpleNamespace(time_ns=lambda: now_ns))


def settled(monkeypatch) -> None:
    """Builds in this process run an hour from now: every file saved until now has settled."""
    clock(monkeypatch, time.time_ns() + 3600 * 10**9)


def settling(monkeypatch, path: Path) -> None:
    """Builds in this process run just before the last change of the file at `path` settles."""
    clock(monkeypatch, path.stat().st_ctime_ns + content.SETTLED_NS - 1)


def files_read(root: Path, monkeypatch) -> list[str]:
    """The publication files that a build with the disk cache reads, as the build shows them."""
    from scholarpage.pipeline import build

    read, real = [], content.read_text
    monkeypatch.setattr(content, "read_text", lambda path, shown, problems: (
        read.append(shown), real(path, shown, problems))[1])
    assert build(root, disk_cache=True).ok
    return [name for name in read if name.startswith("content/publications/")]


def test_a_file_is_read_again_only_when_its_signature_changed(example_project, monkeypatch):
    settled(monkeypatch)
    everything = files_read(example_project, monkeypatch)
    assert len(everything) == 17
    assert files_read(example_project, monkeypatch) == []  # nothing changed: nothing read
    edit(example_project / PUBLICATION, "DIstilling", "Distilling")
    settling(monkeypatch, example_project / PUBLICATION)
    assert files_read(example_project, monkeypatch) == [PUBLICATION]
    # Saved less than two seconds ago, it may change again unseen (a coarse file system clock):
    # it is read on every build until it settles; the others still are not.
    assert files_read(example_project, monkeypatch) == [PUBLICATION]
    settled(monkeypatch)
    files_read(example_project, monkeypatch)
    assert files_read(example_project, monkeypatch) == []
    (example_project / PUBLICATION).unlink()
    assert files_read(example_project, monkeypatch) == []
    (signatures,) = (example_project / CACHE).glob("*/signatures")
    noted = cache._read_signatures(signatures, cache.user_secret())
    assert len(noted) == 16 and str((example_project / PUBLICATION).resolve()) not in noted


@pytest.mark.parametrize("kind", ["garbage", "truncated", "pickle", "unsealed data",
                                  "a byte changed", "another seal"])
def test_damaged_signatures_are_ignored(example_project, monkeypatch, tmp_path, kind):
    settled(monkeypatch)
    files_read(example_project, monkeypatch)
    expected = tree(example_project / "_site")
    (signatures,) = (example_project / CACHE).glob("*/signatures")
    signatures.write_bytes(damage(kind, signatures.read_bytes(), tmp_path / "marker"))
    assert len(files_read(example_project, monkeypatch)) == 17  # as if there were none
    assert not (tmp_path / "marker").exists()
    assert tree(example_project / "_site") == expected
    assert files_read(example_project, monkeypatch) == []


def test_a_file_whose_mtime_was_set_back_is_read_again_until_it_settles(example_project,
                                                                       monkeypatch):
    # cp -p, tar and rsync -t give the files they write an old mtime; the ctime is still new.
    settled(monkeypatch)
    files_read(example_project, monkeypatch)
    path = example_project / PUBLICATION
    before = path.stat()
    edit(path, "DIstilling", "Distilling")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    settling(monkeypatch, path)
    assert files_read(example_project, monkeypatch) == [PUBLICATION]
    assert files_read(example_project, monkeypatch) == [PUBLICATION]


def test_records_and_problems_come_back_as_they_were():
    pub = model.Publication(
        title="T", authors=("A", "B"), type="conference", venue="V", venue_full="F", year=2024,
        month=6, date="", note="n", links=(model.Link("pdf", "https://x.org/p.pdf"),),
        abstract="*a*", selected=True, bibtex_key="k", order=2, slug="s", source="p.yml", line=3,
        abstract_html="<p><em>a</em></p>", digest="d.0", written_ids=(("x", 4, 5),))
    result = FileResult((pub,), (Problem("p.yml", 1, 2, "m", True),), "d", gives_ids=True)
    data = marshal.loads(marshal.dumps(cache.encode_result(result)))
    back = cache.decode_result("d", data)
    assert back == result and back.records[0].digest == "d.0" and back.records[0].line == 3
    assert back.gives_ids and back.records[0].written_ids == (("x", 4, 5),)
    bio = FileResult((model.Page(title="About", body="b", html="<p>b</p>", source="i.md"),), (), "e")
    assert cache.decode_result("e", marshal.loads(marshal.dumps(cache.encode_result(bio)))) == bio
    with pytest.raises(ValueError):  # records of another file
        cache.decode_result("e", data)


def test_another_engine_starts_afresh(example_project, monkeypatch):
    build_ok(example_project)
    project = Project(example_project)
    assert cache.DiskCache(project).memory.parsed.store

    monkeypatch.setattr(cache, "__version__", "another version")
    assert cache.DiskCache(project).memory.parsed.store == {}


@pytest.mark.parametrize("installed", ["PyYAML-99.0.dist-info", "markdown-99.0.dist-info",
                                       "Jinja2-99.0-py3.11.egg-info", "markupsafe-99.0.dist-info"])
def test_upgrading_a_library_whose_output_is_kept_starts_afresh(example_project, tmp_path,
                                                                monkeypatch, installed):
    build_ok(example_project)
    project = Project(example_project)
    assert cache.DiskCache(project).memory.parsed.store

    upgraded = tmp_path / "site-packages"
    (upgraded / installed).mkdir(parents=True)  # what an installer leaves, found first
    monkeypatch.syspath_prepend(str(upgraded))
    assert cache.DiskCache(project).memory.parsed.store == {}


def test_a_cache_written_by_another_user_is_not_trusted(example_project, tmp_path, monkeypatch):
    # A `.cache/` committed to a repository, or shipped in a clone, holds what its writer chose.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "someone-else"))
    build_ok(example_project)
    project = Project(example_project)
    theirs = cache.DiskCache(project)
    store = theirs.memory.parsed.store
    digest, real = next((digest, result) for digest, result in store.items()
                        if result.records and result.records[0].source == PUBLICATION)
    store[digest] = dataclasses.replace(real, records=tuple(
        dataclasses.replace(pub, title="A forged title") for pub in real.records))
    theirs.memory.fragments.store.clear()  # nothing rendered from the real record either
    theirs.changes()()
    assert cache.DiskCache(project).memory.parsed.store[digest].records[0].title == "A forged title"

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "me"))
    build_ok(example_project)
    site = tree(example_project / "_site")
    assert b"A forged title" not in site["index.html"]
    assert site == plain_build(example_project, tmp_path / "plain")


def test_a_pack_moved_from_another_engines_folder_is_not_taken(example_project, monkeypatch):
    build_ok(example_project)
    project = Project(example_project)
    written = cache.DiskCache(project).folder
    monkeypatch.setattr(cache, "engine_key", lambda: "another-engine")
    written.rename(written.parent / "another-engine")
    assert cache.DiskCache(project).memory.parsed.store == {}


def test_files_touched_but_unchanged_leave_the_cache_as_it_was(example_project, tmp_path,
                                                                 monkeypatch):
    """Read again by forked processes (after a `git checkout`, say, every file's times change),
    a file found in the cache is sent back as its digest: its pack is not written again."""
    from scholarpage import workers

    monkeypatch.setattr(workers, "WORTH_FORKING", 2)
    monkeypatch.setattr(workers, "ITEMS_PER_PROCESS", 1)
    monkeypatch.setattr(workers, "CHUNK", 1)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    settled(monkeypatch)
    assert pipeline.build(example_project, disk_cache=True).ok
    kept = {path: path.stat().st_ino for path in packs(example_project)}
    for path in (example_project / "content" / "publications").iterdir():
        path.write_bytes(path.read_bytes())  # new times, same text
    real = content.read_text

    def noting_the_process(path, shown, problems):  # each process leaves its number
        (tmp_path / f"read-{os.getpid()}").touch()
        return real(path, shown, problems)

    monkeypatch.setattr(content, "read_text", noting_the_process)
    assert pipeline.build(example_project, disk_cache=True).ok
    assert {path.name for path in tmp_path.glob("read-*")} - {f"read-{os.getpid()}"}
    assert {path: path.stat().st_ino for path in packs(example_project)} == kept and len(kept) > 1


def test_an_edit_rewrites_only_the_packs_it_changed(example_project):
    """A pack is written again only if what it holds changed: here, the packs that held and
    now hold the edited file's records."""
    assert pipeline.build(example_project, disk_cache=True).ok
    before = {path.name: path.stat().st_ino for path in packs(example_project)}
    digest = content.text_digest(PUBLICATION, (example_project / PUBLICATION).read_text(encoding="utf-8"))
    edit(example_project / PUBLICATION, "DIstilling", "Distilling")
    new = content.text_digest(PUBLICATION, (example_project / PUBLICATION).read_text(encoding="utf-8"))
    assert pipeline.build(example_project, disk_cache=True).ok
    after = {path.name: path.stat().st_ino for path in packs(example_project)}
    rewritten = {name for name in after if before.get(name) != after[name]}
    pages = {name for name in after if name.startswith("site-")}  # the site's pages, by state
    assert rewritten - pages == {f"{digest[0]}{cache.PACK}", f"{new[0]}{cache.PACK}"}
    assert len(after) > len(rewritten) + 2


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() here")
def test_the_command_ends_with_the_site_written_and_leaves_saving_the_cache_to_a_process(
        example_project, monkeypatch):
    """`python build.py` does not wait for the cache to be saved (a tenth of a cold build of a
    thousand publications): a process it leaves running saves it, and the next build uses it."""
    from scholarpage import cli

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    settled(monkeypatch)
    monkeypatch.chdir(example_project)
    changes = cache.DiskCache.changes
    with held_back() as wait_for_the_test:
        def saving_held_back(self):
            write = changes(self)
            return lambda: (wait_for_the_test(), write())

        monkeypatch.setattr(cache.DiskCache, "changes", saving_held_back)
        assert cli.main([]) == 0  # while the process saving the cache is held back
        assert (example_project / "_site" / "index.html").is_file() and packs(example_project) == []
    assert eventually(lambda: list((example_project / CACHE).glob("*/signatures")))  # saved last
    assert packs(example_project)
    monkeypatch.setattr(cache.DiskCache, "changes", changes)
    assert files_read(example_project, monkeypatch) == []


def test_links_in_the_cache_are_not_followed(example_project, tmp_path, monkeypatch):
    # Git keeps symbolic links: a cloned `.cache/` may hold some leading anywhere, even to a
    # cache this user wrote.
    settled(monkeypatch)
    files_read(example_project, monkeypatch)
    project = Project(example_project)
    (signatures,) = (example_project / CACHE).glob("*/signatures")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for path in [*signatures.parent.glob(f"*{cache.PACK}"), signatures]:
        path.rename(elsewhere / path.name)
        path.symlink_to(elsewhere / path.name)
    before = tree(elsewhere)

    loaded = cache.DiskCache(project)
    assert loaded.memory.parsed.store == {} and loaded.memory.signatures == {}
    build_ok(example_project)
    assert tree(elsewhere) == before
    assert tree(example_project / "_site") == plain_build(example_project, tmp_path / "plain")


def test_pipes_in_the_cache_are_not_read(example_project, tmp_path, monkeypatch):
    settled(monkeypatch)
    files_read(example_project, monkeypatch)
    (signatures,) = (example_project / CACHE).glob("*/signatures")
    for path in [*signatures.parent.glob(f"*{cache.PACK}"), signatures]:
        path.unlink()
        os.mkfifo(path)  # opening one to read would wait for a writer forever

    result = run_cli(example_project, timeout=30)
    assert result.returncode == 0, result.stderr
    assert tree(example_project / "_site") == plain_build(example_project, tmp_path / "plain")


def test_a_link_in_place_of_the_gitignore_is_replaced_not_written_through(example_project,
                                                                           tmp_path):
    build_ok(example_project)
    ignore = example_project / CACHE / ".gitignore"
    ignore.unlink()
    ignore.symlink_to(tmp_path / "anywhere")  # leads to no file yet: writing there makes one

    build_ok(example_project)
    assert not (tmp_path / "anywhere").exists()
    assert not ignore.is_symlink() and ignore.read_text() == "*\n"


def test_an_unchanged_site_is_not_written_again_and_unchanged_files_are_linked(example_project):
    build_ok(example_project)
    site = example_project / "_site"
    index, bib = site / "index.html", site / "publications.bib"
    page = next(site.glob("publications/*dime-fm*/index.html"))
    other = next(p for p in site.glob("publications/*/index.html") if "dime-fm" not in str(p))
    before = {path: path.stat().st_ino for path in (index, bib, page, other)}

    build_ok(example_project)
    assert all(path.stat().st_ino == inode for path, inode in before.items())

    edit(example_project / PUBLICATION, "DIstilling", "Distilling")
    build_ok(example_project)
    assert index.stat().st_ino != before[index] and page.stat().st_ino != before[page]
    assert other.stat().st_ino == before[other] and other.stat().st_nlink == 1


def test_the_tests_keep_what_builds_compile_out_of_the_real_user_cache_folder(
        example_project, tmp_path_factory):
    build_ok(example_project)  # see conftest.tests_own_user_cache
    assert cache.user_folder().is_relative_to(tmp_path_factory.getbasetemp())
    assert list(cache.user_folder().glob("templates-*/*"))


def test_a_relative_xdg_cache_home_is_ignored(example_project, tmp_path, monkeypatch):
    # As the XDG spec asks: `.cache` from a project's root would be the project's own cache
    # folder, where a shipped secret or compiled template could be put.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", ".cache")
    monkeypatch.chdir(example_project)
    assert cache.user_folder() == tmp_path / "home/.cache/scholarpage"


def test_each_engine_compiles_templates_apart_and_old_ones_are_removed(example_project, tmp_path,
                                                                      monkeypatch):
    # Compiled templates depend on how the engine sets Jinja2 up (its options, its filters).
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user"))
    user = tmp_path / "user" / "scholarpage"
    build_ok(example_project)
    (first,) = user.glob("templates-*")
    assert list(first.iterdir())
    monkeypatch.setattr(cache, "__version__", "another version")
    assert pipeline.build(example_project, disk_cache=True).ok
    assert len(list(user.glob("templates-*"))) == 2  # both kept: both may still be run
    month_ago = time.time() - cache.UNUSED_SECONDS - 60
    os.utime(first, (month_ago, month_ago))
    monkeypatch.setattr(cache, "__version__", "a third version")
    assert pipeline.build(example_project, disk_cache=True).ok
    assert not first.exists() and len(list(user.glob("templates-*"))) == 2


def test_compiled_templates_are_kept_in_the_users_cache_folder_not_the_project(
        example_project, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user"))
    build_ok(example_project)
    kept = [p.name for p in (example_project / CACHE).rglob("*") if p.is_file()]
    assert kept and all(name in (".gitignore", "signatures") or name.endswith(cache.PACK) for name in kept)
    compiled = list((tmp_path / "user" / "scholarpage").glob("templates-*/*"))
    assert compiled
    for path in compiled:  # broken compiled templates are compiled again
        path.write_bytes(b"broken")
    expected = tree(example_project / "_site")
    (example_project / PUBLICATION).write_text(
        (example_project / PUBLICATION).read_text().replace("DIstilling", "Distilling"))
    build_ok(example_project)
    assert tree(example_project / "_site") == plain_build(example_project, tmp_path / "plain")
    assert tree(example_project / "_site") != expected


@pytest.mark.parametrize("pages", [True, False])
def test_after_an_unchanged_build_an_edit_renders_only_its_publication(example_project, tmp_path,
                                                                      monkeypatch, pages):
    from scholarpage import bibtex, render
    from scholarpage.pipeline import build

    if not pages:
        edit(example_project / "site.yml", "output: _site\n", "output: _site\npublication_pages: false\n")
    made = []

    def noting(function):
        def noted(pub, *args):
            made.append((function.__name__, pub.title))
            return function(pub, *args)
        return noted

    monkeypatch.setattr(bibtex, "entry", noting(bibtex.entry))
    monkeypatch.setattr(render, "format_authors", noting(render.format_authors))
    assert build(example_project, disk_cache=True).ok
    assert len(made) == 17 * (3 if pages else 2)  # BibTeX, home page item, (page)
    made.clear()
    assert build(example_project, disk_cache=True).ok  # unchanged: its pages are kept whole
    assert made == []
    edit(example_project / PUBLICATION, "DIstilling", "Distilling")
    assert build(example_project, disk_cache=True).ok
    title = "DIME-FM: Distilling Multimodal and Efficient Foundation Models"
    assert sorted(made) == [("entry", title)] + [("format_authors", title)] * (1 + pages)
    assert tree(example_project / "_site") == plain_build(example_project, tmp_path / "plain")


@pytest.mark.parametrize("pages", [True, False])
def test_work_shared_out_to_processes_gives_the_same_site(example_project, tmp_path, monkeypatch,
                                                          pages):
    from scholarpage import bibtex, content, pipeline, workers
    from scholarpage import render as render_module
    from scholarpage.memo import BuildCache
    from scholarpage.pipeline import render
    from scholarpage.problems import Problems
    from scholarpage.render import new_environment, prepare_environment

    if not pages:
        edit(example_project / "site.yml", "output: _site\n", "output: _site\npublication_pages: false\n")
    project = Project(example_project)
    alone = render(project, Problems(), BuildCache(publications=None, workers=1))

    def noting_the_process(function):  # forked processes inherit it: each leaves its number
        def noted(*args):
            (tmp_path / f"{function.__name__}-{os.getpid()}").touch()
            # No process takes every item before the other starts, nor while this one readies
            # the templates (under load, that took longer than 17 items of 5 ms).
            time.sleep(0.02)
            return function(*args)
        return noted

    monkeypatch.setattr(workers, "WORTH_FORKING", 2)
    monkeypatch.setattr(workers, "ITEMS_PER_PROCESS", 1)
    monkeypatch.setattr(workers, "CHUNK", 1)
    monkeypatch.setattr(content, "read_publication_file",
                        noting_the_process(content.read_publication_file))
    monkeypatch.setattr(bibtex, "entry", noting_the_process(bibtex.entry))
    prepared, made = [], []  # the templates are readied here while another process reads
    monkeypatch.setattr(pipeline, "prepare_environment",
                        lambda *args: prepared.append(os.getpid()) or prepare_environment(*args))
    monkeypatch.setattr(render_module, "new_environment",
                        lambda *args: made.append(args) or new_environment(*args))
    kept = BuildCache(publications=None, workers=2)
    shared = render(project, Problems(), kept)
    assert prepared == [os.getpid()] and len(made) == 1  # and the render took that environment
    # Every template was loaded but those of pages this site has not: with no `url`, no feed
    # and no sitemap.
    ((env, _),) = kept.environments.values()
    theme = {path.relative_to(REPO / "themes/frontpage/templates").as_posix()
             for path in (REPO / "themes/frontpage/templates").rglob("*") if path.is_file()}
    unused = {"feed.xml", "sitemap.xml", *([] if pages else ["publication.html"])}
    assert {name for _, name in env.cache.keys()} == theme - unused
    assert shared.ok and shared.files == alone.files
    assert [str(p) for p in shared.problems.items] == [str(p) for p in alone.problems.items]
    for name in ("read_publication_file", "entry"):  # shared by this process and another
        assert {p.name for p in tmp_path.glob(f"{name}-*")} - {f"{name}-{os.getpid()}"}
        assert (tmp_path / f"{name}-{os.getpid()}").exists()


def test_the_page_templates_are_those_of_every_page_a_site_may_have(example_project):
    from scholarpage import render as render_module
    from scholarpage.config import load_site
    from scholarpage.problems import Problems

    edit(example_project / "site.yml", 'url: ""', 'url: "https://example.org/"')
    site = load_site(Project(example_project), Problems())
    assert site.url and site.publication_pages
    assert {name for _, name, _ in render_module._pages(site, [None], lambda pub: "")} == (
        render_module.PAGE_TEMPLATES)


@pytest.mark.parametrize("link", [".cache", CACHE])
def test_a_cache_folder_leading_elsewhere_is_left_alone(example_project, tmp_path, link):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "scholarpage" / "old").mkdir(parents=True)
    precious = [elsewhere / "scholarpage" / "notes.json", elsewhere / "scholarpage" / "old" / "x"]
    for path in precious:
        path.write_text("mine")
    (example_project / link).parent.mkdir(parents=True, exist_ok=True)
    (example_project / link).symlink_to(elsewhere if link == ".cache" else elsewhere / "scholarpage")

    build_ok(example_project)
    build_ok(example_project)

    assert all(path.read_text() == "mine" for path in precious)
    assert sorted(p.name for p in (elsewhere / "scholarpage").iterdir()) == ["notes.json", "old"]


# ---------------------------------------------------------------------------------------------
# What a kept BuildCache (the dev server's) or the disk cache reuses follows every input.

ENTRY_V1 = '<li class="publication">{{ pub.title }}, first version</li>\n'


def render_with(project: Project, kept):
    from scholarpage.pipeline import render
    from scholarpage.problems import Problems

    result = render(project, Problems(), kept)
    assert result.ok, [str(problem) for problem in result.problems.items]
    return result.files


def test_templates_reached_through_symbolic_links_are_followed(make_project, tmp_path):
    from scholarpage.memo import BuildCache

    # templates/ leads to a shared folder, whose partials/ leads to yet another one.
    shared = tmp_path / "shared"
    (shared / "partials").mkdir(parents=True)
    entry = shared / "partials" / "publication.html"
    entry.write_text(ENTRY_V1)
    (shared / "templates").mkdir()
    (shared / "templates" / "partials").symlink_to(shared / "partials")
    root = make_project({"content/index.md": "Hello.\n", "content/publications/a.yml":
                         "title: On Looms\nauthors: [Ada Lovelace]\ntype: journal\nyear: 2020\n"})
    (root / "templates").symlink_to(shared / "templates")
    project, kept = Project(root), BuildCache()
    assert b"On Looms, first version" in render_with(project, kept)["index.html"]
    build_ok(root)

    entry.write_text(ENTRY_V1.replace("first", "second"))
    fresh = render_with(project, BuildCache())
    assert b"On Looms, second version" in fresh["index.html"]
    assert render_with(project, kept) == fresh  # the dev server's next build
    build_ok(root)  # the next build in another process, from the disk cache
    assert tree(root / "_site") == plain_build(root, tmp_path / "plain")
    assert b"On Looms, second version" in (root / "_site" / "index.html").read_bytes()


def test_a_symbolic_link_loop_among_templates_is_walked_once(make_project):
    from scholarpage.config import load_site
    from scholarpage.problems import Problems
    from scholarpage.render import read_templates

    root = make_project({"templates/partials/publication.html": ENTRY_V1})
    project = Project(root)
    site = load_site(project, Problems())

    def templates_digest(project, site) -> str:
        return read_templates(project, site, Problems()).digest

    before = templates_digest(project, site)
    (root / "templates" / "partials" / "up").symlink_to(root / "templates")
    assert templates_digest(project, site) == before
    # Two links to one folder are two folders of templates, each one the loader may find.
    (root / "shared").mkdir()
    (root / "shared" / "x.html").write_text("x")
    (root / "templates" / "a").symlink_to(root / "shared")
    one_link = templates_digest(project, site)
    (root / "templates" / "b").symlink_to(root / "shared")
    assert templates_digest(project, site) not in (before, one_link)


def test_an_imported_template_sees_the_changed_site_yml(make_project):
    from scholarpage.memo import BuildCache

    root = make_project({
        "content/index.md": "Hello.\n",
        # Computed once when imported: Jinja2 keeps the module with the loaded template.
        "templates/partials/owner.html": "{% set shown = person().name %}\n",
        "templates/index.html": '{% extends "base.html" %}\n{% block main %}\n'
                                '{% import "partials/owner.html" as owner_module %}\n'
                                '<p class="shown">{{ owner_module.shown }}</p>\n{% endblock %}\n',
    })
    project, kept = Project(root), BuildCache()
    assert b'<p class="shown">Ada Lovelace</p>' in render_with(project, kept)["index.html"]

    edit(root / "site.yml", "Ada Lovelace", "Ada King")
    kept.forget([root / "site.yml"])  # as the dev server does
    rebuilt = render_with(project, kept)
    assert b'<p class="shown">Ada King</p>' in rebuilt["index.html"]
    assert rebuilt == render_with(project, BuildCache())


def test_builds_for_other_default_urls_equal_a_cacheless_build(example_project, tmp_path):
    """The address --default-url gives (when site.yml's url is empty) is part of the site, as
    site.yml's own url is: each build is the one made without a cache."""
    runs = [
        ["--default-url", "https://ada.github.io/homepage"],
        ["--default-url", "https://ada.github.io/"],  # every page's links change
        [],  # no address: no feed, no sitemap
        ["--default-url", "https://ada.github.io/homepage/"],
    ]
    sites = []
    for number, options in enumerate(runs):
        build_ok(example_project, "build", *options)
        site = tree(example_project / "_site")
        assert site == plain_build_with(example_project, tmp_path / f"plain-{number}", options)
        sites.append(site)
    assert sites[0] == sites[3] and len({repr(site) for site in sites[:3]}) == 3
    assert b'href="/homepage/css/style.css"' in sites[0]["404.html"]
    assert b'href="/css/style.css"' in sites[1]["404.html"] and "feed.xml" in sites[1]
    assert "feed.xml" not in sites[2]


def plain_build_with(root, out, options) -> dict[str, bytes]:
    build_ok(root, "build", "--no-cache", "--out", str(out), *options)
    return tree(out)


def test_a_kept_cache_follows_the_default_url(make_project):
    """The dev server's kept cache, and the templates it keeps, with the url of one build then
    another's."""
    from scholarpage.pipeline import BuildCache, render
    from scholarpage.problems import Problems

    root = make_project({"content/index.md": "Hello.\n", "content/publications/a.yml":
                         "title: On Looms\nauthors: [Ada Lovelace]\ntype: journal\nyear: 2020\n"})
    project, kept = Project(root), BuildCache()
    for url in ("https://ada.github.io/a/", "https://ada.github.io/b/", "",
                "https://ada.github.io/a/"):
        built = render(project, Problems(), kept, default_url=url)
        fresh = render(project, Problems(), BuildCache(), default_url=url)
        assert built.ok and built.files == fresh.files, url
        assert built.filled_in_url == url and built.site.url == url
        assert (f"<loc>{url}</loc>".encode() in built.files["sitemap.xml"] if url
                else "sitemap.xml" not in built.files)



def _shared_out(monkeypatch) -> list[str]:
    """Work shared out from 2 items on, 1 at a time, as on 2 CPUs; the list where this process
    notes 'fork' for each process it forks to share work, and 'bio' and 'frames' when it reads
    the bio and makes the frames of the site's pages."""
    from scholarpage import render, workers

    monkeypatch.setattr(workers, "WORTH_FORKING", 2)
    monkeypatch.setattr(workers, "ITEMS_PER_PROCESS", 1)
    monkeypatch.setattr(workers, "CHUNK", 1)
    events: list[str] = []
    for owner, name, event in ((workers, "_fork", "fork"), (content, "read_bio", "bio"),
                               (render.SiteRenderer, "_frames_ahead", "frames")):
        real = getattr(owner, name)
        monkeypatch.setattr(owner, name, lambda *args, real=real, event=event: (
            events.append(event), real(*args))[1])
    return events


def _told(project_root: Path, workers: int) -> list[str]:
    from scholarpage.memo import BuildCache
    from scholarpage.pipeline import render
    from scholarpage.problems import Problems

    problems = render(Project(project_root), Problems(), BuildCache(publications=None, workers=workers)).problems
    return [str(problem) for problem in problems.in_reading_order()]


def test_the_bio_read_while_processes_read_publications_is_told_first(example_project, monkeypatch):
    """With the work shared out, the bio is read while other processes read the publications;
    its problems are still told before theirs, as the bio comes first on the page."""
    (example_project / "content" / "index.md").write_bytes(b"Caf\xe9\n")
    (example_project / "content" / "publications" / "notes.txt").write_text("found as they are listed")
    edit(example_project / PUBLICATION, "\ntitle:", "\ncolour: blue\ntitle:")
    events = _shared_out(monkeypatch)
    told = _told(example_project, 2)
    assert events == ["fork", "bio"]  # read once another process reads publications
    assert told == _told(example_project, 1)
    assert [line.split(":")[0] for line in told] == [
        "content/index.md", "content/publications/notes.txt", PUBLICATION]


def test_a_page_failing_while_processes_render_is_told_once(example_project, monkeypatch):
    """The site's pages are made while other processes render the publications' items; a
    template error there is told once, as when one process renders everything."""
    edit(example_project / "themes/frontpage/templates/index.html", "<section class=\"intro\"",
         "{{ no_such_name.x }}<section class=\"intro\"")
    events = _shared_out(monkeypatch)
    told = _told(example_project, 2)
    assert events == ["fork", "bio", "fork", "frames"]  # made once another process renders
    assert told == _told(example_project, 1)
    assert len([line for line in told if "no_such_name" in line]) == 1
