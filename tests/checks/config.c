// SPDX-License-Identifier: GPL-2.0
/*
 * With an autoconf.h the configuration is known: arms that are compiled
 * out are not paths, and IS_ENABLED() conditions are decided.
 *
 * check-command: lazy-mmu-check -include config/autoconf.h config.c
 */
#include <linux/pgtable.h>

static void good_debug_off(pte_t *pte)
{
	lazy_mmu_mode_enable();
#ifdef CONFIG_PT_DEBUG
	if (pte_bad_check(pte))
		return;
#endif
	set_pte_batch(pte);
	lazy_mmu_mode_disable();
}

static void good_is_enabled(pte_t *pte)
{
	if (IS_ENABLED(CONFIG_PT_BATCH))
		lazy_mmu_mode_enable();
	set_pte_batch(pte);
	if (!IS_ENABLED(CONFIG_PT_BATCH))
		return;
	lazy_mmu_mode_disable();
}

static void bad_batch_on(pte_t *pte)
{
	lazy_mmu_mode_enable();
#if defined(CONFIG_PT_BATCH) && defined(CONFIG_64BIT)
	if (!pte_present(*pte))
		return;
#else
	lazy_mmu_mode_disable();
	return;
#endif
	set_pte_batch(pte);
	lazy_mmu_mode_disable();
}

/*
 * check-exit-value: 1
 *
 * check-output-start
config.c:36:3: warning: returning with a lazy MMU section still open [lazy-mmu-unbalanced-return]
config.c:33:2: note: lazy MMU section opened here
config.c:35:2: note: following the 'true' branch (when '!pte_present(*pte)')
 * check-output-end
 */
