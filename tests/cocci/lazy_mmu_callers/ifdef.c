// SPDX-License-Identifier: GPL-2.0-only
/*
 * Calls under #ifdef: both arms of a conditional are possible paths, and
 * each call is converted where it stands.
 */

static void demo_update_range(struct mm_struct *mm, unsigned long addr,
			      unsigned long end)
{
#ifdef CONFIG_DEMO_BATCH
	arch_enter_lazy_mmu_mode();
#endif
	for (; addr < end; addr += PAGE_SIZE)
		demo_update(mm, addr);
#ifdef CONFIG_DEMO_BATCH
	arch_leave_lazy_mmu_mode();
#endif
}

static void demo_protect_range(struct mm_struct *mm, unsigned long addr,
			       unsigned long end)
{
	arch_enter_lazy_mmu_mode();
	for (; addr < end; addr += PAGE_SIZE) {
#ifdef CONFIG_DEMO_SOFT_DIRTY
		demo_clear_soft_dirty(mm, addr);
#else
		demo_protect(mm, addr);
#endif
	}
	arch_leave_lazy_mmu_mode();
}
