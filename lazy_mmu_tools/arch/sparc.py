"""sparc64: the whole conversion of the architecture.

Steps: arch-sparc-flush and arch-sparc (the TLB batch changes of
batch.py, cocci/lazy_mmu_arch_sparc.cocci).  Generic step: SPARC64
selects ARCH_HAS_LAZY_MMU_MODE; the KUnit module gets the three
out-of-line callbacks.
"""

from .. import edits
from .batch import BatchArch, replace_empty_flush

HDR = "arch/sparc/include/asm/tlbflush_64.h"
TLB = "arch/sparc/mm/tlb.c"


def _fn_end(name):
    """Regex ending the out-of-line definition of name in tlb.c."""
    return r"^void %s\(void\)\n\{\n(?:[^\n]*\n)*?\}\n" % name


class Sparc(BatchArch):
    name = "sparc"
    optin_header = HDR
    kconfig = "arch/sparc/Kconfig"
    kconfig_symbol = "SPARC64"
    batch_struct = "tlb_batch"
    scan_dir = None
    active_re = r"^\s+unsigned long active;"
    ptr_re = r"\btb->active\b"
    flush_file = TLB
    flush_def = r"^void arch_flush_lazy_mmu_mode\(void\)\n\{"
    leave_file = TLB
    leave_flush = (r"^void arch_leave_lazy_mmu_mode\(void\)\n\{"
                   r"(?:\n[^}][^\n]*)*flush_tlb_pending\(\)")
    state_files = (HDR, TLB)
    kunit_exports = tuple(
        (TLB, _fn_end(fn), fn) for fn in ("arch_enter_lazy_mmu_mode",
                                          "arch_flush_lazy_mmu_mode",
                                          "arch_leave_lazy_mmu_mode"))
    flush_body = (
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
    state_body = (
        "The sparc64 TLB batch has its own 'active' flag, set by\n"
        "arch_enter_lazy_mmu_mode() and cleared by arch_leave_lazy_mmu_mode(),\n"
        "so that tlb_batch_add_one() knows whether to batch.  The generic\n"
        "lazy MMU state now tells that, nesting and pausing included: use\n"
        "is_lazy_mmu_mode_active() and drop the flag.\n"
        "\n"
        "Generated with the semantic patch cocci/lazy_mmu_arch_sparc.cocci\n"
        "of lazy-mmu-tools (-D patch -D state).")

    def flush_pre_edits(self, ed):
        """The empty macro becomes a prototype, next to the enter one as
        upstream put it."""
        proto = "void arch_flush_lazy_mmu_mode(void);\n"
        if proto in ed.get(HDR):
            return
        replace_empty_flush(ed, HDR, "", None)
        ed.edit(HDR, edits.insert_after,
                r"^void arch_enter_lazy_mmu_mode\(void\);\n", proto,
                "the arch_enter_lazy_mmu_mode() prototype in " + HDR)


ARCH = Sparc()
