#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2022 Ilse Vermeulen
#
# This program is free software: you can redistribute it and/or modify it under
# the terms of the GNU General Public License as published by the Free Software
# Foundation, either version 3 of the License, or (at your option) any later version.
"""Turn `wordstat` output into a Markdown table with shares of the total."""
import argparse
import sys


def parse(lines):
    """Yield (count, word) pairs from wordstat's `COUNT WORD` lines."""
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        try:
            count, word = line.split(None, 1)
            yield int(count), word
        except ValueError:
            raise SystemExit(f"line {number}: expected 'COUNT WORD', got {line!r}")


def table(rows):
    total = sum(count for count, _ in rows) or 1
    out = ["| rank | word | count | share |", "|---:|---|---:|---:|"]
    for rank, (count, word) in enumerate(rows, 1):
        out.append(f"| {rank} | {word} | {count} | {100 * count / total:.1f}% |")
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", nargs="?", type=argparse.FileType("r"), default=sys.stdin)
    parser.add_argument("--top", type=int, default=20, help="rows to show")
    args = parser.parse_args(argv)
    rows = list(parse(args.file))[: args.top]
    print(table(rows))


if __name__ == "__main__":
    main()
