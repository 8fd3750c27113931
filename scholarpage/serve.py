"""`python build.py serve`: a live preview that rebuilds on every save and reloads open pages.

It sits beside the pipeline and calls it. A rebuild renders in memory with a BuildCache (only
the publication files that changed are read again, templates stay compiled), then writes only
the files that differ into a private temporary folder: never the output folder, and removed on
exit. Pages are served with livereload's client script; after each rebuild its websocket
handler's waiters are told to reload.

One thread does the work: tornado's IOLoop serves, rebuilds and notifies browsers, so no request
ever sees a half-written folder. The watcher (watch.py) hands changed paths over from watchdog's
threads; a rebuild reads again only those, so the watcher starts before the first build.
"""
from __future__ import annotations

import asyncio
import errno
import html
import mimetypes
import re
import signal
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets
from tornado.websocket import WebSocketClosedError

from .config import Project
from .memo import BuildCache
from .output import OutputError, update_tree
from .pipeline import BuildResult, render
from .problems import Problems, plural
from .watch import Watcher

QUIET_SECONDS = 0.01  # a save is a burst of events: rebuild once none came for this long,
LONGEST_WAIT = 1.0  # but no later than this after the first, should they never stop
HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
ERROR_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Build failed</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
pre {{ white-space: pre-wrap; background: #fdf2f2; border-left: 4px solid #b00020; padding: 1rem; }}
</style>
</head>
<body>
<h1>The site could not be built</h1>
<p>Fix what is listed below and save: this page turns back into the site by itself.</p>
<pre>{problems}</pre>
</body>
</html>
"""
NOT_UNDER_BASE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>
<body><p>Not found. The site is served under <a href="{base}">{base}</a>, as site.yml's url says.</p></body>
</html>
"""


def describe(project: Project, paths) -> str:
    """What changed, for the terminal. Gone paths only when nothing else changed: a file that
    was saved by writing a temporary file and renaming it should not name the temporary file.
    The project folder itself stands for everything: the watcher lost events."""
    if project.root in paths:
        return "file events were lost, every file read again"
    names = sorted(project.relative(path) for path in [p for p in paths if p.exists()] or paths)
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return ", ".join(names[:3]) + more + " changed"


def say(line: str, error: bool = False) -> None:
    print(line, file=sys.stderr if error else sys.stdout, flush=True)


class Preview:
    """The previewed site: rebuilt after each burst of changes, written to `folder`.

    Everything here runs on the IOLoop thread.
    """

    def __init__(self, project: Project, scratch: Path, port: int) -> None:
        import jinja2

        self.project = project
        self.folder = scratch / "site"
        self.folder.mkdir()
        (scratch / "templates").mkdir()
        self.cache = BuildCache(templates=jinja2.FileSystemBytecodeCache(str(scratch / "templates")))
        self.files: dict[str, bytes] = {}  # what `folder` holds
        self.errors: list = []  # problems of the last build when it failed: shown instead of pages
        self.base_path = "/"
        self.script = f'<script src="/livereload.js?port={port}"></script>'.encode()
        self.pending: set[Path] = set()
        self.first_change = 0.0
        self.timer = None

    def build(self) -> tuple[BuildResult, list[str]]:
        """Render, then write what changed; the result and the output paths written."""
        started = time.perf_counter()
        result = render(self.project, Problems(), self.cache)
        written = []
        if result.ok:
            try:
                written = update_tree(self.folder, self.files, result.files)
            except OutputError as error:  # a full disk: shown like any problem, until it is gone
                result.problems.error(str(self.folder), 0, 0, str(error))
                # What the folder holds is now unknown: the next build writes every file again.
                self.files = dict.fromkeys(self.files.keys() | result.files.keys(), None)
        if result.ok:
            self.files, self.errors = result.files, []
            self.base_path = result.site.base_path
        else:
            self.errors = result.problems.items
        result.milliseconds = (time.perf_counter() - started) * 1000
        for problem in result.problems.items:
            say(str(problem), error=True)
        return result, written

    def changed(self, paths: set[Path]) -> None:
        """Note changed paths and (re)start the quiet period before the rebuild."""
        io_loop = IOLoop.current()
        now = time.monotonic()
        if not self.pending:
            self.first_change = now
        self.pending |= paths
        if self.timer is not None:
            io_loop.remove_timeout(self.timer)
        delay = max(0.0, min(QUIET_SECONDS, self.first_change + LONGEST_WAIT - now))
        self.timer = io_loop.call_later(delay, self.rebuild)

    def rebuild(self) -> None:
        self.timer = None
        changed, self.pending = self.pending, set()
        self.cache.forget(changed)  # all of it when events were lost: the project folder
        was_failing = bool(self.errors)
        result, written = self.build()
        what = describe(self.project, changed)
        if result.ok:
            pages = sum(1 for name in written if name.endswith(".html"))
            others = f", {plural(len(written) - pages, 'other file')}" if len(written) > pages else ""
            say(f"{what}: {plural(pages, 'page')}{others} written in {result.milliseconds:.0f} ms")
        else:
            say(f"{what}: build failed with {plural(len(result.problems.errors), 'error')} "
                f"in {result.milliseconds:.0f} ms; the browser shows them")
        if written or self.errors or was_failing:
            reload_browsers(written[0] if len(written) == 1 else "*")

    def with_script(self, page: bytes) -> bytes:
        """The page with livereload's client, which reloads it when the server says so."""
        match = HEAD_END.search(page)
        at = match.start() if match else len(page)
        return page[:at] + self.script + page[at:]

    def error_page(self) -> bytes:
        problems = "\n".join(html.escape(str(problem)) for problem in self.errors)
        return ERROR_PAGE.format(problems=problems).encode()


def reload_browsers(path: str) -> None:
    """Tell every connected page to reload; a lone stylesheet or image is swapped in place."""
    message = {"command": "reload", "path": path, "liveCSS": True, "liveImg": True}
    for waiter in list(LiveReloadHandler.waiters):
        try:
            sent = waiter.write_message(message)
        except WebSocketClosedError:
            LiveReloadHandler.waiters.discard(waiter)
            continue
        # A page closed while the message was on its way is not an error: retrieve, ignore.
        sent.add_done_callback(lambda future: future.cancelled() or future.exception())


def site_file(folder: Path, relative: str) -> Path:
    """The file a URL path names in `folder`; 403 for anything outside it, symlinks included."""
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    try:
        path = (folder / relative).resolve()
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a symlink loop
        raise web.HTTPError(404) from None
    if not path.is_relative_to(folder):
        raise web.HTTPError(403)
    return path


def content_type(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") else kind


class SiteHandler(web.RequestHandler):
    """The preview folder under the site's base path; the error page while the build fails."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")

    def get(self, path: str) -> None:
        preview, url_path = self.preview, "/" + path
        if not url_path.startswith(preview.base_path):
            if url_path in ("/", preview.base_path.rstrip("/")):
                return self.redirect(preview.base_path)
            return self.send_page(404, NOT_UNDER_BASE.format(base=preview.base_path).encode())
        file = site_file(preview.folder, url_path[len(preview.base_path):])
        if preview.errors and (file.suffix == ".html" or not file.is_file()):
            return self.send_page(500, preview.error_page())
        if file.is_dir():
            return self.redirect(self.request.path + "/")
        if not file.is_file():
            missing = preview.folder / "404.html"
            return self.send_page(404, missing.read_bytes() if missing.is_file() else b"Not found")
        self.set_header("Content-Type", content_type(file))
        data = file.read_bytes()
        self.finish(preview.with_script(data) if file.suffix == ".html" else data)

    def send_page(self, status: int, page: bytes) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(self.preview.with_script(page))


def url_of(host: str, port: int, path: str) -> str:
    return f"http://{f'[{host}]' if ':' in host else host}:{port}{path}"


def open_sockets(host: str, port: int) -> list | None:
    """Listening sockets, or None after saying why there are none."""
    try:
        return bind_sockets(port, address=host)
    except OSError as error:
        reason = ("the port is already in use: stop the other server or choose another port "
                  "with --port" if error.errno == errno.EADDRINUSE else error.strerror or str(error))
        say(f"error: cannot serve on {host}:{port}: {reason}", error=True)
        return None


async def run(project: Project, sockets: list, scratch: Path, host: str) -> None:
    """Build, then serve and rebuild until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):  # Windows: Ctrl-C raises KeyboardInterrupt instead
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    port = sockets[0].getsockname()[1]
    preview = Preview(project, scratch, port)
    app = web.Application([
        (r"/livereload", LiveReloadHandler),
        (r"/livereload.js", LiveReloadJSHandler),
        (r"/(.*)", SiteHandler, {"preview": preview}),
    ], log_function=lambda handler: None)
    server = HTTPServer(app)
    # Watching before the first build: a file saved while it runs is read again right after.
    watcher = Watcher(project, IOLoop.current(), preview.changed)
    watcher.start()
    try:
        result, _ = preview.build()
        say(result.summary() if result.ok else
            f"build failed: {plural(len(result.problems.errors), 'error')}; the browser shows them")
        server.add_sockets(sockets)
        say(f"serving {url_of(host, port, preview.base_path)} (Ctrl-C to stop)")
        await stop.wait()
    finally:
        watcher.stop()
        server.stop()
        for waiter in list(LiveReloadHandler.waiters):
            waiter.close()


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Preview the project at `root` until stopped; the exit code."""
    project = Project(Path(root).resolve())
    if not project.root.is_dir():
        say(f"error: {Path(root).as_posix()}: no such folder", error=True)
        return 1
    sockets = open_sockets(host, port)
    if sockets is None:
        return 1
    with tempfile.TemporaryDirectory(prefix="scholarpage-preview-") as scratch:
        with suppress(KeyboardInterrupt):
            asyncio.run(run(project, sockets, Path(scratch).resolve(), host))
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C: clean up still
    signal.signal(signal.SIGINT, previous)
    say("stopped")
    return 0
