"""arm64 (from Linux 6.15 on): the whole conversion of the architecture.

Step arch-arm64 (cocci/lazy_mmu_arch_arm64.cocci -D state, then text
edits): TIF_LAZY_MMU goes, queue_pte_barriers() and any other reader ask
is_lazy_mmu_mode_active(), the callbacks lose their in_interrupt() checks
(the generic helpers never call them in interrupt context) and the
comment that said nesting was tolerated; an empty
arch_enter_lazy_mmu_mode() is written on one line, and
TIF_LAZY_MMU_PENDING takes the number TIF_LAZY_MMU leaves free.
Generic step: ARM64 selects ARCH_HAS_LAZY_MMU_MODE.  Its callbacks are
inline and use nothing unexported, so the KUnit module needs no export.
"""

import re

from .. import edits
from ..stepkit import CocciStep, read
from .. import spatch
from .base import Arch

PGTABLE = "arch/arm64/include/asm/pgtable.h"
THREAD_INFO = "arch/arm64/include/asm/thread_info.h"


class Arm64(Arch):
    name = "arm64"
    optin_header = PGTABLE
    kconfig = "arch/arm64/Kconfig"
    kconfig_symbol = "ARM64"

    def late_steps(self):
        return [Arm64StateStep()]

    def shapes(self, tree):
        text = read(tree, PGTABLE)
        if text is None or "arch_enter_lazy_mmu_mode" not in text:
            return []
        state = "TIF_LAZY_MMU" if re.search(r"\bTIF_LAZY_MMU\b", text) \
            else "generic state"
        return [("arm64 lazy MMU tracking", state)]


class Arm64StateStep(CocciStep):
    name = "arch-arm64"
    arch = "arm64"
    cocci = "lazy_mmu_arch_arm64.cocci"
    phase = "state"
    files = (PGTABLE,)
    scan = (("arch/arm64",), ("TIF_LAZY_MMU",))
    applicable_if = ((PGTABLE, r"\barch_enter_lazy_mmu_mode\b"),)
    old_marks = ((None, r"\bTIF_LAZY_MMU\b"),
                 (THREAD_INFO, r"^#define\s+TIF_LAZY_MMU\s"))
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
        "callbacks' in_interrupt() checks, TIF_LAZY_MMU (TIF_LAZY_MMU_PENDING\n"
        "takes its number), and the comment that said nesting was\n"
        "tolerated.\n"
        "\n"
        "Generated with the semantic patch cocci/lazy_mmu_arch_arm64.cocci of\n"
        "lazy-mmu-tools (-D patch -D state); the flag's definition and the\n"
        "stale comment are removed by text edits.")

    NESTING_COMMENT_RE = (r"(^static inline void arch_enter_lazy_mmu_mode"
                          r"\(void\)\n\{\n)\t/\*\n(?:\t \*[^\n]*\n)*?"
                          r"\t \*/\n\n?")
    EMPTY_ENTER_RE = (r"^static inline void arch_enter_lazy_mmu_mode"
                      r"\(void\)\n\{\n\}\n")

    def post_edits(self, ed):
        if ed.exists(PGTABLE):
            text = ed.get(PGTABLE)
            m = re.search(self.NESTING_COMMENT_RE, text, re.M)
            if m and "nest" in m.group(0):
                text = text[:m.start()] + m.group(1) + text[m.end():]
            text = re.sub(self.EMPTY_ENTER_RE,
                          "static inline void arch_enter_lazy_mmu_mode"
                          "(void) {}\n", text, flags=re.M)
            ed.set(PGTABLE, text)
        users = [f for f in spatch.prefilter(ed.tree, ("arch/arm64",),
                                             ("TIF_LAZY_MMU", "_TIF_LAZY_MMU"))
                 if f != THREAD_INFO]
        if users or not ed.exists(THREAD_INFO):
            return
        ed.edit(THREAD_INFO, edits.remove_flag, "TIF_LAZY_MMU")


ARCH = Arm64()
