"""Problems found in a project's files: where they are and what is wrong.

Every stage reports problems as data instead of raising, so one run can show all of them;
only the command line decides the exit code.
"""
from __future__ import annotations

from dataclasses import dataclass, field


def plural(count: int, word: str) -> str:
    """'1 error', '2 errors': a count in a message."""
    return f"{count} {word}{'s' * (count != 1)}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one place. Line and column count from 1; 0 means unknown."""

    path: str
    line: int
    column: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        kind = "warning: " if self.warning else ""
        return f"{where}: {kind}{self.message}"


@dataclass
class Problems:
    """The problems of one run, in the order they were found."""

    items: list[Problem] = field(default_factory=list)
    _seen: set[Problem] = field(default_factory=set, repr=False, compare=False)

    def error(self, path: str, line: int, column: int, message: str) -> None:
        self._add(Problem(path, line, column, message))

    def warn(self, path: str, line: int, column: int, message: str) -> None:
        self._add(Problem(path, line, column, message, warning=True))

    def _add(self, problem: Problem) -> None:
        # A shared template fails once per page that uses it: say it once.
        if problem not in self._seen:
            self._seen.add(problem)
            self.items.append(problem)

    def extend(self, problems: "Problems | list[Problem]") -> None:
        for problem in problems.items if isinstance(problems, Problems) else problems:
            self._add(problem)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.warning]

    def in_reading_order(self) -> list[Problem]:
        """Files in the order first reported, each file's problems by line and column."""
        first_seen: dict[str, int] = {}
        for problem in self.items:
            first_seen.setdefault(problem.path, len(first_seen))
        return sorted(self.items, key=lambda p: (first_seen[p.path], p.line, p.column))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)


def did_you_mean(word: str, choices, shown: dict[str, str] | None = None, cutoff: float = 0.6) -> str:
    """A ' (did you mean 'x'?)' hint for a misspelt name, or ''; `shown` gives what to show of
    a choice when not itself (a file's path, for its name compared). `cutoff`: how alike (see
    difflib.SequenceMatcher.ratio) a choice must be."""
    import difflib

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=cutoff)
    return f" (did you mean '{(shown or {}).get(close[0], close[0])}'?)" if close else ""
