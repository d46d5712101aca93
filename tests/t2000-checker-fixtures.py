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


def fixtures():
    out = []
    for root, _dirs, files in os.walk(FIXTURES):
        for name in sorted(files):
            if name.endswith(".c"):
                path = os.path.join(root, name)
                with open(path) as f:
                    if "check-output-start" in f.read():
                        out.append(os.path.relpath(path, FIXTURES))
    return sorted(out)


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
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
