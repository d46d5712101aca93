// SPDX-License-Identifier: GPL-2.0-only
/*
 * A function spatch cannot parse ("noinstr" before a two-word type): its
 * calls are found in the text of the file and reported all the same.
 */

static noinstr unsigned long demo_noinstr_update(struct mm_struct *mm)
{
	arch_enter_lazy_mmu_mode();
	demo_update(mm);
	arch_leave_lazy_mmu_mode();
	return 0;
}

static void demo_plain_update(struct mm_struct *mm)
{
	arch_flush_lazy_mmu_mode();
}
