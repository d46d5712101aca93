"""Fake conversion steps for the lazy-mmu-convert driver tests.

They follow the interface of lazy_mmu_tools/steps.py (name, subject,
body, arch, applicable/status/apply/review_sites) but edit the small
fixture tree that tests/lib-convert.sh makes, by plain text replacement,
so a driver test depends neither on spatch nor on the real rules.

The environment makes one step misbehave, to test the driver's restore:
  FAKE_STEP_FAIL=NAME:KIND  NAME raises after editing its first file;
                            KIND is steperror, enospc, eacces or bug
  FAKE_STEP_WAIT=NAME:FILE  NAME edits its files, creates FILE.started,
                            then waits until FILE exists (lock, signal)
  FAKE_STEP_TOUCH=NAME:PATH NAME also appends to PATH (not reported)
"""

import errno
import os
import time


# A step told to wait (FAKE_STEP_WAIT) gives up after this many seconds,
# so that a test that never releases it cannot hang the suite.
WAIT_LIMIT = 120


class StepError(Exception):
    pass


def _env(var, name):
    val = os.environ.get(var, "")
    step, _, arg = val.partition(":")
    return arg if step == name else None


class FakeStep:
    def __init__(self, name, arch, subject, edits, creates=()):
        self.name = name
        self.arch = arch
        self.subject = subject
        self.body = ("Fake step %s for the driver tests.\n\n"
                     "Generated with the semantic patch cocci/fake_%s.cocci."
                     % (name, name.replace("-", "_")))
        self.edits = edits          # (path, old, new)
        self.creates = creates      # (path, text)

    @property
    def new_files(self):
        return tuple(path for path, _ in self.creates)

    def _read(self, tree, path):
        try:
            with open(os.path.join(tree, path)) as f:
                return f.read()
        except FileNotFoundError:
            return None

    def applicable(self, tree):
        return all(self._read(tree, p) is not None for p, _, _ in self.edits)

    def _done(self, tree):
        done = []
        for path, old, new in self.edits:
            text = self._read(tree, path)
            done.append(new in text and old not in text)
        for path, text in self.creates:
            done.append(self._read(tree, path) == text)
        return done

    def status(self, tree):
        done = self._done(tree)
        if all(done):
            return "done"
        return "partial" if any(done) else "todo"

    def apply(self, tree):
        changed = []
        fail = _env("FAKE_STEP_FAIL", self.name)
        for path, old, new in self.edits:
            text = self._read(tree, path)
            if old not in text:
                continue
            with open(os.path.join(tree, path), "w") as f:
                f.write(text.replace(old, new))
            changed.append(path)
            if fail:
                self._fail(fail, path)
        for path, text in self.creates:
            if self._read(tree, path) == text:
                continue
            full = os.path.join(tree, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w") as f:
                f.write(text)
            changed.append(path)
        touch = _env("FAKE_STEP_TOUCH", self.name)
        if touch:
            with open(os.path.join(tree, touch), "a") as f:
                f.write("touched by %s\n" % self.name)
        wait = _env("FAKE_STEP_WAIT", self.name)
        if wait:
            open(wait + ".started", "w").close()
            deadline = time.monotonic() + WAIT_LIMIT
            while not os.path.exists(wait):
                if time.monotonic() > deadline:
                    raise StepError("fake %s: %s never appeared (waited "
                                    "%d s)" % (self.name, wait, WAIT_LIMIT))
                time.sleep(0.1)
        return changed

    def _fail(self, kind, path):
        if kind == "steperror":
            raise StepError("spatch fake_%s.cocci failed on %s"
                            % (self.name, path))
        if kind == "enospc":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        if kind == "eacces":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES),
                                  path)
        raise KeyError("a bug in step %s" % self.name)

    def review_sites(self, tree):
        sites = []
        for path in ("arch/x86/xen/enlighten.c",):
            text = self._read(tree, path) or ""
            for n, line in enumerate(text.splitlines(), 1):
                if "arch_leave_lazy_mmu_mode" in line and \
                        self.name == "callers":
                    sites.append("%s:%d: kept: pairs across functions"
                                 % (path, n))
        return sites


def all_steps():
    return [
        FakeStep("generic", None, "mm: add the fake generic layer",
                 [("include/linux/pgtable.h", "/* legacy fallbacks */",
                   "/* generic helpers */"),
                  ("mm/Kconfig", "# lazy mmu here",
                   "config ARCH_HAS_LAZY_MMU_MODE\n\tbool")],
                 [("mm/tests/fake_kunit.c", "/* fake KUnit test */\n")]),
        FakeStep("arch-x86", "x86", "x86/mm: fake x86 step",
                 [("arch/x86/include/asm/paravirt.h",
                   "#define __HAVE_ARCH_ENTER_LAZY_MMU_MODE\n", ""),
                  ("arch/x86/Kconfig", "\t# lazy opt-in",
                   "\tselect ARCH_HAS_LAZY_MMU_MODE")]),
        FakeStep("arch-powerpc", "powerpc", "powerpc/mm: fake powerpc step",
                 [("arch/powerpc/mm/tlb.c", "batch->active",
                   "is_lazy_mmu_mode_active()")]),
        FakeStep("callers", None, "mm: fake callers step",
                 [("mm/memory.c", "arch_enter_lazy_mmu_mode();",
                   "lazy_mmu_mode_enable();"),
                  ("mm/memory.c", "arch_leave_lazy_mmu_mode();",
                   "lazy_mmu_mode_disable();")]),
    ]


def with_real_callers():
    """The fake generic and arch steps, then the real callers step (it
    runs spatch, which a test replaces by one that fails)."""
    from lazy_mmu_tools import steps
    return all_steps()[:-1] + [steps.CallersStep()]
