"""The benchmarks' tables in README.md, each between `<!-- NAME -->` and `<!-- end NAME -->`."""
from __future__ import annotations

import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def write_section(name: str, text: str) -> None:
    """Put `text` in README.md's section `name`, in place of what it held."""
    start, end = f"<!-- {name} -->\n", f"<!-- end {name} -->\n"
    content = README.read_text(encoding="utf-8")
    before, found, rest = content.partition(start)
    if not found or end not in rest:
        sys.exit(f"README.md has no section from {start.strip()} to {end.strip()}")
    README.write_text(before + start + text.rstrip("\n") + "\n" + end + rest.split(end, 1)[1],
                      encoding="utf-8")
    print(f"wrote the table into {README.name}", file=sys.stderr)
