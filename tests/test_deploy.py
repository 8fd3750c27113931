"""`python build.py deploy`: the site goes to a gh-pages branch of a real (local, bare) remote."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import run_cli
from scholarpage.config import Project
from scholarpage.deploy import Git, commit_site, github_pages_url, without_credentials
from scholarpage.pipeline import render
from scholarpage.problems import Problems


@pytest.fixture(autouse=True)
def git_identity(monkeypatch, tmp_path):
    """Git as on a fresh machine: no global or system config, an identity from the environment."""
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("")
    for key, value in {"GIT_CONFIG_GLOBAL": str(empty), "GIT_CONFIG_NOSYSTEM": "1",
                       "GIT_CEILING_DIRECTORIES": str(tmp_path),
                       "GIT_AUTHOR_NAME": "Ada Lovelace", "GIT_AUTHOR_EMAIL": "ada@example.org",
                       "GIT_COMMITTER_NAME": "Ada Lovelace",
                       "GIT_COMMITTER_EMAIL": "ada@example.org"}.items():
        monkeypatch.setenv(key, value)


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def commit_all(root: Path, message: str = "Sources") -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


@pytest.fixture
def repo(make_project, tmp_path):
    """(project, bare remote): a committed project whose `origin` is a local bare repository."""
    # .cache/ is ignored as in the shipped .gitignore; the output folder is not, on purpose.
    root = make_project({"content/index.md": "I study engines.\n", ".gitignore": ".cache/\n"})
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(root, "init", "-q", "-b", "main")
    git(root, "remote", "add", "origin", str(remote))
    commit_all(root)
    git(root, "push", "-q", "origin", "main")
    return root, remote


def user_state(root: Path) -> tuple:
    """What deploy must not touch: current branch, HEAD, the index file, the work tree status."""
    return (git(root, "symbolic-ref", "HEAD"), git(root, "rev-parse", "HEAD"),
            (root / ".git" / "index").read_bytes(), git(root, "status", "--porcelain"))


def tree(remote: Path, ref: str = "gh-pages") -> dict[str, bytes]:
    names = git(remote, "ls-tree", "-r", "-z", "--name-only", ref).strip("\0").split("\0")
    return {name: subprocess.run(["git", "-C", str(remote), "show", f"{ref}:{name}"],
                                 check=True, capture_output=True).stdout for name in names}


def expected_site(root: Path) -> dict[str, bytes]:
    return {**render(Project(root), Problems()).files, ".nojekyll": b""}


def test_two_deploys_make_two_commits_on_the_remote_branch(repo):
    root, remote = repo
    before = user_state(root)
    first_source = git(root, "rev-parse", "HEAD")

    first = run_cli(root, "deploy")

    assert first.returncode == 0, first.stderr
    tip = git(remote, "rev-parse", "gh-pages")
    files = expected_site(root)
    assert first.stdout == (f"pushed {len(files)} files to branch 'gh-pages' of origin "
                            f"({remote}): commit {tip[:12]}\n")
    assert tree(remote) == files
    assert {"index.html", ".nojekyll"} <= set(files)
    assert git(remote, "log", "-1", "--format=%s", "gh-pages") == \
        f"Deploy the site built from commit {first_source}"
    assert user_state(root) == before
    assert not (root / "_site").exists()

    site = (root / "site.yml").read_text().replace("Test Site", "Engines and Poems")
    (root / "site.yml").write_text(site)
    second_source = commit_all(root, "Rename the site")
    second = run_cli(root, "deploy")

    assert second.returncode == 0, second.stderr
    new_tip = git(remote, "rev-parse", "gh-pages")
    assert git(remote, "rev-parse", "gh-pages^") == tip
    assert git(root, "rev-parse", "gh-pages") == new_tip
    assert tree(remote) == expected_site(root)
    assert b"Engines and Poems" in tree(remote)["index.html"]
    assert git(remote, "log", "-1", "--format=%s", "gh-pages") == \
        f"Deploy the site built from commit {second_source}"
    assert git(root, "symbolic-ref", "HEAD") == "refs/heads/main"
    assert git(root, "status", "--porcelain") == ""


def test_a_fresh_clone_deploys_on_top_of_the_remote_branch(repo, tmp_path):
    root, remote = repo
    assert run_cli(root, "deploy").returncode == 0
    tip = git(remote, "rev-parse", "gh-pages")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(remote), str(clone))

    result = run_cli(clone, "deploy")

    assert result.returncode == 0, result.stderr
    assert git(remote, "rev-parse", "gh-pages^") == tip


def test_options_choose_remote_branch_and_message(repo, tmp_path):
    root, remote = repo
    git(root, "remote", "rename", "origin", "pages")

    result = run_cli(root, "deploy", "--remote", "pages", "--branch", "site",
                     "--message", "Publish the spring update")

    assert result.returncode == 0, result.stderr
    assert git(remote, "log", "-1", "--format=%s", "site") == "Publish the spring update"
    assert git(remote, "branch", "--list", "gh-pages") == ""


def test_uncommitted_changes_refuse_unless_forced(repo):
    root, remote = repo
    assert run_cli(root).returncode == 0  # an untracked output folder is not a change
    (root / "site.yml").write_text((root / "site.yml").read_text() + "description: Engines.\n")
    (root / "notes.txt").write_text("draft\n")

    refused = run_cli(root, "deploy")

    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr.endswith(
        "deploy failed: uncommitted changes in site.yml, notes.txt: commit them so the published "
        "site matches a commit, or deploy anyway with --force\n")
    assert git(remote, "branch", "--list", "gh-pages") == ""

    forced = run_cli(root, "deploy", "--force")

    assert forced.returncode == 0, forced.stderr
    assert git(remote, "log", "-1", "--format=%s", "gh-pages") == (
        f"Deploy the site built from commit {git(root, 'rev-parse', 'HEAD')} "
        "with uncommitted changes")
    assert b"Engines." in tree(remote)["index.html"]


def test_without_remote_it_says_how_to_add_one(repo):
    root, _ = repo
    git(root, "remote", "remove", "origin")

    result = run_cli(root, "deploy")

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "deploy failed: no remote named 'origin' (remotes: none): add one with "
        "`git remote add origin URL`, or choose one with --remote\n")


def test_outside_a_git_repository_it_says_so(make_project):
    root = make_project()

    result = run_cli(root, "deploy")

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"deploy failed: {root.as_posix()} is not in a git repository: run `git init`, commit "
        "your site and add a remote (see the README)\n")


def test_on_the_deploy_branch_it_refuses(repo):
    root, remote = repo
    git(root, "checkout", "-q", "-b", "gh-pages")

    result = run_cli(root, "deploy")

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "deploy failed: you are on the branch 'gh-pages', which deploy replaces with the built "
        "site: switch to the branch that holds your sources\n")
    assert git(remote, "branch", "--list", "gh-pages") == ""


def test_a_rejected_push_is_a_clear_error(repo):
    root, remote = repo
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are closed today' >&2\nexit 1\n")
    hook.chmod(0o755)

    result = run_cli(root, "deploy")

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith(
        "deploy failed: the push to 'origin' failed (the new commit stays on your local branch "
        "'gh-pages'; fix the cause and deploy again):\n")
    assert "pushes are closed today" in result.stderr
    assert "pre-receive hook declined" in result.stderr
    assert "Traceback" not in result.stderr
    assert git(remote, "branch", "--list", "gh-pages") == ""


def test_without_a_git_identity_it_says_how_to_set_one(repo, monkeypatch):
    root, remote = repo
    monkeypatch.setenv("GIT_COMMITTER_NAME", "")  # git refuses it, as it refuses no identity

    result = run_cli(root, "deploy")

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "deploy failed: git does not know who you are: set your name and email with "
        "`git config --global user.name \"Your Name\"` and "
        "`git config --global user.email you@example.com`\n")
    assert git(remote, "branch", "--list", "gh-pages") == ""


def test_a_failed_build_pushes_nothing(repo):
    root, remote = repo
    (root / "site.yml").write_text("title: [unclosed\n")
    commit_all(root, "Break the site")
    build = run_cli(root)

    result = run_cli(root, "deploy")

    assert (result.returncode, result.stdout) == (1, "")
    problems = build.stderr.splitlines()[:-1]
    assert problems
    assert result.stderr.splitlines() == problems + [
        f"deploy failed: the build has {len(problems)} error{'s' * (len(problems) != 1)}; "
        "nothing was pushed"]
    assert git(remote, "branch", "--list", "gh-pages") == ""


def test_file_names_with_spaces_and_quotes_reach_the_tree(tmp_path):
    root = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(root))
    files = {'papers/a "quoted" name.pdf': b"%PDF", "back\\slash.txt": b"\x00\xff"}

    commit = commit_site(Git(root), "refs/heads/gh-pages", files, "Test", None)

    assert tree(root, commit) == files


@pytest.mark.parametrize("url, shown", [
    ("https://x-access-token:ghp_secret@github.com/ada/ada.github.io.git",
     "https://github.com/ada/ada.github.io.git"),
    ("git@github.com:ada/ada.github.io.git", "git@github.com:ada/ada.github.io.git"),
    ("ssh://git@github.com/ada/site.git", "ssh://github.com/ada/site.git"),
    ("/srv/git/site.git", "/srv/git/site.git"),
])
def test_printed_remote_addresses_hide_credentials(url, shown):
    assert without_credentials(url) == shown


# ---------------------------------------------------------------------------------------------
# The site's address: built for where GitHub Pages serves the remote when site.yml has no url.


def on_github(root: Path, remote: Path, address: str) -> None:
    """Make `origin` the GitHub repository at `address`, which git reaches at the local bare
    `remote` (an `insteadOf` rewriting, as for an SSH host alias): deploy reads the first."""
    git(root, "remote", "set-url", "origin", address)
    git(root, "config", f"url.{remote}.insteadOf", address)


@pytest.mark.parametrize("address, pages_url, home", [
    ("https://github.com/Ada/homepage.git", "https://ada.github.io/homepage/", "/homepage/"),
    ("git@github.com:ada/Ada.GitHub.io.git", "https://ada.github.io/", "/"),
])
def test_without_url_the_site_is_built_for_its_github_pages_address(repo, address, pages_url,
                                                                    home):
    root, remote = repo
    on_github(root, remote, address)
    before = (root / "site.yml").read_bytes()

    result = run_cli(root, "deploy")

    assert (result.returncode, result.stderr) == (0, "")
    tip = git(remote, "rev-parse", "gh-pages")
    assert result.stdout == (
        f"url is empty in site.yml: built for {pages_url}, where GitHub Pages serves the remote "
        f"'origin' ({address}); set url: in site.yml to choose another address, such as a "
        "custom domain\n"
        f"pushed {len(tree(remote))} files to branch 'gh-pages' of origin ({remote}): "
        f"commit {tip[:12]}\n")
    site = tree(remote)
    assert f"<loc>{pages_url}</loc>".encode() in site["sitemap.xml"]
    assert f'<id>{pages_url}</id>'.encode() in site["feed.xml"]
    assert site["robots.txt"].endswith(f"Sitemap: {pages_url}sitemap.xml\n".encode())
    assert f'href="{home}css/style.css"'.encode() in site["404.html"]
    assert f'<a href="{home}"'.encode() in site["404.html"]
    assert "CNAME" not in site
    assert (root / "site.yml").read_bytes() == before
    assert git(root, "status", "--porcelain") == ""


def test_without_url_and_a_remote_not_on_github_it_warns_of_what_that_costs(repo):
    root, remote = repo
    (root / "site.yml").write_text((root / "site.yml").read_text() + 'url: ""\n')
    commit_all(root, "No url")

    result = run_cli(root, "deploy")

    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        f"site.yml:4:6: warning: url is empty, and the remote 'origin' ({remote}) is not a "
        "GitHub address, so the site's address is unknown: it gets no sitemap or feed, and its "
        "404 page links from the domain's root (/), which breaks at a sub-path such as "
        "/homepage/; set url to the address the site is published at\n")
    assert result.stdout.startswith("pushed ") and result.stdout.count("\n") == 1
    site = tree(remote)
    assert "sitemap.xml" not in site and "feed.xml" not in site
    assert b'href="/css/style.css"' in site["404.html"]


def test_a_github_io_url_that_is_not_the_remotes_address_is_warned_of(repo):
    root, remote = repo
    on_github(root, remote, "https://x-access-token:ghp_secret@github.com/ada/homepage")
    site = (root / "site.yml").read_text()
    for url, expected in [
        ("https://ada.github.io/", "https://ada.github.io/homepage/"),  # the repository missing
        ("https://ada.github.io/old/", "https://ada.github.io/homepage/"),  # another repository
        ("https://Bob.GitHub.io/homepage/", "https://ada.github.io/homepage/"),  # another user
        ("https://ada.github.io/Homepage", ""),  # the same address, in another case, no '/'
        ("https://www.example.org/", ""),  # a custom domain
    ]:
        (root / "site.yml").write_text(f"{site}url: {url}\n")
        commit_all(root, f"Publish at {url}")

        result = run_cli(root, "deploy")

        assert result.returncode == 0, result.stderr
        assert result.stderr == (
            f"site.yml:4:6: warning: url '{url}' is not where GitHub Pages serves the remote "
            f"'origin' (https://github.com/ada/homepage), which is {expected}: links to the site "
            "(its 404 page's, feed's and sitemap's) would lead elsewhere; set url to that, or to "
            "your custom domain\n" if expected else ""), url
        assert result.stdout.startswith("pushed ") and result.stdout.count("\n") == 1
        root_url = url if url.endswith("/") else url + "/"
        assert f"<loc>{root_url}</loc>".encode() in tree(remote)["sitemap.xml"]  # site.yml's url


@pytest.mark.parametrize("remote_url, pages_url", [
    # A project site, in every form a GitHub remote takes.
    ("https://github.com/ada/homepage.git", "https://ada.github.io/homepage/"),
    ("https://github.com/ada/homepage", "https://ada.github.io/homepage/"),
    ("https://github.com/ada/homepage/", "https://ada.github.io/homepage/"),
    ("https://github.com/ada/homepage.git/", "https://ada.github.io/homepage/"),
    ("https://x-access-token:ghp_secret@github.com/ada/homepage.git",
     "https://ada.github.io/homepage/"),
    ("https://ada@GitHub.COM/ada/homepage", "https://ada.github.io/homepage/"),
    ("http://github.com/ada/homepage", "https://ada.github.io/homepage/"),
    ("git@github.com:ada/homepage.git", "https://ada.github.io/homepage/"),
    ("git@github.com:ada/homepage", "https://ada.github.io/homepage/"),
    ("github.com:ada/homepage.git", "https://ada.github.io/homepage/"),
    ("ssh://git@github.com/ada/homepage.git", "https://ada.github.io/homepage/"),
    ("ssh://git@github.com:22/ada/homepage/", "https://ada.github.io/homepage/"),
    ("  https://github.com/ada/homepage.git\n", "https://ada.github.io/homepage/"),
    # The owner's address is in lower case; the repository's path keeps its case.
    ("https://github.com/Ada-Lab/Homepage.git", "https://ada-lab.github.io/Homepage/"),
    ("https://github.com/ada/my.site", "https://ada.github.io/my.site/"),
    ("https://github.com/ada/my.site.git", "https://ada.github.io/my.site/"),
    ("https://github.com/ada/.github", "https://ada.github.io/.github/"),
    # A user or organization site: USER.github.io of USER, in any case.
    ("https://github.com/ada/ada.github.io.git", "https://ada.github.io/"),
    ("git@github.com:Ada/ADA.GitHub.IO", "https://ada.github.io/"),
    ("https://github.com/engines-lab/engines-lab.github.io/", "https://engines-lab.github.io/"),
    # USER.github.io of another owner is one of that owner's project sites.
    ("https://github.com/bob/ada.github.io.git", "https://bob.github.io/ada.github.io/"),
    # Not a repository on GitHub.
    ("/srv/git/homepage.git", ""),
    ("file:///srv/git/homepage.git", ""),
    ("https://gitlab.com/ada/homepage.git", ""),
    ("https://github.com.evil.example/ada/homepage.git", ""),
    ("https://notgithub.com/ada/homepage.git", ""),
    ("git@github-work:ada/homepage.git", ""),  # an SSH host alias
    ("https://github.com/ada", ""),
    ("https://github.com/ada/homepage/tree/main", ""),
    ("https://github.com/ada/..", ""),
    ("https://github.com/-ada/homepage", ""),
    ("", ""),
])
def test_the_github_pages_address_of_a_remote(remote_url, pages_url):
    assert github_pages_url(remote_url) == pages_url
