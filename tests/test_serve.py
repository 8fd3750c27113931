"""The live preview, `python build.py serve`: the real server in a subprocess, real HTTP, real edits.

Waits poll with a bounded timeout; nothing asserts on how long anything took.
"""
from __future__ import annotations

import asyncio
import html
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path, PurePath

import pytest

from conftest import REPO, run_cli, tree

TIMEOUT = 30  # seconds any one wait may take before the test fails
BIO = "Hello, I study engines.\n"
PUB = "title: First Paper\nauthors: [Ada Lovelace]\ntype: conference\nyear: 2020\n"
WRITTEN = r": \d+ pages?(, \d+ other files?)? written in \d+ ms$"
REBUILT = re.compile(r"^(.*) changed" + WRITTEN)
LOST = re.compile(r"^file events were lost, every file read again" + WRITTEN)


def pub(title: str) -> str:
    return PUB.replace("First Paper", title)


class LiveServer:
    """`python build.py serve --port 0` in `root`, its temporary files in `tmp`, output read as it comes.

    Run with `-W error::DeprecationWarning`, so a deprecated API used anywhere stops it.
    """

    def __init__(self, root: Path, tmp: Path):
        tmp.mkdir(exist_ok=True)
        self.root, self.tmp = root, tmp
        self.process = subprocess.Popen(
            [sys.executable, "-W", "error::DeprecationWarning", str(REPO / "build.py"),
             "serve", "--port", "0"],
            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "TMPDIR": str(tmp)})
        self.out: list[str] = []
        self.err: list[str] = []
        self.readers = [threading.Thread(target=self._read, args=pair, daemon=True)
                        for pair in ((self.process.stdout, self.out), (self.process.stderr, self.err))]
        for reader in self.readers:
            reader.start()
        self.url = self.wait_for_line(re.compile(r"^serving (http://\S+) \(Ctrl-C to stop\)$"))[1]
        self.port = int(self.url.split(":")[2].split("/")[0])

    @staticmethod
    def _read(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))

    def wait_for_line(self, pattern: re.Pattern, start: int = 0, lines: list[str] | None = None) -> re.Match:
        """The first line from index `start` of stdout (or `lines`) matching `pattern`."""
        lines = self.out if lines is None else lines
        deadline = time.monotonic() + TIMEOUT
        while True:
            exited = self.process.poll() is not None  # then no line is still to come
            if exited:
                for reader in self.readers:
                    reader.join(TIMEOUT)
            for line in lines[start:]:
                if match := pattern.search(line):
                    return match
            if exited or time.monotonic() > deadline:
                raise AssertionError(f"no line matches {pattern.pattern!r}: {self.out} {self.err}")
            time.sleep(0.02)

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        """(status, headers, body) of a GET sent exactly as written, redirects not followed."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode("utf-8")
        finally:
            connection.close()

    def wait_for_page(self, path: str, predicate) -> str:
        """The body at `path` once `predicate(status, body)` holds."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            status, _, body = self.get(path)
            if predicate(status, body):
                return body
            assert time.monotonic() < deadline, f"{path} never matched; last: {status} {body[:300]}"
            time.sleep(0.05)

    def rebuilds(self, start: int) -> list[str]:
        return [line for line in self.out[start:] if " changed: " in line]

    def stop(self) -> int:
        """Ctrl-C, as a user would; the exit code once all output is read."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=TIMEOUT)
        for reader in self.readers:
            reader.join(TIMEOUT)
        return code


@pytest.fixture
def serve(tmp_path):
    """serve(root) -> a running LiveServer, stopped after the test."""
    servers = []

    def start(root: Path) -> LiveServer:
        servers.append(LiveServer(root, tmp_path / "tmp"))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def site(make_project):
    return make_project({"content/index.md": BIO, "content/publications/first.yml": PUB})


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def has(text: str):
    return lambda status, body: status == 200 and text in body


def lacks(text: str):
    return lambda status, body: status == 200 and text not in body


# ---------------------------------------------------------------------------------------------
# Serving.


def test_serves_the_site_at_the_printed_address_with_the_livereload_client(site, serve):
    server = serve(site)
    assert server.url == f"http://127.0.0.1:{server.port}/"
    assert re.fullmatch(r"built \d+ pages, 1 publication, \d+ files in \d+ ms", server.out[0])
    status, headers, body = server.get("/")
    assert status == 200 and "First Paper" in body
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    assert f'<script src="/livereload.js?port={server.port}"></script></head>' in body
    status, headers, body = server.get("/livereload.js")
    assert status == 200 and "javascript" in headers["Content-Type"] and "LiveReload" in body
    assert server.get("/css/style.css")[0] == 200
    assert server.stop() == 0 and server.err == []


def test_serves_under_the_sub_path_of_the_site_url(make_project, serve):
    root = make_project({"site.yml": "title: T\nurl: https://ada.github.io/repo/\nowner:\n  name: Ada Lovelace\n",
                         "content/index.md": BIO, "content/publications/first.yml": PUB})
    server = serve(root)
    assert server.url == f"http://127.0.0.1:{server.port}/repo/"
    for path in ("/", "/repo"):
        status, headers, _ = server.get(path)
        assert (status, headers["Location"]) == (302, "/repo/")
    status, _, body = server.get("/repo/")
    assert status == 200 and "First Paper" in body
    status, _, body = server.get("/index.html")
    assert status == 404 and 'served under <a href="/repo/">/repo/</a>' in body


@pytest.mark.parametrize("path", ["/../secret.txt", "/../../secret.txt", "/%2e%2e/%2e%2e/secret.txt",
                                  "/css/%2E%2E/%2e%2e/%2e%2e/secret.txt", "/..%2f..%2fsecret.txt",
                                  "//etc/passwd"])
def test_a_request_outside_the_site_is_refused(site, serve, path):
    server = serve(site)
    (server.tmp / "secret.txt").write_text("TOP SECRET")
    status, _, body = server.get(path)
    assert status == 403 and "TOP SECRET" not in body and "root:" not in body


def test_a_symlink_out_of_the_site_is_refused(site, serve):
    server = serve(site)
    (server.tmp / "secret.txt").write_text("TOP SECRET")
    (served,) = server.tmp.glob("scholarpage-preview-*/site")
    (served / "leak.txt").symlink_to(server.tmp / "secret.txt")
    status, _, body = server.get("/leak.txt")
    assert status == 403 and "TOP SECRET" not in body


def test_a_folder_redirects_to_its_slash_and_a_missing_file_is_404(site, serve):
    server = serve(site)
    status, headers, _ = server.get("/css")
    assert (status, headers["Location"]) == (302, "/css/")
    status, _, body = server.get("/no-such-page.html")
    assert status == 404 and "livereload.js" in body


def test_a_port_in_use_is_a_clear_error(site, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli(site, "serve", "--port", str(port))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (f"error: cannot serve on 127.0.0.1:{port}: the port is already in use: "
                             "stop the other server or choose another port with --port\n")


def test_a_port_out_of_range_is_refused_by_the_parser(site):
    result = run_cli(site, "serve", "--port", "70000")
    assert result.returncode == 2
    assert result.stderr.endswith("argument --port: '70000' is not a port number (0 to 65535)\n")


def test_a_missing_project_folder_is_a_clear_error(tmp_path):
    result = run_cli(tmp_path, "--root", "missing", "serve")
    assert (result.returncode, result.stdout, result.stderr) == (1, "", "error: missing: no such folder\n")


# ---------------------------------------------------------------------------------------------
# Rebuilding on change.


def test_an_edited_title_appears_and_the_terminal_says_what_changed(site, serve):
    server = serve(site)
    mark = len(server.out)
    write(site / "content/publications/first.yml", pub("Better Title"))
    server.wait_for_page("/", has("Better Title"))
    line = server.wait_for_line(REBUILT, mark)
    assert line[1] == "content/publications/first.yml"


def test_a_new_file_appears_and_a_deleted_one_disappears(site, serve):
    server = serve(site)
    write(site / "content/publications/second.yml", pub("Second Paper"))
    server.wait_for_page("/", has("Second Paper"))
    (site / "content/publications/first.yml").unlink()
    body = server.wait_for_page("/", lacks("First Paper"))
    assert "Second Paper" in body


def test_a_renamed_file_keeps_its_entry_once(site, serve):
    server = serve(site)
    mark = len(server.out)
    os.rename(site / "content/publications/first.yml", site / "content/publications/renamed.yml")
    assert server.wait_for_line(REBUILT, mark)[1] == "content/publications/renamed.yml"
    assert server.get("/")[2].count('class="publication"') == 1


def test_saves_through_a_temporary_file_and_swap_files_give_one_rebuild(site, serve):
    """vim and others write a swap or backup file, or a new file renamed over the old one."""
    server = serve(site)
    mark = len(server.out)
    folder = site / "content/publications"
    for noise in (".first.yml.swp", "first.yml~", "4913", ".#first.yml", "#first.yml#"):
        write(folder / noise, "title: [broken\n")
    write(folder / ".first.yml.new", pub("Saved By Rename"))
    os.replace(folder / ".first.yml.new", folder / "first.yml")
    server.wait_for_page("/", has("Saved By Rename"))
    server.wait_for_line(REBUILT, mark)
    assert [REBUILT.match(line)[1] for line in server.rebuilds(mark)] == ["content/publications/first.yml"]


def test_a_burst_of_saves_is_one_rebuild(site, serve):
    """As after `git checkout`: many files replaced at once."""
    server = serve(site)
    folder = site / "content/publications"
    for number in range(5):
        write(folder / f".p{number}.tmp", pub(f"Paper {number}"))
    mark = len(server.out)
    for number in range(5):
        os.replace(folder / f".p{number}.tmp", folder / f"p{number}.yml")
    server.wait_for_page("/", has("Paper 4"))
    assert [REBUILT.match(line)[1] for line in server.rebuilds(mark)] == [
        "content/publications/p0.yml, content/publications/p1.yml, content/publications/p2.yml and 2 more"]


def test_a_template_change_rerenders_and_a_new_override_folder_is_watched(site, serve):
    server = serve(site)
    base = site / "themes/frontpage/templates/base.html"
    base.write_text(base.read_text().replace("<body>", "<body><!-- theme edited -->"))
    server.wait_for_page("/", has("<!-- theme edited -->"))
    write(site / "templates/partials/publication.html", "<li class='publication'>MINE {{ pub.title }}</li>\n")
    server.wait_for_page("/", has("MINE First Paper"))


def test_site_yml_changes_are_seen(site, serve):
    server = serve(site)
    write(site / "site.yml", "title: Renamed Site\nowner:\n  name: Ada Lovelace\n")
    server.wait_for_page("/", has("<title>Renamed Site</title>"))


def test_a_save_during_the_first_build_is_read_again(site, serve):
    """The first build stops at coauthors.yml, a named pipe, after reading the publications;
    the publication is saved before the pipe lets the build go on."""
    pipe = site / "content/coauthors.yml"
    os.mkfifo(pipe)

    def save_while_building() -> None:
        with open(pipe, "w"):  # opens once the build opens the pipe to read it
            write(site / "content/publications/first.yml", pub("Saved While Building"))
            write(site / "content/.coauthors.new", "{}\n")
            os.replace(site / "content/.coauthors.new", pipe)  # what the next build reads

    editor = threading.Thread(target=save_while_building, daemon=True)
    editor.start()
    server = serve(site)
    editor.join(TIMEOUT)
    assert not editor.is_alive()
    server.wait_for_page("/", has("Saved While Building"))


def test_changes_lost_in_an_inotify_queue_overflow_are_read_again(site, serve):
    """The server is stopped while more events come than the kernel keeps, then the publication
    is saved: its event is dropped, and all the server hears of it is the overflow."""
    kept = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    server = serve(site)
    mark = len(server.out)
    server.process.send_signal(signal.SIGSTOP)
    try:
        assert os.WIFSTOPPED(os.waitpid(server.process.pid, os.WUNTRACED)[1])  # it reads no more
        for number in range(kept + 1):  # two names in turn: the kernel merges repeats only
            with open(site / f"noise-{number % 2}.txt", "a") as noise:
                noise.write(".")
        write(site / "content/publications/first.yml", pub("Saved In The Flood"))
    finally:
        server.process.send_signal(signal.SIGCONT)
    server.wait_for_page("/", has("Saved In The Flood"))
    server.wait_for_line(LOST, mark)
    assert "Inotify queue overflowed; filesystem events were lost" in server.err


@pytest.mark.parametrize("linked, edited, text", [
    ("content/publications", "content/publications/first.yml", pub("Edited Elsewhere")),
    ("content", "content/index.md", "Edited Elsewhere.\n"),
    ("content/publications/first.yml", "content/publications/first.yml", pub("Edited Elsewhere")),
])
def test_an_edit_behind_a_symlink_is_seen(site, serve, tmp_path, linked, edited, text):
    """inotify does not follow symlinks: the file is edited where the link points."""
    elsewhere = tmp_path / "elsewhere"
    (site / linked).rename(elsewhere)
    (site / linked).symlink_to(elsewhere)
    server = serve(site)
    mark = len(server.out)
    write((site / edited).resolve(), text)
    server.wait_for_page("/", has("Edited Elsewhere"))
    assert server.wait_for_line(REBUILT, mark)[1] == edited  # the path the build reads it by


# ---------------------------------------------------------------------------------------------
# Build errors.


def test_broken_yaml_shows_the_error_page_until_it_is_fixed(site, serve, tmp_path):
    server = serve(site)
    broken = 'title: "Unclosed\nauthors: [Ada Lovelace]\ntype: conference\n'
    write(site / "content/publications/first.yml", broken)
    expected = run_cli(site, "build", "--out", str(tmp_path / "elsewhere")).stderr.splitlines()[:-1]
    assert expected and all(line.startswith("content/publications/first.yml:") for line in expected)
    body = server.wait_for_page("/", lambda status, body: status == 500)
    assert "<title>Build failed</title>" in body and "livereload.js" in body
    assert all(html.escape(line) in body for line in expected)
    server.wait_for_line(re.compile(r"^content/publications/first.yml changed: build failed with "
                                    r"1 error in \d+ ms; the browser shows them$"))
    server.wait_for_line(re.compile(re.escape(expected[-1])), lines=server.err)
    assert server.err == expected  # the same lines as `python build.py`
    assert server.get("/css/style.css")[0] == 200  # the last good site's files are still served
    write(site / "content/publications/first.yml", pub("Fixed Paper"))
    server.wait_for_page("/", has("Fixed Paper"))


def test_a_broken_site_at_start_is_served_as_the_error_page(make_project, serve):
    root = make_project({"site.yml": "title: [broken\n"})
    server = serve(root)
    assert server.out[0] == "build failed: 1 error; the browser shows them"
    problem = server.wait_for_line(re.compile(r"^site\.yml:1:\d+: .*"), lines=server.err)[0]
    status, _, body = server.get("/")
    assert status == 500 and html.escape(problem) in body
    write(root / "site.yml", "title: Mended\nowner:\n  name: Ada Lovelace\n")
    server.wait_for_page("/", has("<title>Mended</title>"))


# ---------------------------------------------------------------------------------------------
# Browsers, stopping, and what is left behind.


async def connect(port: int):
    """A livereload client, as the page's script is after its handshake."""
    from tornado.websocket import websocket_connect

    client = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
    await client.write_message(json.dumps(
        {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
    assert json.loads(await client.read_message())["command"] == "hello"
    await client.write_message(json.dumps({"command": "info", "url": "test", "plugins": {}}))
    return client


def test_connected_pages_are_told_to_reload(site, serve):
    server = serve(site)

    async def edits() -> list[dict]:
        client = await connect(server.port)
        await asyncio.sleep(0.2)  # the server counts the page in once it has its 'info'
        write(site / "content/publications/first.yml", pub("Reloaded"))
        page = json.loads(await asyncio.wait_for(client.read_message(), TIMEOUT))
        css = site / "themes/frontpage/static/css/style.css"
        css.write_text(css.read_text() + "\nbody { color: teal; }\n")
        style = json.loads(await asyncio.wait_for(client.read_message(), TIMEOUT))
        client.close()
        return [page, style]

    page, style = asyncio.run(edits())
    assert page == {"command": "reload", "path": "*", "liveCSS": True, "liveImg": True}
    assert style["path"] == "css/style.css"  # a stylesheet alone is swapped without a reload


def test_ctrl_c_stops_cleanly_and_removes_the_temporary_folder(site, serve):
    server = serve(site)
    assert len(list(server.tmp.glob("scholarpage-preview-*"))) == 1

    async def interrupted() -> object:
        client = await connect(server.port)
        await asyncio.sleep(0.2)
        server.process.send_signal(signal.SIGINT)
        return await asyncio.wait_for(client.read_message(), TIMEOUT)

    assert asyncio.run(interrupted()) is None  # the server closed the page's connection
    assert server.process.wait(TIMEOUT) == 0 and server.stop() == 0
    assert server.err == [] and server.out[-1] == "stopped"
    assert list(server.tmp.iterdir()) == []


def test_serve_never_touches_the_output_folder(site, serve):
    write(site / "_site/index.html", "the deployed site")
    before = tree(site / "_site")
    server = serve(site)
    write(site / "content/publications/first.yml", pub("Edited"))
    server.wait_for_page("/", has("Edited"))
    assert server.stop() == 0
    assert tree(site / "_site") == before


# ---------------------------------------------------------------------------------------------
# The parts, without a server.


@pytest.mark.parametrize("name, noise", [
    ("content/publications/a.yml", False), ("site.yml", False), ("themes/t/templates/x.html", False),
    ("content/publications/.a.yml.swp", True), ("content/publications/a.yml~", True),
    ("content/publications/4913", True), ("content/.#a.yml", True), ("content/#a.yml#", True),
    ("content/.git/HEAD", True), ("themes/__pycache__/x.pyc", True), ("static/.DS_Store", True),
])
def test_editor_and_version_control_files_are_noise(name, noise):
    from scholarpage.watch import is_noise

    assert is_noise(PurePath(name)) is noise


def test_symlinks_are_found_through_links_and_a_loop_of_them_ends(tmp_path):
    from scholarpage.watch import symlinks

    elsewhere, content = tmp_path.resolve() / "elsewhere", tmp_path.resolve() / "project/content"
    write(elsewhere / "deeper/first.yml", PUB)
    write(elsewhere.parent / "cv.pdf", "%PDF")
    content.mkdir(parents=True)
    (content / "publications").symlink_to(elsewhere)
    (elsewhere / "loop").symlink_to(elsewhere)
    (elsewhere / "deeper/cv.pdf").symlink_to(elsewhere.parent / "cv.pdf")
    (elsewhere / ".git").symlink_to(elsewhere.parent)  # hidden: no build reads it
    assert sorted(symlinks([content])) == sorted([
        (str(elsewhere), str(content / "publications")),
        (str(elsewhere), str(content / "publications/loop")),
        (str(elsewhere.parent / "cv.pdf"), str(content / "publications/deeper/cv.pdf")),
    ])


def test_a_folder_that_cannot_be_watched_is_said(site, monkeypatch, capsys):
    import errno

    from scholarpage import watch
    from scholarpage.config import Project

    class FullObserver:  # the system's limit of inotify watches reached
        def schedule(self, *args, **kwargs):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(watch, "Observer", FullObserver)
    watch.Watcher(Project(site), None, None)
    said = capsys.readouterr().err
    assert f"cannot watch {site.resolve() / 'content'}: No space left on device" in said
    assert "max_user_watches" in said


def test_a_rebuild_reads_again_only_the_files_that_changed(site):
    from scholarpage.config import Project
    from scholarpage.memo import BuildCache
    from scholarpage.pipeline import render
    from scholarpage.problems import Problems

    write(site / "content/publications/second.yml", pub("Second Paper"))
    project, cache = Project(site), BuildCache()
    first, second = (site / f"content/publications/{n}.yml" for n in ("first", "second"))

    def results():
        assert render(project, Problems(), cache).ok
        return {Path(path): result for path, result in cache.publications.items()}

    before = results()
    base = site / "themes/frontpage/templates/base.html"
    base.write_text(base.read_text() + "<!-- edited -->\n")
    after_template = results()
    assert all(after_template[path] is before[path] for path in (first, second))
    write(second, pub("Second Paper, revised"))
    assert results()[second] is before[second]  # read again only once the watcher says so
    cache.forget([second])
    after_edit = results()
    assert after_edit[first] is before[first] and after_edit[second] is not before[second]
    cache.forget([first.parent])
    assert results()[first] is not before[first]


def test_a_preview_that_cannot_be_written_shows_the_error_page_until_it_can(site, tmp_path,
                                                                            monkeypatch, capsys):
    import errno

    from scholarpage.config import Project
    from scholarpage.serve import Preview

    (tmp_path / "scratch").mkdir()
    preview = Preview(Project(site), tmp_path / "scratch", 8000)
    assert preview.build()[0].ok
    edited = site / "content/publications/first.yml"
    write(edited, PUB.replace("2020", "2021"))
    write_bytes = Path.write_bytes

    def full(path, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(Path, "write_bytes", full)
    preview.changed({edited})
    preview.rebuild()
    problem = f"{preview.folder}: cannot write index.html: No space left on device"
    assert [str(p) for p in preview.errors] == [problem]
    assert html.escape(problem) in preview.error_page().decode()
    out, err = capsys.readouterr()
    assert err == f"{problem}\n" and "build failed with 1 error" in out
    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    preview.rebuild()
    assert preview.errors == [] and tree(preview.folder) == preview.files
    assert b"2021" in preview.files["index.html"]


def test_update_tree_writes_only_what_differs_and_prunes_emptied_folders(tmp_path):
    from scholarpage.output import update_tree

    old = {"index.html": b"old", "a/b/page.html": b"same", "gone/deep/x.html": b"x"}
    new = {"index.html": b"new", "a/b/page.html": b"same", "added.txt": b"+"}
    assert update_tree(tmp_path, {}, old) == sorted(old)
    assert update_tree(tmp_path, old, new) == ["added.txt", "index.html"]
    assert tree(tmp_path) == new and not (tmp_path / "gone").exists()

