"""x86 (paravirt, Xen PV): the whole conversion of the architecture.

x86 has lazy MMU callbacks only with PARAVIRT_XXL, as pv ops; Xen PV is
the one implementation.  Steps (cocci/lazy_mmu_arch_x86.cocci and text
edits):

  arch-x86-flush  Xen's flush callback stops leaving and re-entering the
                  mode and calls xen_mc_flush();
  arch-x86        the Xen context switch uses the generic per-task state
                  instead of TIF_LAZY_MMU_UPDATES.

Generic step: PARAVIRT_XXL selects ARCH_HAS_LAZY_MMU_MODE, and the files
that pretend paravirt is off undefine it too.  Fallbacks step: x86
without PARAVIRT_XXL keeps an empty arch_flush_lazy_mmu_mode() for its
own direct callers (highmem.h, set_memory.c).
"""

import re

from .. import edits, spatch
from ..stepkit import CocciStep, read
from .base import Arch

PARAVIRT_H = "arch/x86/include/asm/paravirt.h"
PGTABLE = "arch/x86/include/asm/pgtable.h"
THREAD_INFO = "arch/x86/include/asm/thread_info.h"
MMU_PV = "arch/x86/xen/mmu_pv.c"
ENLIGHTEN_PV = "arch/x86/xen/enlighten_pv.c"
COCCI = "lazy_mmu_arch_x86.cocci"

FLUSH_STUB = "static inline void arch_flush_lazy_mmu_mode(void) {}\n"
STUB_ANCHOR = r"^#define arch_end_context_switch\(prev\)[^\n]*\n"
FLUSH_IDIOM = r"arch_leave_lazy_mmu_mode\(\);\s*arch_enter_lazy_mmu_mode\(\);"


class X86(Arch):
    name = "x86"
    optin_header = PARAVIRT_H
    kconfig = "arch/x86/Kconfig"
    kconfig_symbol = "PARAVIRT_XXL"
    internal_callers = ("arch/x86/xen/",)

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
        return [X86FlushStep()]

    def late_steps(self):
        return [X86StateStep()]

    def shapes(self, tree):
        mmu = read(tree, MMU_PV)
        flush = None
        if mmu is not None and "xen_flush_lazy_mmu" in mmu:
            flush = ("flush idiom" if re.search(FLUSH_IDIOM, mmu)
                     else "xen_mc_flush()")
        return [("x86 Xen flush callback", flush)]


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
    files = (MMU_PV,)
    applicable_if = ((MMU_PV, r"\bxen_flush_lazy_mmu\b"),)
    old_marks = ((None, FLUSH_IDIOM),)
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
                 if f != THREAD_INFO]
        if users or not ed.exists(THREAD_INFO):
            return
        ed.edit(THREAD_INFO, edits.remove_flag, "TIF_LAZY_MMU_UPDATES")


ARCH = X86()
