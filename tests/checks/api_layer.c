// SPDX-License-Identifier: GPL-2.0
/*
 * The generic helpers' own definitions (include/linux/lazy_api.h) are not
 * reported, and a user of them is checked as usual.
 *
 * check-command: lazy-mmu-check include/linux/lazy_api.h api_layer.c
 */
#include <linux/lazy_api.h>

static void good_user(pte_t *pte)
{
	lazy_mmu_mode_enable();
	set_pte_batch(pte);
	lazy_mmu_mode_disable();
}

static void bad_user(pte_t *pte)
{
	lazy_mmu_mode_enable();
	if (!pte)
		return;
	set_pte_batch(pte);
	lazy_mmu_mode_disable();
}

/*
 * check-exit-value: 1
 *
 * check-output-start
api_layer.c:21:3: warning: returning with a lazy MMU section still open [lazy-mmu-unbalanced-return]
api_layer.c:19:2: note: lazy MMU section opened here
api_layer.c:20:2: note: following the 'true' branch (when '!pte')
 * check-output-end
 */
