// SPDX-License-Identifier: GPL-2.0
/*
 * A function the parser cannot read is skipped with a note; the rest of
 * the file is still checked.
 */
#include <linux/pgtable.h>

#define pt_if_batched(pte) if (pte_batched(pte))

static void skipped_macro_if(pte_t *pte)
{
	lazy_mmu_mode_enable();
	pt_if_batched(pte) {
		set_pte_batch(pte);
	} else {
		set_pte_plain(pte);
	}
	lazy_mmu_mode_disable();
}

static int bad_after_the_skipped_one(pte_t *pte)
{
	lazy_mmu_mode_enable();
	if (!pte)
		return -EINVAL;
	set_pte_batch(pte);
	lazy_mmu_mode_disable();
	return 0;
}

/*
 * check-exit-value: 1
 *
 * check-output-start
parse_error.c:25:3: warning: returning with a lazy MMU section still open [lazy-mmu-unbalanced-return]
parse_error.c:23:2: note: lazy MMU section opened here
parse_error.c:24:2: note: following the 'true' branch (when '!pte')
parse_error.c:15:4: note: cannot parse function 'skipped_macro_if' ('else' without 'if' at line 15); function skipped [lazy-mmu-parse]
 * check-output-end
 */
