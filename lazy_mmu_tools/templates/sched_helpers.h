#ifdef CONFIG_ARCH_HAS_LAZY_MMU_MODE
/**
 * __task_lazy_mmu_mode_active() - Is @tsk in lazy MMU mode?
 * @tsk: the task to look at
 *
 * True if @tsk has a lazy MMU section open and has not paused it.  Looks
 * at the saved state only, so it also answers for a task that is not
 * running (an architecture's context switch code, for instance).
 *
 * For architecture code only: generic code must not call it.
 */
static inline bool __task_lazy_mmu_mode_active(struct task_struct *tsk)
{
	struct lazy_mmu_state *state = &tsk->lazy_mmu_state;

	return state->enable_count > 0 && state->pause_count == 0;
}

/**
 * is_lazy_mmu_mode_active() - Should page table updates be batched now?
 *
 * True if the current task is in lazy MMU mode, false in interrupt
 * context (where the mode is never active, even if the interrupted task
 * is in a section).
 *
 * For architecture code only: generic code must not call it.
 */
static inline bool is_lazy_mmu_mode_active(void)
{
	if (in_interrupt())
		return false;

	return __task_lazy_mmu_mode_active(current);
}
#endif /* CONFIG_ARCH_HAS_LAZY_MMU_MODE */

