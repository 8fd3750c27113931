"""Save-to-reload latency of `python build.py serve` against `hugo server`, in one run.

For each size, both servers run on the same publications (bench/sites.py: ours with a page
per publication, as users have it; Hugo's site renders only its home page). A livereload
websocket client is connected to each, as a browser would be. Then one publication file is
saved, in place as most editors do, 20 times per server, the two servers taking turns (only
the one whose file changed rebuilds; the other is idle). Measured: the time from the write to
the `reload` message arriving, and each server's own rebuild time from its terminal line
(ours: "written in N ms", render and write; Hugo: "Total in N ms").

    python bench/serve_latency.py [--edits 20] [--sizes 17,1000,10000]

Prints a Markdown table for the README, with the ratios ours/Hugo of this run.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import queue
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from readme import write_section  # noqa: E402
from run import hugo_binary, hugo_version  # noqa: E402
from sites import REPO, edit_hugo, edit_ours, make_sites  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A dev server's process, its terminal lines read on a thread."""

    def __init__(self, name: str, command: list[str], cwd: Path, ready: str, rebuilt: str):
        self.name, self.rebuilt = name, re.compile(rebuilt)
        self.process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.port = int(self.wait_for(re.compile(ready), 600)[1])

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: re.Pattern, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            match = pattern.search(line)
            if match:
                return match

    def rebuild_ms(self) -> float:
        return float(self.wait_for(self.rebuilt, 60)[1])

    def stop(self) -> None:
        self.process.send_signal(2)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_ours(root: Path) -> Server:
    return Server("ours", [sys.executable, str(REPO / "build.py"), "--root", str(root), "serve",
                           "--port", "0"], root, r"serving http://127\.0\.0\.1:(\d+)/",
                  r"changed: .* written in (\d+) ms")


def start_hugo(root: Path) -> Server:
    port = free_port()
    return Server("hugo", [hugo_binary(), "server", "--port", str(port), "--bind", "127.0.0.1"],
                  root, r"Web Server is available at http://localhost:(\d+)/", r"Total in (\d+) ms")


async def connect(server: Server):
    """A browser's view of the home page: the page is loaded (Hugo's fast render mode rebuilds
    only pages that were visited), then its livereload client says hello and waits."""
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest
    from tornado.websocket import websocket_connect

    origin = f"http://127.0.0.1:{server.port}"  # Hugo refuses a websocket from elsewhere
    await AsyncHTTPClient().fetch(origin + "/")
    client = await websocket_connect(HTTPRequest(f"ws://127.0.0.1:{server.port}/livereload",
                                                 headers={"Origin": origin}))
    await client.write_message(json.dumps(
        {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
    await client.write_message(json.dumps({"command": "info", "url": origin + "/", "plugins": {}}))
    await asyncio.sleep(0.5)  # until the server counts the client among those to reload
    return client


async def save_and_wait(client, save) -> float:
    """Milliseconds from `save()` writing the file to the reload message arriving."""
    started = time.perf_counter()
    save()
    while True:
        message = json.loads(await asyncio.wait_for(client.read_message(), 120))
        if message.get("command") == "reload":
            return (time.perf_counter() - started) * 1000


async def measure(servers: dict, saves: dict, edits: int) -> dict[str, tuple[list, list]]:
    """{name: (latencies, rebuild times)} over `edits` saves per server, taking turns."""
    clients = {name: await connect(server) for name, server in servers.items()}
    results = {name: ([], []) for name in servers}
    for edit in range(edits):
        order = list(servers) if edit % 2 == 0 else list(reversed(servers))
        for name in order:
            latency = await save_and_wait(clients[name], lambda: saves[name](edit + 1))
            results[name][0].append(latency)
            results[name][1].append(servers[name].rebuild_ms())
            await asyncio.sleep(0.2)  # the burst of a save is over before the next
    for client in clients.values():
        client.close()
    return results


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def bench_size(size: int, edits: int) -> str:
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as scratch:
        ours, hugo, records = make_sites(Path(scratch), size, pages=True)
        servers = {}
        try:
            servers["ours"] = start_ours(ours)
            servers["hugo"] = start_hugo(hugo)
            saves = {"ours": lambda revision: edit_ours(ours, records, revision),
                     "hugo": lambda revision: edit_hugo(hugo, records, revision)}
            results = asyncio.run(measure(servers, saves, edits))
        finally:
            for server in servers.values():
                server.stop()
    (ours_latency, ours_rebuild), (hugo_latency, hugo_rebuild) = results["ours"], results["hugo"]
    median = statistics.median
    cells = [f"{size:,}" + (" (the example)" if size == 17 else ""),
             f"{median(ours_latency):.0f} / {p90(ours_latency):.0f}",
             f"{median(hugo_latency):.0f} / {p90(hugo_latency):.0f}",
             f"{median(ours_latency) / median(hugo_latency):.2f}",
             f"{median(ours_rebuild):.0f} / {p90(ours_rebuild):.0f}",
             f"{median(hugo_rebuild):.0f} / {p90(hugo_rebuild):.0f}",
             f"{median(ours_rebuild) / median(hugo_rebuild):.2f}"]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=20, help="saves per server and size")
    parser.add_argument("--sizes", default="17,1000,10000",
                        help="comma-separated publication counts (17 is the example site)")
    parser.add_argument("--readme", action="store_true",
                        help="also write the table into README.md's performance section")
    args = parser.parse_args()
    rows = []
    for size in (int(value) for value in args.sizes.split(",") if value):
        rows.append(bench_size(size, args.edits))
        print(rows[-1], file=sys.stderr, flush=True)
    table = ("| publications | ours: save to reload | Hugo: save to reload | ours/Hugo "
             "| ours: rebuild | Hugo: rebuild | ours/Hugo |\n|---:|---:|---:|---:|---:|---:|---:|\n"
             + "\n".join(rows)
             + f"\n\n{args.edits} saves of one publication file per server and size, taking turns; "
             f"Python {sys.version.split()[0]}, Hugo {hugo_version()}; median / 90th percentile, "
             f"in ms. Ours renders a page per publication; Hugo's site renders only its home page.")
    print(table)
    if args.readme:
        write_section("bench/serve_latency.py", table)


if __name__ == "__main__":
    main()
