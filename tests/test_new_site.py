"""`python build.py new site`: the example becomes the user's own site, and nothing of theirs is lost.

Each test runs the command line on a copy of the example shipped in the repository.
"""
from __future__ import annotations

import subprocess

import yaml

from conftest import REPO, build_ok, parse_html, run_cli, tree, vnu_jar, write_files
from scholarpage.newsite import EXAMPLE_FILES, digest

PHOTO = "static/images/ximeng-sun.svg"
ADA = ("new", "site", "--name", "Ada Lovelace", "--email", "ada@example.org",
       "--url", "https://ada.github.io/")
DONE = (
    "wrote site.yml with your name, content/index.md (a placeholder bio) and content/coauthors.yml\n"
    f"removed the example's 17 publications and {PHOTO}\n"
    "{kept}"
    "next: write your bio in content/index.md, add publications (python build.py import "
    "FILE.bib, or python build.py new publication), then python build.py serve\n")


def test_the_example_files_known_are_the_repositorys_own():
    shipped = [REPO / "site.yml"] + sorted(
        p for folder in ("content", "static") for p in (REPO / folder).rglob("*") if p.is_file())
    found = {p.relative_to(REPO).as_posix(): digest(p) for p in shipped}
    assert EXAMPLE_FILES == found, "the example changed: put these in newsite.EXAMPLE_FILES"


def test_new_site_makes_the_example_yours_and_it_builds_without_a_warning(example_project):
    root = example_project
    result = run_cli(root, *ADA)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == DONE.format(kept="")
    assert sorted(p.relative_to(root).as_posix() for p in (root / "content").rglob("*")) == [
        "content/coauthors.yml", "content/index.md", "content/publications"]
    assert not (root / "static" / "images").exists()  # emptied of the example's photo
    site = (root / "site.yml").read_text(encoding="utf-8")
    assert site.startswith("# yaml-language-server: $schema=schema/site.schema.json\n")
    assert "\n  # links:\n  #   - label: Google Scholar\n" in site  # hints for the navbar
    assert yaml.safe_load(site) == {
        "title": "Ada Lovelace", "url": "https://ada.github.io/", "language": "en",
        "theme": "frontpage", "output": "_site",
        "owner": {"name": "Ada Lovelace", "email": "ada@example.org"},
        "sections": [{"heading": "Conferences", "types": ["conference"]},
                     {"heading": "Journal", "types": ["journal"]},
                     {"heading": "Patents", "types": ["patent"]},
                     {"heading": "Preprints", "types": ["preprint"]}]}
    assert (root / "content" / "index.md").read_text(encoding="utf-8").startswith(
        "---\ntitle: About\n---\n\n**Placeholder, written by `python build.py new site`:**")
    built = build_ok(root)
    assert built.stderr == ""
    assert built.stdout.startswith("built 2 pages, 0 publications, ")
    page = parse_html((root / "_site" / "index.html").read_text(encoding="utf-8"))
    assert page.find("h1").text() == "Ada Lovelace"
    assert page.find("div", "bio").find("p").text().startswith(
        "Placeholder, written by python build.py new site: replace this paragraph with your bio")
    assert "Ximeng" not in tree(root / "_site")["index.html"].decode()


def test_the_site_new_site_makes_is_valid_html(example_project):
    root = example_project
    assert run_cli(root, *ADA, "--affiliation", "Analytical Society").returncode == 0
    build_ok(root)
    files = [str(p) for p in sorted((root / "_site").rglob("*")) if p.suffix in (".html", ".css", ".svg")]
    result = subprocess.run(["java", "-jar", str(vnu_jar()), "--errors-only", "--format", "gnu",
                             "--also-check-css", "--also-check-svg", *files],
                            capture_output=True, text=True, timeout=300)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_new_site_asks_for_each_value(example_project):
    answers = "Ada  King Lovelace\nAnalytical Society: London\n\n\n"
    result = run_cli(example_project, "new", "site", "--interactive", input=answers)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "Your name: Affiliation (optional): Email, shown obfuscated (optional): Address of the "
        "site, e.g. https://USER.github.io/ (optional): " + DONE.format(kept=""))
    site = (example_project / "site.yml").read_text(encoding="utf-8")
    assert "\n  name: Ada King Lovelace\n  # Other spellings" in site
    assert "\n  # highlight: [A. K. Lovelace]\n" in site
    assert "\n  affiliation: 'Analytical Society: London'\n" in site  # quoted as YAML needs
    assert "\n  # email: you@example.org\n" in site
    assert '\nurl: ""  # base URL' in site
    assert yaml.safe_load(site)["owner"] == {"name": "Ada King Lovelace",
                                             "affiliation": "Analytical Society: London"}
    assert build_ok(example_project).stderr == ""


def test_new_site_refuses_to_lose_what_the_user_changed(example_project):
    root = example_project
    write_files(root, {"content/index.md": "---\ntitle: About\n---\nI am Ada.\n"})
    dualcoop = root / "content" / "publications" / "2022-sun-dualcoop.yml"
    dualcoop.write_text(dualcoop.read_text(encoding="utf-8") + "selected: true\n", encoding="utf-8")
    before = tree(root)
    result = run_cli(root, *ADA)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "content/index.md: is not the example's as shipped: new site would lose your changes "
        "by replacing it\n"
        "content/publications/2022-sun-dualcoop.yml: is not the example's as shipped: new site "
        "would lose your changes by removing it\n"
        "new site: nothing was changed: keep a copy of what you need from these 2 files, then "
        "run it again with --force\n")
    assert tree(root) == before
    # In a terminal too, it says so before asking anything.
    result = run_cli(root, "new", "site", "--interactive", input="Ada Lovelace\n\n\n\n")
    assert result.returncode == 1 and result.stdout == "" and tree(root) == before
    # Told to, it goes ahead.
    result = run_cli(root, *ADA, "--force")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == DONE.format(kept="")
    assert not dualcoop.exists()
    assert "I am Ada" not in (root / "content" / "index.md").read_text(encoding="utf-8")


def test_new_site_keeps_the_files_the_user_added(example_project):
    root = example_project
    mine = {"content/publications/2025-lovelace-notes.yml":
            "title: Notes\nauthors: [Ada Lovelace]\ntype: journal\nyear: 2025\n",
            "static/images/ada.svg": (REPO / PHOTO).read_bytes()}
    write_files(root, mine)
    result = run_cli(root, *ADA)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == DONE.format(kept="kept 2 files of yours in content/ and static/\n")
    assert {path: (root / path).read_bytes() for path in mine} == {
        path: data if isinstance(data, bytes) else data.encode() for path, data in mine.items()}
    assert sorted(p.name for p in (root / "content" / "publications").iterdir()) == [
        "2025-lovelace-notes.yml"]
    assert "1 publication," in build_ok(root).stdout


def test_new_site_runs_again_over_its_own_placeholders_but_not_over_your_settings(example_project):
    root = example_project
    assert run_cli(root, *ADA).returncode == 0
    before = tree(root)
    result = run_cli(root, "new", "site", "--name", "Ada Byron")
    assert result.returncode == 1 and tree(root) == before
    assert result.stderr == (
        "site.yml: is not the example's as shipped: new site would lose your changes by "
        "replacing it\n"
        "new site: nothing was changed: keep a copy of what you need from this file, then run "
        "it again with --force\n")
    result = run_cli(root, "new", "site", "--name", "Ada Byron", "--force")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == DONE.format(kept="").replace(
        f"removed the example's 17 publications and {PHOTO}\n", "")  # gone already
    assert "\n  name: Ada Byron\n" in (root / "site.yml").read_text(encoding="utf-8")


def test_an_example_checked_out_with_crlf_line_endings_is_still_the_example(example_project):
    root = example_project
    for relative in EXAMPLE_FILES:  # as git does on Windows with core.autocrlf
        path = root / relative
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    result = run_cli(root, *ADA)
    assert (result.returncode, result.stderr) == (0, "")


def test_new_site_reports_bad_values_and_changes_nothing(example_project):
    root = example_project
    before = tree(root)
    result = run_cli(root, "new", "site", "--name", "Ada", "--email", "ada at home",
                     "--url", "https://ada.github.io/index.html")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "new site: 'url' must be the http(s) address of the site's folder, like "
        "https://user.github.io/repo/ (no file name such as index.html, no '?' or '#', no 'user@'), got "
        "'https://ada.github.io/index.html'\n"
        "new site: 'email' must be an address like name@example.org, got 'ada at home'\n")
    result = run_cli(root, "new", "site", "--email", "ada@example.org", input="")
    assert (result.returncode, result.stderr) == (1, (
        "new site: your name is needed: give it with --name (or run this in a terminal to be "
        "asked)\n"))
    assert tree(root) == before


def test_new_site_needs_a_project(tmp_path):
    result = run_cli(tmp_path, *ADA)
    assert result.returncode == 1
    assert result.stderr == ("site.yml: not found: run this in the folder that holds site.yml "
                             "(or give --root FOLDER)\n")
    assert list(tmp_path.iterdir()) == []


def test_options_of_one_kind_of_new_are_not_taken_by_the_other(example_project):
    result = run_cli(example_project, "new", "site", "--name", "Ada", "--title", "Notes")
    assert result.returncode == 2
    assert result.stderr.endswith("error: unrecognized arguments: --title Notes\n")
    assert (example_project / "content" / "publications").is_dir()
    assert len(list((example_project / "content" / "publications").iterdir())) == 17
