"""Where lazy-mmu-convert's words go.

Progress and errors go to stderr, one line each, flushed at once so they
interleave correctly with the tools' own stderr; the primary output (the
commit list, the diffstat, the review list) goes to stdout, so that
'lazy-mmu-convert TREE >series.txt' keeps only the result.
"""

import sys

PROG = "lazy-mmu-convert"


class Printer:
    def __init__(self, out=None, err=None):
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def progress(self, msg):
        print(msg, file=self.err, flush=True)

    def note(self, msg):
        print("%s: %s" % (PROG, msg), file=self.err, flush=True)

    def error(self, msg):
        print("%s: error: %s" % (PROG, msg), file=self.err, flush=True)

    def result(self, line=""):
        print(line, file=self.out, flush=True)

    def section(self, title, lines, indent="  "):
        """A titled block on stdout; nothing when lines is empty."""
        if not lines:
            return
        self.result(title)
        for line in lines:
            self.result(indent + line)
