// SPDX-License-Identifier: GPL-2.0-only
/*
 * Code on the new API, and the generic layer that implements it on top of
 * the arch callbacks: nothing to report.
 */

static void demo_owner(struct mm_struct *mm)
{
	lazy_mmu_mode_enable();
	demo_update(mm);
	lazy_mmu_mode_disable();
}

static inline void lazy_mmu_mode_enable(void)
{
	struct lazy_mmu_state *state = &current->lazy_mmu_state;

	if (in_interrupt())
		return;
	if (state->enable_count++ == 0)
		arch_enter_lazy_mmu_mode();
}

static inline void lazy_mmu_mode_disable(void)
{
	struct lazy_mmu_state *state = &current->lazy_mmu_state;

	if (in_interrupt())
		return;
	if (--state->enable_count == 0)
		arch_leave_lazy_mmu_mode();
	else
		arch_flush_lazy_mmu_mode();
}
