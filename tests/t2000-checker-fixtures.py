#!/usr/bin/env python3
# uses: lazy-mmu-check
"""Run lazy-mmu-check on every fixture in tests/checks and compare.

A fixture is a .c file whose trailing comment holds the expected result,
in the style of sparse's validation suite:

    /*
     * check-command: lazy-mmu-check ARGS      (optional; default: the file)
     * check-exit-value: 1
     *
     * check-output-start
    file.c:12:2: warning: ... [lazy-mmu-...]
    file.c:10:2: note: ...
     * check-output-end
     */

The command runs in tests/checks, so paths in the output are relative to
it.  Output must match exactly.  Prints TAP.
"""
import os
import re
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
FIXTURES = os.path.join(HERE, "checks")
BIN = os.path.join(TOP, "bin", "lazy-mmu-check")


def sources():
    out = []
    for root, _dirs, files in os.walk(FIXTURES):
        for name in files:
            if name.endswith((".c", ".h")):
                out.append(os.path.relpath(os.path.join(root, name), FIXTURES))
    return sorted(out)


def fixtures():
    """The .c files with a check-output block."""
    out = []
    for rel in sources():
        if rel.endswith(".c"):
            with open(os.path.join(FIXTURES, rel)) as f:
                if "check-output-start" in f.read():
                    out.append(rel)
    return out


def covered(names):
    """Sources that some fixture's command reads: its own file, a path or
    directory it names, or an -include'd header."""
    seen = set()
    for rel in names:
        cmd, _code, _want = expectation(rel)
        seen.add(rel)
        for arg in cmd[1:]:
            arg = os.path.normpath(arg)
            for src in sources():
                if src == arg or src.startswith(arg + os.sep):
                    seen.add(src)
    return seen


def expectation(rel):
    with open(os.path.join(FIXTURES, rel)) as f:
        text = f.read()
    m = re.search(r"check-command:\s*(.*)", text)
    cmd = shlex.split(m.group(1)) if m else ["lazy-mmu-check", rel]
    m = re.search(r"check-exit-value:\s*(\d+)", text)
    code = int(m.group(1)) if m else 0
    m = re.search(r"check-output-start\n(.*?)^ \* check-output-end", text,
                  re.S | re.M)
    if not m:
        raise SystemExit("%s: no check-output-end" % rel)
    return cmd, code, m.group(1)


def main():
    names = fixtures()
    failed = 0
    n = 0
    for rel in names:
        cmd, code, want = expectation(rel)
        cmd[0] = BIN
        p = subprocess.run(cmd, cwd=FIXTURES, capture_output=True, text=True)
        n += 1
        ok = p.stdout == want and p.returncode == code and not p.stderr
        print("%s %d - %s: output and exit status %d" %
              ("ok" if ok else "not ok", n, rel, code))
        if not ok:
            failed += 1
            print("#   command: %s" % " ".join(cmd))
            print("#   exit %d, stderr: %s" % (p.returncode, p.stderr.strip()))
            import difflib
            for line in difflib.unified_diff(want.splitlines(),
                                             p.stdout.splitlines(),
                                             "expected", "actual", lineterm=""):
                print("#   " + line)
    n += 1
    ok = len(names) >= 10
    print("%s %d - found %d fixtures" % ("ok" if ok else "not ok", n, len(names)))
    failed += not ok
    # every source in the directory is run: a .c without its own
    # check-output block must be read by another fixture's command
    left = [src for src in sources() if src not in covered(names)]
    n += 1
    print("%s %d - every source in tests/checks is run by some fixture" %
          ("not ok" if left else "ok", n))
    for src in left:
        print("#   %s: no check-output block, and no fixture's command reads it" % src)
    failed += bool(left)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
