"""The command line: parses arguments, calls the engine, prints problems, sets the exit code.

Each command is a function `command_NAME(args) -> exit code`; the modules that do the work
are imported only when their command runs, so `python build.py` starts fast.
"""
from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from types import SimpleNamespace

from .problems import plural

DESCRIPTION = """Build a researcher's homepage from site.yml and content/.

With no command, builds the site into the output folder (site.yml's 'output', default _site/)."""


def print_problems(problems) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def report_build(result) -> int:
    """Print a build's problems and summary; the exit code a build gives."""
    print_problems(result.problems.in_reading_order())
    if not result.ok:
        count = len(result.problems.errors)
        print(f"build failed: {plural(count, 'error')}; the output folder was not changed",
              file=sys.stderr)
        return 1
    if result.filled_in_url:
        print(f"url is empty in site.yml: built for {result.filled_in_url} (--default-url)")
    print(result.summary())
    return 0


def command_build(args) -> int:
    from .pipeline import build

    return report_build(build(args.root, args.out, disk_cache=not args.no_cache,
                              in_background=True, default_url=args.default_url))


def command_schema(args) -> int:
    from .output import OutputError, write_tree
    from .schema import schema_files

    folder = args.root / "schema"
    files = schema_files()
    try:
        folder.mkdir(exist_ok=True)
        write_tree(folder, files)
    except (OSError, OutputError) as error:  # schema/ is a file, a full disk, no permission
        reason = ("a file of that name is where the folder must be" if folder.exists()
                  and not folder.is_dir() else error if isinstance(error, OutputError)
                  else error.strerror or error)
        print(f"schema/: cannot write the JSON Schemas: {reason}", file=sys.stderr)
        return 1
    print(f"wrote {len(files)} JSON Schemas to {folder.as_posix()}/")
    return 0


def command_check(args) -> int:
    from .check import VNU_HELP, check_html, check_links, find_vnu
    from .pipeline import build

    result = build(args.root, args.out)
    if report_build(result):
        return 1
    problems, external = check_links(result.out, result.site.base_path, result.site.url)
    vnu = None if args.no_html else find_vnu()
    if vnu is not None:
        problems.extend(check_html(result.out, vnu))
    elif not args.no_html:  # links are what a site most often breaks; Java is not for everyone
        problems.warn("check", 0, 0, VNU_HELP)
    print(f"{plural(len(external), 'external link')} (listed, not fetched):")
    for url in external:
        print(f"  {url}")
    for problem in problems.items:  # a page's problems at its path from the project
        print(f"{result.out.name}/{problem}" if problem.line else problem, file=sys.stderr)
    if problems.errors:
        count = len(problems.errors)
        print(f"check failed: {plural(count, 'problem')}", file=sys.stderr)
        return 1
    print("check passed: every internal link, source and anchor resolves"
          + ("; the HTML is valid" if vnu else "" if args.no_html else " (the HTML was not validated)"))
    return 0


def command_deploy(args) -> int:
    from .deploy import DeployError, deploy

    try:
        done = deploy(args.root, remote=args.remote, branch=args.branch, force=args.force,
                      message=args.message)
    except DeployError as error:
        print_problems(error.problems)
        print(f"deploy failed: {error}", file=sys.stderr)
        return 1
    print_problems(done.warnings)
    if done.note:
        print(done.note)
    print(done.summary())
    return 0


def command_serve(args) -> int:
    from .serve import serve

    return serve(args.root, args.host, args.port)


def site_address(text: str) -> str:
    """--default-url's value as site.yml's url would be (see config.site_url)."""
    import argparse

    from .config import site_url

    try:
        return site_url(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_build(commands) -> None:
    parser = commands.add_parser(
        "build", help="build the site (the default command)",
        description="Build the site into the output folder (site.yml's 'output', default _site/), "
                    "which is replaced whole; a build that finds a problem leaves it as it was. "
                    "What did not change since the last build is taken from the build cache in "
                    ".cache/scholarpage/ (the output is the same with or without it).")
    parser.add_argument("--out", type=Path, default=None,
                        help="write the site to this folder instead of site.yml's 'output'")
    parser.add_argument("--no-cache", action="store_true",
                        help="ignore and keep no build cache (.cache/scholarpage/); same output")
    parser.add_argument("--default-url", type=site_address, default="", metavar="URL",
                        help="the site's address when site.yml's url is empty, as the GitHub "
                             "Pages workflow gives it; site.yml is not changed")
    parser.set_defaults(handler=command_build)


def add_schema(commands) -> None:
    parser = commands.add_parser(
        "schema", help="rewrite schema/*.json from the content model (for editors' YAML checks)",
        description="Rewrite the JSON Schemas in schema/ from the content model. Editors that "
                    "read the '# yaml-language-server: $schema=...' line at the top of site.yml "
                    "and of each publication file (VS Code with the YAML extension, for one) then "
                    "check each field and offer completions as you type.")
    parser.set_defaults(handler=command_schema)


def add_check(commands) -> None:
    parser = commands.add_parser(
        "check", help="build, then verify internal links, anchors and HTML validity",
        description="Build the site, then check that every internal link, image source and "
                    "#anchor of every page leads somewhere, and that every page is valid HTML "
                    "(with the Nu Html Checker, which needs Java: install it with "
                    "'npm install vnu-jar', or set VNU_JAR to its vnu.jar; without it, the "
                    "HTML is not validated, with a warning). External links are listed, not "
                    "fetched.")
    parser.add_argument("--out", type=Path, default=None,
                        help="build to this folder instead of site.yml's 'output'")
    parser.add_argument("--no-html", action="store_true",
                        help="skip the Nu Html Checker (links are still checked)")
    parser.set_defaults(handler=command_check)


def add_deploy(commands) -> None:
    parser = commands.add_parser(
        "deploy", help="build, commit the site to the gh-pages branch and push it",
        description="Build the site, commit it (with .nojekyll) to a branch without touching "
                    "your working tree, and push that branch, for GitHub Pages' "
                    "'Deploy from a branch'. Your output folder is not used.")
    parser.add_argument("--remote", default="origin",
                        help="the git remote to push to (default: origin)")
    parser.add_argument("--branch", default="gh-pages",
                        help="the branch to publish (default: gh-pages)")
    parser.add_argument("--force", action="store_true",
                        help="deploy even when the project has uncommitted changes")
    parser.add_argument("--message", default=None,
                        help="the commit message (default: names the source commit)")
    parser.set_defaults(handler=command_deploy)


def label_and_url(text: str) -> tuple[str, str]:
    """--link's value: (label, URL) of `pdf=https://...`."""
    import argparse

    label, equals, url = text.partition("=")
    if not equals or not label.strip() or not url.strip():
        raise argparse.ArgumentTypeError(
            f"'{text}' is not LABEL=URL, as in pdf=https://example.org/paper.pdf")
    return label.strip(), url.strip()


def port_number(text: str) -> int:
    import argparse

    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (0 to 65535)")
    return int(text)


def add_serve(commands) -> None:
    parser = commands.add_parser(
        "serve", help="preview the site in the browser, rebuilt and reloaded on every save",
        description="Build the site into a temporary folder (never the output folder), serve it, "
                    "and rebuild and reload open pages whenever site.yml, content/, themes/, "
                    "templates/ or static/ change. Ctrl-C stops it.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="the address to listen on (default: 127.0.0.1, this computer only)")
    parser.add_argument("--port", type=port_number, default=8000,
                        help="the port to listen on (default: 8000; 0 picks a free one)")
    parser.set_defaults(handler=command_serve)


def command_import(args) -> int:
    from .importer import import_files

    result = import_files(args.root, args.files, update=args.update)
    print_problems(result.problems.in_reading_order())
    for line in result.written + result.left:
        print(line)
    print(result.summary())
    return 1 if result.problems.errors else 0


def add_import(commands) -> None:
    parser = commands.add_parser(
        "import", help="add publications from BibTeX files to content/publications/",
        description="Write one content/publications/ file per BibTeX entry. Entries already "
                    "there (same DOI, arXiv id, or title, year and type) are left alone, each "
                    "named; no file is ever overwritten.")
    parser.add_argument("files", nargs="+", metavar="FILE.bib", help="BibTeX files to import")
    parser.add_argument("--update", action="store_true",
                        help="add to entries already present the fields they lack, keeping "
                             "everything you wrote (comments too)")
    parser.set_defaults(handler=command_import)


def asking(args, values: dict) -> bool:
    """Whether `new` asks for each value: if told to, or run in a terminal with none given."""
    return args.interactive or (not any(values.values()) and sys.stdin.isatty())


def command_new_publication(args) -> int:
    from .scaffold import new_publication

    links = {"doi": args.doi, "arxiv": args.arxiv, **dict(args.link or [])}
    values = {"title": args.title, "authors": args.author, "type": args.type,
              "venue": args.venue, "venue_full": args.venue_full, "year": args.year,
              "month": args.month, "selected": args.selected or None,
              "links": {label: url for label, url in links.items() if url} or None}
    path, problems = new_publication(args.root, values, input if asking(args, values) else None)
    print_problems(problems.items)
    if path is None:
        return 1
    print(path)
    return 0


def command_new_site(args) -> int:
    from .newsite import new_site

    values = {"name": args.name, "affiliation": args.affiliation, "email": args.email,
              "url": args.url}
    done, problems = new_site(args.root, values, input if asking(args, values) else None,
                              force=args.force)
    print_problems(problems.items)
    if done is None:
        return 1
    print("\n".join(done))
    return 0


def add_new(commands) -> None:
    parser = commands.add_parser(
        "new", help="start your own site from the example, or write a new publication file",
        description="'new site' turns the example into your own site; 'new publication' writes "
                    "a publication file. Run in a terminal without options, each asks for "
                    "its values.")
    kinds = parser.add_subparsers(dest="what", metavar="WHAT", required=True,
                                  help="what to create: site or publication")
    site = kinds.add_parser(
        "site", help="turn the example site into yours: your name, no example content",
        description="Make the example that comes with this repository your own site: write a "
                    "new site.yml with your name (and hints for the rest), a placeholder bio "
                    "in content/index.md and an empty content/coauthors.yml, and remove the "
                    "example's publications and photo. Files you added are kept. If a file it "
                    "would replace or remove is no longer as the example shipped it, it changes "
                    "nothing and names the file, unless --force. Run in a terminal without "
                    "options, it asks for each value.")
    site.add_argument("--name", help="your name, as the page shows it")
    site.add_argument("--affiliation", help="where you work, shown under your name")
    site.add_argument("--email", help="your address (the page shows it obfuscated)")
    site.add_argument("--url", help="the address the site will have, e.g. https://USER.github.io/")
    site.add_argument("--force", action="store_true",
                      help="replace or remove the example's files even where you changed them")
    site.add_argument("--interactive", action="store_true",
                      help="ask for each value (the default in a terminal without options)")
    site.set_defaults(handler=command_new_site)
    publication = kinds.add_parser(
        "publication", help="write a new publication file and print its path",
        description="Write content/publications/YEAR-author-title.yml from the options given; "
                    "run in a terminal without options, it asks for each field.")
    publication.add_argument("--title", help="the title")
    publication.add_argument("--author", action="append", metavar="NAME",
                             help="an author, in order; repeat for each (default: you, from site.yml)")
    publication.add_argument("--type", help="the publication type (default: conference)")
    publication.add_argument("--venue", help="short venue name, e.g. CVPR")
    publication.add_argument("--venue-full", dest="venue_full", help="full venue name")
    publication.add_argument("--year", help="year of publication")
    publication.add_argument("--month", help="month of publication, 1 to 12")
    publication.add_argument("--doi", help="its DOI, e.g. 10.1109/CVPR52729.2023.01234")
    publication.add_argument("--arxiv", help="its arXiv id, e.g. 2303.18232")
    publication.add_argument("--link", action="append", type=label_and_url, metavar="LABEL=URL",
                             help="a link, e.g. pdf=https://arxiv.org/pdf/2303.18232 or "
                                  "code=https://github.com/you/repo; repeat for each")
    publication.add_argument("--selected", action="store_true",
                             help="one of your highlights (listed again in a selected section)")
    publication.add_argument("--interactive", action="store_true",
                             help="ask for each field (the default in a terminal without options)")
    publication.set_defaults(handler=command_new_publication)


# What a plain `python build.py` runs with: the options' defaults.
BUILD_DEFAULTS = {"root": Path("."), "out": None, "no_cache": False, "default_url": ""}

# One function per command adds its sub-parser; the order here is the order in --help.
COMMANDS = [add_build, add_check, add_schema, add_deploy, add_serve, add_import, add_new]


def make_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python build.py", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--root", type=Path, default=BUILD_DEFAULTS["root"],
                        help="the project folder, holding site.yml (default: the current folder)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in COMMANDS:
        add(commands)
    parser.set_defaults(handler=command_build, **BUILD_DEFAULTS)
    return parser


def parse_arguments(argv: list[str]):
    """The parsed command line. A plain build (no arguments, or `build`) skips building the
    parser, and importing argparse: that takes as long as a small site's build cache takes
    to load."""
    if argv in ([], ["build"]):
        return SimpleNamespace(handler=command_build, **BUILD_DEFAULTS)
    return make_parser().parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    return dispatch(parse_arguments(sys.argv[1:] if argv is None else argv))


def dispatch(args) -> int:
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130


def run() -> None:
    """`python build.py`: run the command, then end the process at once.

    A build makes a million objects and frees few cycles: the collector's passes over them
    took a tenth of a large build, and freeing them one by one at exit as long again, for a
    process about to end. So the collector is off for every command but the long-running dev
    server, and the process ends without its teardown once its output is flushed (every file
    it wrote was closed where it was written).
    """
    args = parse_arguments(sys.argv[1:])
    if args.handler is not command_serve:
        gc.disable()
    try:
        code = dispatch(args)
    except BrokenPipeError:  # what it printed has no reader any more
        code = 120
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None: started with the stream closed
                stream.flush()
    except (OSError, ValueError):  # output lost (no reader, a full disk): as Python's exit says
        code = 120
    os._exit(code)
