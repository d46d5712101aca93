// SPDX-License-Identifier: GPL-2.0
/*
 * Closes of the wrong kind: pause and enable brackets must close in the
 * reverse order of opening.
 */
#include <linux/pgtable.h>

static void bad_disable_while_paused(pte_t *pte)
{
	lazy_mmu_mode_enable();
	set_pte_batch(pte);
	lazy_mmu_mode_pause();
	lazy_mmu_mode_disable();
	lazy_mmu_mode_resume();
}

static void bad_resume_inside_inner_section(pte_t *pte)
{
	lazy_mmu_mode_pause();
	lazy_mmu_mode_enable();
	set_pte_batch(pte);
	lazy_mmu_mode_resume();
	lazy_mmu_mode_disable();
}

/* A pause inside a section: the usual callee shape, well nested. */
static void good_pause_inside_section(pte_t *pte)
{
	lazy_mmu_mode_enable();
	set_pte_batch(pte);
	lazy_mmu_mode_pause();
	might_sleep_here();
	lazy_mmu_mode_resume();
	lazy_mmu_mode_disable();
}

/* enable/disable while paused are ignored at run time, and well nested. */
static void good_section_while_paused(pte_t *pte)
{
	lazy_mmu_mode_pause();
	lazy_mmu_mode_enable();
	set_pte_batch(pte);
	lazy_mmu_mode_disable();
	lazy_mmu_mode_resume();
}

/*
 * check-exit-value: 1
 *
 * check-output-start
wrong_close.c:13:2: warning: lazy_mmu_mode_disable() while lazy MMU mode is paused by this function [lazy-mmu-wrong-close]
wrong_close.c:12:2: note: lazy MMU mode paused here
wrong_close.c:22:2: warning: lazy_mmu_mode_resume() while a lazy MMU section enabled after the pause is still open [lazy-mmu-wrong-close]
wrong_close.c:20:2: note: lazy MMU section opened here
wrong_close.c:19:2: note: lazy MMU mode paused here
 * check-output-end
 */
