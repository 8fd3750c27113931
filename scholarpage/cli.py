"""The command line: parses arguments, calls the engine, prints problems, sets the exit code.

Each command is a function `command_NAME(args) -> exit code`; the modules that do the work
are imported only when their command runs, so `python build.py` starts fast.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

DESCRIPTION = """Build a researcher's homepage from site.yml and content/.

With no command, builds the site into the output folder (site.yml's 'output', default _site/)."""


def print_problems(problems) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def report_build(result) -> int:
    """Print a build's problems and summary; the exit code a build gives."""
    print_problems(result.problems.items)
    if not result.ok:
        count = len(result.problems.errors)
        print(f"build failed: {count} error{'s' * (count != 1)}; the output folder was not changed",
              file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def command_build(args) -> int:
    from .pipeline import build

    return report_build(build(args.root, args.out))


def command_schema(args) -> int:
    from .output import write_tree
    from .schema import schema_files

    folder = args.root / "schema"
    folder.mkdir(exist_ok=True)
    files = schema_files()
    write_tree(folder, files)
    print(f"wrote {len(files)} JSON Schemas to {folder.as_posix()}/")
    return 0


def command_check(args) -> int:
    from .check import VNU_HELP, check_html, check_links, find_vnu
    from .pipeline import build

    result = build(args.root, args.out)
    if report_build(result):
        return 1
    problems, external = check_links(result.out, result.site.base_path)
    if not args.no_html:
        vnu = find_vnu()
        if vnu is None:
            problems.error(result.out.name, 0, 0, VNU_HELP)
        else:
            problems.extend(check_html(result.out, vnu))
    print(f"{len(external)} external links (listed, not fetched):")
    for url in external:
        print(f"  {url}")
    for problem in problems.items:
        print(f"{result.out.name}/{problem}", file=sys.stderr)
    if problems.errors:
        print(f"check failed: {len(problems.errors)} problems", file=sys.stderr)
        return 1
    print("check passed: every internal link, source and anchor resolves"
          + ("" if args.no_html else "; the HTML is valid"))
    return 0


def add_build(commands) -> None:
    parser = commands.add_parser("build", help="build the site (the default command)")
    parser.add_argument("--out", type=Path, default=None,
                        help="write the site to this folder instead of site.yml's 'output'")
    parser.set_defaults(handler=command_build)


def add_schema(commands) -> None:
    parser = commands.add_parser(
        "schema", help="rewrite schema/*.json from the content model (for editors' YAML checks)")
    parser.set_defaults(handler=command_schema)


def add_check(commands) -> None:
    parser = commands.add_parser(
        "check", help="build, then verify internal links, anchors and HTML validity")
    parser.add_argument("--out", type=Path, default=None,
                        help="build to this folder instead of site.yml's 'output'")
    parser.add_argument("--no-html", action="store_true",
                        help="skip the Nu Html Checker (links are still checked)")
    parser.set_defaults(handler=command_check)


# One function per command adds its sub-parser; the order here is the order in --help.
COMMANDS = [add_build, add_check, add_schema]


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python build.py", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the project folder, holding site.yml (default: the current folder)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in COMMANDS:
        add(commands)
    parser.set_defaults(handler=command_build, out=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130
