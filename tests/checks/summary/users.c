// SPDX-License-Identifier: GPL-2.0
/*
 * Callers checked with the summaries of helpers.c (another file: the
 * summaries cover the whole input set).
 *
 * check-command: lazy-mmu-check summary/helpers.c summary/users.c
 */
#include <linux/pgtable.h>

static void good_user(struct pt_batch *b, struct mm_struct *mm)
{
	pt_batch_begin(b);
	fill_batch(b);
	pt_batch_end(b);
}

static void good_nested_wrappers(struct pt_batch *b, struct mm_struct *mm)
{
	pt_walk_begin(b, mm);
	fill_batch(b);
	pt_batch_end(b);
}

static int bad_user_leaks(struct pt_batch *b, struct mm_struct *mm)
{
	pt_walk_begin(b, mm);
	if (fill_batch(b))
		return -ENOMEM;
	pt_batch_end(b);
	return 0;
}

static void bad_user_double_end(struct pt_batch *b)
{
	pt_batch_begin(b);
	fill_batch(b);
	pt_batch_end(b);
	pt_batch_end(b);
}

static void bad_end_while_paused(struct pt_batch *b)
{
	pt_batch_begin(b);
	lazy_mmu_mode_pause();
	pt_batch_end(b);
	lazy_mmu_mode_resume();
}


/* Legacy code calling a function that opens its own section: legacy nesting. */
static void legacy_caller_of_wrapper(struct pt_batch *b)
{
	arch_enter_lazy_mmu_mode();
	pt_batch_begin(b);
	fill_batch(b);
	pt_batch_end(b);
	arch_leave_lazy_mmu_mode();
}

/*
 * check-exit-value: 1
 *
 * check-output-start
summary/helpers.c:34:3: warning: closes a lazy MMU section it did not open on some paths only [lazy-mmu-inconsistent-paths]
summary/helpers.c:33:2: note: following the 'true' branch (when 'b->nr')
summary/helpers.c:35:1: note: another path leaves the function here without that close
summary/users.c:28:3: warning: returning with a lazy MMU section still open [lazy-mmu-unbalanced-return]
summary/users.c:26:2: note: lazy MMU section opened here by pt_walk_begin(), which returns with it open
summary/helpers.c:27:2: note: pt_walk_begin() opens it here, by a call of pt_batch_begin(), which returns with it open
summary/helpers.c:12:2: note: pt_batch_begin() opens it here
summary/users.c:27:2: note: following the 'true' branch (when 'fill_batch(b)')
summary/users.c:38:2: warning: pt_batch_end() with no lazy MMU section open: the section was already closed [lazy-mmu-double-close]
summary/users.c:37:2: note: it was closed here
summary/users.c:45:2: warning: pt_batch_end() while lazy MMU mode is paused by this function [lazy-mmu-wrong-close]
summary/users.c:44:2: note: lazy MMU mode paused here
summary/users.c:53:2: warning: legacy arch_enter_lazy_mmu_mode() in generic code: use lazy_mmu_mode_enable() [lazy-mmu-legacy-call]
summary/users.c:54:2: warning: pt_batch_begin() opens a lazy MMU section inside a legacy section: the legacy API does not nest [lazy-mmu-legacy-nesting]
summary/users.c:53:2: note: legacy lazy MMU section opened here
summary/helpers.c:12:2: note: pt_batch_begin() opens a lazy MMU section here
summary/users.c:57:2: warning: legacy arch_leave_lazy_mmu_mode() in generic code: use lazy_mmu_mode_disable() [lazy-mmu-legacy-call]
summary/users.c:53:2: note: the section it closes was opened here
 * check-output-end
 */
