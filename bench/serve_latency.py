"""Save-to-reload latency of `python build.py serve` (a benchmark, not a test).

For each site, starts the real server, connects a livereload websocket client as a browser
would, then saves a publication file 20 times (in place, as most editors do) and measures the
time from the write to the `reload` message arriving. Also reports the server's own rebuild
time (render and write, from its terminal line). Sites: the example, and generated sites of
1,000 and 10,000 publications (deterministic, in a temporary folder).

    python bench/serve_latency.py [--edits 20] [--sizes example,1000,10000]

Prints a Markdown table for the README.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import queue
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORDS = ("adaptive attention compression domain dynamic efficient frame graph language learning "
         "model multi network neural quantization robust sparse task transfer video vision").split()
AUTHORS = ("Ximeng Sun", "Kate Saenko", "Rameswar Panda", "Rogerio Feris", "Ada Lovelace",
           "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth")
TYPES = ("conference", "journal", "preprint", "patent")
REBUILD_LINE = re.compile(r"changed: .* written in (\d+) ms")


def copy_example(root: Path) -> Path:
    for name in ("content", "themes", "static"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy2(REPO / "site.yml", root / "site.yml")
    return root


def publication_yaml(number: int, rng: random.Random) -> str:
    title = " ".join(rng.choice(WORDS) for _ in range(6)).capitalize()
    authors = "".join(f"  - {name}\n" for name in rng.sample(AUTHORS, 4))
    abstract = " ".join(rng.choice(WORDS) for _ in range(60))
    return (f'title: "{title} {number}"\nauthors:\n{authors}type: {TYPES[number % len(TYPES)]}\n'
            f"venue: Venue {number % 30}\nyear: {2000 + number % 25}\n"
            f"links:\n  pdf: https://example.org/{number}.pdf\n"
            f"  code: https://example.org/code/{number}\n"
            f"abstract: |\n  {abstract}\n")


def generate_site(root: Path, count: int) -> Path:
    """The example's settings, bio and theme with `count` generated publications instead."""
    copy_example(root)
    folder = root / "content" / "publications"
    shutil.rmtree(folder)
    folder.mkdir()
    rng = random.Random(count)
    for number in range(count):
        (folder / f"{number:05d}.yml").write_text(publication_yaml(number, rng), encoding="utf-8")
    return root


class Server:
    """`python build.py serve` on a free port, its terminal lines read on threads."""

    def __init__(self, root: Path):
        self.process = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "--root", str(root), "serve", "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.port = int(self.wait_for(re.compile(r"serving http://127\.0\.0\.1:(\d+)/"), 600)[1])

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

    def stop(self) -> None:
        self.process.send_signal(2)
        self.process.wait(timeout=60)


async def measure(server: Server, target: Path, edits: int) -> tuple[list[float], list[float]]:
    """(save-to-reload latencies, server rebuild times) in ms over `edits` saves of `target`."""
    from tornado.websocket import websocket_connect

    socket = await websocket_connect(f"ws://127.0.0.1:{server.port}/livereload")
    await socket.write_message(json.dumps(
        {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
    await socket.read_message()
    await socket.write_message(json.dumps({"command": "info", "url": "bench", "plugins": {}}))
    await asyncio.sleep(0.2)  # the server adds the client to its waiters on 'info'
    original = target.read_text(encoding="utf-8")
    latencies, rebuilds = [], []
    try:
        for edit in range(edits):
            text = re.sub(r"^title: .*$", f"title: Benchmark edit {edit}", original, count=1,
                          flags=re.MULTILINE)
            started = time.perf_counter()
            target.write_text(text, encoding="utf-8")
            while True:
                message = json.loads(await asyncio.wait_for(socket.read_message(), 600))
                if message.get("command") == "reload":
                    break
            latencies.append((time.perf_counter() - started) * 1000)
            rebuilds.append(float(server.wait_for(REBUILD_LINE, 60)[1]))
            await asyncio.sleep(0.1)  # let the editor's burst end before the next save
    finally:
        target.write_text(original, encoding="utf-8")
        socket.close()
    return latencies, rebuilds


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def bench_site(name: str, edits: int) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as scratch:
        root = Path(scratch) / "site"
        root.mkdir()
        if name == "example":
            copy_example(root)
        else:
            generate_site(root, int(name))
        target = sorted((root / "content" / "publications").glob("*.yml"))[0]
        server = Server(root)
        try:
            latencies, rebuilds = asyncio.run(measure(server, target, edits))
        finally:
            server.stop()
    count = len(list((REPO / "content" / "publications").glob("*.yml"))) if name == "example" else int(name)
    label = "example site" if name == "example" else "generated"
    return [f"{label}", f"{count:,}", f"{statistics.median(latencies):.0f}", f"{p90(latencies):.0f}",
            f"{statistics.median(rebuilds):.0f}", f"{p90(rebuilds):.0f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--sizes", default="example,1000,10000",
                        help="comma-separated: 'example' and/or numbers of publications")
    args = parser.parse_args()
    header = ["Site", "Publications", "Save to reload, median (ms)", "p90 (ms)",
              "Rebuild, median (ms)", "p90 (ms)"]
    rows = [bench_site(name.strip(), args.edits) for name in args.sizes.split(",")]
    print(f"\n{args.edits} saves of one publication file per site, Python {sys.version.split()[0]}:\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
