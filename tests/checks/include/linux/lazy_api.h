/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic layer itself, written the way the nesting series shapes it:
 * the helpers call the arch callbacks, which is their job, so none of this
 * is reported (functions named like the API are its definitions).
 */
#ifndef _LINUX_LAZY_API_H
#define _LINUX_LAZY_API_H

#ifdef CONFIG_ARCH_HAS_LAZY_MMU_MODE
static inline void lazy_mmu_mode_enable(void)
{
	struct lazy_mmu_state *state = &current->lazy_mmu_state;

	if (in_interrupt() || state->pause_count > 0)
		return;
	if (state->enable_count++ == 0)
		arch_enter_lazy_mmu_mode();
}

static inline void lazy_mmu_mode_disable(void)
{
	struct lazy_mmu_state *state = &current->lazy_mmu_state;

	if (in_interrupt() || state->pause_count > 0)
		return;
	if (--state->enable_count == 0)
		arch_leave_lazy_mmu_mode();
	else
		arch_flush_lazy_mmu_mode();
}

static inline void lazy_mmu_mode_pause(void)
{
	struct lazy_mmu_state *state = &current->lazy_mmu_state;

	if (in_interrupt())
		return;
	if (state->pause_count++ == 0 && state->enable_count > 0)
		arch_leave_lazy_mmu_mode();
}

static inline void lazy_mmu_mode_resume(void)
{
	struct lazy_mmu_state *state = &current->lazy_mmu_state;

	if (in_interrupt())
		return;
	if (--state->pause_count == 0 && state->enable_count > 0)
		arch_enter_lazy_mmu_mode();
}
#else
static inline void lazy_mmu_mode_enable(void) {}
static inline void lazy_mmu_mode_disable(void) {}
static inline void lazy_mmu_mode_pause(void) {}
static inline void lazy_mmu_mode_resume(void) {}
#endif

#endif /* _LINUX_LAZY_API_H */
