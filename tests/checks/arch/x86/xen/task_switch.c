// SPDX-License-Identifier: GPL-2.0
/*
 * A context switch that pauses the outgoing task's mode and resumes the
 * incoming one's through the task variants: two different tasks, so no
 * section of the current path is opened or closed here.
 */
#include <linux/lazy_task.h>

static void hv_switch_out(struct task_struct *prev)
{
	__task_lazy_mmu_mode_pause(prev);
	hv_save_segments(prev);
}

static void hv_switch_in(struct task_struct *next)
{
	hv_load_segments(next);
	__task_lazy_mmu_mode_resume(next);
}
