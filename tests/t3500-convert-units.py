#!/usr/bin/env python3
# uses: no lazy-mmu-check (a fake checker)
"""Unit tests of lazy_mmu_tools/convert.py's small pieces: argument
parsing, the review-list merge, commit messages, error wording and the
tree lock; of the build library (kbuild.py) and of what the verification
says (verify.py, with checker.py's skipped functions).  Prints TAP."""

import errno
import os
import subprocess
import sys
import tempfile
import traceback

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOP)

from lazy_mmu_tools import checker, convert, kbuild, verify  # noqa: E402
sys.path.insert(0, os.path.join(TOP, "tests"))
from libtap import check  # noqa: E402  (never a bare assert: python3 -O)

CASES = []


def case(fn):
    CASES.append(fn)
    return fn


@case
def test_parse_args_defaults():
    req = convert.parse_args(["linux"])
    check(req.tree == "linux" and not req.dry_run and req.commit)
    check(req.arches == convert.ARCHES)


@case
def test_parse_args_arch_list():
    req = convert.parse_args(["--arch", "x86, sparc", "--no-commit", "t"])
    check(req.arches == ("x86", "sparc"), req.arches)
    check(not req.commit)


@case
def test_parse_args_rejects_unknown_arch():
    devnull = open(os.devnull, "w")
    old, sys.stderr = sys.stderr, devnull
    try:
        convert.parse_args(["--arch", "x86,mips", "t"])
    except SystemExit as e:
        check(e.code == 2)
    else:
        raise AssertionError("mips accepted")
    finally:
        sys.stderr = old


@case
def test_merge_sites_one_line_per_location_sorted_by_line():
    got = convert.merge_sites(["a.c:10: kept", "a.c:9: other",
                               "a.c:10: stays arch_*", "a.c:10: kept"])
    check(got == ["a.c:9: other", "a.c:10: kept; stays arch_*"], got)


@case
def test_merge_sites_keeps_unparsable_lines():
    check(convert.merge_sites(["see the Xen notes"]) == ["see the Xen notes"])


@case
def test_commit_message_shape():
    class S:
        subject = "mm: do a thing"
        body = "Why.\n\nGenerated with cocci/x.cocci.\n\n"
    msg = convert.commit_message(S())
    check(msg == ("mm: do a thing\n\nWhy.\n\nGenerated with cocci/x.cocci."
                  "\n\n%s\n" % convert.TRAILER), repr(msg))


@case
def test_describe_oserror_names_the_file():
    e = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "mm/memory.c")
    check(convert._describe(e) == "No space left on device (mm/memory.c)")


@case
def test_describe_other_exception_names_its_type():
    check(convert._describe(KeyError("x")) == "KeyError: 'x'")


@case
def test_fail_point_only_at_the_named_point():
    os.environ["LAZY_MMU_CONVERT_FAIL_AT"] = "callers"
    try:
        convert.fail_point("generic")
        try:
            convert.fail_point("callers")
        except convert.StepFailure as e:
            check("injected failure at callers" in str(e))
        else:
            raise AssertionError("no failure injected")
    finally:
        del os.environ["LAZY_MMU_CONVERT_FAIL_AT"]


@case
def test_lock_refuses_a_second_holder_and_names_the_pid():
    with tempfile.TemporaryDirectory() as d:
        a = convert.TreeLock(d)
        a.acquire()
        try:
            convert.TreeLock(d).acquire()
        except convert.ConvertError as e:
            check("(pid %d)" % os.getpid() in str(e), str(e))
        else:
            raise AssertionError("second lock taken")
        a.release()
        check(not os.path.exists(os.path.join(d, convert.LOCK_NAME)))


@case
def test_lock_of_a_dead_process_is_taken_over():
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.Popen(["true"])
        p.wait()
        with open(os.path.join(d, convert.LOCK_NAME), "w") as f:
            f.write("%d\n" % p.pid)
        lock = convert.TreeLock(d)
        check(lock.acquire() == str(p.pid))
        with open(os.path.join(d, convert.LOCK_NAME)) as f:
            check(f.read().strip() == str(os.getpid()))
        lock.release()


class _Quiet:
    """A Printer that keeps what it is given."""
    def __init__(self):
        self.lines = []

    def __getattr__(self, name):
        return lambda *a, **k: self.lines.append((name,) + a)


def _fixture_repo(d):
    tree = os.path.join(d, "linux")
    os.makedirs(os.path.join(tree, "mm"))
    os.makedirs(os.path.join(tree, "arch"))
    os.makedirs(os.path.join(tree, "include", "linux"))
    with open(os.path.join(tree, "Makefile"), "w") as f:
        f.write("VERSION = 6\nPATCHLEVEL = 12\n")
    with open(os.path.join(tree, "Kconfig"), "w") as f:
        f.write("mainmenu \"x\"\n")
    env = dict(os.environ, GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@b",
               GIT_COMMITTER_NAME="a", GIT_COMMITTER_EMAIL="a@b")
    for cmd in (["init", "-q"], ["add", "-f", "."],
                ["commit", "-q", "-m", "base"]):
        subprocess.run(["git"] + cmd, cwd=tree, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    return tree


@case
def test_an_internal_error_is_status_2_and_one_line():
    class Broken:
        name, subject, body, arch = "broken", "x: y", "z", None

        def applicable(self, tree):
            return True

        def status(self, tree):
            return "todo"

        def apply(self, tree):
            return []

    real = convert.run_series

    def boom(*a, **k):
        raise TypeError("a bug in the driver")
    convert.run_series = boom
    os.environ["LAZY_MMU_CHECK"] = os.path.join(TOP, "tests", "convert",
                                                "fake-check")
    try:
        with tempfile.TemporaryDirectory() as d:
            tree = _fixture_repo(d)
            p = _Quiet()
            rc = convert.main([tree], steps=[Broken()], printer=p)
            check(rc == 2, rc)
            errors = [l for l in p.lines if l[0] == "error"]
            check(len(errors) == 1, p.lines)
            check("internal error: TypeError: a bug in the driver"
                  in errors[0][1], errors)
    finally:
        convert.run_series = real
        del os.environ["LAZY_MMU_CHECK"]


# -- the build library, the checker seam, the verification summary ---------

def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


@case
def test_parse_args_build_names_and_dir():
    req = convert.parse_args(["--build", "x86,sparc64", "--build-dir", "b",
                              "t"])
    check(req.build == ("x86", "sparc64"), req.build)
    check(req.build_dir == os.path.abspath("b"), req.build_dir)
    check(convert.parse_args(["t"]).build == ())


@case
def test_kbuild_select_expands_arches_and_all():
    check(kbuild.select(["x86"]) == ["x86_64", "x86_64-nopv"])
    check(kbuild.select(["sparc64", "x86_64"]) == ["x86_64", "sparc64"])
    check(kbuild.select(["all"]) == list(kbuild.CONFIGS))
    try:
        kbuild.select(["mips"])
    except ValueError as e:
        check("unknown configuration 'mips'" in str(e), str(e))
    else:
        raise AssertionError("mips accepted")


@case
def test_kbuild_select_all_keeps_the_arches_the_tree_has():
    with tempfile.TemporaryDirectory() as tree:
        _write(os.path.join(tree, "arch/x86/include/asm/paravirt.h"),
               "#define __HAVE_ARCH_ENTER_LAZY_MMU_MODE\n")
        _write(os.path.join(tree, "arch/arm64/Kconfig"),
               "config ARM64\n\tselect ARCH_HAS_LAZY_MMU_MODE\n")
        _write(os.path.join(tree, "arch/sparc/Kconfig"), "config SPARC\n")
        got = kbuild.select(["all"], tree)
        check(got == ["x86_64", "x86_64-nopv", "arm64"], got)
        check(kbuild.select(["sparc"], tree) == [])
        check(kbuild.select(["sparc64"], tree) == ["sparc64"])


@case
def test_kbuild_objects_for_one_arch():
    files = ["mm/madvise.c", "include/linux/pgtable.h",
             "arch/x86/xen/mmu_pv.c", "arch/powerpc/mm/book3s64/hash_tlb.c",
             "arch/x86/boot/compressed/misc.h", "tools/x.c", "mm/Kconfig",
             "arch/x86/boot/startup/sme.c"]
    objs, skipped = kbuild.objects_for(kbuild.CONFIGS["x86_64"], files)
    check(objs == ["mm/memory.o", "mm/madvise.o", "arch/x86/xen/mmu_pv.o",
                   "arch/x86/boot/startup/sme.o"], objs)
    check(skipped == [("arch/x86/boot/compressed/misc.h",
                       "the boot code is only built with a whole vmlinux")],
          skipped)
    objs, _ = kbuild.objects_for(kbuild.CONFIGS["powerpc64"], files)
    check("arch/powerpc/mm/book3s64/hash_tlb.o" in objs and
          "arch/x86/xen/mmu_pv.o" not in objs, objs)


@case
def test_kbuild_why_not_built_follows_the_makefiles_up():
    with tempfile.TemporaryDirectory() as tree:
        _write(os.path.join(tree, "mm/Makefile"),
               "obj-y := memory.o\nobj-$(CONFIG_DEVICE_MIGRATION) += "
               "migrate_device.o\nobj-$(CONFIG_KASAN) += kasan/\n")
        _write(os.path.join(tree, "mm/kasan/Makefile"),
               "obj-y := common.o\nobj-$(CONFIG_KASAN_GENERIC) += \\\n"
               "\tgeneric.o shadow.o\n")
        conf = {"KASAN": "y"}
        w = kbuild.why_not_built
        check(w(tree, conf, "mm/memory.o") is None)
        check(w(tree, conf, "mm/migrate_device.o") ==
              "CONFIG_DEVICE_MIGRATION is not set")
        check(w(tree, conf, "mm/kasan/shadow.o") ==
              "CONFIG_KASAN_GENERIC is not set")
        check(w(tree, {}, "mm/kasan/common.o") == "CONFIG_KASAN is not set")
        check(w(tree, {"KASAN": "y", "KASAN_GENERIC": "y"},
                "mm/kasan/shadow.o") is None)


@case
def test_kbuild_uncovered_lists_what_no_build_compiled():
    r = kbuild.BuildResult("x86_64", built=["mm/memory.o", "mm/madvise.o",
                                            "arch/x86/boot/startup/sme.o"])
    got = kbuild.uncovered(["mm/madvise.c", "mm/migrate_device.c",
                            "include/linux/pgtable.h",
                            "arch/x86/boot/startup/sme.c",
                            "arch/x86/boot/compressed/misc.c",
                            "tools/testing/x.c"], [r])
    check(got == ["mm/migrate_device.c", "arch/x86/boot/compressed/misc.c"],
          got)


@case
def test_kbuild_a_directory_of_another_tree_is_emptied_not_the_users():
    with tempfile.TemporaryDirectory() as out:
        cfg = kbuild.CONFIGS["sparc64"]
        _write(os.path.join(out, "mine.txt"), "not ours\n")
        check(not kbuild.forget_other_tree(out, cfg, "/a"))    # no stamp
        _write(os.path.join(out, kbuild.STAMP_NAME), cfg.stamp("/a"))
        _write(os.path.join(out, "mm", "memory.o"), "")
        check(not kbuild.forget_other_tree(out, cfg, "/a"))    # same tree
        check(os.path.exists(os.path.join(out, "mm", "memory.o")))
        # kbuild's dependency files name the sources of one tree
        check(kbuild.forget_other_tree(out, cfg, "/b"))
        check(os.listdir(out) == [], os.listdir(out))


@case
def test_kbuild_check_config_names_what_is_missing():
    cfg = kbuild.CONFIGS["x86_64-nopv"]
    with tempfile.TemporaryDirectory() as tree:
        try:
            kbuild.check_config(tree, cfg, {"DEBUG_PAGEALLOC": "y",
                                            "PARAVIRT_XXL": "y"})
        except kbuild.BuildError as e:
            check("must not have CONFIG_PARAVIRT_XXL" in str(e), str(e))
        else:
            raise AssertionError("PARAVIRT_XXL accepted")
        try:
            kbuild.check_config(tree, cfg, {})
        except kbuild.BuildError as e:
            check("lacks CONFIG_DEBUG_PAGEALLOC=y" in str(e), str(e))
        else:
            raise AssertionError("missing DEBUG_PAGEALLOC accepted")


@case
def test_kbuild_first_error_is_the_compiler_error():
    r = kbuild.BuildResult("x86_64", tree="/src/linux", error=(
        "make prepare failed (status 2); log out/build-touched.log\n"
        "In file included from /src/linux/include/linux/kasan.h:37,\n"
        "/src/linux/include/linux/pgtable.h:1054:48: error: invalid use of "
        "undefined type 'struct task_struct'\n"
        "make[1]: *** [Makefile:1] Error 2\n"))
    check(kbuild.first_error(r) == "include/linux/pgtable.h:1054:48: "
          "error: invalid use of undefined type 'struct task_struct'",
          kbuild.first_error(r))


@case
def test_kbuild_a_missing_compiler_is_a_failed_build_in_one_line():
    old = os.environ["PATH"]
    os.environ["PATH"] = "/nonexistent"
    try:
        with tempfile.TemporaryDirectory() as d:
            res = kbuild.build(d, os.path.join(d, "out"), "sparc64",
                               ["mm/memory.c"])
    finally:
        os.environ["PATH"] = old
    check(not res.ok and res.built == [], res)
    check(res.error == "sparc64: sparc64-linux-gnu-gcc not found "
          "(scripts/install-deps installs it)", res.error)


def _fake_checker(d, doc, rc):
    path = os.path.join(d, "check")
    _write(path, "#!/bin/sh\ncat <<'EOF'\n%s\nEOF\nexit %d\n" % (doc, rc))
    os.chmod(path, 0o755)
    return path


@case
def test_checker_skipped_only_is_a_report_not_an_error():
    with tempfile.TemporaryDirectory() as d:
        prog = _fake_checker(d, '{"version": 1, "findings": [], "skipped": '
                             '[{"file": "./a.c", "line": 8, "message": '
                             '"cannot parse"}]}', 1)
        rep = checker.check(["a.c"], d, prog=prog)
        check(rep.status == 1 and rep.findings == [], rep)
        check([verify.skipped_line(s) for s in rep.skipped] ==
              ["a.c:8: cannot parse"], rep.skipped)


@case
def test_verify_summary_says_not_built_and_failed_builds():
    v = verify.Verification(checked=["mm/memory.c"],
                            report=checker.Report([], [], 0))
    lines = verify.summary(v)
    check(lines == ["lazy-mmu-check on 1 touched .c/.h file: no findings",
                    "not built: no object was compiled (--build all "
                    "compiles the touched objects)"], lines)
    check(v.passed())
    v.builds = [kbuild.BuildResult("sparc64", built=["mm/memory.o"]),
                kbuild.BuildResult("x86_64", error="make prepare failed\n"
                                   "a.h:1:2: error: boom\n", log="L")]
    lines = verify.summary(v)
    check(lines[1].startswith("build sparc64 (sparc64_defconfig): 1 object "
                              "compiled: mm/memory.o"), lines)
    check(lines[2].startswith("build x86_64 (") and
          lines[2].endswith("): FAILED: a.h:1:2: error: boom"), lines)
    check(not v.passed())


def main():
    failed = 0
    for n, fn in enumerate(CASES, 1):
        name = fn.__name__[len("test_"):].replace("_", " ")
        try:
            fn()
            print("ok %d - %s" % (n, name))
        except Exception:
            failed += 1
            print("not ok %d - %s" % (n, name))
            for line in traceback.format_exc().splitlines():
                print("#   " + line)
    print("1..%d" % len(CASES))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
