#!/usr/bin/env python3
"""Build a researcher's homepage: `python build.py --help` lists the commands."""
import sys

from scholarpage.cli import main

if __name__ == "__main__":
    sys.exit(main())
