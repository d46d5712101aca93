#!/usr/bin/env python3
"""Compare lazy-mmu-check's findings on a real tree with docs/checks.md.

Usage: verdicts.py DOCS TREE OUTPUT [--legacy-calls N]

docs/checks.md gives, under the heading "### Linux TREE", a table with one
row per finding other than lazy-mmu-legacy-call:

    | `mm/kasan/shadow.c:321` | unlock-in-section | **true**: why ... |

(the verdict is **true** or **false alarm**, then the reason).  OUTPUT is
the checker's text output on the whole tree, run from its top.  Exit 0
when the findings are exactly the rows, each with a verdict and a reason,
and (with --legacy-calls) the number of legacy-call warnings is N; else
print what differs and exit 1.
"""
import re
import sys

ROW = re.compile(r"^\|\s*`([^`:]+):(\d+)`\s*\|\s*([a-z-]+)\s*\|\s*(.*?)\s*\|\s*$")
WARN = re.compile(r"^(?:\./)?([^:]+):(\d+):\d+: warning: .* \[lazy-mmu-([a-z-]+)\]$")


def documented(docs, tree):
    rows, inside, bad = set(), False, []
    for line in open(docs, encoding="utf-8"):
        if line.startswith("#"):
            inside = line.strip() == "### Linux %s" % tree
            continue
        m = ROW.match(line) if inside else None
        if not m:
            continue
        verdict = m.group(4)
        if not re.match(r"\*\*(true|false alarm)\*\*: \S", verdict):
            bad.append("%s:%s: no verdict and reason" % (m.group(1), m.group(2)))
        rows.add((m.group(1), int(m.group(2)), m.group(3)))
    return rows, bad


def main():
    args = sys.argv[1:]
    legacy = None
    if "--legacy-calls" in args:
        i = args.index("--legacy-calls")
        legacy = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    docs, tree, output = args
    rows, bad = documented(docs, tree)
    found, ncalls = set(), 0
    for line in open(output, encoding="utf-8", errors="replace"):
        m = WARN.match(line.rstrip("\n"))
        if not m:
            continue
        if m.group(3) == "legacy-call":
            ncalls += 1
        else:
            found.add((m.group(1), int(m.group(2)), m.group(3)))
    for f in sorted(found - rows):
        bad.append("%s:%d %s: found, not in docs/checks.md (Linux %s)" % (f + (tree,)))
    for f in sorted(rows - found):
        bad.append("%s:%d %s: in docs/checks.md, not found" % f)
    if legacy is not None and ncalls != legacy:
        bad.append("%d legacy-call warnings, expected %d" % (ncalls, legacy))
    if not rows and not found and legacy is None:
        bad.append("nothing to compare (no rows under '### Linux %s')" % tree)
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
