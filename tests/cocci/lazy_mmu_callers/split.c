// SPDX-License-Identifier: GPL-2.0-only
/*
 * A pair split across functions (Xen's context switch shape): one function
 * leaves on behalf of the outgoing task, another re-enters for the
 * incoming one.  The generic helpers act on the current task only, so
 * these stay on the arch calls; they are reported for review.
 */

static void demo_start_context_switch(struct task_struct *prev)
{
	BUG_ON(preemptible());

	if (this_cpu_read(demo_lazy_mode) == DEMO_LAZY_MMU) {
		arch_leave_lazy_mmu_mode();
		set_ti_thread_flag(task_thread_info(prev), TIF_DEMO_LAZY_MMU);
	}
	demo_enter_lazy_cpu();
}

static void demo_end_context_switch(struct task_struct *next)
{
	BUG_ON(preemptible());

	demo_leave_lazy_cpu();
	if (test_and_clear_ti_thread_flag(task_thread_info(next),
					  TIF_DEMO_LAZY_MMU))
		arch_enter_lazy_mmu_mode();
}
