// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shapes the rule cannot decide: the whole function is left as it is and
 * every legacy call in it is reported, never guessed.
 */

/* Some paths open a section, another starts by leaving one. */
static void demo_mixed(struct mm_struct *mm, bool owner)
{
	if (owner)
		arch_enter_lazy_mmu_mode();
	else
		arch_leave_lazy_mmu_mode();
	demo_update(mm);
}

/* A pause that one path never resumes. */
static int demo_unresumed(pte_t *ptep, void *data)
{
	arch_leave_lazy_mmu_mode();
	if (demo_lock(ptep))
		return -EBUSY;
	demo_set(ptep);
	arch_enter_lazy_mmu_mode();
	return 0;
}

/* An enter after the last leave: the section is closed somewhere else. */
static void demo_reopens(struct mm_struct *mm)
{
	arch_enter_lazy_mmu_mode();
	demo_update(mm);
	arch_leave_lazy_mmu_mode();
	demo_sleep();
	arch_enter_lazy_mmu_mode();
}

/* A hook passed around or used in an expression: convert by hand. */
static void demo_indirect(struct mm_struct *mm)
{
	demo_call_locked(mm, arch_enter_lazy_mmu_mode());
	demo_update(mm);
	arch_leave_lazy_mmu_mode();
}

/* A function that only enters: a wrapper whose caller leaves. */
static void demo_wrapper_enter(struct mm_struct *mm)
{
	spin_lock(&mm->page_table_lock);
	arch_enter_lazy_mmu_mode();
}
