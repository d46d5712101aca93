"""The conversion, as an ordered list of steps, one commit each.

The driver (convert.py) walks all_steps() in order.  For each step it asks
applicable() (does the tree have what the step edits?), status() ("todo",
"partial" or "done") and, unless done, apply(), which edits the files in
place and returns the tree-relative paths it changed; review_sites() lists
what the step left for a human.  A step never commits, never touches git,
and raises StepError on failure; the driver then restores the tree.

Every apply() is idempotent: on a tree that already has the change it
returns [] and changes nothing.

The order keeps every commit building (bisectable):

  1. arch fixes that do not need the generic layer (powerpc context
     switch, Xen flush, real powerpc/sparc arch_flush_lazy_mmu_mode());
  2. the generic layer (Kconfig symbol, per-task state, helpers, test),
     which still keeps the legacy empty callbacks for arches that do not
     opt in, because generic code still calls them;
  3. the callers (cocci/lazy_mmu_callers.cocci);
  4. removal of the generic empty callbacks, now unused;
  5. arch private tracking -> is_lazy_mmu_mode_active(), which only
     tells the truth once the callers use the generic helpers.
"""

import os
import re

from . import spatch

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COCCI_DIR = os.path.join(TOP, "cocci")

LEGACY_CALLBACKS = ("arch_enter_lazy_mmu_mode", "arch_leave_lazy_mmu_mode")
GENERIC_HELPERS = ("lazy_mmu_mode_enable", "lazy_mmu_mode_disable",
                   "lazy_mmu_mode_pause", "lazy_mmu_mode_resume")

_COMMENT_RE = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_LEGACY_CALL_RE = re.compile(
    r"\b(arch_enter_lazy_mmu_mode|arch_leave_lazy_mmu_mode)\s*\(\s*\)\s*;")
_HELPER_CALL_RE = re.compile(
    r"\blazy_mmu_mode_(enable|disable|pause|resume)\s*\(\s*\)\s*;")


class StepError(Exception):
    """A step could not be applied; the message says why, in one line."""


def read(tree, path):
    """Text of tree-relative path, or None if it does not exist."""
    try:
        with open(os.path.join(tree, path), encoding="utf-8",
                  errors="surrogateescape") as f:
            return f.read()
    except FileNotFoundError:
        return None


def strip_comments(text):
    """text with C comments blanked out, line numbers kept."""
    return _COMMENT_RE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def call_sites(tree, paths, regex):
    """(path, line, name) of each match of regex outside comments."""
    out = []
    for path in paths:
        text = read(tree, path)
        if text is None:
            continue
        code = strip_comments(text)
        for m in regex.finditer(code):
            out.append((path, code.count("\n", 0, m.start()) + 1,
                        m.group(1)))
    return out


class Step:
    """One logical change of the conversion; see the module comment."""

    name = ""
    subject = ""
    body = ""
    arch = None

    def applicable(self, tree):
        return True

    def status(self, tree):
        raise NotImplementedError

    def apply(self, tree):
        raise NotImplementedError

    def review_sites(self, tree):
        return []

    def __repr__(self):
        return "<Step %s>" % self.name


# ---------------------------------------------------------------------------
# Callers

class CallersStep(Step):
    """Generic and arch callers of arch_enter/leave_lazy_mmu_mode() become
    callers of the generic helpers, by cocci/lazy_mmu_callers.cocci."""

    name = "callers"
    arch = None
    cocci_name = "lazy_mmu_callers.cocci"
    dirs = ("mm", "fs", "arch")
    # Calls that stay arch_* on purpose: the callbacks are called by arch
    # code that acts on another task than current (Xen's context switch).
    # They are not counted as work left to do.
    arch_internal = ("arch/x86/xen/",)

    subject = "mm: convert lazy MMU callers to the generic helpers"
    body = (
        "Generic and arch code calls arch_enter_lazy_mmu_mode() and\n"
        "arch_leave_lazy_mmu_mode() directly around batches of page-table\n"
        "updates.  Those sections cannot nest, and each architecture has to\n"
        "track on its own whether it is in lazy MMU mode.\n"
        "\n"
        "Call the generic helpers instead: a function that opens a section\n"
        "calls lazy_mmu_mode_enable()/lazy_mmu_mode_disable() on every path\n"
        "(early returns, goto and relock paths included), and a function\n"
        "that runs inside its caller's section and leaves it for a while\n"
        "calls lazy_mmu_mode_pause()/lazy_mmu_mode_resume().\n"
        "\n"
        "Calls that pair across functions (Xen's context switch) stay on\n"
        "the arch callbacks: they act on the task being switched, not on\n"
        "current.\n"
        "\n"
        "Generated with the semantic patch cocci/lazy_mmu_callers.cocci of\n"
        "lazy-mmu-tools, run over the files of mm/, fs/ and arch/ that\n"
        "mention the legacy calls.  No functional change.")

    def cocci(self):
        return os.path.join(COCCI_DIR, self.cocci_name)

    def _candidates(self, tree):
        return spatch.prefilter(tree, self.dirs, LEGACY_CALLBACKS,
                                exts=(".c",))

    def _pending(self, tree):
        return [s for s in call_sites(tree, self._candidates(tree),
                                      _LEGACY_CALL_RE)
                if not s[0].startswith(self.arch_internal)]

    def applicable(self, tree):
        return read(tree, "include/linux/pgtable.h") is not None

    def status(self, tree):
        if not self._pending(tree):
            return "done"
        helpers = spatch.prefilter(tree, self.dirs, GENERIC_HELPERS,
                                   exts=(".c",))
        if call_sites(tree, helpers, _HELPER_CALL_RE):
            return "partial"
        return "todo"

    def _run(self, tree, in_place):
        cocci = self.cocci()
        if not os.path.isfile(cocci):
            raise StepError("cocci/%s missing" % self.cocci_name)
        files = self._candidates(tree)
        try:
            return spatch.run_spatch(cocci, files, tree, mode="patch",
                                     in_place=in_place)
        except spatch.SpatchError as e:
            raise StepError(str(e))

    def apply(self, tree):
        return self._run(tree, in_place=True).changed

    def review_sites(self, tree):
        """The calls the rule keeps (it lists them on stderr), and any
        legacy call it did not even see (a function spatch cannot
        parse)."""
        sites = self._run(tree, in_place=False).reports
        seen = {tuple(s.split(":")[:2]) for s in sites}
        for path, line, name in call_sites(tree, self._candidates(tree),
                                           _LEGACY_CALL_RE):
            if (path, str(line)) not in seen:
                sites.append("%s:%d: %s() left unconverted (not seen by "
                             "the semantic patch)" % (path, line, name))
        return sorted(set(sites), key=_site_key)


def _site_key(site):
    path, line = site.split(":")[:2]
    return (path, int(line) if line.isdigit() else 0, site)


def all_steps():
    """Every step, in series order."""
    return [
        CallersStep(),
    ]
