// SPDX-License-Identifier: GPL-2.0-only
/*
 * Calls inside macro bodies are not converted: the macro may be used in
 * owners and callees alike.  They are reported for review; the function
 * below that uses the macro is still converted.
 */

#define DEMO_BATCH_BEGIN()	do { arch_enter_lazy_mmu_mode(); } while (0)
#define DEMO_BATCH_END()				\
	do {						\
		demo_flush_pending();			\
		arch_leave_lazy_mmu_mode();		\
	} while (0)
#define DEMO_BATCH_REOPEN(mm)				\
	do {						\
		arch_leave_lazy_mmu_mode();		\
		demo_update(mm);			\
		arch_enter_lazy_mmu_mode();		\
	} while (0)

static void demo_uses_macros(struct mm_struct *mm)
{
	DEMO_BATCH_BEGIN();
	demo_update(mm);
	DEMO_BATCH_END();

	arch_enter_lazy_mmu_mode();
	DEMO_BATCH_REOPEN(mm);
	arch_leave_lazy_mmu_mode();
}
