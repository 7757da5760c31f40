#!/usr/bin/env python3
"""Editors and CI run this: `python build.py check` validates the content, `python build.py build` builds site/."""

import sys

from offerdb.cli import main

if __name__ == "__main__":
    sys.exit(main())
