"""TAP for the Python test scripts (tests/tNNNN-*.py), the twin of
lib-tap.sh.  Import it with ``sys.path.insert(0, os.path.dirname(__file__))``.

Checks never use a bare ``assert`` (``python3 -O`` and PYTHONOPTIMIZE=1
remove them, and a test that cannot fail is worse than none): use
``check(cond, what)`` or ``check_equal(got, want)``, which raise
:class:`TestFailure` whatever the interpreter's flags.

Plain cases::

    tap = Tap()
    tap.case("what it checks", function)      # ok / not ok + traceback
    tap.skip("what it checks", "why")          # a skip no install fixes
    tap.skip_missing("what it checks", "spatch")
    sys.exit(tap.done())                       # prints the plan

unittest modules: ``sys.exit(run_unittest(module))``; inside a test,
``require(shutil.which("spatch"), "spatch")`` skips it (fails in CI).

In CI (CI=true, as .ci/run sets) what scripts/install-deps provides must
be there: skip_missing() and require() then report a failure, not a skip.
"""

import os
import shutil
import sys
import traceback
import unittest


class TestFailure(Exception):
    """A check did not hold."""


def in_ci():
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def check(cond, what="check failed"):
    """Fail with ``what`` unless ``cond`` is true."""
    if not cond:
        raise TestFailure(what)


def check_equal(got, want, what=""):
    if got != want:
        raise TestFailure("%sgot %r, expected %r"
                          % (what + ": " if what else "", got, want))


def check_in(item, container, what=""):
    if item not in container:
        raise TestFailure("%s%r not in %r"
                          % (what + ": " if what else "", item, container))


def have(*commands):
    """True when every command is on PATH."""
    return all(shutil.which(c) for c in commands)


def _missing_line(n, desc, what):
    if in_ci():
        return "not ok %d - %s # missing in CI: %s" % (n, desc, what)
    return "ok %d - %s # skip missing: %s" % (n, desc, what)


class Tap:
    """Numbered TAP results on stdout; done() prints the plan."""

    def __init__(self, out=None):
        self.out = out or sys.stdout
        self.n = 0
        self.failed = 0

    def _print(self, line, detail=""):
        print(line, file=self.out)
        for l in detail.splitlines():
            print("#   " + l, file=self.out)
        self.out.flush()

    def result(self, ok, desc, detail=""):
        self.n += 1
        if not ok:
            self.failed += 1
        self._print("%s %d - %s" % ("ok" if ok else "not ok", self.n, desc),
                    detail)

    def case(self, desc, fn, *args):
        """Run fn(*args): ok unless it raises (the traceback is shown)."""
        try:
            fn(*args)
        except Exception:
            self.result(False, desc, traceback.format_exc())
        else:
            self.result(True, desc)

    def skip(self, desc, why):
        """A case that cannot run for a reason no installation fixes."""
        self.n += 1
        self._print("ok %d - %s # skip %s" % (self.n, desc, why))

    def skip_missing(self, desc, what):
        """A case that needs what scripts/install-deps provides."""
        self.n += 1
        if in_ci():
            self.failed += 1
        self._print(_missing_line(self.n, desc, what))

    def done(self):
        """Print the plan; the exit status for sys.exit()."""
        print("1..%d" % self.n, file=self.out)
        self.out.flush()
        return 1 if self.failed else 0


class MissingInCI(Exception):
    """require() in CI: what install-deps provides is missing."""


def require(cond, what):
    """In a unittest test: skip it unless cond (what install-deps
    provides is there); in CI, fail it."""
    if cond:
        return
    if in_ci():
        raise MissingInCI(what)
    raise unittest.SkipTest("missing: %s" % what)


class _TapResult(unittest.TestResult):
    def __init__(self, tap):
        super().__init__()
        self.tap = tap

    @staticmethod
    def _name(test):
        return test.id().split(".", 1)[-1]

    def addSuccess(self, test):
        self.tap.result(True, self._name(test))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.tap.result(False, self._name(test),
                        self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        if issubclass(err[0], MissingInCI):
            self.tap.n += 1
            self.tap.failed += 1
            self.tap._print(_missing_line(self.tap.n, self._name(test),
                                          str(err[1])))
            return
        self.tap.result(False, self._name(test),
                        self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.tap.skip(self._name(test), reason)

    def addExpectedFailure(self, test, err):
        self.tap.result(False, self._name(test) + " (expected failure: "
                        "not allowed)")

    def addUnexpectedSuccess(self, test):
        self.tap.result(False, self._name(test) + " (expected failure: "
                        "not allowed)")


def run_unittest(module):
    """Every TestCase of module as TAP; the exit status."""
    tap = Tap()
    suite = unittest.defaultTestLoader.loadTestsFromModule(module)
    suite.run(_TapResult(tap))
    return tap.done()
