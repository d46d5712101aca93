"""powerpc book3s64 hash: the whole conversion of the architecture.

Steps: arch-powerpc-switch (the dead re-activation of the TLB batch in
__switch_to() goes, a text edit), arch-powerpc-flush and arch-powerpc
(the TLB batch changes of batch.py, cocci/lazy_mmu_arch_powerpc.cocci).
Generic step: PPC_BOOK3S_64 selects ARCH_HAS_LAZY_MMU_MODE; the KUnit
module gets ppc64_tlb_batch and __flush_tlb_pending, which the inline
callbacks use.
"""

import re

from .. import edits
from ..edits import EditError
from ..stepkit import EditStep, read, remove_define
from .batch import BatchArch, replace_empty_flush

HASH_HDR = "arch/powerpc/include/asm/book3s/64/tlbflush-hash.h"
HASH_TLB = "arch/powerpc/mm/book3s64/hash_tlb.c"
PROCESS = "arch/powerpc/kernel/process.c"
THREAD_INFO = "arch/powerpc/include/asm/thread_info.h"


class Powerpc(BatchArch):
    name = "powerpc"
    optin_header = HASH_HDR
    kconfig = "arch/powerpc/platforms/Kconfig.cputype"
    kconfig_symbol = "PPC_BOOK3S_64"
    batch_struct = "ppc64_tlb_batch"
    scan_dir = "arch/powerpc"
    active_re = r"^\s+int\s+active;"
    ptr_re = r"\bbatch->active\b"
    flush_file = HASH_HDR
    flush_def = r"^static inline void arch_flush_lazy_mmu_mode\(void\)\n\{"
    leave_file = HASH_HDR
    leave_flush = (r"^static inline void arch_leave_lazy_mmu_mode"
                   r"\(void\)\n\{(?:\n[^}][^\n]*)*__flush_tlb_pending")
    state_files = (HASH_HDR, HASH_TLB)
    kunit_exports = (
        (HASH_TLB, r"^DEFINE_PER_CPU\(struct ppc64_tlb_batch, "
                   r"ppc64_tlb_batch\);\n", "ppc64_tlb_batch"),
        (HASH_TLB, r"^void __flush_tlb_pending\(struct ppc64_tlb_batch "
                   r"\*batch\)\n\{\n(?:[^\n]*\n)*?\}\n", "__flush_tlb_pending"),
    )
    flush_body = (
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
    state_body = (
        "The hash TLB batch has its own 'active' flag, set by\n"
        "arch_enter_lazy_mmu_mode() and cleared by arch_leave_lazy_mmu_mode(),\n"
        "so that hpte_need_flush() knows whether to batch.  The generic lazy\n"
        "MMU state now tells that, nesting and pausing included: use\n"
        "is_lazy_mmu_mode_active() and drop the flag.\n"
        "\n"
        "Generated with the semantic patch cocci/lazy_mmu_arch_powerpc.cocci\n"
        "of lazy-mmu-tools (-D patch -D state).")

    def flush_pre_edits(self, ed):
        replace_empty_flush(ed, HASH_HDR, "", None)

    def early_steps(self):
        return [PowerpcSwitchStep()] + super().early_steps()

    def shapes(self, tree):
        proc = read(tree, PROCESS)
        switch = None
        if proc is not None:
            switch = ("re-activates the batch" if "_TLF_LAZY_MMU" in proc
                      else "leaves the batch alone")
        return [("powerpc __switch_to()", switch)] + super().shapes(tree)


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
        "Made by lazy-mmu-tools with a text edit\n"
        "(lazy_mmu_tools/arch/powerpc.py): the code sits between #ifdefs,\n"
        "which a semantic patch rewrites badly.")

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
        return (read(tree, PROCESS) is not None and
                re.search(r"\barch_enter_lazy_mmu_mode\b",
                          read(tree, HASH_HDR) or "") is not None)

    def markers(self, tree):
        return "_TLF_LAZY_MMU" not in (read(tree, PROCESS) or "")

    def edits(self, ed):
        if not ed.exists(PROCESS):
            return
        text = ed.get(PROCESS)
        if "_TLF_LAZY_MMU" in text:
            for regex, what in ((self.PARK_RE, "the batch parking"),
                                (self.RESUME_RE, "the batch re-activation"),
                                (self.DECL_RE, "the batch variable")):
                text = edits.replace_block(text, regex, "",
                                           what + " in __switch_to()")
            body = text[text.find("__switch_to("):][:4000].split("\n}\n")[0]
            if "_TLF_LAZY_MMU" in text or re.search(r"\bbatch\b", body):
                raise EditError("%s: __switch_to() still uses the TLB batch "
                                "after the edit: review by hand" % PROCESS)
            ed.set(PROCESS, text)
        if ed.exists(THREAD_INFO):
            ed.edit(THREAD_INFO, remove_define("TLF_LAZY_MMU"))
            ed.edit(THREAD_INFO, remove_define("_TLF_LAZY_MMU"))


ARCH = Powerpc()
