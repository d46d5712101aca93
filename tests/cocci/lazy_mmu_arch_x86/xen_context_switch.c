/* Switching out: stop batching, remember it in the thread flags. */
static void pv_start_context_switch(struct task_struct *prev)
{
	BUG_ON(preemptible());

	if (this_cpu_read(xen_lazy_mode) == XEN_LAZY_MMU) {
		arch_leave_lazy_mmu_mode();
		set_ti_thread_flag(task_thread_info(prev), TIF_LAZY_MMU_UPDATES);
	}
	enter_lazy(XEN_LAZY_CPU);
}

/* Switching in: batch again if the task was batching. */
static void pv_end_context_switch(struct task_struct *next)
{
	BUG_ON(preemptible());

	xen_mc_flush();
	leave_lazy(XEN_LAZY_CPU);
	if (test_and_clear_ti_thread_flag(task_thread_info(next), TIF_LAZY_MMU_UPDATES))
		arch_enter_lazy_mmu_mode();
}

/* The task-flag spelling of the same two steps. */
static void pv_start_switch_tsk(struct task_struct *prev)
{
	if (pv_lazy_mmu(prev)) {
		arch_leave_lazy_mmu_mode();
		set_tsk_thread_flag(prev, TIF_LAZY_MMU_UPDATES);
	}
}

static void pv_end_switch_tsk(struct task_struct *next)
{
	if (test_and_clear_tsk_thread_flag(next, TIF_LAZY_MMU_UPDATES))
		arch_enter_lazy_mmu_mode();
}
