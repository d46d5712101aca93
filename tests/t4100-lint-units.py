#!/usr/bin/env python3
# uses: no lazy-mmu-check (a fake checker)
"""Unit tests of lazy_mmu_tools/{patchfile,findings,lint}.py, printed as TAP.

No kernel tree is needed: patches are built here, and the checker seam is
exercised with a small fake checker (a script printing the JSON interface
of bin/lazy-mmu-check) so that the pairing of before/after findings and
the blaming are tested independently of the real analysers.
"""

import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
import unittest
from email.mime.text import MIMEText

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, TOP)

from lazy_mmu_tools import findings as fnd  # noqa: E402
from lazy_mmu_tools import lint, patchfile  # noqa: E402
from lazy_mmu_tools.findings import Finding, Note  # noqa: E402
from lazy_mmu_tools.patchfile import PatchError  # noqa: E402

FIXTURES = os.path.join(HERE, "lint")


def fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


class ParseTest(unittest.TestCase):
    def test_format_patch_fixture(self):
        d = patchfile.parse_diff(fixture("early-return.patch"))
        self.assertEqual(len(d), 1)
        self.assertEqual((d[0].old_path, d[0].new_path),
                         ("mm/memory.c", "mm/memory.c"))
        self.assertEqual(len(d[0].hunks), 1)
        h = d[0].hunks[0]
        self.assertEqual((h.old_start, h.old_len, h.new_start, h.new_len),
                         (2556, 8, 2556, 8))
        self.assertEqual(d[0].changed_lines(), {2559, 2560})

    def test_plain_diff_u_with_timestamps(self):
        data = (b"--- a/mm/x.c\t2026-01-01 00:00:00.0 +0000\n"
                b"+++ b/mm/x.c\t2026-01-01 00:00:01.0 +0000\n"
                b"@@ -1,2 +1,2 @@\n-a\n+b\n c\n")
        d = patchfile.parse_diff(data)
        self.assertEqual(d[0].path, "mm/x.c")
        self.assertEqual(d[0].changed_lines(), {1})

    def test_deletion_blames_following_line(self):
        d = patchfile.parse_diff(fixture("dropped-leave.patch"))
        # lines 2824-2825 removed; the line now following is 2824
        self.assertEqual(d[0].changed_lines(), {2824})

    def test_u0_pure_deletion(self):
        data = (b"--- a/x.c\n+++ b/x.c\n@@ -5,2 +4,0 @@\n-x\n-y\n")
        self.assertEqual(patchfile.parse_diff(data)[0].changed_lines(), {5})

    def test_map_old_line(self):
        data = (b"--- a/x.c\n+++ b/x.c\n"
                b"@@ -3,3 +3,4 @@\n a\n-b\n+B\n+B2\n c\n"
                b"@@ -20,1 +21,0 @@\n-z\n")
        fd = patchfile.parse_diff(data)[0]
        self.assertEqual(fd.map_old_line(1), 1)
        self.assertEqual(fd.map_old_line(3), 3)
        self.assertIsNone(fd.map_old_line(4))
        self.assertEqual(fd.map_old_line(5), 6)
        self.assertEqual(fd.map_old_line(10), 11)
        self.assertIsNone(fd.map_old_line(20))
        self.assertEqual(fd.map_old_line(21), 21)

    def test_new_and_deleted_files(self):
        data = (b"diff --git a/n.c b/n.c\nnew file mode 100644\n"
                b"--- /dev/null\n+++ b/n.c\n@@ -0,0 +1 @@\n+x\n"
                b"diff --git a/d.c b/d.c\ndeleted file mode 100644\n"
                b"--- a/d.c\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n")
        d = patchfile.parse_diff(data)
        self.assertEqual((d[0].old_path, d[0].new_path), (None, "n.c"))
        self.assertEqual((d[1].old_path, d[1].new_path), ("d.c", None))

    def test_rename_paths(self):
        data = (b"diff --git a/mm/old.c b/mm/new.c\nsimilarity index 90%\n"
                b"rename from mm/old.c\nrename to mm/new.c\n")
        d = patchfile.parse_diff(data)
        self.assertEqual((d[0].old_path, d[0].new_path),
                         ("mm/old.c", "mm/new.c"))

    def test_quoted_path(self):
        data = (b'--- "a/mm/t\\tab.c"\n+++ "b/mm/t\\tab.c"\n'
                b"@@ -1 +1 @@\n-a\n+b\n")
        d = patchfile.parse_diff(data)
        self.assertEqual(d[0].path, "mm/t\tab.c")
        with self.assertRaisesRegex(PatchError, "control character"):
            patchfile.check_path("/", d[0].path)

    def test_strip_too_deep(self):
        with self.assertRaisesRegex(PatchError, "fewer than"):
            patchfile.parse_diff(b"--- x.c\n+++ x.c\n@@ -1 +1 @@\n-a\n+b\n")

    def test_short_hunk_is_corrupt(self):
        with self.assertRaisesRegex(PatchError, "corrupt patch"):
            patchfile.parse_diff(b"--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n"
                                 b"?\n")


class MailTest(unittest.TestCase):
    def test_mbox_series_split(self):
        one = fixture("early-return.patch")
        two = fixture("new-legacy-caller.patch")
        parts = patchfile.split_messages(one + two)
        self.assertEqual(len(parts), 2)
        self.assertIn(b"mm/memory.c", parts[0])
        self.assertIn(b"mm/vmalloc.c", parts[1])

    def test_b4_style_mbox_split(self):
        one = fixture("early-return.patch").split(b"\n", 1)[1]
        two = fixture("new-legacy-caller.patch").split(b"\n", 1)[1]
        raw = (b"From git@z Thu Jan  1 00:00:00 1970\n" + one +
               b"From git@z Thu Jan  1 00:00:00 1970\n" + two)
        parts = patchfile.split_messages(raw)
        self.assertEqual(len(parts), 2)
        self.assertEqual(patchfile.parse_diff(parts[1])[0].path,
                         "mm/vmalloc.c")

    def test_from_in_body_is_not_a_separator(self):
        raw = fixture("early-return.patch").replace(
            b"Unlock and return", b"From the list: unlock and return")
        self.assertEqual(len(patchfile.split_messages(raw)), 1)

    def test_quoted_printable_mail(self):
        body = fixture("early-return.patch").decode()
        body = body[body.index("diff --git"):]
        msg = MIMEText(body, "plain", "utf-8")
        msg.replace_header("Content-Transfer-Encoding", "quoted-printable")
        import quopri
        msg.set_payload(quopri.encodestring(body.encode()).decode())
        msg["Subject"] = "[PATCH] test"
        msg["From"] = "someone@example.org"
        raw = msg.as_bytes()
        self.assertIn(b"=3D", raw)          # really encoded
        parts = patchfile.split_messages(raw)
        d = patchfile.parse_diff(parts[0])
        self.assertEqual(d[0].changed_lines(), {2559, 2560})

    def test_crlf_mail_normalised(self):
        raw = fixture("early-return.patch").replace(b"\n", b"\r\n")
        parts = patchfile.split_messages(raw)
        self.assertNotIn(b"\r", parts[0])
        d = patchfile.parse_diff(parts[0])
        self.assertEqual(d[0].changed_lines(), {2559, 2560})

    def test_plain_mail_kept(self):
        raw = (b"From: a@b\nSubject: [PATCH] x\n\nsome text\n---\n"
               b"--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n")
        parts = patchfile.split_messages(raw)
        self.assertEqual(patchfile.parse_diff(parts[0])[0].path, "x.c")


class FunctionsTest(unittest.TestCase):
    SRC = textwrap.dedent("""\
        #include <x.h>
        static int table[] = { 1, 2 };
        struct s { int a; };

        static int
        first(int a,
              int b)
        {
        \tif (a) {
        \t\treturn "}"[0];   /* } */
        \t}
        \treturn b;
        }
        #define M(x) { x }
        void second(void) { }
        """)

    def test_functions(self):
        self.assertEqual(lint.c_functions(self.SRC),
                         [("first", 5, 13), ("second", 15, 15)])

    def test_ifdef_arms_keep_the_rest(self):
        src = ("void a(void)\n{\n}\n#ifdef X\nvoid b(int x) {\n#else\n"
               "void b(void) {\n#endif\n\tf();\n}\nvoid c(void)\n{\n}\n")
        funcs = lint.c_functions(src)
        self.assertEqual(funcs, [("a", 1, 3)])
        out, kept = lint.blank_functions(src, funcs, lambda n, a, b: False)
        self.assertEqual(out.split("\n")[:3], ["", "", ""])
        self.assertIn("void c(void)", out)

    def test_function_at(self):
        f = lint.c_functions(self.SRC)
        self.assertEqual(lint.function_at(f, 9), "first")
        self.assertEqual(lint.function_at(f, 2), "")


class QueryTest(unittest.TestCase):
    def test_query(self):
        q = "arch_leave_lazy_mmu_mode || arch_enter_lazy_mmu_mode"
        self.assertTrue(lint.query_matches(q, "x arch_enter_lazy_mmu_mode()"))
        self.assertFalse(lint.query_matches(q, "xarch_enter_lazy_mmu_modex"))
        self.assertFalse(lint.query_matches(q, "nothing"))
        self.assertTrue(lint.query_matches("(a || b) && c", "b c"))
        self.assertFalse(lint.query_matches("(a || b) && c", "a b"))
        self.assertTrue(lint.query_matches(None, "anything"))
        self.assertTrue(lint.query_matches("weird ~ syntax", "x"))
        self.assertTrue(lint.query_matches("a && b || c", "c"))
        self.assertFalse(lint.query_matches("a && (b || c)", "c"))
        self.assertTrue(lint.query_matches("(a || b", "x"))      # maybe
        self.assertTrue(lint.query_matches("a b", "x"))          # maybe


def mk(id="lazy-mmu-x", line=1, msg="m", func="f", file="x.c"):
    return Finding(id=id, tool="t", file=file, line=line, column=2,
                   message=msg, function=func)


def touched(before, after):
    fd = patchfile.diff_versions(before.encode(), after.encode(),
                                 "x.c", "x.c")
    return patchfile.TouchedFile("x.c", "x.c", before.encode(),
                                 after.encode(), fd.changed_lines(), fd)


class PairingTest(unittest.TestCase):
    BEFORE = "".join("l%d\n" % i for i in range(1, 21))

    def test_shifted_old_finding_is_not_new(self):
        after = "new\n" + self.BEFORE
        tf = touched(self.BEFORE, after)
        new, gone = lint.introduced([mk(line=5, msg="opened at line 3")],
                                    [mk(line=6, msg="opened at line 4")], tf)
        self.assertEqual((new, gone), ([], 0))

    def test_extra_finding_of_same_kind_is_new(self):
        after = self.BEFORE.replace("l10\n", "l10\nADDED\n")
        tf = touched(self.BEFORE, after)
        new, gone = lint.introduced(
            [mk(line=5)], [mk(line=5), mk(line=11)], tf)
        self.assertEqual([f.line for f in new], [11])

    def test_when_ambiguous_the_changed_line_is_new(self):
        # one old finding moved away by the diff; two candidates remain:
        # the one on the changed line is blamed
        after = self.BEFORE.replace("l3\n", "").replace("l15\n",
                                                          "l15\nADDED\n")
        tf = touched(self.BEFORE, after)
        new, gone = lint.introduced([mk(line=3)],
                                    [mk(line=8), mk(line=15)], tf)
        self.assertEqual([f.line for f in new], [15])
        self.assertEqual(gone, 0)

    def test_resolved_counted(self):
        tf = touched(self.BEFORE, self.BEFORE.replace("l4\n", ""))
        new, gone = lint.introduced([mk(line=4), mk(line=9, msg="other")],
                                    [mk(line=8, msg="other")], tf)
        self.assertEqual((new, gone), ([], 1))

    def test_other_function_or_rule_is_new(self):
        tf = touched(self.BEFORE, self.BEFORE)
        new, _ = lint.introduced([mk(line=5)], [mk(line=5, func="g")], tf)
        self.assertEqual(len(new), 1)
        new, _ = lint.introduced([mk(line=5)], [mk(line=5, id="b")], tf)
        self.assertEqual(len(new), 1)


class BlameTest(unittest.TestCase):
    SRC_B = "void f(void)\n{\n\tenter();\n\tx();\n\tleave();\n\treturn;\n}\n"
    SRC_A = "void f(void)\n{\n\tenter();\n\tx();\n\treturn;\n}\n"

    def test_own_line_changed_kept(self):
        a = self.SRC_B.replace("\tx();\n", "\tif (y)\n\t\treturn;\n")
        tf = touched(self.SRC_B, a)
        f = lint.blame(mk(line=5), tf, lint.c_functions(a))
        self.assertEqual((f.line, f.notes), (5, []))

    def test_moved_to_deletion_point_in_function(self):
        tf = touched(self.SRC_B, self.SRC_A)
        self.assertEqual(tf.changed, {5})
        f = lint.blame(mk(line=6), tf, lint.c_functions(self.SRC_A))
        # return now on line 5, the removal point: the return itself
        self.assertEqual(f.line, 5)
        f = lint.blame(mk(line=3), tf, lint.c_functions(self.SRC_A))
        self.assertEqual((f.line, f.column, f.reported_line), (5, 2, 3))
        self.assertEqual(f.notes[-1].line, 3)
        self.assertIn("reports it here", f.notes[-1].message)

    def test_other_function_keeps_its_line(self):
        b = self.SRC_B + "void g(void)\n{\n\ty();\n}\n"
        a = self.SRC_B + "void g(void)\n{\n\ty();\n\tz();\n}\n"
        tf = touched(b, a)
        f = lint.blame(mk(line=3), tf, lint.c_functions(a))
        self.assertEqual(f.line, 3)
        self.assertIn("nearest line the patch changed", f.notes[-1].message)
        self.assertEqual(f.notes[-1].line, 11)


class MergeTest(unittest.TestCase):
    def test_same_line_merged_checker_first(self):
        a = mk(id="cocci/lazy_mmu_callers", line=4, msg="c")
        b = mk(id="cocci/lazy_mmu_legacy", line=4, msg="l")
        c = mk(id="lazy-mmu-legacy-call", line=4, msg="k")
        c.tool = "lazy-mmu-check"
        d = mk(id="cocci/lazy_mmu_legacy", line=9, msg="l")
        out = lint.merge_same_line([a, b, c, d])
        self.assertEqual([(f.id, f.line) for f in out],
                         [("lazy-mmu-legacy-call", 4),
                          ("cocci/lazy_mmu_legacy", 9)])
        self.assertEqual([n.message for n in out[0].notes],
                         ["also [cocci/lazy_mmu_legacy]: l",
                          "also [cocci/lazy_mmu_callers]: c"])


class BlankTest(unittest.TestCase):
    def test_untouched_functions_emptied(self):
        src = "int g;\nvoid a(void)\n{\n\tx();\n}\nvoid b(void)\n{\n}\n"
        out, kept = lint.blank_functions(src, lint.c_functions(src),
                                         lambda n, a, b: n == "b")
        self.assertEqual(out, "int g;\n\n\n\n\nvoid b(void)\n{\n}\n")
        self.assertEqual(kept, 1)

    def test_touched_old_lines(self):
        data = (b"--- a/x.c\n+++ b/x.c\n@@ -3,3 +3,4 @@\n a\n-b\n+B\n+B2\n"
                b" c\n@@ -10,1 +11,2 @@\n z\n+new\n")
        fd = patchfile.parse_diff(data)[0]
        self.assertEqual(fd.touched_old_lines(), {4, 5, 11})


class RenderTest(unittest.TestCase):
    def sample(self):
        f = mk(id="lazy-mmu-open-at-return", line=12,
               msg="returns with a section open, 100% sure: a,b")
        f.file = "mm/x.c"
        f.notes.append(Note("mm/x.c", 3, 2, "section opened here"))
        return [f, mk(id="cocci/lazy_mmu_legacy", line=2, msg="legacy")]

    def test_text(self):
        out = fnd.render(self.sample(), "text")
        self.assertEqual(out.splitlines(), [
            "mm/x.c:12:2: warning: returns with a section open, 100% sure: "
            "a,b [lazy-mmu-open-at-return]",
            "mm/x.c:3:2: note: section opened here",
            "x.c:2:2: warning: legacy [cocci/lazy_mmu_legacy]"])

    def test_json_lines(self):
        out = fnd.render(self.sample(), "json").splitlines()
        self.assertEqual(len(out), 2)
        o = json.loads(out[0])
        self.assertEqual((o["file"], o["line"], o["id"]),
                         ("mm/x.c", 12, "lazy-mmu-open-at-return"))
        self.assertEqual(o["notes"][0]["line"], 3)

    def test_github_escaping(self):
        out = fnd.render(self.sample(), "github").splitlines()
        self.assertEqual(
            out[0],
            "::warning file=mm/x.c,line=12,col=2,title=f [lazy-mmu-open-at-"
            "return]::returns with a section open, 100%25 sure: a,b%0Amm/x.c"
            ":3:2: note: section opened here")

    def test_sarif(self):
        d = json.loads(fnd.render(self.sample(), "sarif"))
        self.assertEqual(d["version"], "2.1.0")
        run = d["runs"][0]
        self.assertEqual([r["id"] for r in run["tool"]["driver"]["rules"]],
                         ["lazy-mmu-open-at-return", "cocci/lazy_mmu_legacy"])
        r = run["results"][0]
        self.assertEqual(r["locations"][0]["physicalLocation"]["region"],
                         {"startLine": 12, "startColumn": 2})
        self.assertEqual(r["relatedLocations"][0]["message"]["text"],
                         "section opened here")
        self.assertEqual(len(r["codeFlows"][0]["threadFlows"][0]
                             ["locations"]), 2)

    def test_fingerprint_ignores_lines(self):
        a = mk(line=3, msg="opened at line 1")
        b = mk(line=30, msg="opened at line 28")
        self.assertEqual(a.fingerprint(), b.fingerprint())


FAKE_CHECKER = """#!/usr/bin/env python3
# Fake lazy-mmu-check: one finding per line holding "BUG_MARK", in the
# function named on that line after the mark; exit as the real one.
import json, sys
args = [a for a in sys.argv[1:] if not a.startswith("--")]
out = []
skipped = []
for path in args:
    for n, line in enumerate(open(path), 1):
        if "UNPARSABLE" in line:
            skipped.append({"file": path, "line": n, "message":
                            "cannot parse function 'f' (at line %d)" % n})
        if "BUG_MARK" in line:
            fn = line.split("BUG_MARK")[1].split()[0]
            out.append({"id": "lazy-mmu-fake", "severity": "warning",
                        "file": path, "line": n, "column": 2,
                        "function": fn, "message": "fake at line %d" % n,
                        "notes": []})
print(json.dumps({"version": 1, "tool": "lazy-mmu-check",
                  "findings": out, "skipped": skipped}))
sys.exit(1 if out else 0)
"""


class FakeCheckerTest(unittest.TestCase):
    """The whole lint with a fake checker and no cocci rules."""

    def setUp(self):
        self.d = tempfile.mkdtemp(prefix="t4100.")
        self.tree = os.path.join(self.d, "tree")
        os.makedirs(os.path.join(self.tree, "mm"))
        with open(os.path.join(self.tree, "Makefile"), "w") as f:
            f.write("all:\n")
        self.src = "".join("int l%d; /* BUG_MARK f */\n" % i if i == 4 else
                           "int l%d;\n" % i for i in range(1, 11))
        with open(os.path.join(self.tree, "mm", "a.c"), "w") as f:
            f.write(self.src)
        self.checker = os.path.join(self.d, "checker")
        with open(self.checker, "w") as f:
            f.write(FAKE_CHECKER)
        os.chmod(self.checker, 0o755)

    def tearDown(self):
        shutil.rmtree(self.d)

    def run_lint(self, patch, *extra):
        p = os.path.join(self.d, "p.patch")
        with open(p, "w") as f:
            f.write(patch)
        out, err = io.StringIO(), io.StringIO()
        old = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        try:
            rc = lint.main(["--tree", self.tree, "--checker", self.checker,
                            "--no-cocci", p] + list(extra))
        finally:
            sys.stdout, sys.stderr = old
        return rc, out.getvalue(), err.getvalue()

    def test_shift_only_is_clean(self):
        rc, out, err = self.run_lint(
            "--- a/mm/a.c\n+++ b/mm/a.c\n@@ -1,2 +1,3 @@\n+int l0;\n"
            " int l1;\n int l2;\n")
        self.assertEqual((rc, out), (0, ""), err)

    def test_new_mark_reported_at_added_line(self):
        rc, out, err = self.run_lint(
            "--- a/mm/a.c\n+++ b/mm/a.c\n@@ -7,2 +7,3 @@\n int l7;\n"
            "+int z; /* BUG_MARK g */\n int l8;\n", "--stats")
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, "mm/a.c:8:2: warning: fake at line 8 "
                              "[lazy-mmu-fake]\n")
        self.assertIn("1 finding before, 2 after: 1 introduced", err)

    def test_newly_unparsable_function_is_said(self):
        rc, out, err = self.run_lint(
            "--- a/mm/a.c\n+++ b/mm/a.c\n@@ -7,2 +7,3 @@\n int l7;\n"
            "+int z; /* UNPARSABLE */\n int l8;\n")
        self.assertEqual((rc, out), (0, ""), err)
        self.assertEqual(err, "lazy-mmu-lint: note: mm/a.c:8: after the "
                              "patch, cannot parse function 'f' (at line "
                              "8)\n")

    def test_checker_failure_is_exit_2(self):
        with open(self.checker, "w") as f:
            f.write("#!/bin/sh\necho 'boom: cannot parse' >&2\nexit 2\n")
        rc, out, err = self.run_lint(
            "--- a/mm/a.c\n+++ b/mm/a.c\n@@ -1,2 +1,2 @@\n-int l1;\n+int x;\n"
            " int l2;\n")
        self.assertEqual(rc, 2)
        self.assertEqual(err, "lazy-mmu-lint: lazy-mmu-check failed: boom: "
                              "cannot parse\n")

    def test_checker_without_json_is_exit_2(self):
        with open(self.checker, "w") as f:
            f.write("#!/bin/sh\necho 'x.c:1:2: runtime error: oops' >&2\n"
                    "exit 1\n")
        rc, out, err = self.run_lint(
            "--- a/mm/a.c\n+++ b/mm/a.c\n@@ -1,2 +1,2 @@\n-int l1;\n+int x;\n"
            " int l2;\n")
        self.assertEqual((rc, out), (2, ""))
        self.assertEqual(err, "lazy-mmu-lint: lazy-mmu-check printed no JSON "
                              "findings (exit 1): x.c:1:2: runtime error: "
                              "oops\n")

    def test_missing_checker_is_exit_2(self):
        os.unlink(self.checker)
        rc, out, err = self.run_lint(
            "--- a/mm/a.c\n+++ b/mm/a.c\n@@ -1,2 +1,2 @@\n-int l1;\n+int x;\n"
            " int l2;\n")
        self.assertEqual(rc, 2)
        self.assertIn("not found or not executable (run make)", err)


class TapResult(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.n = 0

    def _line(self, test, ok, extra=""):
        self.n += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", self.n, test.id()
                              .split(".", 1)[1]))
        for l in extra.splitlines():
            print("#   " + l)
        sys.stdout.flush()

    def addSuccess(self, test):
        self._line(test, True)

    def addFailure(self, test, err):
        self._line(test, False, self._exc_info_to_string(err, test))

    def addError(self, test, err):
        self._line(test, False, self._exc_info_to_string(err, test))


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(
        sys.modules[__name__])
    res = TapResult()
    suite.run(res)
    print("1..%d" % res.n)
    return 0 if res.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
