"""What lazy-mmu-convert verifies after the series, and how it says so.

Two checks, each saying exactly what it covered:

 - the checker (lazy_mmu_tools.checker) on every touched .c/.h file:
   its findings, and the functions it could not parse (not checked);
 - with --build, the touched objects compiled for each configuration
   asked for (lazy_mmu_tools.kbuild), in BUILD_DIR/<configuration>: what
   was compiled, what was skipped and why, what failed, and the touched
   .c files that no configuration compiled.

summary() gives the lines of the report's "Verification" block; a tree
that was not built is said to be "not built", never "verified".
"""

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import List, Optional

from . import checker, kbuild


class VerifyError(Exception):
    """The verification could not run (the checker failed)."""


@dataclass
class Verification:
    checked: List[str] = field(default_factory=list)   # files checked
    checker_name: str = "lazy-mmu-check"               # its name
    report: Optional[checker.Report] = None
    builds: Optional[List[kbuild.BuildResult]] = None  # None: not built
    wanted: List[str] = field(default_factory=list)    # configs asked for
    uncovered: List[str] = field(default_factory=list)

    @property
    def findings(self):
        return self.report.findings if self.report else []

    @property
    def skipped(self):
        return self.report.skipped if self.report else []

    def build_failures(self):
        return [b for b in self.builds or [] if not b.ok]

    def passed(self):
        """No finding, every function checked, every build compiled."""
        return not (self.findings or self.skipped or self.build_failures())


def sources(tree, files):
    """The touched .c/.h files that still exist."""
    return [f for f in files if f.endswith((".c", ".h")) and
            os.path.exists(os.path.join(tree, f))]


def run_checker(program, tree, files, printer):
    """Check the touched sources; the Verification so far."""
    v = Verification(checked=sources(tree, files),
                     checker_name=os.path.basename(program))
    if not v.checked:
        return v
    n = len(v.checked)
    printer.progress("verify: %s on %d touched file%s"
                     % (v.checker_name, n, "" if n == 1 else "s"))
    try:
        v.report = checker.check(v.checked, tree, prog=program)
    except checker.CheckerError as e:
        raise VerifyError("verify: %s" % e)
    return v


def run_builds(v, tree, files, names, build_dir, printer, jobs=kbuild.JOBS):
    """Compile the touched objects for each configuration of names, in
    build_dir/<name>.  Without build_dir, in a temporary directory that
    is removed afterwards, unless a build failed (its log is there)."""
    v.wanted = list(names)
    v.builds = []
    scratch = None
    if build_dir is None:
        scratch = build_dir = tempfile.mkdtemp(prefix="lazy-mmu-build.")
    try:
        for name in names:
            printer.progress("build: %s (%s) ..."
                             % (name, kbuild.CONFIGS[name].what))
            res = kbuild.build(tree, os.path.join(build_dir, name), name,
                               files, jobs=jobs, log=_build_log(printer))
            v.builds.append(res)
    finally:
        if scratch and not v.build_failures():
            shutil.rmtree(scratch, ignore_errors=True)
        elif scratch:
            printer.progress("build: %s kept for the logs of the failed "
                             "build" % scratch)
    v.uncovered = kbuild.uncovered(files, v.builds)
    return v


def _build_log(printer):
    def log(msg):
        if not msg.startswith("$ "):        # make's command lines: the log
            printer.progress("build: " + msg)
    return log


def _plural(n, word):
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def skipped_line(s):
    """"path:line: message" for a function the checker skipped."""
    return "%s:%d: %s" % (s.file, s.line, s.message)


def checker_lines(v):
    if not v.checked:
        return ["%s: no touched .c/.h file to check" % v.checker_name]
    head = "%s on %s: " % (v.checker_name, _plural(len(v.checked),
                                              "touched .c/.h file"))
    if v.findings:
        head += _plural(len(v.findings), "finding") + ":"
    else:
        head += "no findings"
    out = [head] + ["  %s" % f for f in v.findings]
    if v.skipped:
        out.append("%s could not parse %s, which %s not checked:"
                   % (v.checker_name, _plural(len(v.skipped), "function"),
                      "was" if len(v.skipped) == 1 else "were"))
        out += ["  " + skipped_line(s) for s in v.skipped]
    return out


def build_lines(v):
    if v.builds is None:
        return ["not built: no object was compiled (--build all compiles "
                "the touched objects)"]
    if not v.builds:
        return ["not built: no configuration of --build %s applies to this "
                "tree" % ",".join(v.wanted)]
    out = []
    for b in v.builds:
        what = kbuild.CONFIGS[b.config].what
        if not b.ok:
            out.append("build %s (%s): FAILED: %s" % (b.config, what,
                                                      kbuild.first_error(b)))
            out.append("  log: %s" % b.log)
            continue
        out.append("build %s (%s): %s compiled: %s"
                   % (b.config, what, _plural(len(b.built), "object"),
                      " ".join(b.built)))
        out += ["  skipped %s (%s)" % s for s in b.skipped]
    if v.uncovered and not v.build_failures():
        out.append("compiled by no configuration: %s"
                   % " ".join(v.uncovered))
    return out


def summary(v):
    """The lines of the report's "Verification" block."""
    return checker_lines(v) + build_lines(v)
