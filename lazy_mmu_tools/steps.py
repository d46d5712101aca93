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
        # Headers too: a static inline caller in a header is a caller.
        # (The arch callbacks' own definitions are not calls; the rule
        # leaves them alone.)
        return spatch.prefilter(tree, self.dirs, LEGACY_CALLBACKS)

    def _pending(self, tree):
        return [s for s in call_sites(tree, self._candidates(tree),
                                      _LEGACY_CALL_RE)
                if not s[0].startswith(self.arch_internal)]

    def applicable(self, tree):
        return read(tree, "include/linux/pgtable.h") is not None

    def status(self, tree):
        if not self._pending(tree):
            return "done"
        helpers = [f for f in spatch.prefilter(tree, self.dirs,
                                               GENERIC_HELPERS, exts=(".c",))
                   if f != KUNIT_TEST]
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
KUNIT_TEST = "mm/tests/lazy_mmu_mode_kunit.c"
PGTABLE_LEGACY_RE = (r"^#ifndef (?:__HAVE_ARCH_ENTER_LAZY_MMU_MODE|"
                     r"CONFIG_ARCH_HAS_LAZY_MMU_MODE)\n"
                     r"#define arch_enter_lazy_mmu_mode\(\).*\n"
                     r"#define arch_leave_lazy_mmu_mode\(\).*\n"
                     r"#define arch_flush_lazy_mmu_mode\(\).*\n"
                     r"#endif\n")
PGTABLE_OLD_RULE_RE = (r"[ \t]*(?:\n \*\n \*)?[ \t]*Nesting is not permitted"
                       r"(?:[ \t]|\n \*[ \t])+and the mode cannot be used"
                       r"(?:[ \t]|\n \*[ \t])+in(?:[ \t]|\n \*[ \t])+"
                       r"interrupt(?:[ \t]|\n \*[ \t])+context\.\n \*/\n")
PGTABLE_NEW_RULE_RE = r"^ \*\tlazy_mmu_mode_pause\(\);$"


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
        "x86 files that #undef CONFIG_PARAVIRT and CONFIG_PARAVIRT_XXL\n"
        "undefine it as well.  The empty generic arch_*_lazy_mmu_mode()\n"
        "callbacks stay for now, for the callers that are converted in a\n"
        "later patch.\n"
        "\n"
        "Add a KUnit test of the nesting rules\n"
        "(CONFIG_LAZY_MMU_MODE_KUNIT_TEST).\n"
        "\n"
        "Made by lazy-mmu-tools with text edits (lazy_mmu_tools/edits.py);\n"
        "Kconfig and preprocessor lines are beyond what a semantic patch\n"
        "can edit.")

    def markers(self, tree):
        return "ARCH_HAS_LAZY_MMU_MODE" in (read(tree, "mm/Kconfig") or "")

    def review_sites(self, tree):
        """Opted-in arches whose arch_flush_lazy_mmu_mode() is still the
        empty macro (their flush step was skipped, e.g. by --arch): a
        nested lazy_mmu_mode_disable() does not flush there."""
        pg = read(tree, PGTABLE) or ""
        if "lazy_mmu_mode_enable(void)" not in pg:
            return []
        out = []
        if not re.search(PGTABLE_NEW_RULE_RE, pg, re.M):
            m = re.search(r"^#ifdef CONFIG_ARCH_HAS_LAZY_MMU_MODE", pg, re.M)
            line = pg.count("\n", 0, m.start()) + 1 if m else 1
            out.append("%s:%d: the lazy MMU comment above the helpers was not "
                       "updated (wording unknown to lazy-mmu-tools): check "
                       "that it describes nesting, pause/resume and "
                       "interrupt context" % (PGTABLE, line))
        regex = re.compile(r"^%s" % EMPTY_FLUSH_MACRO, re.M)
        for arch, _, _, _ in ARCH_OPT_INS:
            for path in spatch.prefilter(tree, ("arch/%s/include" % arch,),
                                         ("arch_flush_lazy_mmu_mode",),
                                         exts=(".h",)):
                text = read(tree, path)
                for m in regex.finditer(text):
                    out.append("%s:%d: arch_flush_lazy_mmu_mode() is still "
                               "empty: a nested lazy_mmu_mode_disable() "
                               "does not flush on %s (its flush step was "
                               "not run)" % (path, text.count("\n", 0,
                                                             m.start()) + 1,
                                             arch))
        return out

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

        # Files that pretend paravirt is off (boot code, SME) must not see
        # the symbol either, or <linux/pgtable.h> would expect callbacks
        # that <asm/paravirt.h> does not give them there.  (The vdso32
        # build also undefines PARAVIRT_XXL, but not PARAVIRT, and does
        # not need it.)
        for path in spatch.prefilter(ed.tree, ("arch/x86",),
                                     ("CONFIG_PARAVIRT_XXL",)):
            text = read(ed.tree, path)
            if re.search(r"^#undef CONFIG_PARAVIRT_XXL\b", text, re.M) and \
               re.search(r"^#undef CONFIG_PARAVIRT\b", text, re.M):
                ed.edit(path, edits.insert_after,
                        r"^#undef CONFIG_PARAVIRT_XXL\b.*\n",
                        "#undef CONFIG_ARCH_HAS_LAZY_MMU_MODE\n",
                        "#undef CONFIG_PARAVIRT_XXL in " + path,
                        present=r"^#undef CONFIG_ARCH_HAS_LAZY_MMU_MODE\b")

        ed.edit("mm/Kconfig", edits.kconfig_add_entry,
                edits.template("Kconfig.arch_has"), "ARCH_HAS_PTE_SPECIAL")
        ed.edit("mm/Kconfig", edits.kconfig_add_entry,
                edits.template("Kconfig.kunit"), "ARCH_HAS_LAZY_MMU_MODE")
        if "tests/lazy_mmu_mode_kunit.o" not in ed.get("mm/Makefile"):
            ed.edit("mm/Makefile", _append_line,
                    "obj-$(CONFIG_LAZY_MMU_MODE_KUNIT_TEST) += "
                    "tests/lazy_mmu_mode_kunit.o\n")
        if not ed.exists(KUNIT_TEST):
            ed.set(KUNIT_TEST, edits.template("lazy_mmu_mode_kunit.c"))

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

        # A pgtable.h that has the helpers (converted by hand, or by
        # upstream) is left as it is, comment included.
        if re.search(r"^static inline void lazy_mmu_mode_enable\(void\)",
                     ed.get(PGTABLE), re.M):
            return
        # The comment is updated when its old rule sentence is found; in
        # another wording it is left for review (review_sites).
        if re.search(PGTABLE_OLD_RULE_RE, ed.get(PGTABLE), re.M):
            ed.edit(PGTABLE, edits.replace_block, PGTABLE_OLD_RULE_RE,
                    edits.template("pgtable_comment.txt"),
                    "the lazy MMU comment of " + PGTABLE)
        helpers = (edits.template("pgtable_helpers.h")
                   + edits.template("pgtable_fallbacks.h")
                   + "#endif /* CONFIG_ARCH_HAS_LAZY_MMU_MODE */\n")
        ed.edit(PGTABLE, edits.replace_block, PGTABLE_LEGACY_RE, helpers,
                "the generic arch_*_lazy_mmu_mode() fallbacks in " + PGTABLE,
                done=r"^static inline void lazy_mmu_mode_enable\(void\)")


class FallbacksStep(EditStep):
    """Once every generic caller uses the helpers, the empty generic
    arch_*_lazy_mmu_mode() callbacks go; x86 without PARAVIRT_XXL keeps
    an empty arch_flush_lazy_mmu_mode() for its own direct callers."""

    name = "generic-fallbacks"
    arch = None
    subject = "mm: remove the generic empty lazy MMU callbacks"
    body = (
        "Generic code now calls the lazy_mmu_mode_*() helpers only, so the\n"
        "empty arch_enter/leave/flush_lazy_mmu_mode() fallbacks of\n"
        "<linux/pgtable.h> have no users left on architectures that do not\n"
        "select CONFIG_ARCH_HAS_LAZY_MMU_MODE.  Remove them: the arch\n"
        "callbacks are now only called by the generic layer and by arch\n"
        "code.\n"
        "\n"
        "x86 calls arch_flush_lazy_mmu_mode() directly (highmem.h,\n"
        "set_memory.c), also without PARAVIRT_XXL, so give it an empty\n"
        "static inline there.\n"
        "\n"
        "Made by lazy-mmu-tools with text edits (lazy_mmu_tools/edits.py);\n"
        "it refuses to run while a legacy call is left outside the code of\n"
        "the architectures that provide the callbacks.")

    # Where a legacy call would lose its definition.
    scan_dirs = ("mm", "fs", "include", "kernel", "lib", "drivers", "arch",
                 "virt", "security", "block", "net")

    X86_PGTABLE = "arch/x86/include/asm/pgtable.h"
    X86_ANCHOR = r"^#define arch_end_context_switch\(prev\)[^\n]*\n"
    X86_STUB = "static inline void arch_flush_lazy_mmu_mode(void) {}\n"

    def markers(self, tree):
        return self.X86_STUB in (read(tree, self.X86_PGTABLE) or "")

    def status(self, tree):
        # Before the generic step there is nothing of this one either.
        if "lazy_mmu_mode_enable(void)" not in (read(tree, PGTABLE) or ""):
            return "todo"
        return super().status(tree)

    def leftovers(self, tree):
        """Legacy calls in code that does not get the arch callbacks."""
        providers = tuple("arch/%s/" % a for a, _, _, _ in ARCH_OPT_INS)
        regex = re.compile(r"\b(arch_(?:enter|leave|flush)_lazy_mmu_mode)"
                           r"\s*\(\s*\)\s*;")
        files = [f for f in spatch.prefilter(
                     tree, self.scan_dirs,
                     LEGACY_CALLBACKS + ("arch_flush_lazy_mmu_mode",))
                 if not f.startswith(providers) and f != PGTABLE]
        return call_sites(tree, files, regex)

    def edits(self, ed):
        left = self.leftovers(ed.tree)
        text = ed.get(PGTABLE)
        if "lazy_mmu_mode_enable(void)" not in text:
            raise EditError("%s has no generic lazy MMU helpers: the "
                            "generic step must come first" % PGTABLE)
        if left and re.search(PGTABLE_FALLBACKS_RE, text, re.M):
            path, line, name = left[0]
            raise EditError("%s:%d: %s() still called: convert the callers "
                            "first (%d call(s) left)"
                            % (path, line, name, len(left)))
        ed.edit(PGTABLE, edits.replace_block, PGTABLE_FALLBACKS_RE, "",
                "the empty arch callbacks in " + PGTABLE,
                done=r"^static inline void lazy_mmu_mode_enable\(void\)")
        if ed.exists(self.X86_PGTABLE):
            ed.edit(self.X86_PGTABLE, edits.insert_after, self.X86_ANCHOR,
                    self.X86_STUB,
                    "arch_end_context_switch() of !PARAVIRT_XXL in "
                    + self.X86_PGTABLE,
                    present=r"^static inline void arch_flush_lazy_mmu_mode"
                            r"\(void\)")

    def review_sites(self, tree):
        return ["%s:%d: %s() called outside arch code that provides it"
                % s for s in self.leftovers(tree)]


PGTABLE_FALLBACKS_RE = (r"\n/\* Empty arch callbacks, for code that still "
                        r"calls them directly\. \*/\n"
                        r"#define arch_enter_lazy_mmu_mode\(\)[^\n]*\n"
                        r"#define arch_leave_lazy_mmu_mode\(\)[^\n]*\n"
                        r"#define arch_flush_lazy_mmu_mode\(\)[^\n]*\n")


# ---------------------------------------------------------------------------
# Arch rewrites: a semantic patch (one phase of cocci/lazy_mmu_arch_<arch>)
# plus, around it, the text edits it cannot make.

class ArchStep(Step):
    """One phase of an arch rewrite.

    cocci: rule file name; phase: the virtual rule that selects the phase
    ("flush" or "state"); files: the files spatch edits (those present);
    scan: (dirs, words) of further files to give spatch; pre_edits /
    post_edits: functions on a FileEditor, run before and after spatch;
    required: a regex per file that must match after apply (the result
    the step promises; StepError otherwise)."""

    cocci = ""
    phase = ""
    files = ()
    scan = None
    required = ()
    applicable_if = ()   # (path, regex): the tree has what the step edits

    def pre_edits(self, ed):
        pass

    def post_edits(self, ed):
        pass

    def cocci_path(self):
        return os.path.join(COCCI_DIR, self.cocci)

    def applicable(self, tree):
        for path, regex in self.applicable_if:
            text = read(tree, path)
            if text is None or not re.search(regex, text, re.M):
                return False
        return True

    def targets(self, tree):
        out = [f for f in self.files if read(tree, f) is not None]
        if self.scan:
            dirs, words = self.scan
            out += spatch.prefilter(tree, dirs, words)
        return sorted(set(out))

    def _spatch(self, tree, mode, in_place):
        cocci = self.cocci_path()
        if not os.path.isfile(cocci):
            raise StepError("cocci/%s missing" % self.cocci)
        try:
            return spatch.run_spatch(cocci, self.targets(tree), tree,
                                     mode=mode, in_place=in_place,
                                     defines=(self.phase,),
                                     extra_options=self.spatch_options())
        except spatch.SpatchError as e:
            raise StepError(str(e))

    def spatch_options(self):
        return ()

    def _edit(self, tree, fn):
        ed = FileEditor(tree)
        try:
            fn(ed)
        except EditError as e:
            raise StepError("%s: %s" % (self.name, e))
        return ed

    # Cheap status: (path, regex) marks of the old shape (work left) and
    # of the new shape (work done).  A path of None means every target.
    old_marks = ()
    new_marks = ()

    def _marked(self, tree, marks):
        found = []
        for path, regex in marks:
            paths = self.targets(tree) if path is None else [path]
            for p in paths:
                text = read(tree, p)
                if text is not None and re.search(regex, strip_comments(text),
                                                  re.M):
                    found.append(p)
                    break
        return found

    def status(self, tree):
        if not self._marked(tree, self.old_marks):
            return "done"
        return "partial" if self._marked(tree, self.new_marks) else "todo"

    def apply(self, tree):
        changed = set()
        try:
            changed.update(self._edit(tree, self.pre_edits).commit())
            changed.update(self._spatch(tree, "patch", True).changed)
            changed.update(self._edit(tree, self.post_edits).commit())
        except OSError as e:
            raise StepError("%s: cannot write: %s" % (self.name, e))
        for path, regex in self.required:
            text = read(tree, path)
            if text is not None and not re.search(regex, text, re.M):
                raise StepError("%s: %s does not have the expected result "
                                "(/%s/); spatch may have failed to parse it"
                                % (self.name, path, regex))
        return sorted(changed)

    def review_sites(self, tree):
        """What the rule would still change, in its report mode: the
        sites of the old shape it did not recognise."""
        return self._spatch(tree, "report", False).reports


def _remove_define(name):
    """An edit removing '#define NAME ...' lines."""
    def fn(text):
        return edits.remove_lines(text, r"#define\s+%s\b" % re.escape(name))[0]
    return fn


class X86FlushStep(ArchStep):
    name = "arch-x86-flush"
    arch = "x86"
    cocci = "lazy_mmu_arch_x86.cocci"
    phase = "flush"
    files = ("arch/x86/xen/mmu_pv.c",)
    applicable_if = (("arch/x86/xen/mmu_pv.c", r"\bxen_flush_lazy_mmu\b"),)
    old_marks = ((None, r"arch_leave_lazy_mmu_mode\(\);\s*"
                        r"arch_enter_lazy_mmu_mode\(\);"),)
    subject = "x86/xen: flush lazy MMU updates with xen_mc_flush()"
    body = (
        "xen_flush_lazy_mmu() flushes by leaving lazy MMU mode and entering\n"
        "it again.  Only the flush of the pending multicalls is needed, and\n"
        "with nesting lazy MMU sections the leave/enter pair would no longer\n"
        "be a plain flush: call xen_mc_flush() directly.  Preemption stays\n"
        "disabled around it as before.\n"
        "\n"
        "Generated with the semantic patch cocci/lazy_mmu_arch_x86.cocci of\n"
        "lazy-mmu-tools (-D patch -D flush).")


class X86StateStep(ArchStep):
    name = "arch-x86"
    arch = "x86"
    cocci = "lazy_mmu_arch_x86.cocci"
    phase = "state"
    files = ("arch/x86/xen/enlighten_pv.c",)
    scan = (("arch/x86",), ("TIF_LAZY_MMU_UPDATES",))
    applicable_if = (("arch/x86/include/asm/paravirt.h",
                      r"\barch_enter_lazy_mmu_mode\b"),)
    THREAD_INFO = "arch/x86/include/asm/thread_info.h"
    old_marks = ((None, r"\bTIF_LAZY_MMU_UPDATES\b"),
                 (THREAD_INFO, r"\bTIF_LAZY_MMU_UPDATES\b"))
    new_marks = ((None, r"\b__task_lazy_mmu_mode_active\("),)
    subject = "x86/xen: use the generic lazy MMU state when context-switching"
    body = (
        "The Xen PV context switch leaves lazy MMU mode when switching a task\n"
        "out, remembers that in TIF_LAZY_MMU_UPDATES, and enters the mode\n"
        "again when the task comes back.  The generic per-task lazy MMU state\n"
        "now says whether the task is in lazy MMU mode: re-enter if\n"
        "__task_lazy_mmu_mode_active(next), and drop TIF_LAZY_MMU_UPDATES.\n"
        "The calls stay arch_*_lazy_mmu_mode(): they act on the tasks being\n"
        "switched, not on current, and must not change their state.\n"
        "\n"
        "Review note: lazy_mmu_mode_enable() updates the count before it\n"
        "calls arch_enter_lazy_mmu_mode(), with preemption possibly on.  A\n"
        "task switched out in between is re-entered here and then enters\n"
        "again itself; Xen must tolerate that nested enter, as upstream\n"
        "found after v6 was merged.\n"
        "\n"
        "Generated with the semantic patch cocci/lazy_mmu_arch_x86.cocci of\n"
        "lazy-mmu-tools (-D patch -D state); the flag's definition is removed\n"
        "by a text edit once nothing uses it.")

    def post_edits(self, ed):
        users = [f for f in spatch.prefilter(ed.tree, ("arch/x86", "include"),
                                             ("TIF_LAZY_MMU_UPDATES",
                                              "_TIF_LAZY_MMU_UPDATES"))
                 if f != self.THREAD_INFO]
        if users or not ed.exists(self.THREAD_INFO):
            return
        ed.edit(self.THREAD_INFO, _remove_define("TIF_LAZY_MMU_UPDATES"))
        ed.edit(self.THREAD_INFO, _remove_define("_TIF_LAZY_MMU_UPDATES"))


PPC_HASH_HDR = "arch/powerpc/include/asm/book3s/64/tlbflush-hash.h"
PPC_PROCESS = "arch/powerpc/kernel/process.c"
PPC_THREAD_INFO = "arch/powerpc/include/asm/thread_info.h"
EMPTY_FLUSH_MACRO = r"#define\s+arch_flush_lazy_mmu_mode\(\)\s+do \{\} while \(0\)"


class PowerpcSwitchStep(EditStep):
    """__switch_to() parks the hash TLB batch of a task switched out in
    lazy MMU mode and re-activates it afterwards.  Lazy MMU mode disables
    preemption on hash, so that code is dead; remove it so that no
    context-switch code needs adapting later."""

    name = "arch-powerpc-switch"
    arch = "powerpc"
    subject = "powerpc/64s: do not re-activate the batched TLB flush"
    body = (
        "On hash, arch_enter_lazy_mmu_mode() disables preemption until\n"
        "arch_leave_lazy_mmu_mode(), so a task is never context-switched\n"
        "inside a lazy MMU section.  The code in __switch_to() that saves the\n"
        "TLB batch's active flag in _TLF_LAZY_MMU, flushes and deactivates\n"
        "the batch, and re-activates it after _switch() never does anything:\n"
        "remove it, and TLF_LAZY_MMU with it.  The later lazy MMU changes\n"
        "then need not adapt any powerpc context-switch code.\n"
        "\n"
        "Made by lazy-mmu-tools with a text edit (lazy_mmu_tools/steps.py):\n"
        "the code sits between #ifdefs, which a semantic patch rewrites\n"
        "badly.")

    DECL_RE = (r"^#ifdef CONFIG_PPC_64S_HASH_MMU\n"
               r"\tstruct ppc64_tlb_batch \*batch;\n#endif\n")
    PARK_RE = (r"^\tbatch = this_cpu_ptr\(&ppc64_tlb_batch\);\n"
               r"\tif \(batch->active\) \{\n"
               r"\t\tcurrent_thread_info\(\)->local_flags \|= _TLF_LAZY_MMU;\n"
               r"(?:\t\t[^\n]*\n)*?"
               r"\t\}\n\n?")
    RESUME_RE = (r"^#ifdef CONFIG_PPC_64S_HASH_MMU\n"
                 r"(?:\t/\*\n(?:\t \*[^\n]*\n)*?\t \*/\n)?"
                 r"\tif \(current_thread_info\(\)->local_flags & _TLF_LAZY_MMU\) \{\n"
                 r"(?:\t\t[^\n]*\n)*?"
                 r"\t\}\n#endif\n\n?")

    def applicable(self, tree):
        return (read(tree, PPC_PROCESS) is not None and
                re.search(r"\barch_enter_lazy_mmu_mode\b",
                          read(tree, PPC_HASH_HDR) or "") is not None)

    def markers(self, tree):
        return "_TLF_LAZY_MMU" not in (read(tree, PPC_PROCESS) or "")

    def edits(self, ed):
        if not ed.exists(PPC_PROCESS):
            return
        text = ed.get(PPC_PROCESS)
        if "_TLF_LAZY_MMU" in text:
            for regex, what in ((self.PARK_RE, "the batch parking"),
                                (self.RESUME_RE, "the batch re-activation"),
                                (self.DECL_RE, "the batch variable")):
                text = edits.replace_block(text, regex, "",
                                           what + " in __switch_to()")
            if "_TLF_LAZY_MMU" in text or re.search(r"\bbatch\b",
                    text[text.find("__switch_to("):][:4000].split("\n}\n")[0]):
                raise EditError("%s: __switch_to() still uses the TLB batch "
                                "after the edit: review by hand" % PPC_PROCESS)
            ed.set(PPC_PROCESS, text)
        if ed.exists(PPC_THREAD_INFO):
            ed.edit(PPC_THREAD_INFO, _remove_define("TLF_LAZY_MMU"))
            ed.edit(PPC_THREAD_INFO, _remove_define("_TLF_LAZY_MMU"))


class PowerpcFlushStep(ArchStep):
    name = "arch-powerpc-flush"
    arch = "powerpc"
    cocci = "lazy_mmu_arch_powerpc.cocci"
    phase = "flush"
    files = (PPC_HASH_HDR,)
    applicable_if = ((PPC_HASH_HDR, r"\barch_enter_lazy_mmu_mode\b"),)
    required = ((PPC_HASH_HDR,
                 r"^static inline void arch_flush_lazy_mmu_mode\(void\)\n\{"),)
    old_marks = ((PPC_HASH_HDR, EMPTY_FLUSH_MACRO),
                 (PPC_HASH_HDR, r"^static inline void arch_leave_lazy_mmu_mode"
                                r"\(void\)\n\{(?:\n[^}][^\n]*)*"
                                r"__flush_tlb_pending"))
    new_marks = required
    subject = "powerpc/mm: implement arch_flush_lazy_mmu_mode()"
    body = (
        "arch_flush_lazy_mmu_mode() is an empty macro on book3s64 hash, and\n"
        "arch_leave_lazy_mmu_mode() flushes the pending TLB batch itself.\n"
        "With nesting lazy MMU sections, the generic layer calls\n"
        "arch_flush_lazy_mmu_mode() when an inner section ends, and expects\n"
        "the batched updates to have taken effect afterwards.\n"
        "\n"
        "Move the flush into a real arch_flush_lazy_mmu_mode(), with its own\n"
        "radix_enabled() check since it is now called on its own, and call\n"
        "it from arch_leave_lazy_mmu_mode().\n"
        "\n"
        "Generated with the semantic patch cocci/lazy_mmu_arch_powerpc.cocci\n"
        "of lazy-mmu-tools (-D patch -D flush); the empty macro is removed\n"
        "by a text edit first.")

    def pre_edits(self, ed):
        ed.edit(PPC_HASH_HDR, lambda t: edits.remove_lines(
            t, EMPTY_FLUSH_MACRO)[0])


class PowerpcStateStep(ArchStep):
    name = "arch-powerpc"
    arch = "powerpc"
    cocci = "lazy_mmu_arch_powerpc.cocci"
    phase = "state"
    files = (PPC_HASH_HDR, "arch/powerpc/mm/book3s64/hash_tlb.c")
    scan = (("arch/powerpc",), ("ppc64_tlb_batch",))
    applicable_if = PowerpcFlushStep.applicable_if
    old_marks = ((PPC_HASH_HDR, r"^\s+int\s+active;"),
                 (None, r"\bbatch->active\b"))
    new_marks = ((None, r"\bis_lazy_mmu_mode_active\(\)"),)
    subject = "powerpc/mm: replace batch->active with is_lazy_mmu_mode_active()"
    body = (
        "The hash TLB batch has its own 'active' flag, set by\n"
        "arch_enter_lazy_mmu_mode() and cleared by arch_leave_lazy_mmu_mode(),\n"
        "so that hpte_need_flush() knows whether to batch.  The generic lazy\n"
        "MMU state now tells that, nesting and pausing included: use\n"
        "is_lazy_mmu_mode_active() and drop the flag.\n"
        "\n"
        "Generated with the semantic patch cocci/lazy_mmu_arch_powerpc.cocci\n"
        "of lazy-mmu-tools (-D patch -D state).")


SPARC_HDR = "arch/sparc/include/asm/tlbflush_64.h"
SPARC_TLB = "arch/sparc/mm/tlb.c"


class SparcFlushStep(ArchStep):
    name = "arch-sparc-flush"
    arch = "sparc"
    cocci = "lazy_mmu_arch_sparc.cocci"
    phase = "flush"
    files = (SPARC_TLB,)
    applicable_if = ((SPARC_HDR, r"\barch_enter_lazy_mmu_mode\b"),)
    required = ((SPARC_TLB, r"^void arch_flush_lazy_mmu_mode\(void\)\n\{"),)
    old_marks = ((SPARC_HDR, EMPTY_FLUSH_MACRO),
                 (SPARC_TLB, r"^void arch_leave_lazy_mmu_mode\(void\)\n\{"
                             r"(?:\n[^}][^\n]*)*flush_tlb_pending\(\)"))
    new_marks = required
    subject = "sparc/mm: implement arch_flush_lazy_mmu_mode()"
    body = (
        "arch_flush_lazy_mmu_mode() is an empty macro on sparc64, and\n"
        "arch_leave_lazy_mmu_mode() flushes the pending TLB batch itself.\n"
        "With nesting lazy MMU sections, the generic layer calls\n"
        "arch_flush_lazy_mmu_mode() when an inner section ends, and expects\n"
        "the batched updates to have taken effect afterwards.\n"
        "\n"
        "Move the flush into a real, out-of-line arch_flush_lazy_mmu_mode()\n"
        "and call it from arch_leave_lazy_mmu_mode().\n"
        "\n"
        "Generated with the semantic patch cocci/lazy_mmu_arch_sparc.cocci\n"
        "of lazy-mmu-tools (-D patch -D flush); the empty macro in\n"
        "tlbflush_64.h becomes a prototype by a text edit.")

    def pre_edits(self, ed):
        ed.edit(SPARC_HDR, edits.replace_block,
                r"^%s[^\n]*$" % EMPTY_FLUSH_MACRO,
                "void arch_flush_lazy_mmu_mode(void);",
                "the empty arch_flush_lazy_mmu_mode() macro in " + SPARC_HDR,
                done=r"^void arch_flush_lazy_mmu_mode\(void\);")


class SparcStateStep(ArchStep):
    name = "arch-sparc"
    arch = "sparc"
    cocci = "lazy_mmu_arch_sparc.cocci"
    phase = "state"
    files = (SPARC_HDR, SPARC_TLB)
    applicable_if = SparcFlushStep.applicable_if
    old_marks = ((SPARC_HDR, r"^\s+unsigned long active;"),
                 (None, r"\btb->active\b"))
    new_marks = ((None, r"\bis_lazy_mmu_mode_active\(\)"),)
    subject = "sparc/mm: replace batch->active with is_lazy_mmu_mode_active()"
    body = (
        "The sparc64 TLB batch has its own 'active' flag, set by\n"
        "arch_enter_lazy_mmu_mode() and cleared by arch_leave_lazy_mmu_mode(),\n"
        "so that tlb_batch_add_one() knows whether to batch.  The generic\n"
        "lazy MMU state now tells that, nesting and pausing included: use\n"
        "is_lazy_mmu_mode_active() and drop the flag.\n"
        "\n"
        "Generated with the semantic patch cocci/lazy_mmu_arch_sparc.cocci\n"
        "of lazy-mmu-tools (-D patch -D state).")


ARM64_PGTABLE = "arch/arm64/include/asm/pgtable.h"
ARM64_THREAD_INFO = "arch/arm64/include/asm/thread_info.h"


class Arm64StateStep(ArchStep):
    name = "arch-arm64"
    arch = "arm64"
    cocci = "lazy_mmu_arch_arm64.cocci"
    phase = "state"
    files = (ARM64_PGTABLE,)
    scan = (("arch/arm64",), ("TIF_LAZY_MMU",))
    applicable_if = ((ARM64_PGTABLE, r"\barch_enter_lazy_mmu_mode\b"),)
    old_marks = ((None, r"\bTIF_LAZY_MMU\b"),
                 (ARM64_THREAD_INFO, r"^#define\s+TIF_LAZY_MMU\s"))
    new_marks = ((None, r"\bis_lazy_mmu_mode_active\(\)"),)
    subject = "arm64: mm: replace TIF_LAZY_MMU with is_lazy_mmu_mode_active()"
    body = (
        "arm64 tracks lazy MMU mode in the TIF_LAZY_MMU thread flag, so that\n"
        "queue_pte_barriers() knows whether to defer the barriers, and its\n"
        "callbacks bail out in interrupt context.  The generic per-task state\n"
        "now says whether the mode is active, nesting and pausing included,\n"
        "and is_lazy_mmu_mode_active() is false in interrupt context, where\n"
        "the generic helpers never call the callbacks.\n"
        "\n"
        "Use is_lazy_mmu_mode_active() in queue_pte_barriers(), drop the\n"
        "callbacks' in_interrupt() checks, TIF_LAZY_MMU, and the comment that\n"
        "said nesting was tolerated.\n"
        "\n"
        "Generated with the semantic patch cocci/lazy_mmu_arch_arm64.cocci of\n"
        "lazy-mmu-tools (-D patch -D state); the flag's definition and the\n"
        "stale comment are removed by text edits.")

    NESTING_COMMENT_RE = (r"(^static inline void arch_enter_lazy_mmu_mode"
                          r"\(void\)\n\{\n)\t/\*\n(?:\t \*[^\n]*\n)*?"
                          r"\t \*/\n\n?")

    def post_edits(self, ed):
        if ed.exists(ARM64_PGTABLE):
            text = ed.get(ARM64_PGTABLE)
            m = re.search(self.NESTING_COMMENT_RE, text, re.M)
            if m and "nest" in m.group(0):
                ed.set(ARM64_PGTABLE, text[:m.start()] + m.group(1) +
                       text[m.end():])
        users = [f for f in spatch.prefilter(ed.tree, ("arch/arm64",),
                                             ("TIF_LAZY_MMU", "_TIF_LAZY_MMU"))
                 if f != ARM64_THREAD_INFO]
        if users or not ed.exists(ARM64_THREAD_INFO):
            return
        ed.edit(ARM64_THREAD_INFO, _remove_define("TIF_LAZY_MMU"))
        ed.edit(ARM64_THREAD_INFO, _remove_define("_TIF_LAZY_MMU"))


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
        PowerpcSwitchStep(),
        X86FlushStep(),
        PowerpcFlushStep(),
        SparcFlushStep(),
        GenericStep(),
        CallersStep(),
        FallbacksStep(),
        Arm64StateStep(),
        PowerpcStateStep(),
        SparcStateStep(),
        X86StateStep(),
    ]
