// SPDX-License-Identifier: GPL-2.0
/*
 * Preprocessor groups with the same condition are taken together: a
 * configuration either has CONFIG_PT_BATCH or it does not.
 */
#include <linux/pgtable.h>

static void good_same_ifdef(pte_t *pte, int nr)
{
#ifdef CONFIG_PT_BATCH
	lazy_mmu_mode_enable();
#endif
	while (nr--)
		set_pte_plain(pte++);
#ifdef CONFIG_PT_BATCH
	lazy_mmu_mode_disable();
#endif
}

static void good_ifdef_then_ifndef_else(pte_t *pte)
{
#ifdef CONFIG_PT_BATCH
	lazy_mmu_mode_enable();
#endif
	set_pte_plain(pte);
#ifndef CONFIG_PT_BATCH
	flush_plain(pte);
#else
	lazy_mmu_mode_disable();
#endif
}

static void good_same_if_expr(pte_t *pte)
{
#if defined(CONFIG_PT_BATCH) && CONFIG_PT_LEVELS > 3
	lazy_mmu_mode_enable();
#endif
	set_pte_plain(pte);
#if defined(CONFIG_PT_BATCH) && CONFIG_PT_LEVELS > 3
	lazy_mmu_mode_disable();
#endif
}

static void bad_different_configs(pte_t *pte)
{
#ifdef CONFIG_PT_BATCH
	lazy_mmu_mode_enable();
#endif
	set_pte_plain(pte);
#ifdef CONFIG_PT_BATCHED_FLUSH
	lazy_mmu_mode_disable();
#endif
}
