// SPDX-License-Identifier: GPL-2.0-only
/*
 * Arch code may call its own callbacks (a context switch, a flush of its
 * own batch): not generic code, nothing to report.
 */

static void demo_start_context_switch(struct task_struct *prev)
{
	if (this_cpu_read(demo_lazy_mode) == DEMO_LAZY_MMU) {
		arch_leave_lazy_mmu_mode();
		set_ti_thread_flag(task_thread_info(prev), TIF_DEMO_LAZY_MMU);
	}
}

void demo_set_memory(unsigned long addr, int numpages)
{
	demo_change_range(addr, numpages);
	arch_flush_lazy_mmu_mode();
}

void arch_leave_lazy_mmu_mode(void)
{
	arch_flush_lazy_mmu_mode();
	demo_lazy_off();
}
