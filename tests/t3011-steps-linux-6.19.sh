#!/bin/sh
# Every step of the conversion on a git clone of Linux v6.19 (the base of
# upstream's v6 series), without the driver and without builds: each arch
# callback, Kconfig line, flag and helper must come out as upstream's
# series left it (t1110 checks the callers site by site).  The expected
# code below was written by hand from upstream's v6 patches and checked
# against Linux 7.2; where this tool differs on purpose (Xen's later
# fixes), docs/conversion.md says why.  A tree with only the generic
# layer applied must be completed into the same result.
# uses: no lazy-mmu-check (steps only, no driver)
. "$(dirname "$0")/lib-tap.sh"

require_cmd 'steps on linux 6.19' spatch
require_kernel_tree repo --git 6.19

tree=$TRASH/linux
export tree repo

. "$TESTS/lib-steps.sh"

test_expect_success 'clone the 6.19 tree' '
	git clone -q --shared "$repo" "$tree" &&
	test -f "$tree/arch/arm64/include/asm/pgtable.h"
'

test_expect_success 'the shapes of 6.19, as the tool names them' '
	PYTHONPATH=$TOP python3 -c "
import sys
from lazy_mmu_tools import steps
print(\"\n\".join(steps.tree_shapes(sys.argv[1])))" "$tree" >shapes &&
	cat shapes &&
	grep -qx "pgtable.h lazy MMU layer: empty inlines" shapes &&
	grep -qx "task_struct in <linux/pgtable.h>: gfp.h includes sched.h" shapes &&
	grep -qx "KUnit test: module" shapes &&
	grep -qx "x86 Xen PV lazy MMU mode: xen, nested enter BUG()s" shapes &&
	grep -qx "arm64 lazy MMU tracking: TIF_LAZY_MMU" shapes
'

test_expect_success 'pristine tree: every step todo but the sched.h include' '
	steps status >status.out &&
	cat status.out &&
	test "$(cat status.out | tr "\n" " ")" = "arch-powerpc-switch todo arch-x86-flush todo arch-x86-nested todo arch-powerpc-flush todo arch-sparc-flush todo generic-sched-include n/a generic todo callers todo generic-fallbacks todo arch-arm64 todo arch-powerpc todo arch-sparc todo arch-x86 todo "
'

test_expect_success 'every applicable step changes files' '
	steps apply >apply.out &&
	cat apply.out &&
	! grep -E " 0$" apply.out &&
	grep -qx "generic 18" apply.out &&
	grep -qx "callers 14" apply.out
'

test_expect_success 'arm64: callbacks on the generic state, no interrupt checks' '
	same arch/arm64/include/asm/pgtable.h queue_pte_barriers <<\EOF &&
static inline void queue_pte_barriers(void)
{
	if (is_lazy_mmu_mode_active()) {
		/* Avoid the atomic op if already set. */
		if (!test_thread_flag(TIF_LAZY_MMU_PENDING))
			set_thread_flag(TIF_LAZY_MMU_PENDING);
	} else {
		emit_pte_barriers();
	}
}
EOF
	same arch/arm64/include/asm/pgtable.h arch_enter_lazy_mmu_mode <<\EOF &&
static inline void arch_enter_lazy_mmu_mode(void) {}
EOF
	same arch/arm64/include/asm/pgtable.h arch_flush_lazy_mmu_mode <<\EOF &&
static inline void arch_flush_lazy_mmu_mode(void)
{
	if (test_and_clear_thread_flag(TIF_LAZY_MMU_PENDING))
		emit_pte_barriers();
}
EOF
	same arch/arm64/include/asm/pgtable.h arch_leave_lazy_mmu_mode <<\EOF &&
static inline void arch_leave_lazy_mmu_mode(void)
{
	arch_flush_lazy_mmu_mode();
}
EOF
	grep -q "^#define TIF_LAZY_MMU_PENDING	31	" "$tree/arch/arm64/include/asm/thread_info.h" &&
	! grep -rqw TIF_LAZY_MMU "$tree/arch/arm64" &&
	! grep -q "__HAVE_ARCH_ENTER_LAZY_MMU_MODE" "$tree/arch/arm64/include/asm/pgtable.h" &&
	grep -A1 "^	select ARCH_HAS_KEEPINITRD$" "$tree/arch/arm64/Kconfig" >sel &&
	grep -qx "	select ARCH_HAS_LAZY_MMU_MODE" sel
'

test_expect_success 'powerpc: a real flush, no batch->active, no context-switch code' '
	hdr=arch/powerpc/include/asm/book3s/64/tlbflush-hash.h &&
	same $hdr arch_enter_lazy_mmu_mode <<\EOF &&
static inline void arch_enter_lazy_mmu_mode(void)
{
	if (radix_enabled())
		return;
	/*
	 * apply_to_page_range can call us this preempt enabled when
	 * operating on kernel page tables.
	 */
	preempt_disable();
}
EOF
	same $hdr arch_flush_lazy_mmu_mode <<\EOF &&
static inline void arch_flush_lazy_mmu_mode(void)
{
	struct ppc64_tlb_batch *batch;

	if (radix_enabled())
		return;
	batch = this_cpu_ptr(&ppc64_tlb_batch);
	if (batch->index)
		__flush_tlb_pending(batch);
}
EOF
	same $hdr arch_leave_lazy_mmu_mode <<\EOF &&
static inline void arch_leave_lazy_mmu_mode(void)
{
	if (radix_enabled())
		return;

	arch_flush_lazy_mmu_mode();
	preempt_enable();
}
EOF
	! grep -q "active" "$tree/$hdr" &&
	grep -q "^	if (!is_lazy_mmu_mode_active()) {$" "$tree/arch/powerpc/mm/book3s64/hash_tlb.c" &&
	! grep -rq "TLF_LAZY_MMU\|batch->active" "$tree/arch/powerpc" &&
	sed -n "/^config PPC_BOOK3S_64$/,/^$/p" "$tree/arch/powerpc/platforms/Kconfig.cputype" | tail -n 2 >sel &&
	test "$(head -n 1 sel)" = "	select ARCH_HAS_LAZY_MMU_MODE"
'

test_expect_success 'sparc: an out-of-line flush, no tb->active' '
	same arch/sparc/mm/tlb.c arch_enter_lazy_mmu_mode <<\EOF &&
void arch_enter_lazy_mmu_mode(void)
{
	preempt_disable();
}
EOF
	same arch/sparc/mm/tlb.c arch_flush_lazy_mmu_mode <<\EOF &&
void arch_flush_lazy_mmu_mode(void)
{
	struct tlb_batch *tb = this_cpu_ptr(&tlb_batch);

	if (tb->tlb_nr)
		flush_tlb_pending();
}
EOF
	same arch/sparc/mm/tlb.c arch_leave_lazy_mmu_mode <<\EOF &&
void arch_leave_lazy_mmu_mode(void)
{
	arch_flush_lazy_mmu_mode();
	preempt_enable();
}
EOF
	grep -A2 "^void arch_enter_lazy_mmu_mode(void);" "$tree/arch/sparc/include/asm/tlbflush_64.h" >protos &&
	test "$(sed -n 2p protos)" = "void arch_flush_lazy_mmu_mode(void);" &&
	test "$(sed -n 3p protos)" = "void arch_leave_lazy_mmu_mode(void);" &&
	! grep -q "active" "$tree/arch/sparc/include/asm/tlbflush_64.h" &&
	grep -q "^	if (!is_lazy_mmu_mode_active()) {$" "$tree/arch/sparc/mm/tlb.c" &&
	sed -n "/^config SPARC64$/,/^$/p" "$tree/arch/sparc/Kconfig" | tail -n 2 >sel &&
	test "$(head -n 1 sel)" = "	select ARCH_HAS_LAZY_MMU_MODE"
'

test_expect_success 'x86: Xen flush, nested enter tolerated, context switch on the generic state' '
	same arch/x86/xen/mmu_pv.c xen_flush_lazy_mmu <<\EOF &&
static void xen_flush_lazy_mmu(void)
{
	preempt_disable();
	xen_mc_flush();
	preempt_enable();
}
EOF
	same arch/x86/xen/mmu_pv.c xen_enter_lazy_mmu <<\EOF &&
static void xen_enter_lazy_mmu(void)
{
	preempt_disable();
	if (this_cpu_read(xen_lazy_mode) != XEN_LAZY_MMU)
		enter_lazy(XEN_LAZY_MMU);
	preempt_enable();
}
EOF
	same arch/x86/xen/mmu_pv.c xen_leave_lazy_mmu <<\EOF &&
static void xen_leave_lazy_mmu(void)
{
	preempt_disable();
	xen_mc_flush();
	if (this_cpu_read(xen_lazy_mode) == XEN_LAZY_MMU)
		leave_lazy(XEN_LAZY_MMU);
	preempt_enable();
}
EOF
	same arch/x86/xen/enlighten_pv.c xen_start_context_switch <<\EOF &&
static void xen_start_context_switch(struct task_struct *prev)
{
	BUG_ON(preemptible());

	if (this_cpu_read(xen_lazy_mode) == XEN_LAZY_MMU)
		arch_leave_lazy_mmu_mode();
	enter_lazy(XEN_LAZY_CPU);
}
EOF
	same arch/x86/xen/enlighten_pv.c xen_end_context_switch <<\EOF &&
static void xen_end_context_switch(struct task_struct *next)
{
	BUG_ON(preemptible());

	xen_mc_flush();
	leave_lazy(XEN_LAZY_CPU);
	if (__task_lazy_mmu_mode_active(next))
		arch_enter_lazy_mmu_mode();
}
EOF
	grep -q "^#define TIF_ADDR32		27	" "$tree/arch/x86/include/asm/thread_info.h" &&
	! grep -rqw "TIF_LAZY_MMU_UPDATES\|_TIF_LAZY_MMU_UPDATES" "$tree/arch/x86" &&
	sed -n "/^config PARAVIRT_XXL$/,/^$/p" "$tree/arch/x86/Kconfig" >xxl &&
	printf "config PARAVIRT_XXL\n\tbool\n\tdepends on X86_64\n\tselect ARCH_HAS_LAZY_MMU_MODE\n\n" >xxl.expected &&
	diff -u xxl.expected xxl &&
	for f in arch/x86/boot/compressed/misc.h arch/x86/boot/startup/sme.c; do
		grep -A1 "^#undef CONFIG_PARAVIRT_SPINLOCKS$" "$tree/$f" | tail -n 1 >u &&
		test "$(cat u)" = "#undef CONFIG_ARCH_HAS_LAZY_MMU_MODE" || exit 1
	done &&
	! grep -q ARCH_HAS_LAZY "$tree/arch/x86/entry/vdso/vdso32/fake_32bit_build.h" &&
	grep -B1 "^static inline void arch_flush_lazy_mmu_mode(void) {}$" "$tree/arch/x86/include/asm/pgtable.h" >stub &&
	grep -q "^#define arch_end_context_switch(prev)" stub
'

test_expect_success 'generic: nestable helpers, per-task state, Kconfig, KUnit module' '
	pg=$tree/include/linux/pgtable.h &&
	! grep -q "__HAVE_ARCH_ENTER_LAZY_MMU_MODE\|arch_enter_lazy_mmu_mode(void)" "$pg" &&
	for h in enable disable pause resume; do
		test "$(grep -c "^static inline void lazy_mmu_mode_$h(void)" "$pg")" = 2 || exit 1
	done &&
	fn include/linux/pgtable.h lazy_mmu_mode_enable | grep -q "if (in_interrupt() || state->pause_count)" &&
	grep -A3 "^	struct page_frag		task_frag;" "$tree/include/linux/sched.h" >member &&
	grep -q "^	struct lazy_mmu_state		lazy_mmu_state;" member &&
	grep -q "^static inline bool is_lazy_mmu_mode_active(void)$" "$tree/include/linux/sched.h" &&
	grep -q "^struct lazy_mmu_state {$" "$tree/include/linux/mm_types_task.h" &&
	kc=$tree/mm/Kconfig &&
	awk "/^config FIND_NORMAL_PAGE/ { a = NR } /^config ARCH_HAS_LAZY_MMU_MODE/ { b = NR }
	     /^config LAZY_MMU_MODE_KUNIT_TEST/ { c = NR } /^source \"mm\/damon\/Kconfig\"/ { d = NR }
	     END { exit !(a < b && b < c && c < d) }" "$kc" &&
	grep -A1 "^config LAZY_MMU_MODE_KUNIT_TEST" "$kc" | grep -q "^	tristate " &&
	grep -qx "MODULE_IMPORT_NS(\"EXPORTED_FOR_KUNIT_TESTING\");" "$tree/mm/tests/lazy_mmu_mode_kunit.c" &&
	tail -n 1 "$tree/mm/Makefile" | grep -qx "obj-\$(CONFIG_LAZY_MMU_MODE_KUNIT_TEST) += tests/lazy_mmu_mode_kunit.o" &&
	for s in ppc64_tlb_batch __flush_tlb_pending; do
		grep -qx "EXPORT_SYMBOL_IF_KUNIT($s);" "$tree/arch/powerpc/mm/book3s64/hash_tlb.c" || exit 1
	done &&
	for s in arch_enter_lazy_mmu_mode arch_flush_lazy_mmu_mode arch_leave_lazy_mmu_mode; do
		grep -qx "EXPORT_SYMBOL_IF_KUNIT($s);" "$tree/arch/sparc/mm/tlb.c" || exit 1
	done &&
	grep -qx "#include <kunit/visibility.h>" "$tree/arch/sparc/mm/tlb.c" &&
	grep -qx "#include <kunit/visibility.h>" "$tree/arch/powerpc/mm/book3s64/hash_tlb.c"
'

test_expect_success 'only the Xen context switch keeps arch_* calls' '
	(cd "$tree" && git grep -nwE "arch_(enter|leave)_lazy_mmu_mode\(\);" -- "*.c") >left &&
	cat left &&
	test "$(cut -d: -f1,2 left | tr "\n" " ")" = "arch/x86/xen/enlighten_pv.c:428 arch/x86/xen/enlighten_pv.c:439 "
'

test_expect_success 'a second run: every step done or n/a, nothing changes' '
	second_run_is_noop
'

test_expect_success 'review: the two Xen context-switch calls, nothing else' '
	steps review >review.out &&
	cat review.out &&
	test "$(wc -l <review.out)" = 2 &&
	test "$(grep -c "^arch/x86/xen/enlighten_pv.c:[0-9]*: kept (split across functions)" review.out)" = 2
'

test_expect_success 'a tree with only the generic layer applied is completed the same' '
	git clone -q --shared "$repo" partial &&
	steps apply-one partial generic >one.out &&
	grep -qx "generic 18" one.out &&
	steps status partial >status3.out &&
	cat status3.out &&
	grep -qx "generic done" status3.out &&
	test "$(grep -c " todo$" status3.out)" = 11 &&
	steps apply partial >apply3.out &&
	grep -qx "generic 0" apply3.out &&
	diff -r --no-dereference -x .git "$tree" partial
'

test_done
