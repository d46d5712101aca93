/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A hash MMU's lazy mode: batched invalidations, with preemption off
 * while a batch is open.
 */
#ifndef _ASM_POWERPC_TLBFLUSH_H
#define _ASM_POWERPC_TLBFLUSH_H

static inline void arch_enter_lazy_mmu_mode(void)
{
	struct hpte_batch *batch;

	preempt_disable();
	batch = this_cpu_ptr(&hpte_batch);
	batch->active = 1;
}

static inline void arch_leave_lazy_mmu_mode(void)
{
	struct hpte_batch *batch = this_cpu_ptr(&hpte_batch);

	if (batch->index)
		hpte_flush_batch(batch);
	batch->active = 0;
	preempt_enable();
}

#endif
