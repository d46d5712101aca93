/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The post-series API layer as later kernels have it: per-task counts,
 * task variants of pause/resume for code that switches tasks, and the
 * query.  Its own definitions call the arch callbacks directly and are
 * never reported.
 */
#ifndef _LINUX_LAZY_TASK_H
#define _LINUX_LAZY_TASK_H

struct lazy_mmu_state {
	u8 enable_count;
	u8 pause_count;
};

static inline bool __task_lazy_mmu_mode_active(struct task_struct *tsk)
{
	struct lazy_mmu_state *st = &tsk->lazy_mmu_state;

	return st->enable_count && !st->pause_count;
}

static inline bool is_lazy_mmu_mode_active(void)
{
	return !in_interrupt() && __task_lazy_mmu_mode_active(current);
}

static inline void __task_lazy_mmu_mode_pause(struct task_struct *tsk)
{
	struct lazy_mmu_state *st = &tsk->lazy_mmu_state;

	VM_WARN_ON_ONCE(st->pause_count == U8_MAX);
	if (st->pause_count++ == 0 && st->enable_count)
		arch_leave_lazy_mmu_mode();
}

static inline void __task_lazy_mmu_mode_resume(struct task_struct *tsk)
{
	struct lazy_mmu_state *st = &tsk->lazy_mmu_state;

	VM_WARN_ON_ONCE(!st->pause_count);
	if (--st->pause_count == 0 && st->enable_count)
		arch_enter_lazy_mmu_mode();
}

static inline void lazy_mmu_mode_pause(void)
{
	if (!in_interrupt())
		__task_lazy_mmu_mode_pause(current);
}

static inline void lazy_mmu_mode_resume(void)
{
	if (!in_interrupt())
		__task_lazy_mmu_mode_resume(current);
}

#endif
