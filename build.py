#!/usr/bin/env python3
"""Build a researcher's homepage: `python build.py --help` lists the commands."""
from scholarpage.cli import run

if __name__ == "__main__":
    run()
