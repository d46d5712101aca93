#!/usr/bin/env python3
# uses: no lazy-mmu-check (a fake checker)
"""Unit tests of lazy-mmu-lint's modules (patchfile, linediff, workspace,
treeapi, spatch's query, lintcocci, pairing, blame, findings, lint),
printed as TAP.

No kernel tree is needed: patches are built here, and the checker seam is
exercised with a small fake checker (a script printing the JSON interface
of bin/lazy-mmu-check, --dump=functions included) so that the pairing of
before/after findings and the blaming are tested independently of the
real analysers.
"""

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from email.mime.text import MIMEText

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, TOP)

sys.path.insert(0, HERE)

import libtap  # noqa: E402
from lazy_mmu_tools import findings as fnd  # noqa: E402
from lazy_mmu_tools import (blame, lint, linediff, lintcocci,  # noqa: E402
                            pairing, patchfile, spatch, treeapi, workspace)
from lazy_mmu_tools.checker import Function  # noqa: E402
from lazy_mmu_tools.findings import Finding, Note  # noqa: E402
from lazy_mmu_tools.patchfile import PatchError  # noqa: E402

FIXTURES = os.path.join(HERE, "lint")


def fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


def u0(before, after):
    """linediff of two texts (git diff -U0 underneath)."""
    return linediff.diff_versions(before.encode(), after.encode())


LINES = "".join("l%d\n" % i for i in range(1, 21))


class LineDiffTest(unittest.TestCase):
    def test_replacement(self):
        d = u0(LINES, LINES.replace("l4\n", "L4\nL4b\n"))
        self.assertEqual(d.changed_lines(), {4, 5})
        self.assertEqual(d.touched_old_lines(), {4})

    def test_pure_deletion_blames_following_line(self):
        d = u0(LINES, LINES.replace("l4\nl5\n", ""))
        self.assertEqual(d.changed_lines(), {4})
        self.assertEqual(d.touched_old_lines(), {4, 5})

    def test_pure_insertion(self):
        d = u0(LINES, LINES.replace("l10\n", "l10\nnew\n"))
        self.assertEqual(d.changed_lines(), {11})
        self.assertEqual(d.touched_old_lines(), {11})

    def test_map_old_line(self):
        d = u0(LINES, LINES.replace("l4\n", "B\nB2\n").replace("l20\n", ""))
        self.assertEqual(d.map_old_line(1), 1)
        self.assertEqual(d.map_old_line(3), 3)
        self.assertIsNone(d.map_old_line(4))
        self.assertEqual(d.map_old_line(5), 6)
        self.assertEqual(d.map_old_line(19), 20)
        self.assertIsNone(d.map_old_line(20))

    def test_new_file(self):
        d = linediff.diff_versions(None, b"a\nb\n")
        self.assertEqual(d.changed_lines(), {1, 2})

    def test_same_text_no_blocks(self):
        self.assertEqual(u0(LINES, LINES).blocks, [])

    def test_parse_u0_headers_only(self):
        d = linediff.parse_u0(b"@@ -3 +3,2 @@ int f(void)\n-a\n+b\n+c\n"
                              b"@@ -10,0 +12 @@\n+d\n")
        self.assertEqual(d.changed_lines(), {3, 4, 12})


class HeadersTest(unittest.TestCase):
    def test_format_patch_fixture(self):
        files = patchfile.list_files(fixture("early-return.patch"), 1)
        self.assertEqual([(f.old_path, f.new_path) for f in files],
                         [("mm/memory.c", "mm/memory.c")])

    def test_plain_diff_u_with_timestamps(self):
        data = (b"--- a/mm/x.c\t2026-01-01 00:00:00.0 +0000\n"
                b"+++ b/mm/x.c\t2026-01-01 00:00:01.0 +0000\n"
                b"@@ -1,2 +1,2 @@\n-a\n+b\n c\n")
        self.assertEqual(patchfile.list_files(data, 1)[0].path, "mm/x.c")

    def test_new_and_deleted_files(self):
        data = (b"diff --git a/n.c b/n.c\nnew file mode 100644\n"
                b"--- /dev/null\n+++ b/n.c\n@@ -0,0 +1 @@\n+x\n"
                b"diff --git a/d.c b/d.c\ndeleted file mode 100644\n"
                b"--- a/d.c\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n")
        d = patchfile.list_files(data, 1)
        self.assertEqual((d[0].old_path, d[0].new_path), (None, "n.c"))
        self.assertEqual((d[1].old_path, d[1].new_path), ("d.c", None))

    def test_rename_paths(self):
        data = (b"diff --git a/mm/old.c b/mm/new.c\nsimilarity index 90%\n"
                b"rename from mm/old.c\nrename to mm/new.c\n")
        d = patchfile.list_files(data, 1)
        self.assertEqual((d[0].old_path, d[0].new_path),
                         ("mm/old.c", "mm/new.c"))

    def test_quoted_path(self):
        data = (b'--- "a/mm/t\\tab.c"\n+++ "b/mm/t\\tab.c"\n'
                b"@@ -1 +1 @@\n-a\n+b\n")
        d = patchfile.list_files(data, 1)
        self.assertEqual(d[0].path, "mm/t\tab.c")
        with self.assertRaisesRegex(PatchError, "control character"):
            patchfile.check_path("/", d[0].path)

    def test_symlink_and_binary_flagged(self):
        data = (b"diff --git a/l b/l\nnew file mode 120000\nindex 0..1\n"
                b"--- /dev/null\n+++ b/l\n@@ -0,0 +1 @@\n+t\n")
        self.assertTrue(patchfile.list_files(data, 1)[0].symlink)
        self.assertTrue(patchfile.list_files(fixture("binary.patch"),
                                             1)[0].binary)

    def test_absolute_path_before_stripping(self):
        with self.assertRaisesRegex(PatchError, "absolute path in patch: "
                                    "/tmp/lazy-mmu-lint-owned.c"):
            patchfile.list_files(fixture("absolute-path.patch"), 1)

    def test_strip_too_deep(self):
        with self.assertRaisesRegex(PatchError, "unable to find filename"):
            patchfile.list_files(b"--- x.c\n+++ x.c\n@@ -1 +1 @@\n-a\n+b\n",
                                 1)

    def test_corrupt_patch_is_gits_word(self):
        with self.assertRaisesRegex(PatchError, "^corrupt patch at line 5$"):
            patchfile.list_files(b"--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n"
                                 b"?\n", 1)

    def test_no_diff(self):
        with self.assertRaisesRegex(PatchError, "input is not a patch"):
            patchfile.list_files(b"hello\n", 1)


class MailTest(unittest.TestCase):
    def test_mbox_series_split(self):
        one = fixture("early-return.patch")
        two = fixture("new-legacy-caller.patch")
        parts = patchfile.split_messages(one + two)
        self.assertEqual(len(parts), 2)
        self.assertIn(b"mm/memory.c", parts[0])
        self.assertIn(b"mm/vmalloc.c", parts[1])
        self.assertNotIn(b"Subject:", parts[0])

    def test_b4_style_mbox_split(self):
        one = fixture("early-return.patch").split(b"\n", 1)[1]
        two = fixture("new-legacy-caller.patch").split(b"\n", 1)[1]
        raw = (b"From git@z Thu Jan  1 00:00:00 1970\n" + one +
               b"From git@z Thu Jan  1 00:00:00 1970\n" + two)
        parts = patchfile.split_messages(raw)
        self.assertEqual(len(parts), 2)
        self.assertEqual(patchfile.list_files(parts[1], 1)[0].path,
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
        self.assertEqual(parts, [body.encode()])

    def test_base64_mail(self):
        body = fixture("early-return.patch").decode()
        body = body[body.index("diff --git"):]
        msg = MIMEText(body, "plain", "utf-8")
        msg.replace_header("Content-Transfer-Encoding", "base64")
        import base64
        msg.set_payload(base64.encodebytes(body.encode()).decode())
        msg["Subject"] = "[PATCH] test"
        msg["From"] = "someone@example.org"
        self.assertEqual(patchfile.split_messages(msg.as_bytes()),
                         [body.encode()])

    def test_crlf_mail_normalised(self):
        raw = fixture("early-return.patch").replace(b"\n", b"\r\n")
        parts = patchfile.split_messages(raw)
        self.assertNotIn(b"\r", parts[0])
        self.assertEqual(patchfile.list_files(parts[0], 1)[0].path,
                         "mm/memory.c")

    def test_plain_diff_is_its_own_patch(self):
        raw = fixture("dropped-leave.patch")
        self.assertEqual(patchfile.split_messages(raw), [raw])

    def test_plain_mail_kept(self):
        raw = (b"From: a@b\nSubject: [PATCH] x\n\nsome text\n---\n"
               b"--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n")
        parts = patchfile.split_messages(raw)
        self.assertEqual(patchfile.list_files(parts[0], 1)[0].path, "x.c")

    def test_empty_input_is_no_message(self):
        self.assertEqual(patchfile.split_messages(b"\n \n"), [])
        with self.assertRaisesRegex(PatchError, "input is not a patch"):
            patchfile.read_patches([b""], 1)


PGTABLE_LEGACY = """\
#ifndef __HAVE_ARCH_ENTER_LAZY_MMU_MODE
#define arch_enter_lazy_mmu_mode()	do {} while (0)
#define arch_leave_lazy_mmu_mode()	do {} while (0)
#endif
/* lazy_mmu_mode_enable() is what callers will use one day */
"""

PGTABLE_HELPERS = """\
static inline void lazy_mmu_mode_enable(void)
{
	arch_enter_lazy_mmu_mode();
}
void lazy_mmu_mode_disable(void);
#define lazy_mmu_mode_pause() arch_leave_lazy_mmu_mode()
static inline void
lazy_mmu_mode_resume(void) { }
"""


def reader(files):
    return lambda path: files.get(path, "").encode() or None


class TreeApiTest(unittest.TestCase):
    def test_legacy(self):
        api = treeapi.detect(reader({"include/linux/pgtable.h":
                                     PGTABLE_LEGACY}))
        self.assertEqual((api.kind, api.defined), ("legacy", frozenset()))
        self.assertFalse(api.has_helpers)

    def test_partial_fallbacks_and_no_nesting(self):
        api = treeapi.detect(reader({"include/linux/pgtable.h":
                                     PGTABLE_LEGACY + PGTABLE_HELPERS}))
        self.assertEqual(api.kind, "partial")
        self.assertEqual(api.defined, frozenset(treeapi.HELPERS))
        self.assertEqual((api.nests, api.fallbacks), (False, True))

    def test_converted(self):
        api = treeapi.detect(reader({
            "include/linux/pgtable.h": PGTABLE_HELPERS,
            "include/linux/mm_types_task.h": "struct lazy_mmu_state {\n"
                                             "\tu8 enable_count;\n};\n",
            "include/linux/sched.h": "static inline bool "
                                     "is_lazy_mmu_mode_active(void)\n"}))
        self.assertEqual(api.kind, "converted")
        self.assertIn("is_lazy_mmu_mode_active", api.defined)

    def test_missing_calls_skip_comments_strings_and_local_definitions(self):
        api = treeapi.forced("legacy")
        text = ("/* lazy_mmu_mode_enable(); */\n"
                "void f(void)\n{\n"
                "\tpr_info(\"lazy_mmu_mode_enable()\");\n"
                "\tlazy_mmu_mode_enable();\n"
                "\tif (x) lazy_mmu_mode_disable ();\n"
                "}\n")
        self.assertEqual(treeapi.missing_calls(text, api),
                         [(5, 2, "lazy_mmu_mode_enable"),
                          (6, 9, "lazy_mmu_mode_disable")])
        local = "static void lazy_mmu_mode_enable(void) { }\n" + text
        self.assertEqual([c[2] for c in treeapi.missing_calls(local, api)],
                         ["lazy_mmu_mode_disable"])
        self.assertEqual(treeapi.missing_calls(
            text, treeapi.forced("partial")), [])

    def test_messages_name_the_tree(self):
        self.assertIn("legacy lazy MMU API", treeapi.missing_message(
            "lazy_mmu_mode_enable", treeapi.forced("legacy")))
        msg = treeapi.missing_message("is_lazy_mmu_mode_active",
                                      treeapi.forced("partial"))
        self.assertIn("(partial) has lazy_mmu_mode_enable/disable/pause/"
                      "resume()", msg)


class QueryTest(unittest.TestCase):
    def test_query(self):
        q = "arch_leave_lazy_mmu_mode || arch_enter_lazy_mmu_mode"
        m = spatch.query_matches
        self.assertTrue(m(q, "x arch_enter_lazy_mmu_mode()"))
        self.assertFalse(m(q, "xarch_enter_lazy_mmu_modex"))
        self.assertFalse(m(q, "nothing"))
        self.assertTrue(m("(a || b) && c", "b c"))
        self.assertFalse(m("(a || b) && c", "a b"))
        self.assertTrue(m(None, "anything"))
        self.assertTrue(m("weird ~ syntax", "x"))
        self.assertTrue(m("a && b || c", "c"))
        self.assertFalse(m("a && (b || c)", "c"))
        self.assertTrue(m("(a || b", "x"))      # maybe
        self.assertTrue(m("a b", "x"))          # maybe


def mk(id="lazy-mmu-x", line=1, msg="m", func="f", file="x.c"):
    return Finding(id=id, tool="t", file=file, line=line, column=2,
                   message=msg, function=func)


def touched(before, after):
    return workspace.TouchedFile("x.c", "x.c", before.encode(),
                                 after.encode(), u0(before, after))


class PairingTest(unittest.TestCase):
    BEFORE = "".join("l%d\n" % i for i in range(1, 21))

    def test_shifted_old_finding_is_not_new(self):
        after = "new\n" + self.BEFORE
        tf = touched(self.BEFORE, after)
        new, gone = pairing.introduced([mk(line=5, msg="opened at line 3")],
                                    [mk(line=6, msg="opened at line 4")], tf)
        self.assertEqual((new, gone), ([], 0))

    def test_extra_finding_of_same_kind_is_new(self):
        after = self.BEFORE.replace("l10\n", "l10\nADDED\n")
        tf = touched(self.BEFORE, after)
        new, gone = pairing.introduced(
            [mk(line=5)], [mk(line=5), mk(line=11)], tf)
        self.assertEqual([f.line for f in new], [11])

    def test_when_ambiguous_the_changed_line_is_new(self):
        # one old finding moved away by the diff; two candidates remain:
        # the one on the changed line is blamed
        after = self.BEFORE.replace("l3\n", "").replace("l15\n",
                                                          "l15\nADDED\n")
        tf = touched(self.BEFORE, after)
        new, gone = pairing.introduced([mk(line=3)],
                                    [mk(line=8), mk(line=15)], tf)
        self.assertEqual([f.line for f in new], [15])
        self.assertEqual(gone, 0)

    def test_resolved_counted(self):
        tf = touched(self.BEFORE, self.BEFORE.replace("l4\n", ""))
        new, gone = pairing.introduced([mk(line=4), mk(line=9, msg="other")],
                                    [mk(line=8, msg="other")], tf)
        self.assertEqual((new, gone), ([], 1))

    def test_other_function_or_rule_is_new(self):
        tf = touched(self.BEFORE, self.BEFORE)
        new, _ = pairing.introduced([mk(line=5)], [mk(line=5, func="g")], tf)
        self.assertEqual(len(new), 1)
        new, _ = pairing.introduced([mk(line=5)], [mk(line=5, id="b")], tf)
        self.assertEqual(len(new), 1)


class BlameTest(unittest.TestCase):
    SRC_B = "void f(void)\n{\n\tenter();\n\tx();\n\tleave();\n\treturn;\n}\n"
    SRC_A = "void f(void)\n{\n\tenter();\n\tx();\n\treturn;\n}\n"
    # the ranges the checker's --dump=functions gives
    F_A = [Function("f", 1, 6)]

    def test_own_line_changed_kept(self):
        a = self.SRC_B.replace("\tx();\n", "\tif (y)\n\t\treturn;\n")
        tf = touched(self.SRC_B, a)
        f = blame.blame(mk(line=5), tf, [Function("f", 1, 8)])
        self.assertEqual((f.line, f.notes), (5, []))

    def test_moved_to_deletion_point_in_function(self):
        tf = touched(self.SRC_B, self.SRC_A)
        self.assertEqual(tf.changed, {5})
        f = blame.blame(mk(line=6), tf, self.F_A)
        # return now on line 5, the removal point: the return itself
        self.assertEqual(f.line, 5)
        f = blame.blame(mk(line=3), tf, self.F_A)
        self.assertEqual((f.line, f.column, f.reported_line), (5, 2, 3))
        self.assertEqual(f.notes[-1].line, 3)
        self.assertIn("reports it here", f.notes[-1].message)

    def test_other_function_keeps_its_line(self):
        b = self.SRC_B + "void g(void)\n{\n\ty();\n}\n"
        a = self.SRC_B + "void g(void)\n{\n\ty();\n\tz();\n}\n"
        tf = touched(b, a)
        f = blame.blame(mk(line=3), tf, [Function("f", 1, 7),
                                         Function("g", 8, 12)])
        self.assertEqual(f.line, 3)
        self.assertIn("nearest line the patch changed", f.notes[-1].message)
        self.assertEqual(f.notes[-1].line, 11)

    def test_named_function_found_elsewhere(self):
        tf = touched(self.SRC_B, self.SRC_A)
        f = mk(line=20, func="f")
        blame.blame(f, tf, self.F_A)
        self.assertEqual((f.line, f.reported_line), (5, 20))


class MergeTest(unittest.TestCase):
    def test_same_line_merged_checker_first(self):
        a = mk(id="cocci/lazy_mmu_callers", line=4, msg="c")
        b = mk(id="cocci/lazy_mmu_legacy", line=4, msg="l")
        c = mk(id="lazy-mmu-legacy-call", line=4, msg="k")
        c.tool = "lazy-mmu-check"
        d = mk(id="cocci/lazy_mmu_legacy", line=9, msg="l")
        out = pairing.merge_same_line([a, b, c, d])
        self.assertEqual([(f.id, f.line) for f in out],
                         [("lazy-mmu-legacy-call", 4),
                          ("cocci/lazy_mmu_legacy", 9)])
        self.assertEqual([n.message for n in out[0].notes],
                         ["also [cocci/lazy_mmu_legacy]: l",
                          "also [cocci/lazy_mmu_callers]: c"])


class CutTest(unittest.TestCase):
    SRC = "int g;\nvoid a(void)\n{\n\tx();\n}\nvoid b(void)\n{\n}\n"
    FUNCS = [Function("a", 2, 5), Function("b", 6, 8)]

    def test_untouched_functions_emptied(self):
        out, kept = lintcocci.cut_functions(self.SRC, self.FUNCS,
                                            lambda fn: fn.name == "b")
        self.assertEqual(out, "int g;\n\n\n\n\nvoid b(void)\n{\n}\n")
        self.assertEqual(kept, 1)

    def test_touched_names_from_either_side(self):
        after = self.SRC.replace("\tx();\n", "\tx();\n\ty();\n")
        tf = touched(self.SRC, after)
        self.assertEqual(lintcocci.touched_names(
            tf, [Function("a", 2, 6), Function("b", 7, 9)], self.FUNCS),
            {"a"})


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
args = [a for a in sys.argv[1:] if not a.startswith("-")]
if "--dump=functions" in sys.argv:
    # each file is one function "f", from its first line to its last
    print(json.dumps({"version": 1, "functions": [
        {"file": p, "name": "f", "start": 1,
         "end": max(1, len(open(p).readlines()))} for p in args]}))
    sys.exit(0)
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

    def test_new_api_on_a_legacy_tree_would_not_compile(self):
        patch = ("--- a/mm/a.c\n+++ b/mm/a.c\n@@ -7,2 +7,3 @@\n int l7;\n"
                 "+void g(void) { lazy_mmu_mode_enable(); }\n int l8;\n")
        rc, out, err = self.run_lint(patch)
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, "mm/a.c:8:16: error: lazy_mmu_mode_enable() is "
                         "not in this tree, which has the legacy lazy MMU "
                         "API (arch_enter_lazy_mmu_mode()/"
                         "arch_leave_lazy_mmu_mode()): the patch would not "
                         "compile [lazy-mmu-api-missing]\n")
        rc, out, err = self.run_lint(patch, "--tree-api=converted")
        self.assertEqual((rc, out), (0, ""), err)

    def test_legacy_tree_switches_legacy_call_advice_off(self):
        wrapper = os.path.join(self.d, "wrapper")
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\necho \"$*\" >>%s/args\nexec %s \"$@\"\n"
                    % (self.d, self.checker))
        os.chmod(wrapper, 0o755)
        self.checker = wrapper
        patch = ("--- a/mm/a.c\n+++ b/mm/a.c\n@@ -1,2 +1,2 @@\n-int l1;\n"
                 "+int x;\n int l2;\n")
        for api, want in (("legacy", True), ("partial", False)):
            self.run_lint(patch, "--tree-api=" + api)
            with open(os.path.join(self.d, "args")) as f:
                runs = [l for l in f if "--format=json" in l]
            os.unlink(os.path.join(self.d, "args"))
            self.assertEqual(len(runs), 2)
            self.assertEqual(all("-Wno-legacy-call" in l for l in runs),
                             want, runs)

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


class SeamTest(unittest.TestCase):
    """One seam per outside tool, small functions (docs/ci.md)."""
    MODULES = ("lint", "patchfile", "workspace", "linediff", "treeapi",
               "lintcocci", "pairing", "blame", "findings", "printer",
               "checker", "gitseries", "spatch")
    # the one module allowed to start each outside program
    RUNNERS = {"checker": "bin/lazy-mmu-check", "gitseries": "git",
               "spatch": "spatch"}

    def source(self, name):
        with open(os.path.join(TOP, "lazy_mmu_tools", name + ".py")) as f:
            return f.read()

    def test_only_the_seams_start_programs(self):
        import ast
        for name in self.MODULES:
            tree = ast.parse(self.source(name))
            imported = {a.name for n in ast.walk(tree)
                        if isinstance(n, (ast.Import, ast.ImportFrom))
                        for a in n.names} | {
                n.module for n in ast.walk(tree)
                if isinstance(n, ast.ImportFrom) and n.module}
            starts = imported & {"subprocess", "os.system", "pty"}
            if name in self.RUNNERS:
                continue
            self.assertEqual(starts, set(), name)
            self.assertNotIn("os.popen", self.source(name), name)
            self.assertNotIn("os.exec", self.source(name), name)

    def test_no_function_over_50_lines_without_a_reason(self):
        import ast
        for name in self.MODULES:
            text = self.source(name)
            lines = text.split("\n")
            for n in ast.walk(ast.parse(text)):
                if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                body = lines[n.lineno - 1:n.end_lineno]
                if len(body) > 50:
                    self.assertTrue(any("# long:" in l for l in body),
                                    "%s.%s: %d lines" % (name, n.name,
                                                         len(body)))

    def test_no_c_parser_in_python(self):
        for name in self.MODULES:
            self.assertNotIn("def c_functions", self.source(name), name)


if __name__ == "__main__":
    sys.exit(libtap.run_unittest(sys.modules[__name__]))
