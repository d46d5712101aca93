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

from . import edits, spatch
from .edits import EditError, FileEditor

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


# ---------------------------------------------------------------------------
# Steps made of text edits (edits.py)

class EditStep(Step):
    """A step whose change is a set of FileEditor edits.  status() makes
    the edits in memory: nothing to change means done."""

    def edits(self, ed):
        """Make the step's edits on FileEditor ed."""
        raise NotImplementedError

    def markers(self, tree):
        """True if some part of the change is already in the tree (to
        tell "partial" from "todo")."""
        return False

    def _editor(self, tree):
        ed = FileEditor(tree)
        try:
            self.edits(ed)
        except EditError as e:
            raise StepError("%s: %s" % (self.name, e))
        return ed

    def status(self, tree):
        if not self._editor(tree).changed():
            return "done"
        return "partial" if self.markers(tree) else "todo"

    def apply(self, tree):
        ed = self._editor(tree)
        try:
            return ed.commit()
        except OSError as e:
            raise StepError("%s: cannot write: %s" % (self.name, e))


# The arches that opt in to lazy MMU mode: the header that defined
# __HAVE_ARCH_ENTER_LAZY_MMU_MODE, and the Kconfig entry that now selects
# ARCH_HAS_LAZY_MMU_MODE instead.
ARCH_OPT_INS = (
    ("x86", "arch/x86/include/asm/paravirt.h",
     "arch/x86/Kconfig", "PARAVIRT_XXL"),
    ("powerpc", "arch/powerpc/include/asm/book3s/64/tlbflush-hash.h",
     "arch/powerpc/platforms/Kconfig.cputype", "PPC_BOOK3S_64"),
    ("sparc", "arch/sparc/include/asm/tlbflush_64.h",
     "arch/sparc/Kconfig", "SPARC64"),
    ("arm64", "arch/arm64/include/asm/pgtable.h",
     "arch/arm64/Kconfig", "ARM64"),
)

HAVE_ARCH_RE = r"#\s*define\s+__HAVE_ARCH_ENTER_LAZY_MMU_MODE\b"

PGTABLE = "include/linux/pgtable.h"
PGTABLE_LEGACY_RE = (r"^#ifndef __HAVE_ARCH_ENTER_LAZY_MMU_MODE\n"
                     r"#define arch_enter_lazy_mmu_mode\(\).*\n"
                     r"#define arch_leave_lazy_mmu_mode\(\).*\n"
                     r"#define arch_flush_lazy_mmu_mode\(\).*\n"
                     r"#endif\n")
PGTABLE_OLD_RULE_RE = (r"[ \t]*Nesting is not permitted\s*\n"
                       r" \* and the mode cannot be used in interrupt "
                       r"context\.\n \*/\n")


class GenericStep(EditStep):
    """The generic layer: Kconfig symbol, per-task state, helpers, the
    arches' opt-in moved to Kconfig, and a KUnit test."""

    name = "generic"
    arch = None
    subject = "mm: add nestable generic lazy MMU mode helpers"
    body = (
        "Lazy MMU sections cannot nest today: an inner\n"
        "arch_leave_lazy_mmu_mode() ends the outer section too, and each\n"
        "architecture tracks on its own whether it is in lazy MMU mode.\n"
        "\n"
        "Add a generic layer in <linux/pgtable.h>:\n"
        "lazy_mmu_mode_enable()/lazy_mmu_mode_disable() open and close a\n"
        "section and nest (only the outermost pair calls\n"
        "arch_enter/arch_leave, an inner disable calls\n"
        "arch_flush_lazy_mmu_mode()), and\n"
        "lazy_mmu_mode_pause()/lazy_mmu_mode_resume() stop batching for a\n"
        "while at any depth.  The state lives in task_struct (struct\n"
        "lazy_mmu_state: enable_count, pause_count); all helpers do\n"
        "nothing in interrupt context.  Arch code can test\n"
        "is_lazy_mmu_mode_active() or __task_lazy_mmu_mode_active()\n"
        "(<linux/sched.h>).\n"
        "\n"
        "An architecture now opts in by selecting\n"
        "CONFIG_ARCH_HAS_LAZY_MMU_MODE instead of defining\n"
        "__HAVE_ARCH_ENTER_LAZY_MMU_MODE, because task_struct depends on\n"
        "it: x86 selects it from PARAVIRT_XXL, powerpc from PPC_BOOK3S_64,\n"
        "sparc from SPARC64 (arm64 from ARM64 where it has the mode).  The\n"
        "x86 files that #undef CONFIG_PARAVIRT_XXL undefine it as well.\n"
        "The empty generic arch_*_lazy_mmu_mode() callbacks stay for now,\n"
        "for the callers that are converted in a later patch.\n"
        "\n"
        "Add a KUnit test of the nesting rules\n"
        "(CONFIG_LAZY_MMU_MODE_KUNIT_TEST).\n"
        "\n"
        "Made by lazy-mmu-tools with text edits (lazy_mmu_tools/edits.py);\n"
        "Kconfig and preprocessor lines are beyond what a semantic patch\n"
        "can edit.")

    def markers(self, tree):
        return "ARCH_HAS_LAZY_MMU_MODE" in (read(tree, "mm/Kconfig") or "")

    def edits(self, ed):
        # Which arches opt in: those whose header still has the define,
        # and those already converted (select present).
        known = {hdr for _, hdr, _, _ in ARCH_OPT_INS}
        for path in spatch.prefilter(ed.tree, ("arch",),
                                     ("__HAVE_ARCH_ENTER_LAZY_MMU_MODE",),
                                     exts=(".h",)):
            if path not in known and re.search(HAVE_ARCH_RE,
                                               read(ed.tree, path), re.M):
                raise EditError("%s opts in to lazy MMU mode, but lazy-mmu-"
                                "tools does not know its Kconfig entry"
                                % path)
        for arch, hdr, kconfig, symbol in ARCH_OPT_INS:
            text = read(ed.tree, hdr)
            if text is None or not re.search(HAVE_ARCH_RE, text, re.M):
                continue
            ed.edit(hdr, lambda t: edits.remove_lines(t, HAVE_ARCH_RE)[0])
            ed.edit(kconfig, edits.kconfig_add_select, symbol,
                    "ARCH_HAS_LAZY_MMU_MODE")

        # Files that pretend PARAVIRT_XXL is off must not see the symbol
        # either, or <linux/pgtable.h> would expect callbacks that
        # <asm/paravirt.h> does not give them there.
        for path in spatch.prefilter(ed.tree, ("arch/x86",),
                                     ("CONFIG_PARAVIRT_XXL",)):
            if re.search(r"^#undef CONFIG_PARAVIRT_XXL\b", read(ed.tree, path),
                         re.M):
                ed.edit(path, edits.insert_after,
                        r"^#undef CONFIG_PARAVIRT_XXL\b.*\n",
                        "#undef CONFIG_ARCH_HAS_LAZY_MMU_MODE\n",
                        "#undef CONFIG_PARAVIRT_XXL in " + path,
                        present=r"^#undef CONFIG_ARCH_HAS_LAZY_MMU_MODE\b")

        ed.edit("mm/Kconfig", edits.kconfig_add_entry,
                edits.template("Kconfig.arch_has"), "ARCH_HAS_PTE_SPECIAL")
        ed.edit("mm/Makefile", _append_line,
                "obj-$(CONFIG_LAZY_MMU_MODE_KUNIT_TEST) += "
                "tests/lazy_mmu_mode_kunit.o\n")
        test = "mm/tests/lazy_mmu_mode_kunit.c"
        if not ed.exists(test):
            ed.set(test, edits.template("lazy_mmu_mode_kunit.c"))

        ed.edit("include/linux/mm_types_task.h", edits.insert_before,
                r"^#endif /\* _LINUX_MM_TYPES_TASK_H \*/",
                edits.template("mm_types_task.h").lstrip("\n") + "\n",
                "end of include/linux/mm_types_task.h",
                present=r"^struct lazy_mmu_state \{")
        ed.edit("include/linux/sched.h", edits.insert_after,
                r"^\tstruct page_frag\s+task_frag;\n",
                edits.template("sched_member.h"),
                "task_frag in struct task_struct",
                present=r"^\tstruct lazy_mmu_state\s+lazy_mmu_state;")
        ed.edit("include/linux/sched.h", edits.insert_before,
                r"^#endif\s*$", edits.template("sched_helpers.h"),
                "end of include/linux/sched.h", last=True,
                present=r"is_lazy_mmu_mode_active\(void\)")

        ed.edit(PGTABLE, edits.replace_block, PGTABLE_OLD_RULE_RE,
                edits.template("pgtable_comment.txt"),
                "the lazy MMU comment of " + PGTABLE,
                done=r"^ \*\tlazy_mmu_mode_pause\(\);$")
        helpers = (edits.template("pgtable_helpers.h")
                   + edits.template("pgtable_fallbacks.h")
                   + "#endif /* CONFIG_ARCH_HAS_LAZY_MMU_MODE */\n")
        ed.edit(PGTABLE, edits.replace_block, PGTABLE_LEGACY_RE, helpers,
                "the generic arch_*_lazy_mmu_mode() fallbacks in " + PGTABLE,
                done=r"^static inline void lazy_mmu_mode_enable\(void\)")


def _append_line(text, line):
    if line in text:
        return text
    if text and not text.endswith("\n"):
        text += "\n"
    return text + line


def _site_key(site):
    path, line = site.split(":")[:2]
    return (path, int(line) if line.isdigit() else 0, site)


def all_steps():
    """Every step, in series order."""
    return [
        GenericStep(),
        CallersStep(),
    ]
