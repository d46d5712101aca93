"""Architectures that batch TLB flushes in a per-CPU structure with a
private 'active' flag: powerpc book3s64 hash and sparc64.

Both get the same two changes, from one description each (powerpc.py,
sparc.py) and one semantic patch each:

  flush  arch_flush_lazy_mmu_mode(), an empty macro, becomes a real flush
         of the pending batch, which arch_leave_lazy_mmu_mode() calls (the
         generic layer calls it when a nested section ends);
  state  the batch's 'active' flag goes: readers ask
         is_lazy_mmu_mode_active().
"""

import re

from .. import edits
from ..stepkit import CocciStep, read
from .base import Arch, export_if_kunit

EMPTY_FLUSH_MACRO = (r"#define\s+arch_flush_lazy_mmu_mode\(\)\s+"
                     r"do \{\} while \(0\)")


class BatchArch(Arch):
    """An architecture with a TLB batch.  batch_struct: the structure's
    name; active_re: its 'active' member; flush_file and flush_def: where
    the real flush is defined and the regex of its definition;
    leave_flush: the flush call arch_leave_lazy_mmu_mode() made itself;
    state_files: files the state phase edits; kunit_exports:
    [(file, regex ending the definition, symbol)]."""

    batch_struct = ""
    active_re = ""
    ptr_re = ""
    flush_file = ""
    flush_def = ""
    leave_file = ""
    leave_flush = ""
    state_files = ()
    scan_dir = None
    kunit_exports = ()

    def cocci_name(self):
        return "lazy_mmu_arch_%s.cocci" % self.name

    def flush_pre_edits(self, ed):
        """The text edit before the flush phase: the empty macro goes."""
        raise NotImplementedError

    def kunit_edits(self, ed):
        """Only what is defined out of line is exported: with its flush
        step skipped (--arch), arch_flush_lazy_mmu_mode() is still an
        empty macro."""
        for path, regex, symbol in self.kunit_exports:
            if ed.exists(path) and re.search(regex, ed.get(path), re.M):
                ed.edit(path, export_if_kunit, regex, symbol,
                        "the definition of %s in %s" % (symbol, path))

    def flush_is_empty(self, tree):
        text = read(tree, self.optin_header) or ""
        m = re.search(r"^%s" % EMPTY_FLUSH_MACRO, text, re.M)
        if not m:
            return None
        return self.optin_header, text.count("\n", 0, m.start()) + 1

    def early_steps(self):
        return [BatchFlushStep(self)]

    def late_steps(self):
        return [BatchStateStep(self)]

    def shapes(self, tree):
        hdr = read(tree, self.optin_header)
        if hdr is None:
            return []
        if re.search(r"^%s" % EMPTY_FLUSH_MACRO, hdr, re.M):
            flush = "empty macro"
        elif re.search(self.flush_def, read(tree, self.flush_file) or "",
                       re.M):
            flush = "real"
        else:
            flush = None
        active = "private flag" if re.search(self.active_re, hdr, re.M) \
            else "generic state"
        return [("%s arch_flush_lazy_mmu_mode()" % self.name, flush),
                ("%s lazy MMU tracking" % self.name, active)]


class BatchFlushStep(CocciStep):
    phase = "flush"

    def __init__(self, arch):
        self.a = arch
        self.name = "arch-%s-flush" % arch.name
        self.arch = arch.name
        self.cocci = arch.cocci_name()
        self.files = (arch.flush_file,)
        self.applicable_if = ((arch.optin_header,
                               r"\barch_enter_lazy_mmu_mode\b"),)
        self.required = ((arch.flush_file, arch.flush_def),)
        self.old_marks = ((arch.optin_header, EMPTY_FLUSH_MACRO),
                          (arch.leave_file, arch.leave_flush))
        self.new_marks = self.required
        self.subject = ("%s/mm: implement arch_flush_lazy_mmu_mode()"
                        % arch.name)
        self.body = arch.flush_body

    def pre_edits(self, ed):
        self.a.flush_pre_edits(ed)

    def post_edits(self, ed):
        """Where the generic layer came first (a partly converted tree)
        and made the KUnit test a module, the new function is exported
        to it like the other callbacks."""
        if re.search(r"^config LAZY_MMU_MODE_KUNIT_TEST\n\ttristate",
                     read(ed.tree, "mm/Kconfig") or "", re.M):
            self.a.kunit_edits(ed)


class BatchStateStep(CocciStep):
    phase = "state"

    def __init__(self, arch):
        self.name = "arch-%s" % arch.name
        self.arch = arch.name
        self.cocci = arch.cocci_name()
        self.files = arch.state_files
        self.scan = ((arch.scan_dir,), (arch.batch_struct,)) \
            if arch.scan_dir else None
        self.applicable_if = ((arch.optin_header,
                               r"\barch_enter_lazy_mmu_mode\b"),)
        self.old_marks = ((arch.optin_header, arch.active_re),
                          (None, arch.ptr_re))
        self.new_marks = ((None, r"\bis_lazy_mmu_mode_active\(\)"),)
        self.subject = ("%s/mm: replace batch->active with "
                        "is_lazy_mmu_mode_active()" % arch.name)
        self.body = arch.state_body


def replace_empty_flush(ed, path, new, done):
    """The empty arch_flush_lazy_mmu_mode() macro of path becomes new
    ("" to remove the line); done: regex of the edit already made."""
    if not new:
        ed.edit(path, lambda t: edits.remove_lines(t, EMPTY_FLUSH_MACRO)[0])
        return
    ed.edit(path, edits.replace_block, r"^%s[^\n]*$" % EMPTY_FLUSH_MACRO,
            new, "the empty arch_flush_lazy_mmu_mode() macro in " + path,
            done=done)
