#!/usr/bin/env python3
# uses: lazy-mmu-check
"""lazy_mmu_tools/checker.py, the one module that runs bin/lazy-mmu-check
and parses its JSON: against fake checkers for every way a run can go
wrong, and against the real checker for the two documents it parses
(findings and --dump=functions).  Prints TAP."""

import os
import shutil
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, TOP)
sys.path.insert(0, HERE)

import libtap  # noqa: E402
from libtap import check, check_equal  # noqa: E402
from lazy_mmu_tools import checker  # noqa: E402


class Fake(unittest.TestCase):
    """A shell script standing in for the checker."""

    def setUp(self):
        self.d = tempfile.mkdtemp(prefix="t4110.")
        self.prog = os.path.join(self.d, "lazy-mmu-check")

    def tearDown(self):
        shutil.rmtree(self.d)

    def fake(self, body):
        with open(self.prog, "w") as f:
            f.write("#!/bin/sh\n" + textwrap.dedent(body))
        os.chmod(self.prog, 0o755)

    def error(self, fn, *args, **kw):
        try:
            fn(*args, prog=self.prog, **kw)
        except checker.CheckerError as e:
            check("\n" not in str(e), "one line: %r" % str(e))
            return str(e)
        raise libtap.TestFailure("no CheckerError")

    def test_findings_and_skipped(self):
        self.fake("""\
            printf '%s' '{"version": 1, "findings": [{"id": "lazy-mmu-x",
              "severity": "warning", "file": "./mm/a.c", "line": 3,
              "column": 2, "function": "f", "message": "m",
              "notes": [{"file": "mm/a.c", "line": 1, "column": 2,
                         "message": "opened here"}]}],
              "skipped": [{"file": "mm/a.c", "line": 9, "column": 1,
                           "message": "cannot parse"}]}'
            exit 1
            """)
        r = checker.check(["mm/a.c"], self.d, prog=self.prog)
        check_equal(r.status, 1)
        check_equal(str(r.findings[0]), "mm/a.c:3:2: m [lazy-mmu-x]")
        check_equal(r.findings[0].notes[0].message, "opened here")
        check_equal((r.skipped[0].file, r.skipped[0].line), ("mm/a.c", 9))

    def test_arguments(self):
        self.fake("""\
            printf '%s\\n' "$@" >"$(dirname "$0")/args"
            echo '{"findings": [], "skipped": []}'
            """)
        checker.check(["-x.c"], self.d, options=["-Wno-legacy-call"],
                      prog=self.prog)
        with open(os.path.join(self.d, "args")) as f:
            check_equal(f.read().split(), ["--format=json",
                                           "-Wno-legacy-call", "--", "-x.c"])

    def test_only_skipped_is_exit_1(self):
        self.fake("""\
            echo '{"findings": [], "skipped": [{"file": "a.c", "line": 2}]}'
            exit 1
            """)
        r = checker.check(["a.c"], self.d, prog=self.prog)
        check_equal((len(r.findings), len(r.skipped)), (0, 1))

    def test_exit_2_is_an_error(self):
        self.fake("echo 'lazy-mmu-check: a.c: No such file' >&2; exit 2\n")
        check_equal(self.error(checker.check, ["a.c"], self.d),
                    "lazy-mmu-check failed: lazy-mmu-check: a.c: No such "
                    "file")

    def test_sanitizer_abort_is_an_error_even_with_json(self):
        self.fake("""\
            echo '{"findings": [], "skipped": []}'
            echo '==1==ERROR: AddressSanitizer: heap-buffer-overflow' >&2
            exit 86
            """)
        check("AddressSanitizer" in
              self.error(checker.check, ["a.c"], self.d))

    def test_no_json(self):
        self.fake("echo 'a.c:1:2: warning: x'; exit 1\n")
        check_equal(self.error(checker.check, ["a.c"], self.d),
                    "lazy-mmu-check printed no JSON findings (exit 1)")

    def test_exit_1_without_anything(self):
        self.fake("echo '{\"findings\": [], \"skipped\": []}'; exit 1\n")
        check("without findings" in
              self.error(checker.check, ["a.c"], self.d))

    def test_bad_line_number(self):
        self.fake("""\
            echo '{"findings": [{"id": "x", "file": "a.c", "line": "3"}]}'
            exit 1
            """)
        check("not a number" in self.error(checker.check, ["a.c"], self.d))

    def test_missing_program(self):
        check("not found or not executable (run make)" in
              self.error(checker.check, ["a.c"], self.d))

    def test_environment_names_the_program(self):
        self.fake("echo '{\"findings\": [], \"skipped\": []}'\n")
        old = os.environ.get("LAZY_MMU_CHECK")
        os.environ["LAZY_MMU_CHECK"] = self.prog
        try:
            check_equal(checker.program(), self.prog)
            check_equal(checker.check(["a.c"], self.d).status, 0)
            del os.environ["LAZY_MMU_CHECK"]
            check_equal(checker.program(), checker.DEFAULT_PROGRAM)
        finally:
            if old is None:
                os.environ.pop("LAZY_MMU_CHECK", None)
            else:
                os.environ["LAZY_MMU_CHECK"] = old

    def test_no_files_runs_nothing(self):
        check_equal(checker.check([], self.d, prog=self.prog).findings, [])
        check_equal(checker.functions([], self.d, prog=self.prog), {})

    def test_functions(self):
        self.fake("""\
            echo '{"version": 1, "functions": [
              {"file": "./b/x.c", "name": "g", "start": 9, "end": 12},
              {"file": "b/x.c", "name": "f", "start": 1, "end": 5}]}'
            """)
        got = checker.functions(["b/x.c", "b/y.c"], self.d, prog=self.prog)
        check_equal(got, {"b/x.c": [checker.Function("f", 1, 5),
                                    checker.Function("g", 9, 12)],
                          "b/y.c": []})

    def test_functions_bad_documents(self):
        for body, want in (
                ('{"version": 2, "functions": []}', "not a version 1"),
                ('{"version": 1, "functions": [{"file": "x.c", "name": '
                 '"f", "start": 5, "end": 2}]}', "bad range"),
                ('{"version": 1, "functions": [{"file": "x.c", '
                 '"start": 1, "end": 2}]}', "bad entry"),
                ('[]', "no JSON functions")):
            self.fake("echo '%s'\n" % body)
            check(want in self.error(checker.functions, ["x.c"], self.d),
                  want)

    def test_function_at_prefers_innermost_and_name(self):
        fs = [checker.Function("a", 1, 20), checker.Function("b", 5, 9),
              checker.Function("c", 5, 9)]
        check_equal(checker.function_at(fs, 6).name, "b")
        check_equal(checker.function_at(fs, 6, "c").name, "c")
        check_equal(checker.function_at(fs, 15).name, "a")
        check(checker.function_at(fs, 25) is None)


SOURCE = """\
#include <linux/pgtable.h>

static int table[] = { 1, 2 };

static int
first(int a,
      int b)
{
	arch_enter_lazy_mmu_mode();
	if (a)
		return b;
	arch_leave_lazy_mmu_mode();
	return 0;
}

void second(void) { }
"""


class Real(unittest.TestCase):
    """The real bin/lazy-mmu-check (built by make)."""

    def setUp(self):
        self.d = tempfile.mkdtemp(prefix="t4110.")
        os.makedirs(os.path.join(self.d, "mm"))
        with open(os.path.join(self.d, "mm", "a.c"), "w") as f:
            f.write(SOURCE)

    def tearDown(self):
        shutil.rmtree(self.d)

    def test_findings(self):
        libtap.require(os.access(checker.DEFAULT_PROGRAM, os.X_OK),
                       "bin/lazy-mmu-check (make)")
        r = checker.check(["mm/a.c"], self.d)
        ids = sorted(f.id for f in r.findings)
        check("lazy-mmu-unbalanced-return" in ids, ids)
        check(all(f.function == "first" for f in r.findings), r.findings)
        r = checker.check(["mm/a.c"], self.d, options=["-Wno-legacy-call"])
        check("lazy-mmu-legacy-call" not in [f.id for f in r.findings])

    def test_functions(self):
        libtap.require(os.access(checker.DEFAULT_PROGRAM, os.X_OK),
                       "bin/lazy-mmu-check (make)")
        got = checker.functions(["mm/a.c"], self.d)
        check_equal(got, {"mm/a.c": [checker.Function("first", 5, 14),
                                     checker.Function("second", 16, 16)]})


if __name__ == "__main__":
    sys.exit(libtap.run_unittest(sys.modules[__name__]))
