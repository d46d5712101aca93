#ifdef CONFIG_ARCH_HAS_LAZY_MMU_MODE
/**
 * lazy_mmu_mode_enable() - Open a lazy MMU section
 *
 * Page table updates that follow may be batched until the matching
 * lazy_mmu_mode_disable().  Only the outermost section enters the mode,
 * with arch_enter_lazy_mmu_mode(); a nested one only counts.
 *
 * Does nothing while paused (see lazy_mmu_mode_pause()) and in interrupt
 * context.
 */
static inline void lazy_mmu_mode_enable(void)
{
	struct lazy_mmu_state *state = &current->lazy_mmu_state;

	if (in_interrupt() || state->pause_count)
		return;

	VM_WARN_ON_ONCE(state->enable_count == U8_MAX);
	if (state->enable_count++ == 0)
		arch_enter_lazy_mmu_mode();
}

/**
 * lazy_mmu_mode_disable() - Close a lazy MMU section
 *
 * Must match a lazy_mmu_mode_enable().  Closing the outermost section
 * leaves the mode, with arch_leave_lazy_mmu_mode(); closing a nested one
 * flushes the updates batched so far, with arch_flush_lazy_mmu_mode().
 * Either way, the page table updates made before the call have taken
 * effect when it returns.
 *
 * Does nothing while paused and in interrupt context.
 */
static inline void lazy_mmu_mode_disable(void)
{
	struct lazy_mmu_state *state = &current->lazy_mmu_state;

	if (in_interrupt() || state->pause_count)
		return;

	VM_WARN_ON_ONCE(state->enable_count == 0);
	if (--state->enable_count == 0)
		arch_leave_lazy_mmu_mode();
	else
		arch_flush_lazy_mmu_mode();
}

/**
 * lazy_mmu_mode_pause() - Stop batching for a while
 *
 * For code that may run inside its caller's section and must not run in
 * lazy MMU mode.  The first pause leaves the mode, whatever the nesting
 * depth, if a section is open; lazy_mmu_mode_resume() enters it again.
 * Until then every other lazy_mmu_mode_*() call does nothing.  May be
 * called with no section open.
 *
 * Does nothing inside another pause/resume pair (except counting) and in
 * interrupt context.
 */
static inline void lazy_mmu_mode_pause(void)
{
	struct lazy_mmu_state *state = &current->lazy_mmu_state;

	if (in_interrupt())
		return;

	VM_WARN_ON_ONCE(state->pause_count == U8_MAX);
	if (state->pause_count++ == 0 && state->enable_count)
		arch_leave_lazy_mmu_mode();
}

/**
 * lazy_mmu_mode_resume() - Batch again after lazy_mmu_mode_pause()
 *
 * Must match a lazy_mmu_mode_pause().  The last resume enters the mode
 * again, with arch_enter_lazy_mmu_mode(), if a section was open when the
 * first pause was made.
 *
 * Does nothing inside another pause/resume pair (except counting) and in
 * interrupt context.
 */
static inline void lazy_mmu_mode_resume(void)
{
	struct lazy_mmu_state *state = &current->lazy_mmu_state;

	if (in_interrupt())
		return;

	VM_WARN_ON_ONCE(state->pause_count == 0);
	if (--state->pause_count == 0 && state->enable_count)
		arch_enter_lazy_mmu_mode();
}
#else /* !CONFIG_ARCH_HAS_LAZY_MMU_MODE */
static inline void lazy_mmu_mode_enable(void) {}
static inline void lazy_mmu_mode_disable(void) {}
static inline void lazy_mmu_mode_pause(void) {}
static inline void lazy_mmu_mode_resume(void) {}
