#!/bin/sh
# Every step of lazy_mmu_tools/steps.py on a git clone of the Debian 6.12
# tree, without the driver and without builds (t3900 builds): what each
# step reports, what is left of the legacy API, idempotence, review sites.
# uses: no lazy-mmu-check (steps only, no driver)
. "$(dirname "$0")/lib-tap.sh"

require_cmd 'steps on linux 6.12' spatch
require_kernel_tree repo --git 6.12

tree=$TRASH/linux
export tree repo

. "$TESTS/lib-steps.sh"

test_expect_success 'clone the 6.12 tree' '
	git clone -q --shared "$repo" "$tree" &&
	test -f "$tree/include/linux/pgtable.h"
'

test_expect_success 'pristine tree: every step todo but arm64 and the sched.h include' '
	steps status >status.out &&
	cat status.out &&
	grep -qx "arch-arm64 n/a" status.out &&
	grep -qx "generic-sched-include n/a" status.out &&
	test "$(grep -c " todo$" status.out)" = 11 &&
	test "$(wc -l <status.out)" = 13
'

test_expect_success 'every applicable step changes files' '
	steps apply >apply.out &&
	cat apply.out &&
	grep -qx "arch-arm64 n/a" apply.out &&
	grep -qx "arch-x86-nested 1" apply.out &&
	! grep -E " 0$" apply.out &&
	grep -qx "generic 16" apply.out &&
	grep -qx "callers 9" apply.out
'

test_expect_success 'no legacy enter/leave call left in generic code' '
	cd "$tree" &&
	! git grep -nwE "arch_(enter|leave)_lazy_mmu_mode\(\);" -- \
		mm fs include kernel lib ":!include/linux/pgtable.h" &&
	# the helpers themselves are the only generic callers
	git grep -lwE "arch_(enter|leave|flush)_lazy_mmu_mode\(\);" -- \
		mm fs include kernel lib >callers &&
	test "$(cat callers)" = include/linux/pgtable.h
'

test_expect_success 'only the Xen context switch keeps arch_* calls' '
	cd "$tree" &&
	git grep -nwE "arch_(enter|leave)_lazy_mmu_mode\(\);" -- "*.c" >left &&
	cat left &&
	test "$(wc -l <left)" = 2 &&
	test "$(cut -d: -f1 left | sort -u)" = arch/x86/xen/enlighten_pv.c
'

test_expect_success 'the old opt-in and the private trackers are gone' '
	cd "$tree" &&
	! git grep -n __HAVE_ARCH_ENTER_LAZY_MMU_MODE -- "*.[ch]" &&
	! git grep -nw -e TIF_LAZY_MMU_UPDATES -e _TLF_LAZY_MMU -e TLF_LAZY_MMU -- arch &&
	! git grep -nE "(batch|tb)->active" -- arch/powerpc arch/sparc &&
	test "$(git grep -l "select ARCH_HAS_LAZY_MMU_MODE" | sort | tr "\n" " ")" = \
		"arch/powerpc/platforms/Kconfig.cputype arch/sparc/Kconfig arch/x86/Kconfig "
'

test_expect_success 'the helpers and the per-task state are in place' '
	cd "$tree" &&
	grep -q "^static inline void lazy_mmu_mode_pause(void)$" include/linux/pgtable.h &&
	grep -q "^static inline bool is_lazy_mmu_mode_active(void)$" include/linux/sched.h &&
	grep -q "^struct lazy_mmu_state {$" include/linux/mm_types_task.h &&
	git grep -c "is_lazy_mmu_mode_active()" -- arch >users &&
	cat users &&
	grep -q "^arch/powerpc/mm/book3s64/hash_tlb.c:1$" users &&
	grep -q "^arch/sparc/mm/tlb.c:1$" users &&
	grep -q "__task_lazy_mmu_mode_active(next)" arch/x86/xen/enlighten_pv.c
'

test_expect_success 'a second run: every step done, nothing changes' '
	second_run_is_noop
'

test_expect_success 'review: the two Xen context-switch calls, nothing else' '
	steps review >review.out &&
	cat review.out &&
	test "$(wc -l <review.out)" = 2 &&
	grep -q "^arch/x86/xen/enlighten_pv.c:[0-9]*: kept (split across functions)" review.out &&
	test "$(grep -c enlighten_pv.c review.out)" = 2
'

test_done
