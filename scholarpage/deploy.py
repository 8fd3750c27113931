"""`python build.py deploy`: publish the site on a `gh-pages` branch, like `mkdocs gh-deploy`.

For people who serve GitHub Pages from a branch rather than with the Actions workflow. The site
is rendered in memory and committed straight into git's object store with `git fast-import`,
so the user's working tree, index, current branch and output folder are never touched. The new
commit's parent is the branch's previous tip (the remote's when it has the branch), so the
branch keeps its history and the push is an ordinary fast-forward.

A site whose site.yml has no `url` is built for the address GitHub Pages serves the remote's
repository at, so its 404 page, feed and sitemap work there too; a github.io `url` that is not
that address is warned of.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from . import model
from .config import SITE_FILE, Project
from .metadata import host_and_port, site_root_url
from .output import UnsafeOutputPath, output_parts
from .pipeline import render
from .problems import Problem, Problems, plural

SHOWN_CHANGES = 5


class DeployError(Exception):
    """Why the deploy stopped, as one message; `problems` are the build's, if it failed."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class Deployed:
    branch: str
    commit: str
    remote: str
    url: str
    files: int
    warnings: list[Problem] = field(default_factory=list)
    note: str = ""  # which address the site was built for, when site.yml's url is empty

    def summary(self) -> str:
        return (f"pushed {self.files} files to branch '{self.branch}' of {self.remote} "
                f"({self.url}): commit {self.commit[:12]}")


@dataclass(frozen=True)
class Git:
    """Runs git in the project folder; every failure becomes a DeployError."""

    root: Path

    def run(self, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(["git", "-C", str(self.root), *args], input=input,
                                  capture_output=True)
        except FileNotFoundError:
            raise DeployError("git is not installed (or not on PATH)") from None

    def ok(self, *args: str) -> bool:
        return self.run(*args).returncode == 0

    def out(self, *args: str, what: str, input: bytes | None = None) -> str:
        """git's standard output; on failure a DeployError saying `what` failed and why."""
        done = self.run(*args, input=input)
        if done.returncode:
            reason = done.stderr.decode(errors="replace").strip()
            raise DeployError(f"{what}:\n{reason}" if reason else what)
        return done.stdout.decode(errors="replace")


def deploy(root: Path | str, remote: str = "origin", branch: str = "gh-pages",
           force: bool = False, message: str | None = None) -> Deployed:
    """Build the project at `root`, commit it to `branch` and push that to `remote`."""
    project = Project(Path(root).resolve())
    git = Git(project.root)
    url = check_repository(git, remote, branch)
    address = configured_address(git, remote) or url
    pages_url = github_pages_url(address)
    result = render(project, Problems(), default_url=pages_url)
    if not result.ok:
        count = len(result.problems.errors)
        raise DeployError(f"the build has {plural(count, 'error')}; nothing was pushed",
                          result.problems.items)
    changes = uncommitted_changes(git, project, result.site.output)
    if changes and not force:
        raise DeployError(f"uncommitted changes in {shown(changes)}: commit them so the published "
                          "site matches a commit, or deploy anyway with --force")
    files = {**result.files, ".nojekyll": b""}  # GitHub Pages would run Jekyll without it
    check_paths(files)
    head = git.run("rev-parse", "-q", "--verify", "HEAD^{commit}").stdout.decode().strip()
    parent = previous_tip(git, remote, branch)
    commit = commit_site(git, f"refs/heads/{branch}", files,
                         message or default_message(head, bool(changes)), parent)
    push(git, remote, branch)
    where = f"the remote '{remote}' ({without_credentials(address)})"
    return Deployed(branch, commit, remote, url, len(files),
                    [*result.problems.warnings, *address_problems(result.site, pages_url, where)],
                    filled_in_note(pages_url, where) if result.filled_in_url else "")


def check_repository(git: Git, remote: str, branch: str) -> str:
    """The remote's URL, once the project is known to be in a git work tree that can deploy."""
    if git.run("rev-parse", "--is-inside-work-tree").stdout.strip() != b"true":
        raise DeployError(f"{git.root.as_posix()} is not in a git repository: run `git init`, "
                          "commit your site and add a remote (see the README)")
    if not git.ok("check-ref-format", f"refs/heads/{branch}"):
        raise DeployError(f"'{branch}' is not a valid branch name")
    if git.run("symbolic-ref", "-q", "--short", "HEAD").stdout.decode().strip() == branch:
        raise DeployError(f"you are on the branch '{branch}', which deploy replaces with the "
                          "built site: switch to the branch that holds your sources")
    url = git.run("remote", "get-url", remote)
    if url.returncode:
        remotes = ", ".join(git.out("remote", what="cannot list the remotes").split()) or "none"
        raise DeployError(f"no remote named '{remote}' (remotes: {remotes}): add one with "
                          f"`git remote add {remote} URL`, or choose one with --remote")
    return without_credentials(url.stdout.decode().strip())


def configured_address(git: Git, remote: str) -> str:
    """The address the remote pushes to as configured (its pushurl, else its url), before any
    `insteadOf` rewriting: that names the repository, a rewriting says how to reach it (often
    through an SSH host alias for a second account)."""
    for key in ("pushurl", "url"):
        found = git.run("config", "--get-all", f"remote.{remote}.{key}").stdout.decode(
            errors="replace").split("\n")[0].strip()
        if found:
            return found
    return ""


# A repository on GitHub, as git remotes name it: https://github.com/USER/REPO(.git), with or
# without credentials, git@github.com:USER/REPO(.git) or ssh://git@github.com/USER/REPO(.git).
_GITHUB_REMOTE = re.compile(
    r"(?:(?:https?|ssh|git|git\+ssh)://(?:[^/@]*@)?github\.com(?::\d*)?/|(?:[^/@:]+@)?github\.com:)"
    r"/*([a-z\d](?:[a-z\d-]*[a-z\d])?)/([\w.-]+?)(?:\.git)?/*", re.IGNORECASE | re.ASCII)


def github_pages_url(remote_url: str) -> str:
    """The address GitHub Pages serves a remote's repository at ('' for a remote not on
    GitHub): https://user.github.io/ for the repository USER.github.io of USER (in any case),
    else https://user.github.io/REPO/."""
    found = _GITHUB_REMOTE.fullmatch(remote_url.strip())
    if found is None or not found[2].strip("."):
        return ""
    owner, repo = found[1].lower(), found[2]
    site = f"https://{owner}.github.io/"
    return site if repo.lower() == f"{owner}.github.io" else f"{site}{repo}/"


def filled_in_note(pages_url: str, where: str) -> str:
    """What deploy says when it built the site for the address GitHub Pages gives it."""
    return (f"url is empty in {SITE_FILE}: built for {pages_url}, where GitHub Pages serves "
            f"{where}; set url: in {SITE_FILE} to choose another address, such as a custom domain")


def address_problems(site: model.Site, pages_url: str, where: str) -> list[Problem]:
    """A warning, at site.yml's url, when the site's address is unknown (no url, a remote not
    on GitHub) or a github.io url is not the address GitHub Pages serves the remote at (a
    custom domain is the user's to choose)."""
    if not site.url:
        message = (f"url is empty, and {where} is not a GitHub address, so the site's address "
                   "is unknown: it gets no sitemap or feed, and its 404 page links from the "
                   "domain's root (/), which breaks at a sub-path such as /homepage/; set url "
                   "to the address the site is published at")
    elif (pages_url and host_and_port(site.url)[0].endswith(".github.io")
          and site_root_url(site).lower() != pages_url.lower()):
        message = (f"url '{site.url}' is not where GitHub Pages serves {where}, which is "
                   f"{pages_url}: links to the site (its 404 page's, feed's and sitemap's) would "
                   "lead elsewhere; set url to that, or to your custom domain")
    else:
        return []
    return [Problem(SITE_FILE, *site.url_place, message, warning=True)]


def without_credentials(url: str) -> str:
    """The remote's address fit to print: a token in `https://user:token@host/` stays secret."""
    return re.sub(r"^([a-z][a-z0-9+.-]*://)[^/@]*@", r"\1", url, flags=re.IGNORECASE)


def uncommitted_changes(git: Git, project: Project, output: str) -> list[str]:
    """Changed, staged and untracked paths of the project, as git shows them.

    The output folder is left out: deploy renders in memory and never publishes from it.
    """
    pathspec = ["."]
    out = (project.root / output).resolve()
    if out.is_relative_to(project.root) and out != project.root:
        pathspec.append(f":(exclude){out.relative_to(project.root).as_posix()}")
    status = git.out("-c", "core.quotePath=false", "status", "--porcelain", "--", *pathspec,
                     what="cannot read git status")
    return [line[3:] for line in status.splitlines()]


def shown(paths: list[str]) -> str:
    more = len(paths) - SHOWN_CHANGES
    return ", ".join(paths[:SHOWN_CHANGES]) + (f" and {more} more" if more > 0 else "")


def check_paths(files: dict[str, bytes]) -> None:
    """Refuse paths the output folder would refuse: a tree must not hold what a folder cannot."""
    for relative in files:
        try:
            output_parts(relative)
        except UnsafeOutputPath:
            raise DeployError(f"the build produced an unsafe path '{relative}'; nothing was pushed"
                              ) from None


def default_message(head: str, dirty: bool) -> str:
    """The same sources give the same message, so a branch's log reads as a list of sources."""
    source = f"commit {head}" if head else "a repository without commits"
    return f"Deploy the site built from {source}" + (" with uncommitted changes" if dirty else "")


def previous_tip(git: Git, remote: str, branch: str) -> str | None:
    """The branch's tip on the remote (fetched if missing here), else the local one, else None."""
    ref = f"refs/heads/{branch}"
    listed = git.out("ls-remote", remote, ref, what=f"cannot reach the remote '{remote}'")
    tips = [line.split()[0] for line in listed.splitlines() if line.split()[1:] == [ref]]
    if tips:
        if not git.ok("cat-file", "-e", f"{tips[0]}^{{commit}}"):
            git.out("fetch", "--quiet", "--no-tags", remote, ref,
                    what=f"cannot fetch '{branch}' from '{remote}'")
        return tips[0]
    local = git.run("rev-parse", "-q", "--verify", f"{ref}^{{commit}}").stdout.decode().strip()
    return local or None


def commit_site(git: Git, ref: str, files: dict[str, bytes], message: str,
                parent: str | None) -> str:
    """Commit exactly `files` as `ref`'s new tip on top of `parent`; the new commit's id."""
    who = git.run("var", "GIT_COMMITTER_IDENT")
    if who.returncode:
        raise DeployError("git does not know who you are: set your name and email with "
                          "`git config --global user.name \"Your Name\"` and "
                          "`git config --global user.email you@example.com`")
    stream = fast_import_stream(ref, files, message, who.stdout.decode().strip(), parent)
    # --force: the parent is the remote's tip, which a stale local branch may not contain.
    git.out("fast-import", "--quiet", "--force", "--done", input=stream,
            what="git could not commit the site")
    return git.out("rev-parse", ref, what="cannot read the new commit").strip()


def fast_import_stream(ref: str, files: dict[str, bytes], message: str, committer: str,
                       parent: str | None) -> bytes:
    """A `git fast-import` stream of one commit whose tree is exactly `files` (sorted)."""
    text = message.encode()
    parts = [f"commit {ref}\ncommitter {committer}\n".encode(), b"data %d\n" % len(text), text,
             b"\n"]
    if parent:
        parts.append(f"from {parent}\n".encode())
    parts.append(b"deleteall\n")
    for relative in sorted(files):
        data = files[relative]
        parts += [b"M 100644 inline " + quoted(relative) + b"\n", b"data %d\n" % len(data), data,
                  b"\n"]
    parts.append(b"done\n")
    return b"".join(parts)


def quoted(path: str) -> bytes:
    """A path in git's C-style quotes, so spaces, quotes and newlines in names are safe."""
    escaped = path.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'.encode()


def push(git: Git, remote: str, branch: str) -> None:
    ref = f"refs/heads/{branch}"
    git.out("push", "--quiet", remote, f"{ref}:{ref}",
            what=f"the push to '{remote}' failed (the new commit stays on your local "
                 f"branch '{branch}'; fix the cause and deploy again)")
