"""x86 (paravirt, Xen PV): the whole conversion of the architecture.

x86 has lazy MMU callbacks only with PARAVIRT_XXL, as pv ops; Xen PV is
the one implementation.  Where its lazy mode lives depends on the tree
(XEN_LAZY_SHAPES): in Xen since Linux 6.8, in generic paravirt code
(arch/x86/kernel/paravirt.c) before.  Steps, all with
cocci/lazy_mmu_arch_x86.cocci:

  arch-x86-flush   the flush callback stops leaving and re-entering the
                   mode and calls xen_mc_flush() (-D flush);
  arch-x86-nested  entering the mode twice, or leaving it when not in
                   it, no longer BUG()s (-D nested), as upstream fixed
                   after 7.0: with the generic state, a task preempted
                   inside lazy_mmu_mode_enable() enters twice;
  arch-x86         the context switch uses the generic per-task state
                   instead of TIF_LAZY_MMU_UPDATES (-D state).

Generic step: PARAVIRT_XXL selects ARCH_HAS_LAZY_MMU_MODE, and the files
that pretend paravirt is off undefine it too.  Fallbacks step: x86
without PARAVIRT_XXL keeps an empty arch_flush_lazy_mmu_mode() for its
own direct callers (highmem.h, set_memory.c).
"""

import re

from .. import edits, spatch
from ..shapes import Shape, ShapeSet
from ..stepkit import CocciStep, StepError, read, strip_comments
from .base import Arch

PARAVIRT_H = "arch/x86/include/asm/paravirt.h"
PARAVIRT_TYPES_H = "arch/x86/include/asm/paravirt_types.h"
PARAVIRT_C = "arch/x86/kernel/paravirt.c"
PGTABLE = "arch/x86/include/asm/pgtable.h"
THREAD_INFO = "arch/x86/include/asm/thread_info.h"
MMU_PV = "arch/x86/xen/mmu_pv.c"
ENLIGHTEN_PV = "arch/x86/xen/enlighten_pv.c"
COCCI = "lazy_mmu_arch_x86.cocci"

FLUSH_STUB = "static inline void arch_flush_lazy_mmu_mode(void) {}\n"
STUB_ANCHOR = r"^#define arch_end_context_switch\(prev\)[^\n]*\n"
FLUSH_IDIOM = r"arch_leave_lazy_mmu_mode\(\);\s*arch_enter_lazy_mmu_mode\(\);"

# Where the lazy MMU mode of Xen PV lives: (shape, file holding its
# enter/leave, the per-CPU variable, the mode's name).
XEN_LAZY_SHAPES = ShapeSet(
    "the Xen PV lazy MMU mode",
    Shape("xen", r"^static void xen_enter_lazy_mmu\(void\)\n\{"),
    Shape("paravirt", r"^void paravirt_enter_lazy_mmu\(void\)\n\{"),
)
LAZY_FILES = {"xen": (MMU_PV, "xen_lazy_mode", "XEN_LAZY_MMU"),
              "paravirt": (PARAVIRT_C, "paravirt_lazy_mode",
                           "PARAVIRT_LAZY_MMU")}


def xen_lazy_shape(tree):
    """("xen" or "paravirt", the file of the enter/leave callbacks), or
    (None, None) for a tree whose Xen has no lazy MMU mode of its own
    (7.x: the generic state is all there is)."""
    for path in (MMU_PV, PARAVIRT_C):
        shape = XEN_LAZY_SHAPES.name(read(tree, path))
        if shape:
            return shape, path
    return None, None


def unguarded_enter(mode):
    return (r"^(?:static )?void \w+_enter_lazy_mmu\(void\)\n\{\n"
            r"\tenter_lazy\(%s\);\n\}" % mode)


def unguarded_leave(mode):
    return r"^\tleave_lazy\(%s\);" % mode


class X86(Arch):
    name = "x86"
    optin_header = PARAVIRT_H
    kconfig = "arch/x86/Kconfig"
    kconfig_symbol = "PARAVIRT_XXL"
    # The context switch (Xen's since 6.8, paravirt's before).
    internal_callers = ("arch/x86/xen/", PARAVIRT_C)

    def optin_edits(self, ed):
        super().optin_edits(ed)
        for path in self.paravirt_off_files(ed.tree):
            ed.edit(path, undef_lazy_mmu, path)

    @staticmethod
    def paravirt_off_files(tree):
        """Files that #undef CONFIG_PARAVIRT and CONFIG_PARAVIRT_XXL (boot
        code, SME) must not see the symbol either, or <linux/pgtable.h>
        would expect callbacks that <asm/paravirt.h> does not give them
        there.  (The vdso32 build undefines PARAVIRT_XXL, but not
        PARAVIRT, and does not need it.)"""
        out = []
        for path in spatch.prefilter(tree, ("arch/x86",),
                                     ("CONFIG_PARAVIRT_XXL",)):
            text = read(tree, path)
            if re.search(r"^#undef CONFIG_PARAVIRT_XXL\b", text, re.M) and \
               re.search(r"^#undef CONFIG_PARAVIRT\b", text, re.M):
                out.append(path)
        return out

    def fallback_edits(self, ed):
        if ed.exists(PGTABLE):
            ed.edit(PGTABLE, edits.insert_after, STUB_ANCHOR, FLUSH_STUB,
                    "arch_end_context_switch() of !PARAVIRT_XXL in " + PGTABLE,
                    present=r"^static inline void arch_flush_lazy_mmu_mode"
                            r"\(void\)")

    def has_fallback_stub(self, tree):
        return FLUSH_STUB in (read(tree, PGTABLE) or "")

    def early_steps(self):
        return [X86FlushStep(), X86NestedStep()]

    def late_steps(self):
        return [X86StateStep()]

    def shapes(self, tree):
        shape, path = xen_lazy_shape(tree)
        if shape is None:
            lazy = "generic state" if re.search(
                r"\bis_lazy_mmu_mode_active\(\)", read(tree, MMU_PV) or "") \
                else None
            return [("x86 Xen PV lazy MMU mode", lazy)]
        _, var, mode = LAZY_FILES[shape]
        text = read(tree, path)
        counter = "xen_lazy_nesting" in (read(
            tree, "arch/x86/include/asm/xen/hypervisor.h") or "")
        if not re.search(unguarded_enter(mode), text, re.M):
            nested = "nested enter tolerated"
        elif counter:
            nested = "nested enter counted (xen_lazy_nesting)"
        else:
            nested = "nested enter BUG()s"
        return [("x86 Xen PV lazy MMU mode", "%s, %s" % (shape, nested)),
                ("x86 Xen PV flush callback", flush_shape(tree))]


def flush_shape(tree):
    for path, fn in ((MMU_PV, "xen_flush_lazy_mmu"),
                     (PARAVIRT_C, "paravirt_flush_lazy_mmu")):
        text = read(tree, path)
        m = text and re.search(r"^(?:static )?void %s\(void\)\n\{\n"
                               r"(?:[^\n]*\n)*?\}" % fn, text, re.M)
        if m:
            idiom = re.search(FLUSH_IDIOM, m.group(0))
            where = "paravirt" if path == PARAVIRT_C else "xen"
            return "%s, %s" % (where, "flush idiom" if idiom
                               else "xen_mc_flush()")
    return None


def undef_lazy_mmu(text, path):
    """#undef CONFIG_ARCH_HAS_LAZY_MMU_MODE after the last of the
    consecutive #undef CONFIG_PARAVIRT* lines."""
    return edits.insert_after(
        text, r"^#undef CONFIG_PARAVIRT_XXL\b.*\n"
              r"(?:#undef CONFIG_PARAVIRT\w*\b.*\n)*",
        "#undef CONFIG_ARCH_HAS_LAZY_MMU_MODE\n",
        "#undef CONFIG_PARAVIRT_XXL in " + path,
        present=r"^#undef CONFIG_ARCH_HAS_LAZY_MMU_MODE\b")


class X86FlushStep(CocciStep):
    name = "arch-x86-flush"
    arch = "x86"
    cocci = COCCI
    phase = "flush"
    files = (MMU_PV, PARAVIRT_C, PARAVIRT_TYPES_H)
    old_marks = ((MMU_PV, FLUSH_IDIOM), (PARAVIRT_C, FLUSH_IDIOM),
                 (None, r"\bparavirt_flush_lazy_mmu\b"))
    subject = "x86/xen: flush lazy MMU updates with xen_mc_flush()"
    XEN_BODY = (
        "xen_flush_lazy_mmu() flushes by leaving lazy MMU mode and entering\n"
        "it again.  Only the flush of the pending multicalls is needed, and\n"
        "with nesting lazy MMU sections the leave/enter pair would no longer\n"
        "be a plain flush: call xen_mc_flush() directly.  Preemption stays\n"
        "disabled around it as before.\n"
        "\n"
        "Generated with the semantic patch cocci/lazy_mmu_arch_x86.cocci of\n"
        "lazy-mmu-tools (-D patch -D flush).")
    PARAVIRT_BODY = (
        "The flush callback Xen PV plugs into pv_ops is the generic\n"
        "paravirt_flush_lazy_mmu(), which flushes by leaving lazy MMU mode\n"
        "and entering it again through arch_leave/arch_enter_lazy_mmu_mode().\n"
        "Only the flush of Xen's pending multicalls is needed, and with\n"
        "nesting lazy MMU sections those calls are no longer available to\n"
        "generic paravirt code (they exist only with PARAVIRT_XXL, while\n"
        "paravirt.c is built with PARAVIRT).\n"
        "\n"
        "Give Xen its own xen_flush_lazy_mmu() that calls xen_mc_flush() with\n"
        "preemption disabled, as Xen's own lazy mode code has done since\n"
        "Linux 6.8, and remove paravirt_flush_lazy_mmu(), which has no other\n"
        "user.\n"
        "\n"
        "Generated with the semantic patch cocci/lazy_mmu_arch_x86.cocci of\n"
        "lazy-mmu-tools (-D patch -D flush).")

    @property
    def body(self):
        return self.PARAVIRT_BODY if self._paravirt else self.XEN_BODY

    _paravirt = False

    def applicable(self, tree):
        self._paravirt = bool(re.search(r"\bparavirt_flush_lazy_mmu\b",
                                        read(tree, PARAVIRT_C) or ""))
        return self._paravirt or re.search(
            r"\bxen_flush_lazy_mmu\b", read(tree, MMU_PV) or "") is not None

    def post_edits(self, ed):
        """The flush left between the blank lines of the test it had is
        written as upstream has it: three statements, no blank line."""
        if ed.exists(MMU_PV):
            ed.edit(MMU_PV, lambda t: t.replace(
                "\tpreempt_disable();\n\n\txen_mc_flush();\n\n"
                "\tpreempt_enable();\n",
                "\tpreempt_disable();\n\txen_mc_flush();\n"
                "\tpreempt_enable();\n"))

    def apply(self, tree):
        changed = super().apply(tree)
        if self.status(tree) != "done":
            raise StepError("%s: the flush callback still has the flush "
                            "idiom after the semantic patch" % self.name)
        return changed


class X86NestedStep(CocciStep):
    name = "arch-x86-nested"
    arch = "x86"
    cocci = COCCI
    phase = "nested"
    subject = "x86/xen: tolerate nested lazy MMU enter and leave"
    BODY = (
        "Entering lazy MMU mode when the CPU already is in it, or leaving it\n"
        "when it is not, hits the BUG_ON()s of enter_lazy() and leave_lazy().\n"
        "Nested sections never reach the callbacks, but the generic layer\n"
        "updates the per-task state and then calls the callback, with\n"
        "preemption enabled: a task preempted in between is switched back in\n"
        "according to the state it already has, and then makes the call\n"
        "itself (arch_enter_lazy_mmu_mode() twice, or\n"
        "arch_leave_lazy_mmu_mode() after the switch-out left the mode).\n"
        "This is the Xen PV crash reported on Linux 7.0 (kernel BUG in\n"
        "xen_leave_lazy_mmu()).\n"
        "\n"
        "Enter only when not in the mode, and leave only when in it, with\n"
        "preemption disabled across the test, as upstream's fix \"x86/xen:\n"
        "Tolerate nested XEN_LAZY_MMU entering/leaving\" (Juergen Gross, May\n"
        "2026) does; it comes before the context switch uses the generic\n"
        "state, so that no commit of this series can crash.%s\n"
        "\n"
        "Generated with the semantic patch cocci/lazy_mmu_arch_x86.cocci of\n"
        "lazy-mmu-tools (-D patch -D nested).")
    COUNTER_NOTE = (
        "\n\nThe nesting counter of enter_lazy() (xen_lazy_nesting) is no\n"
        "longer reached for the MMU mode: the generic layer does the\n"
        "counting now.")
    PARAVIRT_NOTE = (
        "\n\nThe lazy mode is still generic paravirt code in this tree\n"
        "(paravirt_enter/leave_lazy_mmu()); Xen PV is its only user.")

    _shape = None
    _counter = False

    @property
    def body(self):
        note = ""
        if self._shape == "paravirt":
            note = self.PARAVIRT_NOTE
        elif self._counter:
            note = self.COUNTER_NOTE
        return self.BODY % note

    def applicable(self, tree):
        self._shape, path = xen_lazy_shape(tree)
        self._counter = "xen_lazy_nesting" in (read(
            tree, "arch/x86/include/asm/xen/hypervisor.h") or "")
        if self._shape is None:
            return False
        self.files = (path,)
        mode = LAZY_FILES[self._shape][2]
        self.old_marks = ((path, unguarded_enter(mode)),
                          (path, unguarded_leave(mode)))
        self.required = ((path, r"this_cpu_read\(%s\) != %s\)"
                          % LAZY_FILES[self._shape][1:]),)
        self.new_marks = self.required
        return True

    def status(self, tree):
        self.applicable(tree)
        return super().status(tree)

    def apply(self, tree):
        self.applicable(tree)
        return super().apply(tree)


class X86StateStep(CocciStep):
    name = "arch-x86"
    arch = "x86"
    cocci = COCCI
    phase = "state"
    files = (ENLIGHTEN_PV,)
    scan = (("arch/x86",), ("TIF_LAZY_MMU_UPDATES",))
    applicable_if = ((PARAVIRT_H, r"\barch_enter_lazy_mmu_mode\b"),)
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
        "lazy_mmu_mode_enable() and lazy_mmu_mode_disable() update the state\n"
        "before they call the callback, with preemption possibly on, so a\n"
        "task switched out in between is re-entered (or not) by the state it\n"
        "already has, and then makes the call itself: Xen tolerates that\n"
        "nested enter or stray leave since \"x86/xen: tolerate nested lazy\n"
        "MMU enter and leave\", earlier in this series.\n"
        "\n"
        "Generated with the semantic patch cocci/lazy_mmu_arch_x86.cocci of\n"
        "lazy-mmu-tools (-D patch -D state); the flag's definition is removed\n"
        "by a text edit once nothing uses it.")

    def apply(self, tree):
        self.check_tolerant(tree)
        return super().apply(tree)

    @staticmethod
    def check_tolerant(tree):
        """The window described in the body must not BUG: refuse the
        tree if its Xen lazy mode is of no known shape, or still strict
        (the nested step did not run)."""
        shape, path = xen_lazy_shape(tree)
        if shape is None:
            if re.search(r"\benter_lazy\(\w*LAZY_MMU\)",
                         strip_comments(read(tree, MMU_PV) or "")):
                raise StepError("arch-x86: %s enters Xen's lazy MMU mode in a "
                                "function of unknown shape: cannot make it "
                                "tolerate a nested enter, so the context "
                                "switch is not converted" % MMU_PV)
            return
        mode = LAZY_FILES[shape][2]
        text = read(tree, path)
        if re.search(unguarded_enter(mode), text, re.M) or \
           re.search(unguarded_leave(mode), text, re.M):
            raise StepError("arch-x86: %s does not tolerate a nested lazy MMU "
                            "enter (run the arch-x86-nested step first)"
                            % path)

    def post_edits(self, ed):
        users = [f for f in spatch.prefilter(ed.tree, ("arch/x86", "include"),
                                             ("TIF_LAZY_MMU_UPDATES",
                                              "_TIF_LAZY_MMU_UPDATES"))
                 if f != THREAD_INFO]
        if users or not ed.exists(THREAD_INFO):
            return
        ed.edit(THREAD_INFO, edits.remove_flag, "TIF_LAZY_MMU_UPDATES")


ARCH = X86()
