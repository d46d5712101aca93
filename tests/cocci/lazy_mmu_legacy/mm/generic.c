// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generic code that still calls the arch hooks: every call is reported,
 * whatever its shape, with the replacement to use.
 */

static void demo_owner(struct mm_struct *mm)
{
	arch_enter_lazy_mmu_mode();
	demo_update(mm);
	arch_leave_lazy_mmu_mode();
}

static int demo_callee(pte_t *ptep, unsigned long addr, void *data)
{
	arch_leave_lazy_mmu_mode();
	demo_lock_and_set(ptep, addr);
	arch_enter_lazy_mmu_mode();
	return 0;
}

static void demo_flush_now(struct mm_struct *mm)
{
	demo_update(mm);
	arch_flush_lazy_mmu_mode();
}

static void demo_indirect(struct mm_struct *mm)
{
	demo_call_locked(mm, arch_enter_lazy_mmu_mode());
	arch_leave_lazy_mmu_mode();
}

#define DEMO_BATCH_BEGIN()	do { arch_enter_lazy_mmu_mode(); } while (0)
