#!/usr/bin/env python3
# uses: no lazy-mmu-check (a fake checker)
"""Unit tests of lazy_mmu_tools/convert.py's small pieces: argument
parsing, the review-list merge, commit messages, error wording and the
tree lock.  Prints TAP."""

import errno
import os
import subprocess
import sys
import tempfile
import traceback

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOP)

from lazy_mmu_tools import convert  # noqa: E402
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
