/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A lazy mode that only defers barriers: a thread flag, preemption stays
 * on.
 */
#ifndef _ASM_ARM64_PGTABLE_H
#define _ASM_ARM64_PGTABLE_H

static inline void arch_enter_lazy_mmu_mode(void)
{
	if (in_interrupt())
		return;
	set_thread_flag(TIF_LAZY_MMU);
}

static inline void arch_leave_lazy_mmu_mode(void)
{
	if (in_interrupt())
		return;
	if (test_and_clear_thread_flag(TIF_LAZY_MMU_PENDING))
		emit_pte_barriers();
	clear_thread_flag(TIF_LAZY_MMU);
}

#endif
