// SPDX-License-Identifier: GPL-2.0
/*
 * Upstream's helpers of later kernels (the __task_lazy_mmu_mode_*()
 * family, is_lazy_mmu_mode_active()) are the API's own definitions: not
 * reported.  A context switch that pauses one task and resumes another
 * opens nothing on the current path.  With 'current' the task variants
 * are a pause and a resume like any other, and are checked as such.
 *
 * check-command: lazy-mmu-check include/linux/lazy_task.h arch/x86/xen/task_switch.c upstream_helpers.c
 */
#include <linux/lazy_task.h>

static void good_task_pause(pte_t *pte)
{
	__task_lazy_mmu_mode_pause(current);
	clear_pte_slow(pte);
	__task_lazy_mmu_mode_resume(current);
}

static void bad_task_pause(pte_t *pte)
{
	__task_lazy_mmu_mode_pause(current);
	if (!pte_present(*pte))
		return;
	clear_pte_slow(pte);
	__task_lazy_mmu_mode_resume(current);
}

/*
 * check-exit-value: 1
 *
 * check-output-start
upstream_helpers.c:24:3: warning: returning with lazy MMU mode still paused [lazy-mmu-unbalanced-return]
upstream_helpers.c:22:2: note: lazy MMU mode paused here
upstream_helpers.c:23:2: note: following the 'true' branch (when '!pte_present(*pte)')
 * check-output-end
 */
