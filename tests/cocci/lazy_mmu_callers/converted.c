// SPDX-License-Identifier: GPL-2.0-only
/*
 * Code already on the new API is left as it is, and so are the arch
 * callback definitions themselves and the generic layer that calls them.
 */

static void demo_converted_owner(struct mm_struct *mm)
{
	lazy_mmu_mode_enable();
	demo_update(mm);
	lazy_mmu_mode_disable();
}

static int demo_converted_callee(pte_t *ptep, unsigned long addr, void *data)
{
	lazy_mmu_mode_pause();
	demo_lock_and_set(ptep, addr);
	lazy_mmu_mode_resume();
	return 0;
}

void arch_enter_lazy_mmu_mode(void)
{
	struct demo_batch *tb = this_cpu_ptr(&demo_batch);

	tb->active = 1;
}

void arch_leave_lazy_mmu_mode(void)
{
	struct demo_batch *tb = this_cpu_ptr(&demo_batch);

	if (tb->nr)
		demo_flush_batch(tb);
	tb->active = 0;
}

static inline void lazy_mmu_mode_pause(void)
{
	struct lazy_mmu_state *state = &current->lazy_mmu_state;

	if (in_interrupt())
		return;
	if (state->pause_count++ == 0 && state->enable_count > 0)
		arch_leave_lazy_mmu_mode();
}
