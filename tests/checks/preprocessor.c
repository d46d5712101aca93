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

/*
 * Two different conditions are two configurations: with CONFIG_PT_BATCH
 * alone the section leaks, with CONFIG_PT_BATCHED_FLUSH alone the disable
 * closes a section the function never opened (its caller's).
 *
 * check-exit-value: 1
 *
 * check-output-start
preprocessor.c:51:2: warning: closes a lazy MMU section it did not open on some paths only [lazy-mmu-inconsistent-paths]
preprocessor.c:46:1: note: assuming this preprocessor block is compiled out
preprocessor.c:50:1: note: assuming this preprocessor arm is compiled
preprocessor.c:53:1: note: another path leaves the function here without that close
preprocessor.c:53:1: warning: reaching the end of the function with a lazy MMU section still open [lazy-mmu-unbalanced-return]
preprocessor.c:47:2: note: lazy MMU section opened here
preprocessor.c:46:1: note: assuming this preprocessor arm is compiled
preprocessor.c:50:1: note: assuming this preprocessor block is compiled out
 * check-output-end
 */
