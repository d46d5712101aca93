// SPDX-License-Identifier: GPL-2.0-only
/*
 * Calls inside the body of a loop macro (list_for_each_entry()), and a
 * section opened and closed once per iteration.
 */

static void demo_walk_list(struct demo_area *area)
{
	struct demo_range *r;

	arch_enter_lazy_mmu_mode();
	list_for_each_entry(r, &area->ranges, list) {
		if (!r->mapped)
			continue;
		demo_clear_range(area->mm, r->start, r->end);
	}
	arch_leave_lazy_mmu_mode();
}

static void demo_walk_each(struct demo_area *area)
{
	struct demo_range *r;

	list_for_each_entry(r, &area->ranges, list) {
		arch_enter_lazy_mmu_mode();
		demo_clear_range(area->mm, r->start, r->end);
		arch_leave_lazy_mmu_mode();
		cond_resched();
	}
}

static void demo_walk_callee(struct demo_area *area)
{
	struct demo_range *r;

	list_for_each_entry(r, &area->ranges, list) {
		if (!r->needs_lock)
			continue;
		arch_leave_lazy_mmu_mode();
		demo_lock_range(r);
		arch_enter_lazy_mmu_mode();
	}
}
