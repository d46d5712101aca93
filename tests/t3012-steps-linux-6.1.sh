#!/bin/sh
# Every step of the conversion on a git clone of Debian's Linux 6.1, the
# oldest tree the tool converts, without the driver and without builds
# (the compile matrix builds it): what 6.1 lacks or has in another form
# must be handled as docs/conversion.md (2.1, 2.3) says.  The lazy mode of
# Xen PV is generic paravirt code there, <linux/gfp.h> does not include
# <linux/sched.h>, the lazy MMU comment still says sections run under the
# page table locks, and mm/Kconfig has a comment between two entries
# where the new ones used to land.
# uses: no lazy-mmu-check (steps only, no driver)
. "$(dirname "$0")/lib-tap.sh"

require_cmd 'steps on linux 6.1' spatch
require_kernel_tree repo --git 6.1

tree=$TRASH/linux
export tree repo

. "$TESTS/lib-steps.sh"

test_expect_success 'clone the 6.1 tree' '
	git clone -q --shared "$repo" "$tree" &&
	grep -q "^PATCHLEVEL = 1$" "$tree/Makefile"
'

test_expect_success 'the shapes of 6.1, as the tool names them' '
	steps shapes >shapes &&
	cat shapes &&
	grep -qx "task_struct in <linux/pgtable.h>: not before pgtable.h" shapes &&
	grep -qx "pgtable.h lazy MMU comment: under the page table locks" shapes &&
	grep -qx "x86 Xen PV lazy MMU mode: paravirt, nested enter BUG()s" shapes &&
	grep -qx "x86 Xen PV flush callback: paravirt, flush idiom" shapes &&
	! grep -q arm64 shapes
'

test_expect_success 'pristine tree: every step todo but arm64' '
	steps status >status.out &&
	cat status.out &&
	grep -qx "arch-arm64 n/a" status.out &&
	grep -qx "generic-sched-include todo" status.out &&
	test "$(grep -c " todo$" status.out)" = 12
'

test_expect_success 'every applicable step changes files' '
	steps apply >apply.out &&
	cat apply.out &&
	! grep -E " 0$" apply.out &&
	grep -qx "arch-x86-flush 3" apply.out &&
	grep -qx "generic-sched-include 1" apply.out &&
	grep -qx "callers 8" apply.out
'

test_expect_success 'pgtable.h includes sched.h, its comment has the new rules' '
	pg=$tree/include/linux/pgtable.h &&
	grep -A1 "^#include <linux/page_table_check.h>$" "$pg" | grep -qx "#include <linux/sched.h>" &&
	! grep -q "protection of$\|page table locks for all page tables" "$pg" &&
	grep -q "^ \* No lock is guaranteed to be held between entering and leaving the mode:$" "$pg" &&
	grep -q "^ \*	lazy_mmu_mode_pause();$" "$pg" &&
	! grep -q "define arch_enter_lazy_mmu_mode" "$pg"
'

test_expect_success 'Xen gets its own flush; the paravirt one goes' '
	same arch/x86/xen/mmu_pv.c xen_flush_lazy_mmu <<\EOF &&
static void xen_flush_lazy_mmu(void)
{
	preempt_disable();
	xen_mc_flush();
	preempt_enable();
}
EOF
	grep -q "^			.flush = xen_flush_lazy_mmu,$" "$tree/arch/x86/xen/mmu_pv.c" &&
	! grep -rq paravirt_flush_lazy_mmu "$tree/arch/x86"
'

test_expect_success 'the paravirt lazy MMU mode tolerates a nested enter' '
	same arch/x86/kernel/paravirt.c paravirt_enter_lazy_mmu <<\EOF &&
void paravirt_enter_lazy_mmu(void)
{
	preempt_disable();
	if (this_cpu_read(paravirt_lazy_mode) != PARAVIRT_LAZY_MMU)
		enter_lazy(PARAVIRT_LAZY_MMU);
	preempt_enable();
}
EOF
	same arch/x86/kernel/paravirt.c paravirt_leave_lazy_mmu <<\EOF
void paravirt_leave_lazy_mmu(void)
{
	if (this_cpu_read(paravirt_lazy_mode) == PARAVIRT_LAZY_MMU)
		leave_lazy(PARAVIRT_LAZY_MMU);
}
EOF
'

test_expect_success 'the paravirt context switch uses the generic state' '
	same arch/x86/kernel/paravirt.c paravirt_start_context_switch <<\EOF &&
void paravirt_start_context_switch(struct task_struct *prev)
{
	BUG_ON(preemptible());

	if (this_cpu_read(paravirt_lazy_mode) == PARAVIRT_LAZY_MMU)
		arch_leave_lazy_mmu_mode();
	enter_lazy(PARAVIRT_LAZY_CPU);
}
EOF
	fn arch/x86/kernel/paravirt.c paravirt_end_context_switch >end &&
	grep -A1 "if (__task_lazy_mmu_mode_active(next))" end | grep -q "arch_enter_lazy_mmu_mode();" &&
	! grep -rqw "TIF_LAZY_MMU_UPDATES\|_TIF_LAZY_MMU_UPDATES" "$tree/arch/x86" &&
	grep -q "^#define TIF_ADDR32		29	" "$tree/arch/x86/include/asm/thread_info.h"
'

test_expect_success 'the two #undef files of 6.1, Kconfig after the HUGEPD entry' '
	for f in arch/x86/boot/compressed/misc.h arch/x86/mm/mem_encrypt_identity.c; do
		grep -A1 "^#undef CONFIG_PARAVIRT_SPINLOCKS$" "$tree/$f" | tail -n 1 >u &&
		test "$(cat u)" = "#undef CONFIG_ARCH_HAS_LAZY_MMU_MODE" || exit 1
	done &&
	kc=$tree/mm/Kconfig &&
	grep -B1 "^config ARCH_HAS_HUGEPD$" "$kc" | head -n 1 | grep -qx "#" &&
	awk "/^config ARCH_HAS_HUGEPD/ { a = NR } /^config ARCH_HAS_LAZY_MMU_MODE/ { b = NR }
	     /^config LAZY_MMU_MODE_KUNIT_TEST/ { c = NR } /^source \"mm\/damon\/Kconfig\"/ { d = NR }
	     END { exit !(a < b && b < c && c < d) }" "$kc" &&
	grep -qx "MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);" "$tree/mm/tests/lazy_mmu_mode_kunit.c"
'

test_expect_success 'only the paravirt context switch keeps arch_* calls' '
	(cd "$tree" && git grep -nwE "arch_(enter|leave)_lazy_mmu_mode\(\);" -- "*.c") >left &&
	cat left &&
	test "$(cut -d: -f1 left | sort -u)" = arch/x86/kernel/paravirt.c &&
	test "$(wc -l <left)" = 2
'

test_expect_success 'a second run: every step done or n/a, nothing changes' '
	second_run_is_noop
'

test_expect_success 'review: the two paravirt context-switch calls, nothing else' '
	steps review >review.out &&
	cat review.out &&
	test "$(wc -l <review.out)" = 2 &&
	test "$(grep -c "^arch/x86/kernel/paravirt.c:[0-9]*: kept (split across functions)" review.out)" = 2
'

test_done
