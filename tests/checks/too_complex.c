// SPDX-License-Identifier: GPL-2.0
/*
 * With a small path budget the analysis gives up on a function and says
 * so instead of staying silent.
 *
 * check-command: lazy-mmu-check --max-states=20 too_complex.c
 */
#include <linux/pgtable.h>

static void many_paths(pte_t *pte, unsigned long flags)
{
	if (flags & 1)
		lazy_mmu_mode_enable();
	if (flags & 2)
		lazy_mmu_mode_enable();
	if (flags & 4)
		lazy_mmu_mode_enable();
	set_pte_batch(pte);
	if (flags & 4)
		lazy_mmu_mode_disable();
	if (flags & 2)
		lazy_mmu_mode_disable();
	if (flags & 1)
		lazy_mmu_mode_disable();
}

static void small(pte_t *pte)
{
	lazy_mmu_mode_enable();
	set_pte_batch(pte);
	lazy_mmu_mode_disable();
}

/*
 * check-exit-value: 1
 *
 * check-output-start
too_complex.c:10:13: warning: function is too complex to analyse fully (more than 20 path states); findings for it may be incomplete [lazy-mmu-too-complex]
too_complex.c:17:3: note: the analysis gave up here
 * check-output-end
 */
