"""The steps that change generic code: the generic layer, the callers,
and the removal of the generic fallbacks.

The arch parts of these commits (the opt-in moving to Kconfig, the
symbols the KUnit module needs, the stubs an arch keeps) come from the
architecture modules of lazy_mmu_tools.arch, through their hooks.
"""

import os
import re

from . import edits, spatch
from .arch import ARCHES
from .arch.base import HAVE_ARCH_RE
from .edits import EditError
from .shapes import Shape, ShapeSet
from .stepkit import (EditStep, GENERIC_HELPERS, HELPER_CALL_RE, KUNIT_TEST,
                      LEGACY_CALL_RE, LEGACY_CALLBACKS, PGTABLE, Step,
                      StepError, call_sites, line_of, read, site_key,
                      strip_comments)
from . import stepkit

_LEGACY_TRIO = (r"%(e)s\n%(l)s\n%(f)s\n" % {
    "e": r"(?:#define arch_enter_lazy_mmu_mode\(\)|"
         r"static inline void arch_enter_lazy_mmu_mode\(void\))[^\n]*",
    "l": r"(?:#define arch_leave_lazy_mmu_mode\(\)|"
         r"static inline void arch_leave_lazy_mmu_mode\(void\))[^\n]*",
    "f": r"(?:#define arch_flush_lazy_mmu_mode\(\)|"
         r"static inline void arch_flush_lazy_mmu_mode\(void\))[^\n]*"})

# The generic layer of <linux/pgtable.h>, as trees have it.
PGTABLE_LAYER = ShapeSet(
    "the generic arch_*_lazy_mmu_mode() fallbacks",
    Shape("nestable helpers",
          r"^static inline void lazy_mmu_mode_enable\(void\)\n\{\n"
          r"(?:[^\n]*\n)*?[^\n]*\blazy_mmu_state\b"),
    # Upstream's patch 07 on its own: wrappers around the callbacks, no
    # per-task state yet.  They are replaced.
    Shape("thin helpers", r"^#ifdef CONFIG_ARCH_HAS_LAZY_MMU_MODE\n"
                          r"(?:(?!#e(?:lse|ndif))[^\n]*\n)*?"
                          r"static inline void lazy_mmu_mode_enable\(void\)\n"
                          r"(?:[^\n]*\n)*?#endif[^\n]*\n"),
    Shape("empty macros", r"^#ifndef (?:__HAVE_ARCH_ENTER_LAZY_MMU_MODE|"
                          r"CONFIG_ARCH_HAS_LAZY_MMU_MODE)\n"
                          r"(#define arch_enter_lazy_mmu_mode\(\).*\n"
                          r"#define arch_leave_lazy_mmu_mode\(\).*\n"
                          r"#define arch_flush_lazy_mmu_mode\(\).*\n)"
                          r"#endif\n"),
    Shape("empty inlines", r"^#ifndef (?:__HAVE_ARCH_ENTER_LAZY_MMU_MODE|"
                           r"CONFIG_ARCH_HAS_LAZY_MMU_MODE)\n"
                           r"(static inline void arch_enter_lazy_mmu_mode"
                           r"\(void\) \{\s*\}\n"
                           r"static inline void arch_leave_lazy_mmu_mode"
                           r"\(void\) \{\s*\}\n"
                           r"static inline void arch_flush_lazy_mmu_mode"
                           r"\(void\) \{\s*\}\n)#endif\n"),
)

_WS = r"(?:[ \t]|\n \*[ \t])+"


def _words(sentence):
    """Regex of sentence as a comment may wrap it."""
    return _WS.join(re.escape(w) for w in sentence.split())


# The rule sentence(s) of the lazy MMU comment, as trees word them.
PGTABLE_RULE = ShapeSet(
    "the rules of the lazy MMU comment",
    Shape("nestable sections", r"^ \*\s+lazy_mmu_mode_pause\(\);$"),
    Shape("no nesting, no interrupts",
          r"[ \t]*(?:\n \*\n \*)?[ \t]*" +
          _words("Nesting is not permitted and the mode cannot be used in "
                 "interrupt context.") + r"\n \*/\n"),
    Shape("under the page table locks",
          r"[ \t]*" + _words("This mode can only be entered and left under "
                             "the protection of the page table locks for "
                             "all page tables which may be modified.") +
          r"(?:[^*]|\*(?!/))*?\n \*/\n"),
)

# How the tree builds a KUnit test that calls into arch code.
KUNIT_VISIBILITY = "include/kunit/visibility.h"
MODULE_H = "include/linux/module.h"

# A use of a legacy callback other than its definition or declaration
# (those have "(void)"): a call, in a statement or not, or in a macro.
ANY_LEGACY_CALL_RE = re.compile(
    r"\barch_(?:enter|leave)_lazy_mmu_mode\s*\(\s*\)")

FALLBACKS_COMMENT = ("/* Empty arch callbacks, for code that still calls "
                     "them directly. */\n")
PGTABLE_FALLBACKS_RE = (r"\n/\* Empty arch callbacks, for code that still "
                        r"calls them directly\. \*/\n" + _LEGACY_TRIO)


def kunit_as_module(tree):
    """The test can be a module where the tree can export symbols to
    KUnit tests only (EXPORT_SYMBOL_IF_KUNIT)."""
    return "EXPORT_SYMBOL_IF_KUNIT" in (read(tree, KUNIT_VISIBILITY) or "")


def import_ns_line(tree):
    """MODULE_IMPORT_NS() of the KUnit namespace, in the spelling the
    tree's <linux/module.h> takes (a string from 6.13 on)."""
    text = read(tree, MODULE_H) or ""
    if re.search(r"define MODULE_IMPORT_NS\(ns\)\s+MODULE_INFO\(import_ns, "
                 r"__stringify\(ns\)\)", text):
        return "MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);\n"
    return 'MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");\n'


def kunit_source(tree, module):
    """The KUnit test, with the namespace import a module needs."""
    text = edits.template("lazy_mmu_mode_kunit.c")
    if not module:
        return text
    return edits.insert_after(text, r"^#include [^\n]*\n(?!#include)",
                              "\n" + import_ns_line(tree),
                              "the includes of the KUnit test")


class GenericStep(EditStep):
    """The generic layer: Kconfig symbol, per-task state, helpers, the
    arches' opt-in moved to Kconfig, and a KUnit test."""

    name = "generic"
    arch = None
    new_files = (KUNIT_TEST,)
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
        "(CONFIG_LAZY_MMU_MODE_KUNIT_TEST).  Where the tree has\n"
        "EXPORT_SYMBOL_IF_KUNIT(), it can be a module: the arch callbacks\n"
        "and data the inline helpers reach are exported to it (powerpc's\n"
        "ppc64_tlb_batch and __flush_tlb_pending(), sparc's callbacks).\n"
        "\n"
        "Made by lazy-mmu-tools with text edits (lazy_mmu_tools/generic.py\n"
        "and the arch modules); Kconfig and preprocessor lines are beyond\n"
        "what a semantic patch can edit.")

    def markers(self, tree):
        return "ARCH_HAS_LAZY_MMU_MODE" in (read(tree, "mm/Kconfig") or "")

    def shapes(self, tree):
        pg = read(tree, PGTABLE)
        return [("pgtable.h lazy MMU layer", PGTABLE_LAYER.name(pg)),
                ("pgtable.h lazy MMU comment", PGTABLE_RULE.name(pg)),
                ("KUnit test", "module" if kunit_as_module(tree)
                 else "built-in")]

    def review_sites(self, tree):
        """A lazy MMU comment in unknown words; opted-in arches whose
        arch_flush_lazy_mmu_mode() is still the empty macro (their flush
        step was skipped, e.g. by --arch): a nested
        lazy_mmu_mode_disable() does not flush there."""
        pg = read(tree, PGTABLE) or ""
        if "lazy_mmu_mode_enable(void)" not in pg:
            return []
        out = []
        if PGTABLE_RULE.name(pg) != "nestable sections":
            m = re.search(r"^#ifdef CONFIG_ARCH_HAS_LAZY_MMU_MODE", pg, re.M)
            out.append("%s:%d: the lazy MMU comment above the helpers was not "
                       "updated (wording unknown to lazy-mmu-tools): check "
                       "that it describes nesting, pause/resume and "
                       "interrupt context"
                       % (PGTABLE, line_of(pg, m.start()) if m else 1))
        for a in ARCHES:
            empty = a.flush_is_empty(tree)
            if empty and a.has_lazy_mmu(tree):
                out.append("%s:%d: arch_flush_lazy_mmu_mode() is still "
                           "empty: a nested lazy_mmu_mode_disable() does "
                           "not flush on %s (its flush step was not run)"
                           % (empty[0], empty[1], a.name))
        return out

    def edits(self, ed):
        self._optins(ed)
        module = kunit_as_module(ed.tree)
        self._kconfig(ed, module)
        if module:
            for a in ARCHES:
                if a.has_lazy_mmu(ed.tree):
                    a.kunit_edits(ed)
        self._task_state(ed)
        self._pgtable(ed)

    def _optins(self, ed):
        known = {a.optin_header for a in ARCHES}
        for path in spatch.prefilter(ed.tree, ("arch",),
                                     ("__HAVE_ARCH_ENTER_LAZY_MMU_MODE",),
                                     exts=(".h",)):
            if path not in known and re.search(HAVE_ARCH_RE,
                                               read(ed.tree, path), re.M):
                raise EditError("%s opts in to lazy MMU mode, but lazy-mmu-"
                                "tools does not know its Kconfig entry"
                                % path)
        for a in ARCHES:
            a.optin_edits(ed)

    def _kconfig(self, ed, module):
        """The symbol and the test go at the end of the mm menu, where
        upstream put them (before the DAMON menu when there is one)."""
        kc = ed.get("mm/Kconfig")
        anchor = r'^source "mm/damon/Kconfig"' \
            if re.search(r'^source "mm/damon/Kconfig"', kc, re.M) \
            else r"^endmenu"
        ed.edit("mm/Kconfig", edits.kconfig_add_entry,
                edits.template("Kconfig.arch_has"), before=anchor)
        ed.edit("mm/Kconfig", edits.kconfig_add_entry,
                edits.template("Kconfig.kunit" if module
                               else "Kconfig.kunit_builtin"),
                "ARCH_HAS_LAZY_MMU_MODE")
        if "tests/lazy_mmu_mode_kunit.o" not in ed.get("mm/Makefile"):
            ed.edit("mm/Makefile", _append_line,
                    "obj-$(CONFIG_LAZY_MMU_MODE_KUNIT_TEST) += "
                    "tests/lazy_mmu_mode_kunit.o\n")
        if not ed.exists(KUNIT_TEST):
            ed.set(KUNIT_TEST, kunit_source(ed.tree, module))

    def _task_state(self, ed):
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

    def _pgtable(self, ed):
        """The comment and the helpers; the tree's own fallbacks (macros
        or inlines) stay in the #else branch until the callers use the
        helpers.  A pgtable.h that has the helpers (converted by hand, or
        by upstream) is left as it is, comment included; a comment in
        other words is left for review (review_sites)."""
        text = ed.get(PGTABLE)
        shape, m = PGTABLE_LAYER.match(text)
        if shape is None:
            raise EditError("%s: %s not found (known shapes: %s)"
                            % (PGTABLE, PGTABLE_LAYER.what,
                               PGTABLE_LAYER.names()))
        if shape.name == "nestable helpers":
            return
        rule, rm = PGTABLE_RULE.match(text)
        if rule is not None and rule.name != "nestable sections":
            comment = edits.template("pgtable_comment.txt")
            if rule.name == "under the page table locks":
                comment = edits.template(
                    "pgtable_comment_nolock.txt").rstrip("\n") + comment
            text = text[:rm.start()] + comment + text[rm.end():]
            m = PGTABLE_LAYER.match(text)[1]
        fallbacks = "" if shape.name == "thin helpers" else \
            "\n" + FALLBACKS_COMMENT + m.group(1)
        helpers = (edits.template("pgtable_helpers.h") + fallbacks +
                   "#endif /* CONFIG_ARCH_HAS_LAZY_MMU_MODE */\n")
        ed.set(PGTABLE, text[:m.start()] + helpers + text[m.end():])


# Whether struct task_struct is complete wherever <linux/pgtable.h> is
# parsed: upstream relies on <linux/gfp.h> (which <linux/mm_types.h> and
# <linux/slab.h> pull in early) including <linux/sched.h>.
TASK_VISIBLE = ShapeSet(
    "an include that makes struct task_struct complete before the helpers",
    Shape("pgtable.h includes sched.h", r"^#include <linux/sched\.h>"),
)
GFP_H = "include/linux/gfp.h"


class SchedIncludeStep(EditStep):
    """<linux/pgtable.h> includes <linux/sched.h> where the tree's headers
    do not make task_struct complete before it (6.1: asm-offsets.c ->
    crypto.h -> slab.h -> kasan.h -> pgtable.h, sched.h only after)."""

    name = "generic-sched-include"
    arch = None
    subject = "mm: include <linux/sched.h> in <linux/pgtable.h>"
    body = (
        "The lazy MMU helpers the next patch adds to <linux/pgtable.h> are\n"
        "static inlines that use current->lazy_mmu_state, so struct\n"
        "task_struct must be complete wherever <linux/pgtable.h> is parsed.\n"
        "Upstream relies on <linux/gfp.h> including <linux/sched.h> (since\n"
        "Linux 6.10); here it does not, and some files reach pgtable.h\n"
        "before sched.h: arch/x86/kernel/asm-offsets.c includes\n"
        "<linux/crypto.h> -> <linux/slab.h> -> <linux/kasan.h> ->\n"
        "<linux/pgtable.h> first, and fails to build with KASAN.\n"
        "\n"
        "Include <linux/sched.h> in <linux/pgtable.h> itself.  sched.h does\n"
        "not include pgtable.h, so this makes no include cycle.\n"
        "\n"
        "Made by lazy-mmu-tools with a text edit (lazy_mmu_tools/generic.py).")

    def applicable(self, tree):
        return read(tree, GFP_H) is not None and \
            TASK_VISIBLE.name(read(tree, GFP_H)) is None

    def shapes(self, tree):
        if read(tree, GFP_H) is None:
            return []
        how = "gfp.h includes sched.h" if TASK_VISIBLE.name(
            read(tree, GFP_H)) else (TASK_VISIBLE.name(read(tree, PGTABLE))
                                     or "not before pgtable.h")
        return [("task_struct in <linux/pgtable.h>", how)]

    def edits(self, ed):
        ed.edit(PGTABLE, edits.insert_after,
                r"^#include <linux/page_table_check\.h>\n",
                "#include <linux/sched.h>\n",
                "the last #include of the top of " + PGTABLE,
                present=r"^#include <linux/sched\.h>")


def _append_line(text, line):
    if line in text:
        return text
    if text and not text.endswith("\n"):
        text += "\n"
    return text + line


class CallersStep(Step):
    """Generic and arch callers of arch_enter/leave_lazy_mmu_mode() become
    callers of the generic helpers, by cocci/lazy_mmu_callers.cocci."""

    name = "callers"
    arch = None
    cocci_name = "lazy_mmu_callers.cocci"
    dirs = ("mm", "fs", "arch")

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
        return os.path.join(stepkit.COCCI_DIR, self.cocci_name)

    def _candidates(self, tree):
        """Files that call a legacy callback outside comments, headers
        too (a static inline caller in a header is a caller).  Files that
        only define or declare the callbacks (the arch headers, arm64's
        big pgtable.h) are not worth a parse."""
        out = []
        for path in spatch.prefilter(tree, self.dirs, LEGACY_CALLBACKS):
            text = read(tree, path)
            if text is not None and ANY_LEGACY_CALL_RE.search(
                    strip_comments(text)):
                out.append(path)
        return out

    def _pending(self, tree):
        internal = tuple(p for a in ARCHES for p in a.internal_callers)
        return [s for s in call_sites(tree, self._candidates(tree),
                                      LEGACY_CALL_RE)
                if not s[0].startswith(internal)]

    def applicable(self, tree):
        return read(tree, PGTABLE) is not None

    def status(self, tree):
        if not self._pending(tree):
            return "done"
        helpers = [f for f in spatch.prefilter(tree, self.dirs,
                                               GENERIC_HELPERS, exts=(".c",))
                   if f != KUNIT_TEST]
        if call_sites(tree, helpers, HELPER_CALL_RE):
            return "partial"
        return "todo"

    def _run(self, tree, in_place):
        cocci = self.cocci()
        if not os.path.isfile(cocci):
            raise StepError("cocci/%s missing" % self.cocci_name)
        try:
            return spatch.run_spatch(cocci, self._candidates(tree), tree,
                                     mode="patch", in_place=in_place)
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
                                           LEGACY_CALL_RE):
            if (path, str(line)) not in seen:
                sites.append("%s:%d: %s() left unconverted (not seen by "
                             "the semantic patch)" % (path, line, name))
        return sorted(set(sites), key=site_key)


class FallbacksStep(EditStep):
    """Once every generic caller uses the helpers, the empty generic
    arch_*_lazy_mmu_mode() callbacks go; an arch that calls one of them
    directly keeps a stub of its own (x86's arch_flush_lazy_mmu_mode())."""

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
        "Made by lazy-mmu-tools with text edits (lazy_mmu_tools/generic.py\n"
        "and lazy_mmu_tools/arch/x86.py); it refuses to run while a legacy\n"
        "call is left outside the code of the architectures that provide\n"
        "the callbacks.")

    # Where a legacy call would lose its definition.
    scan_dirs = ("mm", "fs", "include", "kernel", "lib", "drivers", "arch",
                 "virt", "security", "block", "net")

    def markers(self, tree):
        return any(getattr(a, "has_fallback_stub", lambda t: False)(tree)
                   for a in ARCHES)

    def status(self, tree):
        # Before the generic step, or while callers are legacy (a tree
        # with the generic layer only), there is nothing of this one yet:
        # apply() would refuse, status() says what is left to do.
        pg = read(tree, PGTABLE) or ""
        if "lazy_mmu_mode_enable(void)" not in pg or (
                re.search(PGTABLE_FALLBACKS_RE, pg, re.M) and
                self.leftovers(tree)):
            return "todo"
        return super().status(tree)

    def leftovers(self, tree):
        """Legacy calls in code that does not get the arch callbacks."""
        providers = tuple("arch/%s/" % a.name for a in ARCHES)
        regex = re.compile(r"\b(arch_(?:enter|leave|flush)_lazy_mmu_mode)"
                           r"\s*\(\s*\)\s*;")
        files = [f for f in spatch.prefilter(
                     tree, self.scan_dirs,
                     LEGACY_CALLBACKS + ("arch_flush_lazy_mmu_mode",))
                 if not f.startswith(providers) and f != PGTABLE]
        return call_sites(tree, files, regex)

    def edits(self, ed):
        text = ed.get(PGTABLE)
        if "lazy_mmu_mode_enable(void)" not in text:
            raise EditError("%s has no generic lazy MMU helpers: the "
                            "generic step must come first" % PGTABLE)
        if re.search(PGTABLE_FALLBACKS_RE, text, re.M):
            left = self.leftovers(ed.tree)
            if left:
                path, line, name = left[0]
                raise EditError("%s:%d: %s() still called: convert the "
                                "callers first (%d call(s) left)"
                                % (path, line, name, len(left)))
        ed.edit(PGTABLE, edits.replace_block, PGTABLE_FALLBACKS_RE, "",
                "the empty arch callbacks in " + PGTABLE,
                done=r"^static inline void lazy_mmu_mode_enable\(void\)")
        for a in ARCHES:
            a.fallback_edits(ed)

    def review_sites(self, tree):
        """Legacy calls that keep the fallbacks (the step refuses to
        remove them while there are any).  Once they are gone the grep
        of the whole tree is not repeated: a call left then would not
        compile, which the build check says."""
        if self.status(tree) == "done":
            return []
        return ["%s:%d: %s() called outside arch code that provides it"
                % s for s in self.leftovers(tree)]
